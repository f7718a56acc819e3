/* The network judgment: see judge_net.h. */
#include "judge_net.h"
#include "check.h"
#include "root.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nctx {
	const struct net_snap *cur, *prev;
	double seconds;		/* > 0 when rate_why is NULL */
	const char *rate_why;
	char rate_buf[300];
};

struct top_if {
	const char *name;
	double share, count, packets, rx, tx;
};

#define NTOP 3

static void top_add(struct top_if *top, size_t *n, const struct top_if *x)
{
	size_t k;

	if (*n == NTOP && top[NTOP - 1].share >= x->share)
		return;
	k = *n < NTOP ? (*n)++ : NTOP - 1;
	top[k] = *x;
	for (; k > 0 && top[k].share > top[k - 1].share; k--) {
		struct top_if t = top[k];

		top[k] = top[k - 1];
		top[k - 1] = t;
	}
}

static void over(const struct nctx *c, struct buf *b)
{
	if (c->prev)
		buf_addf(b, " over %.1fs", c->seconds);
	else
		buf_adds(b, " since boot");
}

/* net_errors and net_drops: the worst interface's share. */
static void judge_share(struct nctx *c, struct sbx_report *rep, enum sbx_check_id id, bool drops)
{
	const char *what = drops ? "interface drops" : "interface errors";
	double min = drops ? NET_MIN_DROPS : NET_MIN_ERRORS;
	struct top_if top[NTOP];
	size_t ntop = 0, judged = 0, nbad = 0, ngone = 0;
	struct buf bad = { 0 }, gone = { 0 }, b = { 0 };
	struct sbx_finding *f;
	double v;

	for (size_t i = 0; i < c->cur->dev.n; i++) {
		struct netdev_if d;
		const char *why;
		struct top_if x;

		if (!net_if_delta(c->cur, i, c->prev, &d, &why)) {
			if (nbad++ < 3)
				buf_addf(&bad, "%s%s (%s)", bad.len ? ", " : "", d.name, why);
			continue;
		}
		judged++;
		x.name = c->cur->dev.ifs[i].name;
		x.rx = (double)(drops ? d.rx.drop : d.rx.errs);
		x.tx = (double)(drops ? d.tx.drop : d.tx.errs);
		x.count = x.rx + x.tx;
		x.packets = (double)d.rx.packets + (double)d.tx.packets;
		/* a dropped or errored frame is not in the packet counts */
		x.share = x.count > 0 ? x.count / (x.packets + x.count) * 100 : 0;
		if (x.count >= min)
			top_add(top, &ntop, &x);
	}
	if (c->prev)
		for (size_t i = 0; i < c->prev->dev.n; i++)
			if (!netdev_find(&c->cur->dev, c->prev->dev.ifs[i].name) && ngone++ < 3)
				buf_addf(&gone, "%s%s", gone.len ? ", " : "", c->prev->dev.ifs[i].name);
	if (!judged) {
		check_unknown(rep, id, NULL, "%s: no interface could be judged: %s%s", what,
			      bad.len ? bad.s : "none in /proc/net/dev", nbad > 3 ? ", ..." : "");
		goto out;
	}
	v = ntop ? top[0].share : 0;
	if (ntop) {
		buf_addf(&b, "%s: %s %.2f%% of %.0f packets (rx %.0f, tx %.0f)", what, top[0].name,
			 top[0].share, top[0].packets + top[0].count, top[0].rx, top[0].tx);
		over(c, &b);
	} else {
		buf_addf(&b, "%s: none of %zu interface%s with %.0f or more", what, judged,
			 plural(judged, "s"), min);
		over(c, &b);
	}
	if (nbad)
		buf_addf(&b, "; not judged: %s%s", bad.s, nbad > 3 ? ", ..." : "");
	if (ngone)
		buf_addf(&b, "; gone during the interval: %s%s", gone.s, ngone > 3 ? ", ..." : "");
	f = check_value(rep, id, NULL, v, "%s", b.s);
	finding_bounds(f, 0, 100);
	if (f->state != ST_OK)
		for (size_t k = 0; k < ntop; k++)
			finding_who(f, "interface", top[k].name, 0, NULL, NULL, true, top[k].share, "%");
out:
	buf_free(&bad);
	buf_free(&gone);
	buf_free(&b);
}

