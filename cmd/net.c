/* srebox net: per interface what sar -n DEV,EDEV shows, TCP and UDP as
 * sar -n TCP,ETCP and netstat -s count them, sockets by state (ss -s),
 * softnet and conntrack drops, and the checks of lib/check/judge_net.c.
 * Virtual interfaces that come one per pod (veth, cali, lxc ...) are one
 * row per family in the table, so a node with 300 pods stays readable. */
#include "applet.h"
#include "top.h"
#include "judge_net.h"
#include "net.h"
#include "root.h"
#include "sample.h"

#include <stdlib.h>
#include <string.h>

static bool o_all, o_per_cpu;

static const struct sbx_opt net_opts[] = {
	{ 'a', "all", OPT_FLAG, &o_all, NULL,
	  "one row per interface: do not fold veth, cali, lxc ... into one row per family "
	  "(-o wide, json and prom always list each)", NULL, NULL },
	{ 0, "per-cpu", OPT_FLAG, &o_per_cpu, NULL,
	  "add the softnet table: packets, drops and time_squeeze per CPU (-o wide and json always have it)",
	  NULL, NULL },
	OPT_END,
};

static const enum sbx_check_id net_checks[] = {
	CHK_NET_ERRORS, CHK_NET_DROPS, CHK_RETRANS, CHK_LISTEN_DROPS, CHK_SOFTNET_DROPS,
	CHK_CONNTRACK_DROPS, CHK_UDP_RCVBUF, CHK_TCP_MEM, CHK_N,
};

enum { I_NAME, I_COUNT, I_STATE, I_SPEED, I_RXPK, I_TXPK, I_RXB, I_TXB, I_UTIL, I_RXERR, I_TXERR,
       I_RXDROP, I_TXDROP, I_RXFIFO, I_TXFIFO, I_FRAME, I_COLLS, I_CARRIER, I_CARCHG, I_NOTE,
       I_NCOLS };

#define R(h, k, m, help) { h, k, CT_RATE, 0, "net_" m, help }
#define W(h, k, m, help) { h, k, CT_RATE, COL_WIDE, "net_" m, help }
static const struct sbx_col if_cols[] = {
	[I_NAME] = { "IFACE", "interface", CT_STR, COL_LABEL },
	[I_COUNT] = { "N", "interfaces", CT_COUNT, 0, NULL, NULL },
	[I_STATE] = { "STATE", "operstate", CT_STR },
	[I_SPEED] = { "SPEED", "speed_mbps", CT_COUNT, COL_WIDE, "net_speed_mbps",
		      "Link speed, Mb/s (/sys/class/net/IF/speed)." },
	[I_RXPK] = R("RXPCK/s", "rx_packets_per_second", "rx_packets_per_second", "Packets received per second."),
	[I_TXPK] = R("TXPCK/s", "tx_packets_per_second", "tx_packets_per_second", "Packets sent per second."),
	[I_RXB] = { "RXB/s", "rx_bytes_per_second", CT_BYTES, 0, "net_rx_bytes_per_second",
		    "Bytes received per second." },
	[I_TXB] = { "TXB/s", "tx_bytes_per_second", CT_BYTES, 0, "net_tx_bytes_per_second",
		    "Bytes sent per second." },
	[I_UTIL] = { "%UTIL", "utilization_ratio", CT_RATIO, 0, "net_utilization_ratio",
		     "sar's %ifutil: the busier direction against the link speed (full duplex), both against it (half)." },
	[I_RXERR] = R("RXERR/s", "rx_errors_per_second", "rx_errors_per_second", "Receive errors per second."),
	[I_TXERR] = R("TXERR/s", "tx_errors_per_second", "tx_errors_per_second", "Transmit errors per second."),
	[I_RXDROP] = R("RXDROP/s", "rx_drops_per_second", "rx_drops_per_second", "Received packets dropped per second."),
	[I_TXDROP] = R("TXDROP/s", "tx_drops_per_second", "tx_drops_per_second", "Packets to send dropped per second."),
	[I_RXFIFO] = W("RXFIFO/s", "rx_fifo_per_second", "rx_fifo_per_second", "Receive FIFO overruns per second."),
	[I_TXFIFO] = W("TXFIFO/s", "tx_fifo_per_second", "tx_fifo_per_second", "Transmit FIFO errors per second."),
	[I_FRAME] = W("FRAME/s", "rx_frame_per_second", "rx_frame_per_second", "Frame alignment errors per second."),
	[I_COLLS] = W("COLL/s", "collisions_per_second", "collisions_per_second", "Collisions per second."),
	[I_CARRIER] = W("CARRERR/s", "tx_carrier_per_second", "tx_carrier_per_second", "Carrier errors per second."),
	[I_CARCHG] = { "CARRIER-CHG", "carrier_changes", CT_COUNT, 0, NULL, NULL },
	[I_NOTE] = { "NOTE", "note", CT_STR },
};
#undef R
#undef W

