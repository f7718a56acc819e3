/* The /proc/net parsers over real snapshots (node_exporter's and procfs's
 * fixture trees) and every bad shape. */
#include "unit.h"
#include "netdev.h"
#include "netsnmp.h"

static int64_t get(const struct net_stats *t, const char *proto, const char *key)
{
	int64_t v;

	if (!net_stats_get(t, proto, key, &v))
		fail_msg("no %s %s", proto, key);
	return v;
}

static void netdev_real(void **state)
{
	size_t len;
	char *s = fixture("net/dev", &len);
	struct netdev_table t;
	struct sbx_err err;
	const struct netdev_if *f;

	(void)state;
	assert_int_equal(parse_netdev(s, len, "dev", &t, &err), 0);
	assert_int_equal(t.n, 4);
	assert_string_equal(t.ifs[0].name, "vethf345468");
	assert_int_equal(t.ifs[0].rx.bytes, 648);
	assert_int_equal(t.ifs[0].tx.packets, 5);
	f = netdev_find(&t, "eth0");
	assert_non_null(f);
	assert_int_equal(f->rx.bytes, 874354587);
	assert_int_equal(f->rx.packets, 1036395);
	assert_int_equal(f->tx.bytes, 563352563);
	assert_int_equal(f->tx.packets, 732147);
	assert_int_equal(netdev_find(&t, "lo")->rx.bytes, 1664039048);
	assert_null(netdev_find(&t, "eth1"));
	netdev_table_free(&t);
	free(s);
}

#define HDR_LINE1 "Inter-|   Receive                                                |  Transmit\n"
#define HDR HDR_LINE1 \
	" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"

/* every column lands in its field; a 15-byte name and one with ':' */
static void netdev_columns(void **state)
{
	const char *txt = HDR "a:b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
			  "abcdefghijklmno:0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 18446744073709551615\n";
	struct netdev_table t;
	struct sbx_err err;
	const struct netdev_if *f;

	(void)state;
	assert_int_equal(parse_netdev(txt, strlen(txt), "t", &t, &err), 0);
	assert_int_equal(t.n, 2);
	f = &t.ifs[0];
	assert_string_equal(f->name, "a:b");
	assert_int_equal(f->rx.bytes, 1);
	assert_int_equal(f->rx.packets, 2);
	assert_int_equal(f->rx.errs, 3);
	assert_int_equal(f->rx.drop, 4);
	assert_int_equal(f->rx.fifo, 5);
	assert_int_equal(f->rx.frame, 6);
	assert_int_equal(f->rx.compressed, 7);
	assert_int_equal(f->rx.multicast, 8);
	assert_int_equal(f->tx.bytes, 9);
	assert_int_equal(f->tx.packets, 10);
	assert_int_equal(f->tx.errs, 11);
	assert_int_equal(f->tx.drop, 12);
	assert_int_equal(f->tx.fifo, 13);
	assert_int_equal(f->tx.colls, 14);
	assert_int_equal(f->tx.carrier, 15);
	assert_int_equal(f->tx.compressed, 16);
	assert_string_equal(t.ifs[1].name, "abcdefghijklmno");
	assert_true(t.ifs[1].tx.compressed == UINT64_MAX);
	netdev_table_free(&t);
}

static void netdev_bad_one(const char *txt, const char *want)
{
	struct netdev_table t;
	struct sbx_err err;

	if (parse_netdev(txt, strlen(txt), "t", &t, &err) == 0)
		fail_msg("accepted: %s", txt);
	assert_null(t.ifs);
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
}

