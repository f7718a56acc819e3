/* /proc/net/stat/nf_conntrack and /proc/net/tcp{,6} LISTEN rows: real
 * snapshots (node_exporter's and procfs's fixtures) and every bad shape;
 * and the families net folds into one row. */
#include "unit.h"
#include "net.h"
#include "netconn.h"

#define NE "../node_exporter/proc/net/"
#define PF "../procfs/proc/net/"

static void nfct_real(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/net/stat/nf_conntrack", &len);
	struct nfct_stat t;
	struct sbx_err err;
	uint64_t v;

	(void)state;
	assert_int_equal(parse_nfct_stat(s, len, "nf_conntrack", &t, &err), 0);
	assert_int_equal(t.nrows, 4);
	assert_int_equal(t.ncols, 17);
	/* node_exporter's e2e output: node_nf_conntrack_stat_ignore 89738,
	 * _search_restart 7 (sums over the CPUs) */
	assert_true(nfct_stat_sum(&t, "ignore", &v));
	assert_int_equal(v, 89738);
	assert_true(nfct_stat_sum(&t, "search_restart", &v));
	assert_int_equal(v, 7);
	assert_true(nfct_stat_sum(&t, "insert_failed", &v));
	assert_int_equal(v, 0);
	assert_false(nfct_stat_sum(&t, "clashres", &v));	/* a newer kernel's */
	nfct_stat_free(&t);
	free(s);
}

static void nfct_bad_one(const char *txt, const char *want)
{
	struct nfct_stat t;
	struct sbx_err err;

	if (parse_nfct_stat(txt, strlen(txt), "t", &t, &err) == 0)
		fail_msg("accepted: %s", txt);
	assert_null(t.v);
	assert_null(t.arena);
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
}

static void nfct_shapes(void **state)
{
	/* this kernel's: clashres where searched was, and a wide gap */
	const char *k6 = "entries  clashres found new invalid ignore delete chainlength insert "
			 "insert_failed drop early_drop icmp_error  expect_new expect_create "
			 "expect_delete search_restart\n"
			 "00000002  00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
			 "00000000 00000003 0000000a 00000001 00000000  00000000 00000000 00000000 "
			 "00000000\n"
			 "00000002  00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
			 "00000000 00000001 00000000 00000000 00000000  00000000 00000000 00000000 "
			 "00000000\n";
	struct nfct_stat t;
	struct sbx_err err;
	struct buf b = { 0 };
	uint64_t v;

	(void)state;
	assert_int_equal(parse_nfct_stat(k6, strlen(k6), "t", &t, &err), 0);
	assert_true(nfct_stat_sum(&t, "insert_failed", &v));
	assert_int_equal(v, 4);
	assert_true(nfct_stat_sum(&t, "drop", &v));
	assert_int_equal(v, 10);
	assert_true(nfct_stat_sum(&t, "early_drop", &v));
	assert_int_equal(v, 1);
	nfct_stat_free(&t);
	/* 4096 CPUs */
	buf_adds(&b, "entries drop\n");
	for (int i = 0; i < 4096; i++)
		buf_adds(&b, "00000001 ffffffff\n");
	assert_int_equal(parse_nfct_stat(b.s, b.len, "t", &t, &err), 0);
	assert_int_equal(t.nrows, 4096);
	assert_true(nfct_stat_sum(&t, "drop", &v));
	assert_true(v == 4096ull * 0xffffffffull);
	nfct_stat_free(&t);
	buf_free(&b);

	nfct_bad_one("", "empty");
	nfct_bad_one("entries drop\n", "no CPU rows");	/* header only */
	nfct_bad_one("entries drop\n00000001 0000", "truncated");
	nfct_bad_one("entries drop\n00000001\n", "1 fields for 2");
	nfct_bad_one("entries drop\n00000001 2 3\n", "more fields");
	nfct_bad_one("entries drop\n00000001 zz\n", "not hex");
	nfct_bad_one("entries drop\n1 11111111111111111\n", "not hex");
	nfct_bad_one("00000001 00000002\n00000001 00000002\n", "no header");
	nfct_bad_one("searched drop\n1 2\n", "entries");
	nfct_bad_one("garbage\x01\n", "entries");
	{
		static const char nul[] = "entries\0drop\n1 2\n";

		assert_int_equal(parse_nfct_stat(nul, sizeof(nul) - 1, "t", &t, &err), -1);
		assert_non_null(strstr(err.msg, "NUL"));
	}
	{
		struct buf h = { 0 };

		buf_adds(&h, "entries");
		for (int i = 0; i < 70; i++)
			buf_addf(&h, " c%d", i);
		buf_adds(&h, "\n");
		nfct_bad_one(h.s, "more than 64");
		buf_free(&h);
	}
}