enum { P_PROTO, P_NAME, P_SAR, P_RATE, P_TOTAL, P_NCOLS };

static const struct sbx_col proto_cols[] = {
	[P_PROTO] = { "PROTO", "proto", CT_STR, COL_LABEL },
	[P_NAME] = { "COUNTER", "counter", CT_STR, COL_LABEL },
	[P_SAR] = { "SAR", "sar", CT_STR },
	[P_RATE] = { "RATE/s", "rate_per_second", CT_RATE, 0, "net_kernel_stat_per_second",
		     "Increase per second over the interval (or since boot)." },
	[P_TOTAL] = { "TOTAL", "value", CT_COUNT, COL_EXACT, "net_kernel_stat",
		      "The counter as the kernel shows it (since boot, or the namespace's creation)." },
};

enum { S_PROTO, S_KEY, S_VALUE, S_NCOLS };

static const struct sbx_col sock_cols[] = {
	[S_PROTO] = { "PROTO", "proto", CT_STR, COL_LABEL },
	[S_KEY] = { "KEY", "key", CT_STR, COL_LABEL },
	[S_VALUE] = { "VALUE", "value", CT_INT, 0, "net_sockstat", "/proc/net/sockstat (mem in pages)." },
};

enum { C_CPU, C_PROC, C_DROP, C_SQUEEZE, C_RPS, C_FLOW, C_NCOLS };

static const struct sbx_col cpu_cols[] = {
	[C_CPU] = { "CPU", "cpu", CT_INT, COL_LABEL },
	[C_PROC] = { "PACKETS/s", "processed_per_second", CT_RATE, 0, "net_softnet_processed_per_second",
		     "Packets taken from the CPU's backlog per second." },
	[C_DROP] = { "DROPPED/s", "dropped_per_second", CT_RATE, 0, "net_softnet_dropped_per_second",
		     "Packets dropped: the backlog (netdev_max_backlog) was full." },
	[C_SQUEEZE] = { "SQUEEZE/s", "time_squeeze_per_second", CT_RATE, 0,
			"net_softnet_time_squeeze_per_second", "NET_RX runs that ran out of budget with work left." },
	[C_RPS] = { "RPS/s", "received_rps_per_second", CT_RATE, COL_WIDE },
	[C_FLOW] = { "FLOWLIMIT/s", "flow_limit_per_second", CT_RATE, COL_WIDE },
};

struct ctx {
	const struct net_snap *cur, *prev;
	double seconds;
	const char *rate_why;	/* rates unknown for the whole report */
};

static void rate_cell(const struct ctx *c, struct sbx_cell *cell, double d)
{
	if (c->rate_why)
		cell_unknown(cell, c->rate_why);
	else
		cell_num(cell, d / c->seconds);
}