static void netdev_refused(void **state)
{
	struct netdev_table t;
	struct sbx_err err;

	(void)state;
	/* headers only: no interface, not an error */
	assert_int_equal(parse_netdev(HDR, strlen(HDR), "t", &t, &err), 0);
	assert_int_equal(t.n, 0);
	netdev_table_free(&t);
	netdev_bad_one("", "no header");
	netdev_bad_one(HDR_LINE1, "no header");
	netdev_bad_one("garbage\n\x01\x02\n", "unknown header");
	netdev_bad_one(HDR "  lo: 1 2 3\n", "3 counters, expected 16");
	netdev_bad_one(HDR "  lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", "truncated");
	netdev_bad_one(HDR "  lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", "more than 16");
	netdev_bad_one(HDR "  lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\n", "not a number");
	netdev_bad_one(HDR "  lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -1\n", "not a number");
	netdev_bad_one(HDR "  lo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", "no ':'");
	netdev_bad_one(HDR "abcdefghijklmnop: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
		       "16 bytes");
	netdev_bad_one(HDR "   : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", "0 bytes");
	/* a future kernel with a 9th receive column */
	netdev_bad_one("Inter-|   Receive                                                |  Transmit\n"
		       " face |bytes    packets errs drop fifo frame compressed multicast new|bytes "
		       "packets errs drop fifo colls carrier compressed\n",
		       "9 receive and 8 transmit columns");
}

static void netdev_huge(void **state)
{
	struct buf b = { 0 };
	struct netdev_table t;
	struct sbx_err err;

	(void)state;
	buf_adds(&b, HDR);
	for (int i = 0; i < 10000; i++)
		buf_addf(&b, "veth%05d: %d 1 0 0 0 0 0 0 %d 2 0 0 0 0 0 0\n", i, i, 2 * i);
	assert_int_equal(parse_netdev(b.s, b.len, "t", &t, &err), 0);
	assert_int_equal(t.n, 10000);
	assert_string_equal(t.ifs[9999].name, "veth09999");
	assert_int_equal(t.ifs[9999].rx.bytes, 9999);
	assert_int_equal(netdev_find(&t, "veth04321")->tx.bytes, 8642);
	netdev_table_free(&t);
	buf_free(&b);
}

/* the values node_exporter's e2e-output.txt has for the same files */
static void snmp_real(void **state)
{
	size_t len;
	char *s = fixture("net/snmp", &len);
	struct net_stats t;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_netsnmp(s, len, "snmp", &t, &err), 0);
	assert_int_equal(get(&t, "Tcp", "MaxConn"), -1);
	assert_int_equal(get(&t, "Tcp", "ActiveOpens"), 3556);
	assert_int_equal(get(&t, "Tcp", "InSegs"), 57252008);
	assert_int_equal(get(&t, "Tcp", "OutSegs"), 54915039);
	assert_int_equal(get(&t, "Tcp", "RetransSegs"), 227);
	assert_int_equal(get(&t, "Tcp", "OutRsts"), 1003);
	assert_int_equal(get(&t, "Udp", "NoPorts"), 120);
	assert_int_equal(get(&t, "Udp", "RcvbufErrors"), 9);
	assert_int_equal(get(&t, "Udp", "SndbufErrors"), 8);
	assert_int_equal(get(&t, "Ip", "ForwDatagrams"), 397750);
	assert_int_equal(get(&t, "IcmpMsg", "OutType3"), 120);
	/* the same key under two protocols is two values */
	assert_int_equal(get(&t, "UdpLite", "NoPorts"), 0);
	assert_int_equal(t.n, 19 + 27 + 2 + 15 + 7 + 7);
	net_stats_free(&t);
	free(s);

	s = fixture("net/netstat", &len);
	assert_int_equal(parse_netsnmp(s, len, "netstat", &t, &err), 0);
	assert_int_equal(t.n, 84 + 12);
	assert_int_equal(get(&t, "TcpExt", "ListenDrops"), 0);
	assert_int_equal(get(&t, "TcpExt", "ListenOverflows"), 0);
	assert_int_equal(get(&t, "TcpExt", "DelayedACKs"), 102471);
	assert_int_equal(get(&t, "IpExt", "InOctets"), 6286396970);
	net_stats_free(&t);
	free(s);
}

static void snmp_bad_one(const char *txt, const char *want)
{
	struct net_stats t;
	struct sbx_err err;

	if (parse_netsnmp(txt, strlen(txt), "t", &t, &err) == 0)
		fail_msg("accepted: %s", txt);
	assert_null(t.v);
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
}

