/* The IRQ judgment: see judge_irq.h. */
#include "judge_irq.h"
#include "check.h"
#include "cpu_share.h"
#include "root.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jctx {
	const struct irq_snap *cur, *prev;
	double seconds;		/* > 0 when rate_why is NULL */
	const char *rate_why;
	char rate_buf[300];
	double min_rate;
	struct cpu_share *per;	/* NULL: no /proc/stat shares */
	size_t nper;
	uint64_t *d;		/* scratch: one row's delta */
};

static const struct cpu_share *share_of(const struct jctx *c, unsigned cpu)
{
	for (size_t i = 0; i < c->nper; i++)
		if (c->per[i].cpu == (int)cpu)
			return &c->per[i];
	return NULL;
}

/* The most idle CPU other than `cpu` (with a share), or NULL. */
static const struct cpu_share *most_idle(const struct jctx *c, int cpu)
{
	const struct cpu_share *best = NULL;

	for (size_t i = 0; i < c->nper; i++) {
		const struct cpu_share *s = &c->per[i];

		if (s->ok && s->cpu != cpu && (!best || s->busy < best->busy))
			best = s;
	}
	return best;
}

static void add_rate(struct buf *b, const struct jctx *c, double count)
{
	if (c->rate_why)
		buf_addf(b, "%.0f since boot", count);
	else
		buf_addf(b, "%.0f/s", count / c->seconds);
}

/* "on CPU0: eth0 (4 queues) 32000/s, ahci 200/s; NET_RX 25000/s": the
 * devices whose interrupts land on the CPU, busiest first, and its
 * network softirqs. */
static void evidence(struct jctx *c, unsigned cpu, struct buf *b)
{
	const struct irq_table *h = &c->cur->hard;
	long col = irq_table_col(h, cpu);
	struct {
		char name[128];
		double n;
		size_t nvec;
	} top[4];
	size_t ntop = 0, shown = 0;
	const char *why;

	if (col < 0)
		return;
	memset(top, 0, sizeof(top));
	for (size_t i = 0; i < h->nrows; i++) {
		const struct irq_row *r = &h->rows[i];
		char name[128];
		unsigned q;
		size_t k;

		if (!r->numeric || !irq_row_delta(h, i, c->prev ? &c->prev->hard : NULL, c->d, &why) ||
		    !c->d[col])
			continue;
		if (!irq_queue_of(r->devices, name, sizeof(name), &q))
			snprintf(name, sizeof(name), "%s", r->devices ? r->devices : r->name);
		for (k = 0; k < ntop && strcmp(top[k].name, name); k++)
			;
		if (k == ntop) {
			if (ntop < ARRAY_SIZE(top)) {
				ntop++;
			} else {
				/* replace the smallest if this one is bigger */
				size_t m = 0;

				for (size_t j = 1; j < ntop; j++)
					if (top[j].n < top[m].n)
						m = j;
				if (top[m].n >= (double)c->d[col])
					continue;
				k = m;
			}
			snprintf(top[k].name, sizeof(top[k].name), "%s", name);
			top[k].n = 0;
			top[k].nvec = 0;
		}
		top[k].n += (double)c->d[col];
		top[k].nvec++;
	}
	for (size_t a = 1; a < ntop; a++)
		for (size_t z = a; z > 0 && top[z].n > top[z - 1].n; z--) {
			__typeof__(top[0]) t = top[z];

			top[z] = top[z - 1];
			top[z - 1] = t;
		}
	buf_addf(b, "; on CPU%u: ", cpu);
	for (size_t k = 0; k < ntop && shown < 3; k++) {
		/* a device that fired a few times is no evidence */
		if (!c->rate_why && top[k].n / c->seconds < IRQ_QUEUE_RATE)
			continue;
		buf_addf(b, "%s%s", shown++ ? ", " : "", top[k].name);
		if (top[k].nvec > 1)
			buf_addf(b, " (%zu vectors)", top[k].nvec);
		buf_addc(b, ' ');
		add_rate(b, c, top[k].n);
	}
	if (!shown)
		buf_adds(b, "no device interrupts");
	if (c->cur->have_soft && (!c->prev || c->prev->have_soft)) {
		const struct irq_table *s = &c->cur->soft;
		long sc = irq_table_col(s, cpu);
		bool first = true;

		for (size_t i = 0; sc >= 0 && i < s->nrows; i++) {
			if (strcmp(s->rows[i].name, "NET_RX") && strcmp(s->rows[i].name, "NET_TX"))
				continue;
			if (!irq_row_delta(s, i, c->prev ? &c->prev->soft : NULL, c->d, &why) ||
			    !c->d[sc])
				continue;
			buf_addf(b, "%s%s ", first ? "; " : ", ", s->rows[i].name);
			add_rate(b, c, (double)c->d[sc]);
			first = false;
		}
	}
}