/* The sums of a row (one interface, or a family's members with a delta). */
struct if_sum {
	struct netdev_dir rx, tx;
	double util;		/* -1: unknown */
	uint64_t carrier;
	bool have_carrier;
	size_t n, ok, up;
	struct buf trouble;	/* members with errors or drops, and why some have no delta */
	size_t ntrouble, nbad;
};

static void dir_add(struct netdev_dir *a, const struct netdev_dir *b)
{
	uint64_t *av = &a->bytes;
	const uint64_t *bv = &b->bytes;

	for (size_t k = 0; k < sizeof(*a) / sizeof(uint64_t); k++)
		av[k] += bv[k];
}

static double util_of(const struct ctx *c, const struct net_link *l, const struct netdev_if *d)
{
	double rx, tx;

	if (!l || l->speed <= 0 || c->rate_why)
		return -1;
	rx = (double)d->rx.bytes / c->seconds;
	tx = (double)d->tx.bytes / c->seconds;
	/* sysstat compute_ifutil(): full duplex, the busier direction */
	if (!strcmp(l->duplex, "half"))
		return (rx + tx) * 8 / ((double)l->speed * 1e6);
	return (rx > tx ? rx : tx) * 8 / ((double)l->speed * 1e6);
}

/* Carrier changes over the interval (since boot: the count). */
static bool carrier_delta(const struct ctx *c, size_t i, uint64_t *out)
{
	const struct net_link *l = c->cur->link ? &c->cur->link[i] : NULL;
	const struct netdev_if *f = &c->cur->dev.ifs[i];

	if (!l || !l->have_carrier)
		return false;
	if (!c->prev) {
		*out = l->carrier_changes;
		return true;
	}
	for (size_t k = 0; c->prev->link && k < c->prev->dev.n; k++)
		if (!strcmp(c->prev->dev.ifs[k].name, f->name)) {
			const struct net_link *p = &c->prev->link[k];

			if (!p->have_carrier || l->carrier_changes < p->carrier_changes)
				return false;
			*out = l->carrier_changes - p->carrier_changes;
			return true;
		}
	return false;
}

static void fill_rates(const struct ctx *c, struct sbx_cell *cell, const struct netdev_dir *rx,
		       const struct netdev_dir *tx)
{
	rate_cell(c, &cell[I_RXPK], (double)rx->packets);
	rate_cell(c, &cell[I_TXPK], (double)tx->packets);
	rate_cell(c, &cell[I_RXB], (double)rx->bytes);
	rate_cell(c, &cell[I_TXB], (double)tx->bytes);
	rate_cell(c, &cell[I_RXERR], (double)rx->errs);
	rate_cell(c, &cell[I_TXERR], (double)tx->errs);
	rate_cell(c, &cell[I_RXDROP], (double)rx->drop);
	rate_cell(c, &cell[I_TXDROP], (double)tx->drop);
	rate_cell(c, &cell[I_RXFIFO], (double)rx->fifo);
	rate_cell(c, &cell[I_TXFIFO], (double)tx->fifo);
	rate_cell(c, &cell[I_FRAME], (double)rx->frame);
	rate_cell(c, &cell[I_COLLS], (double)tx->colls);
	rate_cell(c, &cell[I_CARRIER], (double)tx->carrier);
}

static void unknown_rates(struct sbx_cell *cell, const char *why)
{
	static const int cols[] = { I_RXPK, I_TXPK, I_RXB, I_TXB, I_UTIL, I_RXERR, I_TXERR, I_RXDROP,
				    I_TXDROP, I_RXFIFO, I_TXFIFO, I_FRAME, I_COLLS, I_CARRIER };

	for (size_t k = 0; k < ARRAY_SIZE(cols); k++)
		cell_unknown(&cell[cols[k]], why);
}

