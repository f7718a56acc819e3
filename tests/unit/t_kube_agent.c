/* The parsers behind srebox kubelet and cni: X.509 validity from PEM and
 * DER, kubelet log lines (klog, logrus) and their grouping keys,
 * systemctl show output, iptables-save and nft rulesets, and the
 * kubelet's eviction thresholds; each on empty, truncated, huge and
 * garbage input too. */
#include "unit.h"
#include "judge_kube.h"
#include "klog.h"
#include "kuberules.h"
#include "x509.h"

/* openssl req -x509 -days 3650 -subj "/O=system:nodes/CN=system:node:worker-1" */
static const char pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBwTCCAWegAwIBAgIUH9gbi1EaOLeRCoMHNI8Bq6/T49kwCgYIKoZIzj0EAwIw\n"
	"NjEVMBMGA1UECgwMc3lzdGVtOm5vZGVzMR0wGwYDVQQDDBRzeXN0ZW06bm9kZTp3\n"
	"b3JrZXItMTAeFw0yNjEyMDIwNTQwMTFaFw0zNjExMjkwNTQwMTFaMDYxFTATBgNV\n"
	"BAoMDHN5c3RlbTpub2RlczEdMBsGA1UEAwwUc3lzdGVtOm5vZGU6d29ya2VyLTEw\n"
	"WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQQZvfZLpDGK2+GOPTt9xYl1qeDTL0U\n"
	"IJd2/lX1LDMD/cIAkiIGna5gr7VteXcsjRXBc35Gq8aFvldUvhzvPDLKo1MwUTAd\n"
	"BgNVHQ4EFgQUjy9o9yaBTV0HE6ISmVBfXQ0yWZowHwYDVR0jBBgwFoAUjy9o9yaB\n"
	"TV0HE6ISmVBfXQ0yWZowDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBF\n"
	"AiEA3pca6/4FN097HQLGATx7qhFvVfNDl77vuDkXD0W9WwkCICZTYek+asx64Tcs\n"
	"iFui04Uol+3RdywoKV36DgdLbLIg\n"
	"-----END CERTIFICATE-----\n";

static void certificates(void **state)
{
	struct x509_info ci[2];
	struct sbx_err err;
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(pem_certs(pem, strlen(pem), ci, 2, &err), 1);
	/* openssl x509 -startdate -enddate, as date +%s */
	assert_int_equal(ci[0].not_before, 1796190011);
	assert_int_equal(ci[0].not_after, 2111550011);
	assert_string_equal(ci[0].cn, "system:node:worker-1");
	/* a client cert file: the certificate, then its key */
	buf_adds(&b, pem);
	buf_adds(&b, "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----\n");
	buf_adds(&b, pem);
	assert_int_equal(pem_certs(b.s, b.len, ci, 1, &err), 2);	/* counted past max */
	buf_free(&b);
	/* truncated: every prefix fails or finds nothing, never reads past n */
	for (size_t n = 0; n + 1 < strlen(pem); n++) {
		int k = pem_certs(pem, n, ci, 2, &err);

		assert_true(k <= 0);
	}
	assert_int_equal(pem_certs("", 0, ci, 2, &err), 0);
	assert_int_equal(pem_certs("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n", 61, ci, 2,
				   &err), -1);
	assert_non_null(strstr(err.msg, "bad base64"));
	assert_int_equal(pem_certs("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 59, ci, 2,
				   &err), -1);
	assert_non_null(strstr(err.msg, "certificate 1:"));
}

static void der_times(void **state)
{
	/* SEQ { SEQ { [0] {INT 2}, INT 1, SEQ {}, SEQ {}, SEQ { UTCTime 491231235959Z,
	 * GeneralizedTime 20500101000000Z }, SEQ {} } } */
	static const unsigned char der[] = {
		0x30, 0x32, 0x30, 0x30, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x30, 0x00, 0x30, 0x00,
		0x30, 0x20, 0x17, 0x0d, '4', '9', '1', '2', '3', '1', '2', '3', '5', '9', '5', '9', 'Z',
		0x18, 0x0f, '2', '0', '5', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z',
		0x30, 0x00,
	};
	unsigned char bad[sizeof(der)];
	struct x509_info ci;
	struct sbx_err err;

	(void)state;
	assert_int_equal(x509_der_validity(der, sizeof(der), &ci, &err), 0);
	assert_int_equal(ci.not_before, 2524607999);	/* 2049-12-31T23:59:59Z: YY < 50 is 20YY */
	assert_int_equal(ci.not_after, 2524608000);
	assert_string_equal(ci.cn, "");
	for (size_t n = 0; n < sizeof(der); n++)
		assert_int_equal(x509_der_validity(der, n, &ci, &err), -1);
	memcpy(bad, der, sizeof(der));
	bad[22] = '9';	/* month 19 */
	assert_int_equal(x509_der_validity(bad, sizeof(bad), &ci, &err), -1);
	memcpy(bad, der, sizeof(der));
	bad[1] = 0x84;	/* a length past the input */
	assert_int_equal(x509_der_validity(bad, sizeof(bad), &ci, &err), -1);
}