static void perf(struct sbx_finding *f, enum sbx_check_id id, double v)
{
	finding_perf(f, sbx_checks[id].id, v, sbx_checks[id].uom, check_warn(id), check_crit(id));
	if (!strcmp(sbx_checks[id].uom, "%"))
		finding_bounds(f, 0, 100);
}

/* irq: the busiest CPU's time in hardirq+softirq. */
static void judge_time(struct jctx *c, struct sbx_report *rep)
{
	const struct cpu_share *best = NULL, *idle;
	size_t unknown = 0;
	const char *first_why = NULL;
	int first_cpu = -1;
	struct buf b = { 0 };
	enum sbx_state st;
	double v;

	if (!c->cur->have_stat) {
		check_unknown(rep, CHK_IRQ, NULL, "interrupt time: %s", c->cur->stat_err.msg);
		return;
	}
	if (c->prev && !c->prev->have_stat) {
		check_unknown(rep, CHK_IRQ, NULL, "interrupt time: %s", c->prev->stat_err.msg);
		return;
	}
	if (!c->nper) {
		check_unknown(rep, CHK_IRQ, NULL, "interrupt time: %s has no per-CPU lines",
			      rooted("/proc/stat"));
		return;
	}
	for (size_t i = 0; i < c->nper; i++) {
		const struct cpu_share *s = &c->per[i];

		if (!s->ok) {
			if (!unknown++) {
				first_why = s->why;
				first_cpu = s->cpu;
			}
			continue;
		}
		if (!best || s->pct[SH_IRQ] + s->pct[SH_SOFT] > best->pct[SH_IRQ] + best->pct[SH_SOFT])
			best = s;
	}
	if (!best) {
		check_unknown(rep, CHK_IRQ, NULL, "interrupt time: no CPU has a share (CPU%d: %s)",
			      first_cpu, first_why);
		return;
	}
	v = best->pct[SH_IRQ] + best->pct[SH_SOFT];
	st = check_judge(CHK_IRQ, v);
	idle = most_idle(c, best->cpu);
	buf_addf(&b, "interrupt time: CPU%d spends %.1f%% in hardirq+softirq (hardirq %.1f%%, softirq %.1f%%)",
		 best->cpu, v, best->pct[SH_IRQ], best->pct[SH_SOFT]);
	if (st == ST_OK && unknown) {
		check_unknown(rep, CHK_IRQ, NULL,
			      "%s, the most of the CPUs with a share; %zu unknown (CPU%d: %s)", b.s,
			      unknown, first_cpu, first_why);
	} else if (st == ST_OK) {
		check_value(rep, CHK_IRQ, NULL, v, "%s, the most of %zu CPU%s", b.s, c->nper,
			    plural(c->nper, "s"));
	} else if (!idle && c->nper < 2) {
		perf(check_rule(rep, CHK_IRQ, ST_OK, NULL,
				"%s; the only CPU online: there is no other to move them to", b.s),
		     CHK_IRQ, v);
	} else if (!idle) {
		check_unknown(rep, CHK_IRQ, NULL, "%s; whether another CPU is idle is unknown (CPU%d: %s)",
			      b.s, first_cpu, first_why);
	} else if (100 - idle->busy < IRQ_IDLE_PCT) {
		perf(check_rule(rep, CHK_IRQ, ST_OK, NULL,
				"%s, but no CPU is idle (the most idle, CPU%d, is %.0f%% idle): "
				"the node is busy, not unbalanced",
				b.s, idle->cpu, 100 - idle->busy),
		     CHK_IRQ, v);
	} else {
		buf_addf(&b, " while CPU%d is %.0f%% idle", idle->cpu, 100 - idle->busy);
		evidence(c, (unsigned)best->cpu, &b);
		check_value(rep, CHK_IRQ, NULL, v, "%s", b.s);
	}
	buf_free(&b);
}

struct qdev {
	char key[128];
	size_t *rows;
	unsigned *queue;
	double *rate;
	size_t nv, av;
	double total;
	double *cpu;		/* interrupts per column */
	char why[200];		/* a vector without an honest delta */
	size_t nbadv;
};

