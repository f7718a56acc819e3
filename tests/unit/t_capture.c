/* A capture's manifest and its table of filesystem answers: the good
 * shapes, a newer format, and every truncation, empty, huge and garbage. */
#include "unit.h"
#include "capture.h"

#include <errno.h>

static const char good_man[] =
	"{\"format\": \"srebox-capture\", \"version\": 1, \"srebox\": \"0.1.0\", \"host\": \"vm\","
	" \"kernel\": \"6.1.0\", \"boot_id\": \"b\", \"interval_seconds\": 2.5,"
	" \"include_cmdline\": true, \"snapshots\": [{\"dir\": \"0\", \"uptime_seconds\": 10.5,"
	" \"time\": 1700000000.25}, {\"dir\": \"1\", \"uptime_seconds\": 13, \"time\": 1700000002.75}]}";

static void manifest_good(void **state)
{
	struct capman m;
	struct sbx_err err;

	(void)state;
	assert_int_equal(capman_parse(good_man, strlen(good_man), &m, &err), 0);
	assert_int_equal(m.version, 1);
	assert_string_equal(m.host, "vm");
	assert_string_equal(m.kernel, "6.1.0");
	assert_string_equal(m.srebox, "0.1.0");
	assert_int_equal(m.nsnap, 2);
	assert_string_equal(m.snap[1].dir, "1");
	assert_true(m.snap[0].uptime == 10.5 && m.snap[1].uptime == 13);
	assert_true(m.snap[0].time == 1700000000.25);
	assert_true(m.interval == 2.5 && m.cmdline);
}

static void manifest_newer(void **state)
{
	static const char t[] = "{\"format\": \"srebox-capture\", \"version\": 3, \"srebox\": \"2.0\","
				" \"snapshots\": [{\"dir\": \"0\"}]}";
	struct capman m;
	struct sbx_err err;

	(void)state;
	assert_int_equal(capman_parse(t, strlen(t), &m, &err), -1);
	assert_int_equal(err.errnum, EPROTONOSUPPORT);
	assert_non_null(strstr(err.msg, "written by srebox 2.0 in capture format 3"));
}

static void manifest_bad(void **state)
{
	static const char *const bad[] = {
		"", "{}", "[]", "null", "{\"format\": \"other\", \"version\": 1}",
		"{\"format\": \"srebox-capture\"}",
		"{\"format\": \"srebox-capture\", \"version\": 0, \"snapshots\": [{\"dir\": \"0\"}]}",
		"{\"format\": \"srebox-capture\", \"version\": 1}",
		"{\"format\": \"srebox-capture\", \"version\": 1, \"snapshots\": []}",
		"{\"format\": \"srebox-capture\", \"version\": 1, \"snapshots\": [{}, {}, {}]}",
		"{\"format\": \"srebox-capture\", \"version\": 1, \"snapshots\": [{\"dir\": \"../x\"}]}",
		"{\"format\": \"srebox-capture\", \"version\": 1, \"snapshots\": [{\"dir\": \"\"}]}",
		"{\"format\": \"srebox-capture\", \"version\": 1, \"snapshots\": [7]}",
		"{\"format\": \"srebox-capture\", \"format\": \"x\", \"version\": 1}",
	};
	struct capman m;
	struct sbx_err err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (capman_parse(bad[i], strlen(bad[i]), &m, &err) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_true(err.msg[0] != '\0');
	}
}

static void manifest_every_truncation(void **state)
{
	size_t n = strlen(good_man);
	struct capman m;
	struct sbx_err err;

	(void)state;
	/* every prefix is refused (a cut document is not JSON); no read past it */
	for (size_t k = 0; k < n; k++) {
		char *c = test_malloc(k + 1);

		memcpy(c, good_man, k);
		assert_int_equal(capman_parse(c, k, &m, &err), -1);
		test_free(c);
	}
}

static void manifest_huge(void **state)
{
	size_t n = CAPMAN_MAX + 10;
	char *big = test_malloc(n);
	struct capman m;
	struct sbx_err err;

	(void)state;
	memset(big, ' ', n);
	assert_int_equal(capman_parse(big, n, &m, &err), -1);
	assert_int_equal(err.errnum, EFBIG);
	test_free(big);
}

static const char good_fs[] =
	"statfs\t/\t0\t61267\t4096\t100\t40\t30\t1000\t900\t255\t4096\t4128\n"
	"stat\t/var/lib/kubelet\t2\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n"
	"statfs\t/mnt/a\\040b\t110\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t/mnt/a\\040b\tfuse\thangfs\t1500\n"
	"statfs\t/\t0\t1\t1\t1\t1\t1\t1\t1\t1\t1\t1\n";