static void snmp_shapes(void **state)
{
	const char *future = "TcpExt: SyncookiesSent TCPFutureThing\nTcpExt: 3 -7\n";
	struct net_stats t;
	struct sbx_err err;
	int64_t v;

	(void)state;
	/* a field srebox does not know is kept, not refused */
	assert_int_equal(parse_netsnmp(future, strlen(future), "t", &t, &err), 0);
	assert_int_equal(get(&t, "TcpExt", "TCPFutureThing"), -7);
	assert_int_equal(get(&t, "TcpExt", "SyncookiesSent"), 3);
	assert_false(net_stats_get(&t, "TcpExt", "ListenDrops", &v));
	assert_false(net_stats_get(&t, "Tcp", "SyncookiesSent", &v));
	net_stats_free(&t);
	snmp_bad_one("", "empty");
	snmp_bad_one("Tcp: A B\nTcp: 1 2", "truncated");
	snmp_bad_one("Tcp: A B\n", "without its values");
	snmp_bad_one("Tcp: A B C\nTcp: 1 2\n", "2 values for 3 names");
	snmp_bad_one("Tcp: A B\nTcp: 1 2 3\n", "3 values for 2 names");
	snmp_bad_one("Tcp: A B\nUdp: 1 2\n", "pair");
	snmp_bad_one("Tcp: A B\nTcp: 1 x\n", "Tcp B: not a number");
	snmp_bad_one("Tcp: A\nTcp: 99999999999999999999\n", "not a number");
	snmp_bad_one("garbage\nmore garbage\n", "pair");
	assert_int_equal(parse_netsnmp("Tcp: A\0B\nTcp: 1\n", 16, "t", &t, &err), -1);
	assert_non_null(strstr(err.msg, "NUL"));
}

static void sockstat_real(void **state)
{
	size_t len;
	char *s = fixture("net/sockstat", &len);
	struct net_stats t;
	struct sbx_err err;
	const char *bad[] = { "", "TCP: inuse\n", "TCP: inuse 4 orphan\n", "TCP: inuse x\n",
			      "TCP inuse 4\n", "TCP: inuse 4" };

	(void)state;
	assert_int_equal(parse_sockstat(s, len, "sockstat", &t, &err), 0);
	assert_int_equal(get(&t, "sockets", "used"), 229);
	assert_int_equal(get(&t, "TCP", "inuse"), 4);
	assert_int_equal(get(&t, "TCP", "orphan"), 0);
	assert_int_equal(get(&t, "TCP", "tw"), 4);
	assert_int_equal(get(&t, "TCP", "alloc"), 17);
	assert_int_equal(get(&t, "TCP", "mem"), 1);
	assert_int_equal(get(&t, "FRAG", "memory"), 0);
	assert_int_equal(t.n, 1 + 5 + 2 + 1 + 1 + 2);
	net_stats_free(&t);
	free(s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (parse_sockstat(bad[i], strlen(bad[i]), "t", &t, &err) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_null(t.v);
	}
}

static void softnet_real(void **state)
{
	size_t len;
	char *s = fixture("net/softnet_stat", &len);
	struct softnet_table t;
	struct sbx_err err;

	(void)state;
	/* node_exporter: 4 CPUs of 11 columns; e2e: processed{cpu=0} 299641,
	 * dropped{cpu=1} 41 */
	assert_int_equal(parse_softnet(s, len, "softnet_stat", &t, &err), 0);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.rows[0].col[SOFTNET_PROCESSED], 299641);
	assert_int_equal(t.rows[1].col[SOFTNET_DROPPED], 41);
	assert_int_equal(t.rows[1].col[SOFTNET_TIME_SQUEEZE], 10);
	assert_int_equal(t.rows[3].cpu, 3);
	assert_int_equal(t.rows[3].ncols, 11);
	softnet_table_free(&t);
	free(s);

	/* procfs: rows of 13, 13, 11, 9, 10 columns; the cpu index is used where present */
	s = fixture("net/softnet_stat.13", &len);
	assert_int_equal(parse_softnet(s, len, "softnet_stat", &t, &err), 0);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.rows[0].ncols, 13);
	assert_int_equal(t.rows[0].col[SOFTNET_PROCESSED], 0x358fe3);
	assert_int_equal(t.rows[0].col[SOFTNET_RECEIVED_RPS], 0x855fc);
	assert_int_equal(t.rows[1].cpu, 1);
	assert_int_equal(t.rows[1].col[SOFTNET_BACKLOG_LEN], 0xdc);
	assert_int_equal(t.rows[2].col[SOFTNET_TIME_SQUEEZE], 0xf0000769);
	assert_int_equal(t.rows[3].ncols, 9);
	assert_int_equal(t.rows[3].col[SOFTNET_CPU_COLLISION], 0x20e76);
	assert_int_equal(t.rows[4].cpu, 4);
	softnet_table_free(&t);
	free(s);

	/* 4 columns: refused */
	s = fixture("net/softnet_stat.broken", &len);
	assert_int_equal(parse_softnet(s, len, "softnet_stat", &t, &err), -1);
	assert_non_null(strstr(err.msg, "4 columns"));
	free(s);
}