static void listen_real(void **state)
{
	size_t len;
	char *s = fixture("procfs/proc/net/tcp", &len);
	struct net_socks t = { 0 };
	struct sbx_err err;

	(void)state;
	/* procfs: three LISTEN rows on :22, queues 0:1, 1:0 and 1:1 (tx:rx) */
	assert_int_equal(parse_net_sockets(s, len, "tcp", false, NET_TCP_LISTEN, &t, &err), 0);
	free(s);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.v[0].addr, "10.0.0.5:22");
	assert_int_equal(t.v[0].queue, 1);
	assert_int_equal(t.v[0].backlog, 0);
	assert_int_equal(t.v[0].inode, 2740);
	assert_string_equal(t.v[1].addr, "0.0.0.0:22");
	assert_int_equal(t.v[1].backlog, 1);
	assert_int_equal(t.v[2].queue, 1);
	/* tcp6 appends; its rows here are not LISTEN (07 is CLOSE) */
	s = fixture("procfs/proc/net/tcp6", &len);
	assert_int_equal(parse_net_sockets(s, len, "tcp6", true, NET_TCP_LISTEN, &t, &err), 0);
	free(s);
	assert_int_equal(t.n, 3);
	net_socks_free(&t);
}

static void listen_shapes(void **state)
{
	const char *hdr = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
	const char *hdr6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n";
	struct net_socks t = { 0 };
	struct sbx_err err;
	struct buf b = { 0 };
	static const char *const bad[] = {
		"",
		"garbage\n",
		"   0: 0100007F:1F90 00000000:0000 0A 00000001:00000002 00:00000000 00000000 0 0 77",
		"   0: 0100007F:1F90 00000000:0000 0A 00000001 00:00000000 00000000 0 0 77 1\n",
		"   0: 0100007F:1F90 00000000:0000 0A 00000001:0000000g 00:00000000 00000000 0 0 77 1\n",
		"   0: 0100007F:1F90 00000000:0000 0A 00000001:00000002 00:00000000 00000000 x 0 77 1\n",
		"   0: 0100007F:1F90 00000000:0000 0A 00000001:00000002 00:00000000 00000000 0 0 -1 1\n",
		"   0: 0100007F:1F90 00000000:0000 0A\n",
		"   0: 0100007F1F90 00000000:0000 0A 00000001:00000002 00:00000000 00000000 0 0 77 1\n",
		"   0: 0100007F:11F90 00000000:0000 0A 00000001:00000002 00:00000000 00000000 0 0 77 1\n",
		"   0: 100007F:1F90 00000000:0000 0A 00000001:00000002 00:00000000 00000000 0 0 77 1\n",
	};

	(void)state;
	buf_adds(&b, hdr);
	buf_adds(&b, "   0: 0100007F:1F90 00000000:0000 0A 00000001:00000002 00:00000000 00000000  1000        0 77 1 0\n");
	buf_adds(&b, "   1: 0100007F:1F91 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 78 1 0\n");
	assert_int_equal(parse_net_sockets(b.s, b.len, "t", false, NET_TCP_LISTEN, &t, &err), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.v[0].addr, "127.0.0.1:8080");
	assert_int_equal(t.v[0].queue, 2);
	assert_int_equal(t.v[0].backlog, 1);
	assert_int_equal(t.v[0].uid, 1000);
	assert_int_equal(t.v[0].inode, 77);
	buf_free(&b);
	/* ::1 port 443, as the kernel prints it on a little-endian machine */
	buf_adds(&b, hdr6);
	buf_adds(&b, "   0: 00000000000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A 00000080:00000000 00:00000000 00000000     0        0 99 1 0 0\n");
	assert_int_equal(parse_net_sockets(b.s, b.len, "t6", true, NET_TCP_LISTEN, &t, &err), 0);
	assert_int_equal(t.n, 2);
	if (*(const uint8_t *)&(uint32_t){ 1 })
		assert_string_equal(t.v[1].addr, "[::1]:443");
	assert_int_equal(t.v[1].backlog, 128);
	buf_free(&b);
	net_socks_free(&t);
	/* header only: no listener */
	assert_int_equal(parse_net_sockets(hdr, strlen(hdr), "t", false, NET_TCP_LISTEN, &t, &err), 0);
	assert_int_equal(t.n, 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *txt = i < 2 ? xstrdup(bad[i]) : xasprintf("%s%s", hdr, bad[i]);

		if (parse_net_sockets(txt, strlen(txt), "t", false, NET_TCP_LISTEN, &t, &err) == 0)
			fail_msg("accepted: %s", txt);
		free(txt);
		net_socks_free(&t);
	}
	/* 20000 sockets */
	buf_adds(&b, hdr);
	for (int i = 0; i < 20000; i++)
		buf_addf(&b, "%5d: 0100007F:%04X 00000000:0000 0A 00000080:00000000 00:00000000 00000000 0 0 %d 1\n",
			 i, i + 1, i + 1000);
	assert_int_equal(parse_net_sockets(b.s, b.len, "t", false, NET_TCP_LISTEN, &t, &err), 0);
	assert_int_equal(t.n, 20000);
	assert_int_equal(t.v[19999].inode, 20999);
	buf_free(&b);
	net_socks_free(&t);
}