static void one_if(const struct ctx *c, struct sbx_table *t, size_t i)
{
	const struct netdev_if *f = &c->cur->dev.ifs[i];
	const struct net_link *l = c->cur->link ? &c->cur->link[i] : NULL;
	struct sbx_cell *cell = table_row(t);
	struct netdev_if d;
	const char *why;
	uint64_t chg;

	cell_str(&cell[I_NAME], f->name);
	cell_u64(&cell[I_COUNT], 1);
	if (l && l->operstate[0])
		cell_str(&cell[I_STATE], l->operstate);
	if (l && l->speed > 0)
		cell_u64(&cell[I_SPEED], (uint64_t)l->speed);
	else if (l)
		cell_unknown(&cell[I_SPEED], l->speed_why);
	if (carrier_delta(c, i, &chg))
		cell_u64(&cell[I_CARCHG], chg);
	if (!net_if_delta(c->cur, i, c->prev, &d, &why)) {
		unknown_rates(cell, why);
		cell_str(&cell[I_NOTE], why);
		return;
	}
	fill_rates(c, cell, &d.rx, &d.tx);
	{
		double u = util_of(c, l, &d);

		if (u >= 0)
			cell_num(&cell[I_UTIL], u);
		else if (l && l->speed <= 0)
			cell_unknown(&cell[I_UTIL], l->speed_why);
		else if (c->rate_why)
			cell_unknown(&cell[I_UTIL], c->rate_why);
	}
}

static void trouble_add(struct if_sum *s, const char *what, const char *name, double v)
{
	if (s->ntrouble++ < 3) {
		buf_addf(&s->trouble, "%s%s %s %.0f", s->trouble.len ? ", " : "", name, what, v);
	} else if (s->ntrouble == 4) {
		buf_adds(&s->trouble, ", ...");
	}
}

/* One row for the members of a family: sums, and the members behind
 * any errors or drops named. */
static void family_row(const struct ctx *c, struct sbx_table *t, const char *fam, const size_t *idx,
		       size_t n)
{
	struct sbx_cell *cell = table_row(t);
	struct if_sum s;
	size_t bad = 0;
	const char *first_why = NULL;

	memset(&s, 0, sizeof(s));
	cell_strf(&cell[I_NAME], "%s*", fam);
	cell_u64(&cell[I_COUNT], n);
	for (size_t k = 0; k < n; k++) {
		const struct net_link *l = c->cur->link ? &c->cur->link[idx[k]] : NULL;
		struct netdev_if d;
		const char *why;
		uint64_t chg;

		if (l && !strcmp(l->operstate, "up"))
			s.up++;
		if (carrier_delta(c, idx[k], &chg)) {
			s.carrier += chg;
			s.have_carrier = true;
		}
		if (!net_if_delta(c->cur, idx[k], c->prev, &d, &why)) {
			if (!bad++)
				first_why = why;
			continue;
		}
		s.ok++;
		dir_add(&s.rx, &d.rx);
		dir_add(&s.tx, &d.tx);
		if (d.rx.errs + d.tx.errs)
			trouble_add(&s, "errors", d.name, (double)(d.rx.errs + d.tx.errs));
		if (d.rx.drop + d.tx.drop)
			trouble_add(&s, "drops", d.name, (double)(d.rx.drop + d.tx.drop));
	}
	if (c->cur->link)
		cell_strf(&cell[I_STATE], "%zu/%zu up", s.up, n);
	if (s.have_carrier)
		cell_u64(&cell[I_CARCHG], s.carrier);
	if (s.ok)
		fill_rates(c, cell, &s.rx, &s.tx);
	else
		unknown_rates(cell, first_why);
	if (bad)
		buf_addf(&s.trouble, "%s%zu not counted (%s)", s.trouble.len ? "; " : "", bad, first_why);
	if (s.trouble.len)
		cell_str(&cell[I_NOTE], s.trouble.s);
	buf_free(&s.trouble);
}