/* Evidence that is no culprit (why none could be named), after the text. */
static void text_add(struct sbx_finding *f, const char *what, const char *why)
{
	char *t = xasprintf("%s; %s: %s", f->text, what, why);

	free(f->text);
	f->text = t;
}

/* The owners of sockets, as culprits after each one's own entry. */
static void owners(struct sbx_finding *f, const uint64_t *ino, size_t n, long *pid,
		   char (*comm)[16])
{
	struct sbx_err err;
	bool complete;

	if (net_socket_owners(ino, n, pid, comm, 0.5, &complete, &err) < 0) {
		for (size_t k = 0; k < n; k++)
			pid[k] = 0;
		text_add(f, "processes not named", err.msg);
	} else if (!complete) {
		text_add(f, "processes partly named",
			 "some /proc/PID/fd could not be read (not root?) or the 0.5 s scan ran out");
	}
}

/* The connections that retransmitted most, and their processes. */
static void retrans_culprits(struct sbx_finding *f)
{
	struct net_retrans_conn top[NTOP];
	struct sbx_err err;
	uint64_t ino[NTOP];
	long pid[NTOP];
	char comm[NTOP][16], name[480];
	int n = net_retrans_top(top, NTOP, &err);

	if (n < 0) {
		text_add(f, "connections not named", err.msg);
		return;
	}
	if (n == 0) {
		text_add(f, "connections not named", "none open now has retransmitted");
		return;
	}
	for (int k = 0; k < n; k++)
		ino[k] = top[k].inode;
	owners(f, ino, (size_t)n, pid, comm);
	for (int k = 0; k < n; k++) {
		snprintf(name, sizeof(name), "%s > %s %u retransmitted", top[k].local, top[k].remote,
			 top[k].retrans);
		finding_who(f, "socket", name, 0, NULL, NULL, false, 0, NULL);
		if (pid[k])
			finding_who(f, "process", comm[k], pid[k], NULL, NULL, false, 0, NULL);
	}
}

static bool stats_pair(const struct nctx *c, bool have_cur, bool have_prev, const struct sbx_err *ecur,
		       const struct sbx_err *eprev, const char **why)
{
	if (!have_cur) {
		*why = ecur->msg;
		return false;
	}
	if (c->prev && !have_prev) {
		*why = eprev->msg;
		return false;
	}
	return true;
}

static void judge_retrans(struct nctx *c, struct sbx_report *rep)
{
	const struct net_stats *prev = c->prev ? &c->prev->snmp : NULL;
	const char *why;
	char w[300];
	double out, re, v;
	struct buf b = { 0 };
	struct sbx_finding *f;

	if (!stats_pair(c, c->cur->have_snmp, c->prev && c->prev->have_snmp, &c->cur->snmp_err,
			c->prev ? &c->prev->snmp_err : NULL, &why)) {
		check_unknown(rep, CHK_RETRANS, NULL, "TCP retransmits: %s", why);
		return;
	}
	if (!net_stat_delta(&c->cur->snmp, prev, "/proc/net/snmp", "Tcp", "OutSegs", &out, w, sizeof(w)) ||
	    !net_stat_delta(&c->cur->snmp, prev, "/proc/net/snmp", "Tcp", "RetransSegs", &re, w,
			    sizeof(w))) {
		check_unknown(rep, CHK_RETRANS, NULL, "TCP retransmits: %s", w);
		return;
	}
	v = out > 0 ? re / out * 100 : 0;
	buf_addf(&b, "TCP retransmits: %.2f%% (%.0f of %.0f segments sent", v, re, out);
	if (c->prev && !c->rate_why)
		buf_addf(&b, ", %.1f/s", re / c->seconds);
	buf_adds(&b, ")");
	over(c, &b);
	if (out < NET_MIN_SEGS) {
		f = check_rule(rep, CHK_RETRANS, ST_OK, NULL, "%s: too few segments to judge (fewer than %d)",
			       b.s, NET_MIN_SEGS);
		finding_perf(f, "retrans", v, "%", check_warn(CHK_RETRANS), check_crit(CHK_RETRANS));
	} else {
		f = check_value(rep, CHK_RETRANS, NULL, v, "%s", b.s);
		if (f->state != ST_OK)
			retrans_culprits(f);
	}
	finding_bounds(f, 0, 100);
	buf_free(&b);
}