static void fs_good(void **state)
{
	struct capfs_set s;
	size_t bad;
	const struct capfs_rec *r;

	(void)state;
	/* the second answer for / is dropped: the first stays */
	assert_int_equal(capfs_parse(good_fs, strlen(good_fs), &s, &bad), 3);
	assert_int_equal(bad, 0);
	r = capfs_find(&s, false, "/");
	assert_non_null(r);
	assert_true(r->a[0] == 61267 && r->a[2] == 100 && r->a[4] == 30);
	r = capfs_find(&s, true, "/var/lib/kubelet");
	assert_non_null(r);
	assert_int_equal(r->err, 2);
	assert_null(capfs_find(&s, false, "/var/lib/kubelet"));
	r = capfs_find(&s, false, "/mnt/a b");
	assert_non_null(r);
	assert_int_equal(r->err, 110);
	assert_string_equal(r->point, "/mnt/a b");
	assert_string_equal(r->fstype, "fuse");
	assert_string_equal(r->source, "hangfs");
	assert_true(r->waited == 1.5);
	capfs_free(&s);
}

static void fs_round_trip(void **state)
{
	struct capfs_rec r = { .is_stat = false, .path = "/a\tb\\c d\n", .err = 110,
			       .a = { 1, 2, 3, UINT64_MAX, 5, 6, 7, 8, 9, 10 },
			       .point = "-", .fstype = "", .source = "s p", .waited = 2 };
	struct buf b = { 0 };
	struct capfs_set s;
	size_t bad;

	(void)state;
	capfs_format(&r, &b);
	assert_int_equal(capfs_parse(b.s, b.len, &s, &bad), 1);
	assert_int_equal(bad, 0);
	assert_string_equal(s.v[0].path, r.path);
	assert_string_equal(s.v[0].point, "-");
	assert_string_equal(s.v[0].fstype, "");
	assert_string_equal(s.v[0].source, "s p");
	assert_true(s.v[0].a[3] == UINT64_MAX && s.v[0].waited == 2);
	capfs_free(&s);
	buf_free(&b);
}

static void fs_bad_and_truncated(void **state)
{
	static const char *const bad[] = {
		"", "\n", "garbage\n", "statfs\t/\t0\n", "statfs\tnoslash\t0\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\n",
		"other\t/\t0\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\n",
		"statfs\t/\t0\t1\t2\t3\t4\t5\t6\t7\t8\t9\t-1\n",
		"statfs\t/\t0\t1\t2\t3\t4\t5\t6\t7\t8\t9\t99999999999999999999999\n",
		"statfs\t/\t99999\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\n",
		"statfs\t/\t0\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t/p\tf\ts\n",
	};
	size_t n = strlen(good_fs), bad_n;
	struct capfs_set s;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(capfs_parse(bad[i], strlen(bad[i]), &s, &bad_n), 0);
		capfs_free(&s);
	}
	/* a prefix keeps the whole lines before the cut, and no more */
	for (size_t k = 0; k < n; k++) {
		char *c = test_malloc(k + 1);
		size_t lines = 0;

		memcpy(c, good_fs, k);
		for (size_t i = 0; i < k; i++)
			lines += c[i] == '\n';
		capfs_parse(c, k, &s, &bad_n);
		assert_true(s.n == (lines > 3 ? 3 : lines));
		capfs_free(&s);
		test_free(c);
	}
}

/* Thousands of answers (every process's stat): each found, the first of
 * a path kept, stat and statfs of one path apart. */
static void fs_many(void **state)
{
	struct buf b = { 0 };
	struct capfs_set s;
	size_t bad;
	char path[64];

	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct capfs_rec r = { .is_stat = true, .path = path };

		snprintf(path, sizeof(path), "/proc/%d", i);
		r.a[4] = (uint64_t)i;	/* uid */
		capfs_format(&r, &b);
	}
	{
		struct capfs_rec r = { .is_stat = true, .path = "/proc/7", .err = ENOENT };

		capfs_format(&r, &b);	/* a second answer for one path: the first stays */
		r.is_stat = false;
		capfs_format(&r, &b);	/* statfs of it: its own answer */
	}
	assert_int_equal(capfs_parse(b.s, b.len, &s, &bad), 20001);
	assert_int_equal(bad, 0);
	for (int i = 0; i < 20000; i += 997) {
		const struct capfs_rec *r;

		snprintf(path, sizeof(path), "/proc/%d", i);
		r = capfs_find(&s, true, path);
		assert_non_null(r);
		assert_int_equal(r->a[4], i);
	}
	assert_int_equal(capfs_find(&s, true, "/proc/7")->err, 0);
	assert_int_equal(capfs_find(&s, false, "/proc/7")->err, ENOENT);
	assert_null(capfs_find(&s, true, "/proc/20000"));
	assert_null(capfs_find(&s, false, "/proc/8"));
	capfs_free(&s);
	buf_free(&b);
}