static void add_if_table(const struct ctx *c, struct sbx_report *rep, bool group)
{
	const struct netdev_table *dev = &c->cur->dev;
	struct sbx_table *t = report_table(rep, "interfaces", if_cols, I_NCOLS);
	const char **fam = xcalloc(dev->n + 1, sizeof(*fam));
	size_t *idx = xcalloc(dev->n + 1, sizeof(*idx));
	bool *done = xcalloc(dev->n + 1, sizeof(*done));

	for (size_t i = 0; i < dev->n; i++)
		fam[i] = group ? net_if_family(dev->ifs[i].name) : NULL;
	for (size_t i = 0; i < dev->n; i++) {
		size_t n = 0;

		if (done[i])
			continue;
		if (!fam[i]) {
			one_if(c, t, i);
			continue;
		}
		for (size_t j = i; j < dev->n; j++)
			if (!done[j] && fam[j] && !strcmp(fam[j], fam[i])) {
				idx[n++] = j;
				done[j] = true;
			}
		if (n == 1)
			one_if(c, t, i);
		else
			family_row(c, t, fam[i], idx, n);
	}
	/* interfaces that went away during the interval: said, not dropped */
	for (size_t i = 0; c->prev && i < c->prev->dev.n; i++) {
		const char *name = c->prev->dev.ifs[i].name;
		struct sbx_cell *cell;

		if (netdev_find(dev, name))
			continue;
		cell = table_row(t);
		cell_str(&cell[I_NAME], name);
		cell_u64(&cell[I_COUNT], 1);
		cell_str(&cell[I_STATE], "gone");
		unknown_rates(cell, "disappeared during the interval");
		cell_str(&cell[I_NOTE], "disappeared during the interval");
	}
	free(fam);
	free(idx);
	free(done);
}

struct counter {
	const char *file, *proto, *key, *sar;
};

static const struct counter counters[] = {
	{ "snmp", "Tcp", "ActiveOpens", "active/s" },
	{ "snmp", "Tcp", "PassiveOpens", "passive/s" },
	{ "snmp", "Tcp", "InSegs", "iseg/s" },
	{ "snmp", "Tcp", "OutSegs", "oseg/s" },
	{ "snmp", "Tcp", "RetransSegs", "retrans/s" },
	{ "snmp", "Tcp", "AttemptFails", "atmptf/s" },
	{ "snmp", "Tcp", "EstabResets", "estres/s" },
	{ "snmp", "Tcp", "OutRsts", "orsts/s" },
	{ "snmp", "Tcp", "InErrs", "isegerr/s" },
	{ "snmp", "Tcp", "CurrEstab", NULL },
	{ "netstat", "TcpExt", "ListenOverflows", NULL },
	{ "netstat", "TcpExt", "ListenDrops", NULL },
	{ "netstat", "TcpExt", "TCPMemoryPressures", NULL },
	{ "netstat", "TcpExt", "TCPTimeouts", NULL },
	{ "snmp", "Udp", "InDatagrams", "idgm/s" },
	{ "snmp", "Udp", "OutDatagrams", "odgm/s" },
	{ "snmp", "Udp", "NoPorts", "noport/s" },
	{ "snmp", "Udp", "InErrors", "idgmerr/s" },
	{ "snmp", "Udp", "RcvbufErrors", NULL },
	{ "snmp", "Udp", "SndbufErrors", NULL },
};