/* A counter that must not rise: its rate over the interval.  NULL when
 * no finding was judged by value (the caller adds its culprits to it). */
static struct sbx_finding *judge_rise(struct nctx *c, struct sbx_report *rep, enum sbx_check_id id,
				      const char *what, double delta, const char *extra)
{
	struct sbx_finding *f;
	double rate;

	if (!c->prev) {
		check_rule(rep, id, ST_OK, NULL, "%s: %.0f since boot%s (a rise is judged over an interval: -i SECONDS)",
			       what, delta, extra);
		return NULL;
	}
	if (c->rate_why) {
		check_unknown(rep, id, NULL, "%s: %s", what, c->rate_why);
		return NULL;
	}
	rate = delta / c->seconds;
	f = check_value(rep, id, NULL, rate, "%s: %.1f/s (%.0f in %.1fs)%s", what, rate, delta,
			c->seconds, extra);
	return f;
}

static int cmp_fill(const void *a, const void *b)
{
	const struct net_sock *x = a, *y = b;
	double fx = (double)x->queue / (double)(x->backlog + 1);
	double fy = (double)y->queue / (double)(y->backlog + 1);

	return fx < fy ? 1 : fx > fy ? -1 : 0;
}

/* The listening sockets whose accept queue is full, and who holds them. */
static void listen_culprits(struct sbx_finding *f)
{
	struct net_socks ls;
	struct sbx_err err;
	uint64_t ino[NTOP];
	long pid[NTOP];
	char comm[NTOP][16], name[128];
	size_t n = 0;

	if (net_listeners_read(&ls, &err) < 0) {
		text_add(f, "listeners not named", err.msg);
		return;
	}
	if (ls.n > 1)
		qsort(ls.v, ls.n, sizeof(*ls.v), cmp_fill);
	for (size_t i = 0; i < ls.n && n < NTOP; i++)
		if (ls.v[i].queue > 0 && ls.v[i].queue >= ls.v[i].backlog)
			ino[n++] = ls.v[i].inode;
	if (!n) {
		text_add(f, "listeners not named", "no accept queue is full now");
		net_socks_free(&ls);
		return;
	}
	owners(f, ino, n, pid, comm);
	for (size_t k = 0; k < n; k++) {
		const struct net_sock *l = &ls.v[k];

		snprintf(name, sizeof(name), "%s accept queue %llu of %llu", l->addr,
			 (unsigned long long)l->queue, (unsigned long long)l->backlog);
		finding_who(f, "socket", name, 0, NULL, NULL, false, 0, NULL);
		if (pid[k])
			finding_who(f, "process", comm[k], pid[k], NULL, NULL, false, 0, NULL);
	}
	net_socks_free(&ls);
}

static void judge_listen(struct nctx *c, struct sbx_report *rep)
{
	const struct net_stats *prev = c->prev ? &c->prev->netstat : NULL;
	const char *why;
	char w[300], extra[128] = "";
	double drops, ovf;
	struct sbx_finding *f;

	if (!stats_pair(c, c->cur->have_netstat, c->prev && c->prev->have_netstat,
			&c->cur->netstat_err, c->prev ? &c->prev->netstat_err : NULL, &why)) {
		check_unknown(rep, CHK_LISTEN_DROPS, NULL, "listen drops: %s", why);
		return;
	}
	if (!net_stat_delta(&c->cur->netstat, prev, "/proc/net/netstat", "TcpExt", "ListenDrops",
			    &drops, w, sizeof(w))) {
		check_unknown(rep, CHK_LISTEN_DROPS, NULL, "listen drops: %s", w);
		return;
	}
	if (net_stat_delta(&c->cur->netstat, prev, "/proc/net/netstat", "TcpExt", "ListenOverflows",
			   &ovf, w, sizeof(w)))
		snprintf(extra, sizeof(extra), ", %.0f of them accept-queue overflows", ovf);
	f = judge_rise(c, rep, CHK_LISTEN_DROPS, "listen drops", drops, extra);
	if (f && f->state != ST_OK)
		listen_culprits(f);
}

static const struct softnet_row *softnet_cpu(const struct softnet_table *t, unsigned cpu, size_t hint)
{
	if (hint < t->n && t->rows[hint].cpu == cpu)
		return &t->rows[hint];
	for (size_t i = 0; i < t->n; i++)
		if (t->rows[i].cpu == cpu)
			return &t->rows[i];
	return NULL;
}