static bool pinned(const struct irq_table *h, const struct qdev *d, unsigned cpu, struct buf *ev)
{
	char want[16], aff[4096], eff[4096], first_aff[4096] = "", first_eff[4096] = "";
	bool all_pinned = true, same_aff = true, same_eff = true;
	struct sbx_err err;
	size_t n = 0;

	snprintf(want, sizeof(want), "%u", cpu);
	for (size_t k = 0; k < d->nv; k++) {
		if (d->rate[k] < IRQ_QUEUE_RATE)
			continue;
		if (irq_affinity(h->rows[d->rows[k]].name, "smp_affinity_list", aff, sizeof(aff), &err) <
		    0) {
			buf_addf(ev, "smp_affinity_list unknown: %s", err.msg);
			return false;
		}
		if (irq_affinity(h->rows[d->rows[k]].name, "effective_affinity_list", eff, sizeof(eff),
				 &err) < 0)
			snprintf(eff, sizeof(eff), "?");
		if (!n++) {
			snprintf(first_aff, sizeof(first_aff), "%s", aff);
			snprintf(first_eff, sizeof(first_eff), "%s", eff);
		}
		same_aff &= !strcmp(aff, first_aff);
		same_eff &= !strcmp(eff, first_eff);
		all_pinned &= !strcmp(aff, want);
	}
	buf_addf(ev, "smp_affinity_list %s, effective %s", same_aff ? first_aff : "differs by queue",
		 same_eff ? first_eff : "differs by queue");
	return n && all_pinned;
}

static void qdevs_free(struct qdev *q, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(q[i].rows);
		free(q[i].queue);
		free(q[i].rate);
		free(q[i].cpu);
	}
	free(q);
}

static size_t distinct_busy_queues(const struct qdev *d)
{
	size_t n = 0;

	for (size_t k = 0; k < d->nv; k++) {
		bool seen = false;

		if (d->rate[k] < IRQ_QUEUE_RATE)
			continue;
		for (size_t j = 0; j < k && !seen; j++)
			seen = d->rate[j] >= IRQ_QUEUE_RATE && d->queue[j] == d->queue[k];
		n += !seen;
	}
	return n;
}

/* irq_queues: multi-queue devices whose queues all landed on one CPU. */
static void judge_queues(struct jctx *c, struct sbx_report *rep)
{
	const struct irq_table *h = &c->cur->hard;
	struct qdev *q = NULL;
	size_t nq = 0, aq = 0, checked = 0, collapsed = 0, nbad = 0;
	struct buf bad = { 0 }, flag = { 0 }, ok = { 0 };
	const char *why;

	if (c->rate_why) {
		check_unknown(rep, CHK_IRQ_QUEUES, NULL, "IRQ queues: %s", c->rate_why);
		return;
	}
	for (size_t i = 0; i < h->nrows; i++) {
		const struct irq_row *r = &h->rows[i];
		char key[128];
		unsigned queue;
		size_t k;
		bool good;
		double sum = 0;

		if (!r->numeric || !r->counts || !irq_queue_of(r->devices, key, sizeof(key), &queue))
			continue;
		for (k = 0; k < nq && strcmp(q[k].key, key); k++)
			;
		if (k == nq) {
			ALLOC_GROW(q, nq + 1, aq);
			memset(&q[nq], 0, sizeof(q[nq]));
			snprintf(q[nq].key, sizeof(q[nq].key), "%s", key);
			q[nq].cpu = xcalloc(h->ncpu, sizeof(double));
			nq++;
		}
		good = irq_row_delta(h, i, c->prev ? &c->prev->hard : NULL, c->d, &why);
		if (!good) {
			q[k].nbadv++;
			if (!q[k].why[0])
				snprintf(q[k].why, sizeof(q[k].why), "IRQ %s (%s): %s", r->name,
					 r->devices, why);
			continue;
		}
		q[k].rows = xrealloc(q[k].rows, (q[k].nv + 1) * sizeof(size_t));
		q[k].queue = xrealloc(q[k].queue, (q[k].nv + 1) * sizeof(unsigned));
		q[k].rate = xrealloc(q[k].rate, (q[k].nv + 1) * sizeof(double));
		for (size_t col = 0; col < h->ncpu; col++) {
			q[k].cpu[col] += (double)c->d[col];
			sum += (double)c->d[col];
		}
		q[k].rows[q[k].nv] = i;
		q[k].queue[q[k].nv] = queue;
		q[k].rate[q[k].nv] = sum / c->seconds;
		q[k].total += sum;
		q[k].nv++;
	}
	for (size_t k = 0; k < nq; k++) {
		struct qdev *d = &q[k];
		size_t busy = distinct_busy_queues(d), top = 0;
		double rate = d->total / c->seconds, share;
		struct buf ev = { 0 };

		if (d->why[0]) {
			/* a vector we cannot judge: the device is unknown unless
			 * what we can see is already too little to matter */
			if (d->nv + d->nbadv >= 2) {
				buf_addf(&bad, "%s%s: %s", nbad ? "; " : "", d->key, d->why);
				nbad++;
			}
			continue;
		}
		if (busy < 2 || rate < c->min_rate)
			continue;
		checked++;
		for (size_t col = 1; col < h->ncpu; col++)
			if (d->cpu[col] > d->cpu[top])
				top = col;
		share = d->total > 0 ? d->cpu[top] / d->total : 0;
		if (h->ncpu < 2 || share < IRQ_ONE_CPU)
			continue;
		if (pinned(h, d, h->cpu[top], &ev)) {
			buf_addf(&ok, "; %s's %zu queues are on CPU%u as configured (%s)", d->key, busy,
				 h->cpu[top], ev.s);
		} else {
			buf_addf(&flag, "%s%s's %zu queues put %.0f%% of %.0f/s on CPU%u (%s)",
				 collapsed ? "; " : "", d->key, busy, share * 100, rate, h->cpu[top],
				 ev.s);
			collapsed++;
		}
		buf_free(&ev);
	}
	if (collapsed) {
		long pid = irqbalance_pid();

		if (pid == 0)
			buf_adds(&flag, "; irqbalance is not running");
		else if (pid > 0)
			buf_addf(&flag, "; irqbalance runs (pid %ld)", pid);
		check_value(rep, CHK_IRQ_QUEUES, NULL, (double)collapsed, "IRQ queues: %s%s%s%s",
			    flag.s, ok.s ? ok.s : "", nbad ? "; not judged: " : "", nbad ? bad.s : "");
	} else if (nbad) {
		check_unknown(rep, CHK_IRQ_QUEUES, NULL, "IRQ queues: not judged: %s", bad.s);
	} else if (h->ncpu < 2) {
		check_value(rep, CHK_IRQ_QUEUES, NULL, 0, "IRQ queues: one CPU online: nothing to spread");
	} else if (checked) {
		check_value(rep, CHK_IRQ_QUEUES, NULL, 0,
			    "IRQ queues: %zu multi-queue %s at %.0f/s or more, queues spread over CPUs%s",
			    checked, checked == 1 ? "device" : "devices", c->min_rate, ok.s ? ok.s : "");
	} else {
		check_value(rep, CHK_IRQ_QUEUES, NULL, 0,
			    "IRQ queues: no device with 2+ busy queues at %.0f/s or more", c->min_rate);
	}
	buf_free(&bad);
	buf_free(&flag);
	buf_free(&ok);
	qdevs_free(q, nq);
}