static void add_proto_table(const struct ctx *c, struct sbx_report *rep)
{
	struct sbx_table *t = report_table(rep, "counters", proto_cols, P_NCOLS);
	static const char *const ct_cols[] = { "insert_failed", "drop", "early_drop", "search_restart" };

	table_title(t, "TCP, UDP and conntrack:");
	for (size_t k = 0; k < ARRAY_SIZE(counters); k++) {
		const struct counter *n = &counters[k];
		bool snmp = !strcmp(n->file, "snmp");
		bool have = snmp ? c->cur->have_snmp : c->cur->have_netstat;
		bool have_prev = !c->prev || (snmp ? c->prev->have_snmp : c->prev->have_netstat);
		const struct net_stats *cs = snmp ? &c->cur->snmp : &c->cur->netstat;
		const struct net_stats *ps = c->prev ? (snmp ? &c->prev->snmp : &c->prev->netstat) : NULL;
		struct sbx_cell *cell;
		int64_t v;
		double d;
		char why[300];

		if (!have || !net_stats_get(cs, n->proto, n->key, &v))
			continue;	/* an older kernel: no row rather than a made-up one */
		cell = table_row(t);
		cell_str(&cell[P_PROTO], n->proto);
		cell_str(&cell[P_NAME], n->key);
		if (n->sar)
			cell_str(&cell[P_SAR], n->sar);
		cell_u64(&cell[P_TOTAL], (uint64_t)(v < 0 ? 0 : v));
		if (!strcmp(n->key, "CurrEstab"))
			continue;	/* a gauge */
		if (!have_prev)
			cell_unknown(&cell[P_RATE], snmp ? c->prev->snmp_err.msg : c->prev->netstat_err.msg);
		else if (!net_stat_delta(cs, ps, snmp ? "/proc/net/snmp" : "/proc/net/netstat", n->proto,
					 n->key, &d, why, sizeof(why)))
			cell_unknown(&cell[P_RATE], why);
		else
			rate_cell(c, &cell[P_RATE], d);
	}
	if (c->cur->have_ct) {
		struct sbx_cell *cell = table_row(t);

		cell_str(&cell[P_PROTO], "conntrack");
		cell_str(&cell[P_NAME], "entries");
		cell_u64(&cell[P_TOTAL], c->cur->ct_count);
		cell = table_row(t);
		cell_str(&cell[P_PROTO], "conntrack");
		cell_str(&cell[P_NAME], "max");
		cell_u64(&cell[P_TOTAL], c->cur->ct_max);
	}
	for (size_t k = 0; c->cur->have_nfct && k < ARRAY_SIZE(ct_cols); k++) {
		uint64_t cv, pv = 0;
		struct sbx_cell *cell;

		if (!nfct_stat_sum(&c->cur->nfct, ct_cols[k], &cv))
			continue;
		cell = table_row(t);
		cell_str(&cell[P_PROTO], "conntrack");
		cell_str(&cell[P_NAME], ct_cols[k]);
		cell_u64(&cell[P_TOTAL], cv);
		if (c->prev && (!c->prev->have_nfct || !nfct_stat_sum(&c->prev->nfct, ct_cols[k], &pv)))
			cell_unknown(&cell[P_RATE], "not in the first reading");
		else if (cv < pv)
			cell_unknown(&cell[P_RATE], "went backwards");
		else
			rate_cell(c, &cell[P_RATE], (double)(cv - pv));
	}
}

static void add_sock_table(const struct ctx *c, struct sbx_report *rep)
{
	struct sbx_table *t;

	if (!c->cur->have_sockstat)
		return;
	t = report_table(rep, "sockets", sock_cols, S_NCOLS);
	table_title(t, "Sockets (sockstat; mem in pages):");
	for (size_t k = 0; k < c->cur->sockstat.n; k++) {
		const struct net_stat *s = &c->cur->sockstat.v[k];
		struct sbx_cell *cell = table_row(t);

		cell_str(&cell[S_PROTO], s->proto);
		cell_str(&cell[S_KEY], s->key);
		cell_i64(&cell[S_VALUE], s->value);
	}
	if (c->cur->have_tcp_mem) {
		static const char *const names[] = { "tcp_mem_low", "tcp_mem_pressure", "tcp_mem_high" };

		for (size_t k = 0; k < 3; k++) {
			struct sbx_cell *cell = table_row(t);

			cell_str(&cell[S_PROTO], "TCP");
			cell_str(&cell[S_KEY], names[k]);
			cell_i64(&cell[S_VALUE], (int64_t)c->cur->tcp_mem[k]);
		}
	}
}