static void klog_lines(void **state)
{
	const char *l1 = "E1202 05:14:35.123456    1043 pod_workers.go:1301] \"Error syncing pod, skipping\" "
			 "err=\"network is not ready\" pod=\"kube-system/coredns-x\"";
	const char *l2 = "Dec  2 05:14:35 worker-1 kubelet[1043]: W1202 05:14:35.5 1043 reflector.go:561] "
			 "failed to list *v1.Service: dial tcp 10.0.0.10:6443: connect: connection refused";
	const char *l3 = "time=\"2026-12-02T05:14:35+01:00\" level=error msg=\"failed to get CA certs: EOF\"";
	struct klog_line k;
	char key[200];

	(void)state;
	assert_true(klog_parse(l1, strlen(l1), &k));
	assert_int_equal(k.sev, KLOG_ERROR);
	assert_int_equal(k.month, 12);
	assert_int_equal(k.day, 2);
	assert_true(k.day_seconds > 18875.123 && k.day_seconds < 18875.124);
	assert_int_equal(klog_key(k.msg, k.msg_len, key, sizeof(key)), 27);
	assert_string_equal(key, "Error syncing pod, skipping");
	assert_true(klog_parse(l2, strlen(l2), &k));
	assert_int_equal(k.sev, KLOG_WARN);
	klog_key(k.msg, k.msg_len, key, sizeof(key));
	assert_string_equal(key, "failed to list *v#.Service: dial tcp #:#: connect: connection refused");
	assert_true(klog_parse(l3, strlen(l3), &k));
	assert_int_equal(k.sev, KLOG_ERROR);
	assert_true(k.has_epoch && k.epoch == 1796184875);	/* 04:14:35Z */
	assert_int_equal(klog_epoch(&k, 0), 1796184875);
	klog_key(k.msg, k.msg_len, key, sizeof(key));
	assert_string_equal(key, "failed to get CA certs: EOF");
	/* the key is bounded by its buffer */
	assert_true(klog_key("abcdefghij", 10, key, 8) == 7 && !strcmp(key, "abcdefg"));
	/* not log lines */
	assert_false(klog_parse("", 0, &k));
	assert_false(klog_parse("E1302 05:14:35.1 1 x.go:1] month 13", 34, &k));
	assert_false(klog_parse("hello world", 11, &k));
	assert_false(klog_parse("E1202 05:14:35.123456 no bracket", 32, &k));
	/* truncated: every prefix parses or not, never past n */
	for (size_t n = 0; n < strlen(l1); n++)
		(void)klog_parse(l1, n, &k);
}

static void klog_years(void **state)
{
	struct klog_line k = { .sev = KLOG_ERROR, .has_mday = true, .month = 12, .day = 31,
			       .day_seconds = 23 * 3600.0 };
	double jan1 = 1798761600;	/* 2027-01-01T00:00:00Z */

	(void)state;
	/* read on New Year's Day, Dec 31's line is last year's */
	assert_int_equal(klog_epoch(&k, jan1 + 60), jan1 - 3600);
	k.month = 1;
	k.day = 1;
	k.day_seconds = 30;
	assert_int_equal(klog_epoch(&k, jan1 + 60), jan1 + 30);
}