static void judge_softnet(struct nctx *c, struct sbx_report *rep)
{
	const struct softnet_table *t = &c->cur->softnet;
	struct { unsigned cpu; double drops; } top[NTOP];
	size_t ntop = 0, skipped = 0;
	double drops = 0, squeeze = 0;
	const char *why;
	char extra[160];
	struct sbx_finding *f;

	if (!stats_pair(c, c->cur->have_softnet, c->prev && c->prev->have_softnet,
			&c->cur->softnet_err, c->prev ? &c->prev->softnet_err : NULL, &why)) {
		check_unknown(rep, CHK_SOFTNET_DROPS, NULL, "softnet drops: %s", why);
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct softnet_row *r = &t->rows[i], *p = NULL;
		double d, s;

		if (c->prev && !(p = softnet_cpu(&c->prev->softnet, r->cpu, i))) {
			skipped++;	/* a CPU that came online */
			continue;
		}
		if (p && (r->col[SOFTNET_DROPPED] < p->col[SOFTNET_DROPPED] ||
			  r->col[SOFTNET_TIME_SQUEEZE] < p->col[SOFTNET_TIME_SQUEEZE])) {
			skipped++;
			continue;
		}
		d = (double)(r->col[SOFTNET_DROPPED] - (p ? p->col[SOFTNET_DROPPED] : 0));
		s = (double)(r->col[SOFTNET_TIME_SQUEEZE] - (p ? p->col[SOFTNET_TIME_SQUEEZE] : 0));
		drops += d;
		squeeze += s;
		if (d > 0 && (ntop < NTOP || top[NTOP - 1].drops < d)) {
			size_t k = ntop < NTOP ? ntop++ : NTOP - 1;

			top[k].cpu = r->cpu;
			top[k].drops = d;
			for (; k > 0 && top[k].drops > top[k - 1].drops; k--) {
				__typeof__(top[0]) x = top[k];

				top[k] = top[k - 1];
				top[k - 1] = x;
			}
		}
	}
	snprintf(extra, sizeof(extra), "; time_squeeze %.0f%s (the budget ran out with work left)",
		 squeeze, c->prev ? " in the interval" : " since boot");
	if (skipped)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 "; %zu CPU%s not judged (came online, or counters went backwards)", skipped,
			 plural(skipped, "s"));
	f = judge_rise(c, rep, CHK_SOFTNET_DROPS, "softnet drops", drops, extra);
	if (f && f->state != ST_OK)
		for (size_t k = 0; k < ntop; k++) {
			char name[32];

			snprintf(name, sizeof(name), "CPU%u", top[k].cpu);
			finding_who(f, "cpu", name, 0, NULL, NULL, true, top[k].drops / c->seconds, "/s");
		}
}

static void judge_conntrack(struct nctx *c, struct sbx_report *rep)
{
	static const char *const cols[] = { "insert_failed", "drop", "early_drop" };
	double total = 0;
	size_t have = 0;
	char extra[200] = "";

	if (!c->cur->have_nfct || (c->prev && !c->prev->have_nfct)) {
		const struct sbx_err *e = !c->cur->have_nfct ? &c->cur->nfct_err : &c->prev->nfct_err;

		if (e->errnum == ENOENT)
			check_rule(rep, CHK_CONNTRACK_DROPS, ST_OK, NULL,
				   "conntrack drops: conntrack is not loaded (no %s)",
				   rooted("/proc/net/stat/nf_conntrack"));
		else
			check_unknown(rep, CHK_CONNTRACK_DROPS, NULL, "conntrack drops: %s", e->msg);
		return;
	}
	for (size_t k = 0; k < ARRAY_SIZE(cols); k++) {
		uint64_t cv, pv = 0;

		if (!nfct_stat_sum(&c->cur->nfct, cols[k], &cv) ||
		    (c->prev && !nfct_stat_sum(&c->prev->nfct, cols[k], &pv)))
			continue;
		if (cv < pv) {
			check_unknown(rep, CHK_CONNTRACK_DROPS, NULL,
				      "conntrack drops: %s went backwards (%llu to %llu)", cols[k],
				      (unsigned long long)pv, (unsigned long long)cv);
			return;
		}
		have++;
		total += (double)(cv - pv);
	}
	if (!have) {
		check_unknown(rep, CHK_CONNTRACK_DROPS, NULL,
			      "conntrack drops: %s has no insert_failed, drop or early_drop column",
			      rooted("/proc/net/stat/nf_conntrack"));
		return;
	}
	if (c->cur->have_ct && c->cur->ct_max)
		snprintf(extra, sizeof(extra), "; table %llu of %llu entries (%.1f%%)",
			 (unsigned long long)c->cur->ct_count, (unsigned long long)c->cur->ct_max,
			 (double)c->cur->ct_count / (double)c->cur->ct_max * 100);
	judge_rise(c, rep, CHK_CONNTRACK_DROPS, "conntrack drops", total, extra);
}