/* irq_net: NET_RX or NET_TX concentrated on one CPU, by its softirq time. */
static void judge_net(struct jctx *c, struct sbx_report *rep)
{
	const struct irq_table *s = &c->cur->soft;
	static const char *const names[] = { "NET_RX", "NET_TX" };
	struct buf seen = { 0 }, unknown = { 0 };
	const struct cpu_share *worst = NULL;
	const char *worst_name = NULL, *why;
	double worst_share = 0, worst_rate = 0;

	if (!c->cur->have_soft) {
		check_unknown(rep, CHK_IRQ_NET, NULL, "network softirqs: %s", c->cur->soft_err.msg);
		return;
	}
	if (c->prev && !c->prev->have_soft) {
		check_unknown(rep, CHK_IRQ_NET, NULL, "network softirqs: %s", c->prev->soft_err.msg);
		return;
	}
	if (c->rate_why) {
		check_unknown(rep, CHK_IRQ_NET, NULL, "network softirqs: %s", c->rate_why);
		return;
	}
	for (size_t n = 0; n < ARRAY_SIZE(names); n++) {
		size_t i, top = 0;
		double sum = 0, rate, share;

		for (i = 0; i < s->nrows && strcmp(s->rows[i].name, names[n]); i++)
			;
		if (i == s->nrows)
			continue;
		if (!irq_row_delta(s, i, c->prev ? &c->prev->soft : NULL, c->d, &why)) {
			buf_addf(&unknown, "%s%s: %s", unknown.len ? "; " : "", names[n], why);
			continue;
		}
		for (size_t col = 0; col < s->ncpu; col++) {
			sum += (double)c->d[col];
			if (c->d[col] > c->d[top])
				top = col;
		}
		rate = sum / c->seconds;
		share = sum > 0 ? (double)c->d[top] / sum : 0;
		buf_addf(&seen, "%s%s %.0f/s", seen.len ? ", " : "", names[n], rate);
		if (sum > 0)
			buf_addf(&seen, " (%.0f%% on CPU%u)", share * 100, s->cpu[top]);
		if (rate < c->min_rate || share < IRQ_ONE_CPU || s->ncpu < 2)
			continue;
		{
			const struct cpu_share *cs = share_of(c, s->cpu[top]);

			if (!cs || !cs->ok) {
				buf_addf(&unknown, "%s%s: %.0f%% of %.0f/s on CPU%u, whose softirq time is unknown (%s)",
					 unknown.len ? "; " : "", names[n], share * 100, rate,
					 s->cpu[top],
					 !c->cur->have_stat ? c->cur->stat_err.msg
					 : c->prev && !c->prev->have_stat ? c->prev->stat_err.msg
					 : cs ? cs->why : "no per-CPU line in /proc/stat");
				continue;
			}
			if (!worst || cs->pct[SH_SOFT] > worst->pct[SH_SOFT]) {
				worst = cs;
				worst_name = names[n];
				worst_share = share;
				worst_rate = rate;
			}
		}
	}
	if (worst) {
		double v = worst->pct[SH_SOFT];
		enum sbx_state st = check_judge(CHK_IRQ_NET, v);
		const struct cpu_share *idle = most_idle(c, worst->cpu);
		struct buf b = { 0 };

		buf_addf(&b, "network softirqs: %s puts %.0f%% of %.0f/s on CPU%d, which spends %.1f%% in softirq",
			 worst_name, worst_share * 100, worst_rate, worst->cpu, v);
		if (st != ST_OK && !idle && c->nper > 1) {
			check_unknown(rep, CHK_IRQ_NET, NULL,
				      "%s; whether another CPU is idle is unknown (no other CPU has a share)",
				      b.s);
		} else if (st != ST_OK && (!idle || 100 - idle->busy < IRQ_IDLE_PCT)) {
			perf(check_rule(rep, CHK_IRQ_NET, ST_OK, NULL, "%s, but no other CPU is idle: the node is busy, not unbalanced",
					b.s),
			     CHK_IRQ_NET, v);
		} else {
			if (st != ST_OK) {
				buf_addf(&b, " while CPU%d is %.0f%% idle", idle->cpu, 100 - idle->busy);
				evidence(c, (unsigned)worst->cpu, &b);
			}
			if (unknown.len)
				buf_addf(&b, "; not judged: %s", unknown.s);
			check_value(rep, CHK_IRQ_NET, NULL, v, "%s", b.s);
		}
		buf_free(&b);
	} else if (unknown.len) {
		check_unknown(rep, CHK_IRQ_NET, NULL, "network softirqs: not judged: %s", unknown.s);
	} else {
		check_rule(rep, CHK_IRQ_NET, ST_OK, NULL,
			   "network softirqs: %s%s none at %.0f/s or more with %.0f%% on one CPU",
			   seen.len ? seen.s : "no NET_RX or NET_TX row", seen.len ? ";" : ":",
			   c->min_rate, IRQ_ONE_CPU * 100);
	}
	buf_free(&seen);
	buf_free(&unknown);
}