static void unit_show(void **state)
{
	const char *out = "LoadState=loaded\nActiveState=activating\nSubState=auto-restart\nNRestarts=57\nResult=\n";
	char v[16];

	(void)state;
	assert_true(unit_show_get(out, strlen(out), "ActiveState", v, sizeof(v)));
	assert_string_equal(v, "activating");
	assert_true(unit_show_get(out, strlen(out), "NRestarts", v, sizeof(v)));
	assert_string_equal(v, "57");
	assert_true(unit_show_get(out, strlen(out), "Result", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_false(unit_show_get(out, strlen(out), "Load", v, sizeof(v)));
	assert_true(unit_show_get(out, strlen(out), "SubState", v, 5));
	assert_string_equal(v, "auto");
	assert_false(unit_show_get("", 0, "ActiveState", v, sizeof(v)));
	assert_false(unit_show_get("System has not been booted with systemd", 39, "ActiveState", v, sizeof(v)));
}

static void rulesets(void **state)
{
	size_t n;
	char *ipt = fixture("cni/iptables-save.txt", &n), *nft;
	struct kube_rules r;
	struct sbx_err err;

	(void)state;
	assert_int_equal(kube_rules_parse(ipt, n, &r, &err), 0);
	assert_int_equal(r.fmt, KR_IPTABLES);
	assert_int_equal(r.rules, 38);
	assert_int_equal(r.all_rules, 59);
	assert_int_equal(r.services, 4);
	assert_true(r.has_services);
	kube_rules_free(&r);
	/* truncated anywhere: parses, and never counts more */
	for (size_t k = 0; k < n; k += 97) {
		assert_int_equal(kube_rules_parse(ipt, k, &r, &err), 0);
		assert_true(r.rules <= 38);
		kube_rules_free(&r);
	}
	free(ipt);
	nft = fixture("cni/nft-ruleset.txt", &n);
	assert_int_equal(kube_rules_parse(nft, n, &r, &err), 0);
	assert_int_equal(r.fmt, KR_NFT);
	assert_int_equal(r.rules, 33);
	assert_int_equal(r.all_rules, 34);
	assert_int_equal(r.n, 17);
	assert_int_equal(r.services, 3);
	assert_true(r.has_services);
	kube_rules_free(&r);
	free(nft);
	assert_int_equal(kube_rules_parse("", 0, &r, &err), 0);
	assert_int_equal(r.fmt, KR_NONE);
	assert_int_equal(kube_rules_parse("Error: cache initialization failed: Operation not permitted\n", 60, &r,
					  &err), -1);
	assert_non_null(strstr(err.msg, "Operation not permitted"));
	assert_int_equal(kube_rules_parse("table {\n", 8, &r, &err), -1);
}

static void huge_ruleset(void **state)
{
	struct buf b = { 0 };
	struct kube_rules r;
	struct sbx_err err;

	(void)state;
	/* 20,000 services, two endpoints each: one row per kind */
	buf_adds(&b, "*nat\n:KUBE-SERVICES - [0:0]\n");
	for (int i = 0; i < 20000; i++)
		buf_addf(&b, ":KUBE-SVC-%016d - [0:0]\n-A KUBE-SERVICES -j KUBE-SVC-%016d\n"
			 "-A KUBE-SVC-%016d -j KUBE-SEP-A%015d\n-A KUBE-SVC-%016d -j KUBE-SEP-B%015d\n",
			 i, i, i, i, i, i);
	buf_adds(&b, "COMMIT\n");
	assert_int_equal(kube_rules_parse(b.s, b.len, &r, &err), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.services, 20000);
	assert_int_equal(r.rules, 60000);
	kube_rules_free(&r);
	buf_free(&b);
}

static void thresholds(void **state)
{
	double v;

	(void)state;
	assert_true(evict_threshold("100Mi", 0, &v) && v == 104857600);
	assert_true(evict_threshold("10%", 2000, &v) && v == 200);
	assert_true(evict_threshold("1.5Gi", 0, &v) && v == 1.5 * 1073741824);
	assert_true(evict_threshold("500M", 0, &v) && v == 5e8);
	assert_true(evict_threshold("42", 0, &v) && v == 42);
	assert_false(evict_threshold("lots", 0, &v));
	assert_false(evict_threshold("10%%", 100, &v));
	assert_false(evict_threshold("101%", 100, &v));
	assert_false(evict_threshold("-1Mi", 0, &v));
	assert_false(evict_threshold("", 0, &v));
	assert_false(evict_threshold(NULL, 0, &v));
	assert_false(evict_threshold("10%", 0, &v));	/* of nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(certificates), cmocka_unit_test(der_times), cmocka_unit_test(klog_lines),
		cmocka_unit_test(klog_years),	cmocka_unit_test(unit_show), cmocka_unit_test(rulesets),
		cmocka_unit_test(huge_ruleset), cmocka_unit_test(thresholds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