static void add_cpu_table(const struct ctx *c, struct sbx_report *rep)
{
	const struct softnet_table *st = &c->cur->softnet;
	struct sbx_table *t;

	if (!c->cur->have_softnet)
		return;
	t = report_table(rep, "softnet", cpu_cols, C_NCOLS);
	table_title(t, "Softnet per CPU:");
	for (size_t i = 0; i < st->n; i++) {
		const struct softnet_row *r = &st->rows[i], *p = NULL;
		struct sbx_cell *cell = table_row(t);
		static const struct { int col, src; } map[] = {
			{ C_PROC, SOFTNET_PROCESSED }, { C_DROP, SOFTNET_DROPPED },
			{ C_SQUEEZE, SOFTNET_TIME_SQUEEZE }, { C_RPS, SOFTNET_RECEIVED_RPS },
			{ C_FLOW, SOFTNET_FLOW_LIMIT },
		};

		cell_i64(&cell[C_CPU], r->cpu);
		if (c->prev && c->prev->have_softnet)
			for (size_t j = 0; j < c->prev->softnet.n && !p; j++)
				if (c->prev->softnet.rows[j].cpu == r->cpu)
					p = &c->prev->softnet.rows[j];
		for (size_t k = 0; k < ARRAY_SIZE(map); k++) {
			uint64_t cv = r->col[map[k].src], pv = p ? p->col[map[k].src] : 0;

			if ((unsigned)map[k].src >= r->ncols)
				continue;
			if (c->prev && !p)
				cell_unknown(&cell[map[k].col], "not in the first reading (came online)");
			else if (cv < pv)
				cell_unknown(&cell[map[k].col], "went backwards");
			else
				rate_cell(c, &cell[map[k].col], (double)(cv - pv));
		}
	}
}

static struct sbx_report *build(const struct sbx_ctx *ctx, const struct net_snap *prev,
				const struct net_snap *cur)
{
	struct sbx_report *rep = report_new("net");
	struct ctx c = { .cur = cur, .prev = prev };
	char up[32], over[64], nouptime[400];
	double rx = 0, tx = 0;
	size_t nvirt = 0;

	c.seconds = prev ? cur->when - prev->when : cur->uptime;
	if (!prev && cur->uptime <= 0) {
		snprintf(nouptime, sizeof(nouptime), "%s unreadable: no rates since boot",
			 rooted("/proc/uptime"));
		c.rate_why = nouptime;
	} else if (c.seconds <= 0) {
		c.rate_why = "no time passed between the readings";
	}
	rep->interval = prev ? c.seconds : 0;
	for (size_t i = 0; i < cur->dev.n; i++) {
		struct netdev_if d;
		const char *why;

		nvirt += net_if_family(cur->dev.ifs[i].name) != NULL;
		if (strcmp(cur->dev.ifs[i].name, "lo") && net_if_delta(cur, i, prev, &d, &why)) {
			rx += (double)d.rx.bytes;
			tx += (double)d.tx.bytes;
		}
	}
	fmt_duration(up, sizeof(up), cur->uptime);
	/* the uptime as every other applet gives it ("up 22m44s"), not in seconds */
	if (prev)
		snprintf(over, sizeof(over), "over %.1fs", c.seconds);
	else
		snprintf(over, sizeof(over), "averaged since boot, up %s", up);
	if (c.rate_why)
		report_summary(rep, "%zu interface%s (%zu pod/container link%s); rates unknown",
			       cur->dev.n, plural(cur->dev.n, "s"), nvirt, plural(nvirt, "s"));
	else
		report_summary(rep, "%zu interface%s (%zu pod/container link%s), rx %.1f kB/s, tx %.1f kB/s "
			       "(lo not counted) %s", cur->dev.n, plural(cur->dev.n, "s"), nvirt,
			       plural(nvirt, "s"), rx / 1024 / c.seconds, tx / 1024 / c.seconds, over);
	if (!prev && !c.rate_why)
		report_note(rep, "values since boot (up %s; a network namespace's counters start at its "
			    "creation); -i SECONDS gives current rates", up);
	judge_net(rep, cur, prev);
	if (sbx_wants_tables(ctx)) {
		bool wide = ctx->format != FMT_TABLE;

		add_if_table(&c, rep, !(o_all || wide));
		add_proto_table(&c, rep);
		add_sock_table(&c, rep);
		if (o_per_cpu || wide)
			add_cpu_table(&c, rep);
	}
	return rep;
}