static void udp_drops(void **state)
{
	const char *udp = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
			  "  123: 0100007F:138A 00000000:0000 07 00000000:00000900 00:00000000 00000000     0        0 555 2 0000000000000000 1817\n"
			  "  124: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 556 2 0000000000000000 0\n";
	const char *cut = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
			  "  123: 0100007F:138A 00000000:0000 07 00000000:00000900 00:00000000 00000000     0        0 555 2\n";
	struct net_socks t = { 0 };
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_net_sockets(udp, strlen(udp), "udp", false, NET_ANY_STATE, &t, &err), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.v[0].addr, "127.0.0.1:5002");
	assert_true(t.v[0].has_drops);
	assert_int_equal(t.v[0].drops, 1817);
	assert_int_equal(t.v[0].queue, 0x900);
	assert_int_equal(t.v[1].drops, 0);
	net_socks_free(&t);
	/* a header that promises drops and a row without them */
	assert_int_equal(parse_net_sockets(cut, strlen(cut), "udp", false, NET_ANY_STATE, &t, &err), -1);
	assert_non_null(strstr(err.msg, "no drops count"));
	net_socks_free(&t);
	/* tcp rows have no drops column */
	{
		size_t len;
		char *s = fixture("procfs/proc/net/tcp", &len);

		assert_int_equal(parse_net_sockets(s, len, "tcp", false, NET_ANY_STATE, &t, &err), 0);
		assert_false(t.v[0].has_drops);
		free(s);
		net_socks_free(&t);
	}
}

static void families(void **state)
{
	(void)state;
	assert_string_equal(net_if_family("veth3a1b2c"), "veth");
	assert_string_equal(net_if_family("cali8d2f01a3b4c"), "cali");
	assert_string_equal(net_if_family("lxc12ab"), "cilium");
	assert_string_equal(net_if_family("cilium_host"), "cilium");
	assert_string_equal(net_if_family("flannel.1"), "flannel");
	assert_string_equal(net_if_family("br-1f2e3d"), "br-");
	assert_string_equal(net_if_family("vethwe-bridge"), "weave");
	assert_null(net_if_family("eth0"));
	assert_null(net_if_family("ens5"));
	assert_null(net_if_family("lo"));
	assert_null(net_if_family("bond0"));
	assert_null(net_if_family(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nfct_real),   cmocka_unit_test(nfct_shapes),
		cmocka_unit_test(listen_real), cmocka_unit_test(listen_shapes),
		cmocka_unit_test(udp_drops),   cmocka_unit_test(families),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