static void softnet_shapes(void **state)
{
	/* CPU 1 offline: the second row is CPU 2 */
	const char *off = "1 0 0 0 0 0 0 0 0 0 0 0 0\n2 0 0 0 0 0 0 0 0 0 0 0 2\n"
			  "3 0 0 0 0 0 0 0 0 0 0 0 3\n";
	const char *bad[] = { "", "1 2 3\n", "1 0 0 0 0 0 0 0 0 0 0 0 0",
			      "1 0 0 0 0 0 0 0 g\n",
			      "11111111111111111 0 0 0 0 0 0 0 0\n" };
	struct softnet_table t;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_softnet(off, strlen(off), "t", &t, &err), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.rows[0].cpu, 0);
	assert_int_equal(t.rows[1].cpu, 2);
	assert_int_equal(t.rows[1].col[SOFTNET_PROCESSED], 2);
	assert_int_equal(t.rows[2].cpu, 3);
	softnet_table_free(&t);
	/* 6.6+: 15 columns, the queue lengths after the CPU; a later kernel's
	 * 16th is checked and dropped; 65 is not this file */
	{
		const char *k15 = "a 1 2 0 0 0 0 0 0 0 0 5 1 3 2\n", *k16 = "a 1 2 0 0 0 0 0 0 0 0 5 1 3 2 9\n";
		char huge[400] = "";

		assert_int_equal(parse_softnet(k15, strlen(k15), "t", &t, &err), 0);
		assert_int_equal(t.rows[0].ncols, 15);
		assert_int_equal(t.rows[0].cpu, 1);
		assert_int_equal(t.rows[0].col[SOFTNET_INPUT_QLEN], 3);
		assert_int_equal(t.rows[0].col[SOFTNET_PROCESS_QLEN], 2);
		softnet_table_free(&t);
		assert_int_equal(parse_softnet(k16, strlen(k16), "t", &t, &err), 0);
		assert_int_equal(t.rows[0].ncols, 15);
		assert_int_equal(t.rows[0].col[SOFTNET_DROPPED], 1);
		assert_int_equal(t.rows[0].col[SOFTNET_TIME_SQUEEZE], 2);
		softnet_table_free(&t);
		for (int i = 0; i < 65; i++)
			strcat(huge, "0 ");
		strcat(huge, "\n");
		assert_int_equal(parse_softnet(huge, strlen(huge), "t", &t, &err), -1);
		assert_non_null(strstr(err.msg, "more than 64"));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (parse_softnet(bad[i], strlen(bad[i]), "t", &t, &err) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_null(t.rows);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(netdev_real),	 cmocka_unit_test(netdev_columns),
		cmocka_unit_test(netdev_refused),
		cmocka_unit_test(netdev_huge),	 cmocka_unit_test(snmp_real),
		cmocka_unit_test(snmp_shapes),	 cmocka_unit_test(sockstat_real),
		cmocka_unit_test(softnet_real),	 cmocka_unit_test(softnet_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