/* /sys/class/net is for the table only: a lone -o check line skips it. */
static int net_read(void *snap, struct sbx_err *err, void *arg)
{
	return net_snap_read(snap, sbx_wants_tables(arg) ? NET_SYSFS : 0, err);
}

static void net_free(void *snap, void *arg)
{
	(void)arg;
	net_snap_free(snap);
}

static bool stats_same(const struct net_stats *a, const struct net_stats *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].value != b->v[i].value)
			return false;
	return true;
}

/* Nothing counted moved: a saved tree. */
static bool net_same(const void *a_, const void *b_, void *arg)
{
	const struct net_snap *a = a_, *b = b_;

	(void)arg;
	return a->dev.n == b->dev.n && !memcmp(a->dev.ifs, b->dev.ifs, a->dev.n * sizeof(*a->dev.ifs)) &&
	       a->have_snmp == b->have_snmp && (!a->have_snmp || stats_same(&a->snmp, &b->snmp)) &&
	       a->have_netstat == b->have_netstat &&
	       (!a->have_netstat || stats_same(&a->netstat, &b->netstat));
}

static struct sbx_report *net_build(struct sbx_ctx *ctx, const void *prev, const void *cur,
				    void *arg)
{
	(void)arg;
	return build(ctx, prev, cur);
}

/* srebox top's interfaces (cmd/top.h); net's builder reads ctx. */
const struct sbx_sampler *net_sampler(struct sbx_ctx *ctx)
{
	static struct sbx_sampler s = { .name = "net", .size = sizeof(struct net_snap),
					.read = net_read, .free = net_free, .same = net_same,
					.build = net_build };

	s.arg = ctx;
	return &s;
}

static int net_run(struct sbx_ctx *ctx)
{
	struct sbx_sampler s = { .name = "net", .size = sizeof(struct net_snap), .read = net_read,
				 .free = net_free, .same = net_same, .build = net_build,
				 .arg = ctx };

	if (ctx->nargs) {
		warnx_("unexpected argument '%s'", ctx->args[0]);
		return 3;
	}
	return sbx_sample(ctx, &s);
}

const struct sbx_applet applet_net = {
	.name = "net",
	.examples =
		"# drops and retransmits over two seconds, every interface\n"
		"srebox net -i 2 -a\n"
		"# inside a pod's network namespace, from the node\n"
		"ip netns exec cni-1234 srebox net -i 1\n",
	.summary = "interface traffic, errors and drops, TCP retransmits, listen, softnet and conntrack drops",
	.usage = "[OPTIONS]",
	.description =
		"Reads /proc/net/{dev,snmp,netstat,sockstat,softnet_stat,stat/nf_conntrack},\n"
		"/sys/class/net/IF and /proc/sys/net.  Without -i, rates over a " SBX_SAMPLE_DEFAULT_TEXT " s sample;\n"
		"-i 0, since boot; -i SECONDS, over that interval.  veth, cali, lxc, flannel ...\n"
		"interfaces are one row per family (with the members behind errors or drops\n"
		"named); -a or -o wide lists each.  Run it under `ip netns exec NS` for a\n"
		"namespace's view.",
	.flags = AP_PROBE | AP_OUTPUT,
	.opts = net_opts,
	.checks = net_checks,
	.run = net_run,
};