static int cmp_drops(const void *a, const void *b)
{
	const struct net_sock *x = a, *y = b;

	return x->drops < y->drops ? 1 : x->drops > y->drops ? -1 : 0;
}

/* The UDP sockets that dropped most (since each was opened), and who holds them. */
static void udp_culprits(struct sbx_finding *f)
{
	struct net_socks us;
	struct sbx_err err;
	uint64_t ino[NTOP];
	long pid[NTOP];
	char comm[NTOP][16], name[128];
	size_t n = 0;

	if (net_udp_read(&us, &err) < 0) {
		text_add(f, "sockets not named", err.msg);
		return;
	}
	if (us.n > 1)
		qsort(us.v, us.n, sizeof(*us.v), cmp_drops);
	while (n < us.n && n < NTOP && us.v[n].drops > 0) {
		ino[n] = us.v[n].inode;
		n++;
	}
	if (!n) {
		text_add(f, "sockets not named", "no open UDP socket has dropped a datagram");
		net_socks_free(&us);
		return;
	}
	owners(f, ino, n, pid, comm);
	for (size_t k = 0; k < n; k++) {
		snprintf(name, sizeof(name), "%s %llu dropped", us.v[k].addr,
			 (unsigned long long)us.v[k].drops);
		finding_who(f, "socket", name, 0, NULL, NULL, false, 0, NULL);
		if (pid[k])
			finding_who(f, "process", comm[k], pid[k], NULL, NULL, false, 0, NULL);
	}
	net_socks_free(&us);
}

static void judge_udp(struct nctx *c, struct sbx_report *rep)
{
	const struct net_stats *prev = c->prev ? &c->prev->snmp : NULL;
	const char *why;
	char w[300], extra[128] = "";
	double d, inerr;
	struct sbx_finding *f;

	if (!stats_pair(c, c->cur->have_snmp, c->prev && c->prev->have_snmp, &c->cur->snmp_err,
			c->prev ? &c->prev->snmp_err : NULL, &why)) {
		check_unknown(rep, CHK_UDP_RCVBUF, NULL, "UDP receive buffer errors: %s", why);
		return;
	}
	if (!net_stat_delta(&c->cur->snmp, prev, "/proc/net/snmp", "Udp", "RcvbufErrors", &d, w,
			    sizeof(w))) {
		check_unknown(rep, CHK_UDP_RCVBUF, NULL, "UDP receive buffer errors: %s", w);
		return;
	}
	if (net_stat_delta(&c->cur->snmp, prev, "/proc/net/snmp", "Udp", "InErrors", &inerr, w,
			   sizeof(w)))
		snprintf(extra, sizeof(extra), "; InErrors %.0f", inerr);
	f = judge_rise(c, rep, CHK_UDP_RCVBUF, "UDP receive buffer errors", d, extra);
	if (f && f->state != ST_OK)
		udp_culprits(f);
}