static void scrubbed(const char *in, const char *want, size_t nwant)
{
	struct buf b = { 0 };
	size_t n = capture_scrub_config(in, strlen(in), &b);

	assert_string_equal(b.s, want);
	assert_int_equal(n, nwant);
	buf_free(&b);
}

#define R CAPTURE_REDACTED

/* The kubelet's config as kubeadm writes it holds no secret: unchanged. */
static void scrub_kubelet_config(void **state)
{
	static const char cfg[] =
		"apiVersion: kubelet.config.k8s.io/v1beta1\n"
		"kind: KubeletConfiguration\n"
		"authentication:\n"
		"  anonymous:\n"
		"    enabled: false\n"
		"  x509:\n"
		"    clientCAFile: /etc/kubernetes/pki/ca.crt\n"
		"authorization:\n"
		"  mode: Webhook\n"
		"tlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key\n"
		"evictionHard:\n"
		"  memory.available: 100Mi\n"
		"  nodefs.available: \"10%\"\n"
		"# a comment about tokens: token: abc\n"
		"containerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n";

	(void)state;
	/* authorization's block is a secret key's: its values go, the
	 * eviction signals and the paths stay */
	scrubbed(cfg,
		 "apiVersion: kubelet.config.k8s.io/v1beta1\n"
		 "kind: KubeletConfiguration\n"
		 "authentication:\n"
		 "  anonymous:\n"
		 "    enabled: false\n"
		 "  x509:\n"
		 "    clientCAFile: /etc/kubernetes/pki/ca.crt\n"
		 "authorization:\n"
		 "  mode: " R "\n"
		 "tlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key\n"
		 "evictionHard:\n"
		 "  memory.available: 100Mi\n"
		 "  nodefs.available: \"10%\"\n"
		 "# a comment about tokens: token: abc\n"
		 "containerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n",
		 1);
}

static void scrub_secrets(void **state)
{
	(void)state;
	/* a key named like a secret, inline, flow style, nested, quoted */
	scrubbed("token: abc123\nbootstrapToken: \"x.y\"\n", "token: " R "\nbootstrapToken: " R "\n", 2);
	scrubbed("staticPodURLHeader: {Authorization: [\"Bearer abc\"]}\n",
		 "staticPodURLHeader: " R "\n", 1);	/* a token in the value: all of it */
	scrubbed("staticPodURLHeader:\n  Authorization:\n  - Bearer abc\n  - Basic xyz\nport: 10250\n",
		 "staticPodURLHeader:\n  Authorization:\n  - " R "\n  - " R "\nport: 10250\n", 2);
	scrubbed("db_password = hunter2\nname = x\n", "db_password = " R "\nname = x\n", 1);
	/* a value that is a token whatever its key */
	scrubbed("header: Bearer abc.def\n", "header: " R "\n", 1);
	scrubbed("x: eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl\n", "x: " R "\n", 1);
	/* a private key's armour, every line of it */
	scrubbed("key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEow\n  -----END RSA PRIVATE KEY-----\nport: 1\n",
		 "key: |\n  " R "\n  " R "\n  " R "\nport: 1\n", 3);
	/* a secret key's value that is a path names a file: kept */
	scrubbed("tokenFile: /var/run/secrets/token\n", "tokenFile: /var/run/secrets/token\n", 0);
	/* no trailing newline, empty */
	scrubbed("token: a", "token: " R, 1);
	scrubbed("", "", 0);
	scrubbed("plain: 1", "plain: 1", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(manifest_good),	cmocka_unit_test(manifest_newer),
		cmocka_unit_test(manifest_bad),		cmocka_unit_test(manifest_every_truncation),
		cmocka_unit_test(manifest_huge),	cmocka_unit_test(fs_good),
		cmocka_unit_test(fs_round_trip),	cmocka_unit_test(fs_bad_and_truncated),
		cmocka_unit_test(fs_many),		cmocka_unit_test(scrub_kubelet_config),
		cmocka_unit_test(scrub_secrets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