void judge_irq(struct sbx_report *rep, const struct irq_snap *cur, const struct irq_snap *prev,
	       double min_rate)
{
	struct jctx c = { .cur = cur, .prev = prev, .min_rate = min_rate };
	struct cpu_share all;
	size_t ncol;

	if (!cur->ok || (prev && !prev->ok)) {
		const char *msg = !cur->ok ? cur->err.msg : prev->err.msg;

		check_unknown(rep, CHK_IRQ, NULL, "interrupts: %s", msg);
		check_unknown(rep, CHK_IRQ_QUEUES, NULL, "IRQ queues: %s", msg);
		check_unknown(rep, CHK_IRQ_NET, NULL, "network softirqs: %s", msg);
		return;
	}
	c.seconds = prev ? cur->when - prev->when : cur->uptime;
	if (!prev && cur->uptime <= 0) {
		snprintf(c.rate_buf, sizeof(c.rate_buf), "%s unreadable: no rates since boot; use -i SECONDS",
			 rooted("/proc/uptime"));
		c.rate_why = c.rate_buf;
	} else if (c.seconds <= 0) {
		c.rate_why = "no time passed between the readings";
	}
	if (cur->have_stat && (!prev || prev->have_stat))
		cpu_shares(&cur->stat, prev ? &prev->stat : NULL, &all, &c.per, &c.nper);
	ncol = cur->hard.ncpu;
	if (cur->have_soft && cur->soft.ncpu > ncol)
		ncol = cur->soft.ncpu;
	c.d = xcalloc(ncol + 1, sizeof(uint64_t));
	judge_time(&c, rep);
	judge_queues(&c, rep);
	judge_net(&c, rep);
	free(c.d);
	free(c.per);
}