static void judge_tcp_mem(struct nctx *c, struct sbx_report *rep)
{
	const struct net_snap *s = c->cur;
	int64_t mem;
	double v, press;
	char w[300], extra[160] = "";
	struct sbx_finding *f;

	if (!s->have_sockstat) {
		check_unknown(rep, CHK_TCP_MEM, NULL, "TCP memory: %s", s->sockstat_err.msg);
		return;
	}
	if (!net_stats_get(&s->sockstat, "TCP", "mem", &mem) || mem < 0) {
		check_unknown(rep, CHK_TCP_MEM, NULL, "TCP memory: no TCP mem in %s",
			      rooted("/proc/net/sockstat"));
		return;
	}
	if (!s->have_tcp_mem && s->tcp_mem_err.errnum == ENOENT) {
		/* a sysctl of the host's namespace only (as the memory is) */
		check_rule(rep, CHK_TCP_MEM, ST_OK, NULL,
			   "TCP memory: %lld pages; not judged here: %s is absent (a network namespace "
			   "other than the host's: run on the host)",
			   (long long)mem, rooted("/proc/sys/net/ipv4/tcp_mem"));
		return;
	}
	if (!s->have_tcp_mem) {
		check_unknown(rep, CHK_TCP_MEM, NULL, "TCP memory: %s", s->tcp_mem_err.msg);
		return;
	}
	if (!s->tcp_mem[1]) {
		check_unknown(rep, CHK_TCP_MEM, NULL, "TCP memory: tcp_mem's pressure threshold is 0");
		return;
	}
	if (s->have_netstat && (!c->prev || c->prev->have_netstat) &&
	    net_stat_delta(&s->netstat, c->prev ? &c->prev->netstat : NULL, "/proc/net/netstat",
			   "TcpExt", "TCPMemoryPressures", &press, w, sizeof(w)))
		snprintf(extra, sizeof(extra), "; entered pressure %.0f times%s", press,
			 c->prev ? " in the interval" : " since boot");
	v = (double)mem / (double)s->tcp_mem[1] * 100;
	f = check_value(rep, CHK_TCP_MEM, NULL, v,
			"TCP memory: %lld pages, %.1f%% of tcp_mem's pressure threshold %llu (high %llu)%s",
			(long long)mem, v, (unsigned long long)s->tcp_mem[1],
			(unsigned long long)s->tcp_mem[2], extra);
	finding_bounds(f, 0, 100);
}

static void nctx_rates(struct nctx *c)
{
	c->seconds = c->prev ? c->cur->when - c->prev->when : c->cur->uptime;
	if (!c->prev && c->cur->uptime <= 0) {
		snprintf(c->rate_buf, sizeof(c->rate_buf), "%s unreadable: no rates since boot",
			 rooted("/proc/uptime"));
		c->rate_why = c->rate_buf;
	} else if (c->seconds <= 0) {
		c->rate_why = "no time passed between the readings";
	}
}

/* conntrack_drops alone, for srebox cni (the other network checks are net's). */
void judge_net_conntrack(struct sbx_report *rep, const struct net_snap *cur, const struct net_snap *prev)
{
	struct nctx c = { .cur = cur, .prev = prev };

	if (!cur->ok || (prev && !prev->ok)) {
		check_unknown(rep, CHK_CONNTRACK_DROPS, NULL, "network: %s", !cur->ok ? cur->err.msg : prev->err.msg);
		return;
	}
	nctx_rates(&c);
	judge_conntrack(&c, rep);
}

void judge_net(struct sbx_report *rep, const struct net_snap *cur, const struct net_snap *prev)
{
	static const enum sbx_check_id all[] = { CHK_NET_ERRORS, CHK_NET_DROPS, CHK_RETRANS,
						 CHK_LISTEN_DROPS, CHK_SOFTNET_DROPS,
						 CHK_CONNTRACK_DROPS, CHK_UDP_RCVBUF, CHK_TCP_MEM };
	struct nctx c = { .cur = cur, .prev = prev };

	/* each check in its own words, as when it is judged */
	static const char *const label[] = { "interface errors", "interface drops",
					     "TCP retransmits", "listen drops", "softnet drops",
					     "conntrack drops", "UDP receive buffer errors",
					     "TCP memory" };

	if (!cur->ok || (prev && !prev->ok)) {
		for (size_t k = 0; k < ARRAY_SIZE(all); k++)
			check_unknown(rep, all[k], NULL, "%s: %s", label[k],
				      !cur->ok ? cur->err.msg : prev->err.msg);
		return;
	}
	nctx_rates(&c);
	judge_share(&c, rep, CHK_NET_ERRORS, false);
	judge_share(&c, rep, CHK_NET_DROPS, true);
	judge_retrans(&c, rep);
	judge_listen(&c, rep);
	judge_softnet(&c, rep);
	judge_conntrack(&c, rep);
	judge_udp(&c, rep);
	judge_tcp_mem(&c, rep);
}
