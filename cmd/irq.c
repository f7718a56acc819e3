/* srebox irq: which interrupts fire, how fast, on which CPUs, and whether
 * a device (or the network softirqs) piles onto one CPU.  Replaces
 * `sort -nr /proc/interrupts`, lsirq/irqtop and `mpstat -I`. */
#include "applet.h"
#include "top.h"
#include "cpu_share.h"
#include "irq.h"
#include "judge_irq.h"
#include "sample.h"
#include "root.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool o_per_cpu, o_all;
static const char *o_sort = "rate";
static double o_min_rate = IRQ_MIN_RATE;

static const struct sbx_opt irq_opts[] = {
	{ 0, "per-cpu", OPT_FLAG, &o_per_cpu, NULL,
	  "add a table with one row per CPU: its interrupt rate, share and busiest IRQ", NULL, NULL },
	{ 's', "sort", OPT_CHOICE, &o_sort, "KEY", "order interrupts by rate, irq or name",
	  "rate irq name", NULL },
	{ 'a', "all", OPT_FLAG, &o_all, NULL, "list every interrupt, not only the busiest 20", NULL,
	  NULL },
	{ 0, "min-rate", OPT_DOUBLE, &o_min_rate, "PER_SECOND",
	  "judge device queues and NET_RX/NET_TX at this many interrupts/s or more (default 100)",
	  NULL, NULL },
	OPT_END,
};

static const enum sbx_check_id irq_checks[] = {
	CHK_IRQ, CHK_IRQ_QUEUES, CHK_IRQ_NET, CHK_N,
};

enum { I_IRQ, I_RATE, I_TOTAL, I_TOPCPU, I_SHARE, I_AFF, I_EFF, I_CHIP, I_HWIRQ, I_TRIG,
       I_DEV, I_PERCPU, I_NCOLS };

static const struct sbx_col irq_cols[] = {
	[I_IRQ] = { "IRQ", "irq", CT_STR, COL_LABEL },
	[I_RATE] = { "RATE/s", "rate_per_second", CT_RATE, 0, "irq_interrupts_per_second",
		     "Interrupts per second over the interval (or since boot)." },
	[I_TOTAL] = { "TOTAL", "total", CT_COUNT, COL_COUNTER, "irq_interrupts_total",
		      "Interrupts since boot, all CPUs.", },
	[I_TOPCPU] = { "TOP-CPU", "top_cpu", CT_INT },
	[I_SHARE] = { "SHARE", "top_cpu_share_ratio", CT_RATIO, 0, "irq_top_cpu_share_ratio",
		      "Share of the interrupts on the busiest CPU." },
	[I_AFF] = { "AFFINITY", "smp_affinity_list", CT_STR },
	[I_EFF] = { "EFFECTIVE", "effective_affinity_list", CT_STR },
	[I_CHIP] = { "CHIP", "chip", CT_STR, COL_WIDE },
	[I_HWIRQ] = { "HWIRQ", "hwirq", CT_STR, COL_WIDE },
	[I_TRIG] = { "TRIGGER", "trigger", CT_STR, COL_WIDE },
	[I_DEV] = { "DEVICES", "devices", CT_STR, COL_LABEL },
	[I_PERCPU] = { "PER-CPU", "per_cpu", CT_LIST, COL_HIDE },
};

enum { S_NAME, S_RATE, S_TOTAL, S_TOPCPU, S_SHARE, S_PERCPU, S_NCOLS };

static const struct sbx_col soft_cols[] = {
	[S_NAME] = { "SOFTIRQ", "softirq", CT_STR, COL_LABEL },
	[S_RATE] = { "RATE/s", "rate_per_second", CT_RATE, 0, "irq_softirqs_per_second",
		     "Softirqs per second over the interval (or since boot)." },
	[S_TOTAL] = { "TOTAL", "total", CT_COUNT, COL_COUNTER, "irq_softirqs_total",
		      "Softirqs since boot." },
	[S_TOPCPU] = { "TOP-CPU", "top_cpu", CT_INT },
	[S_SHARE] = { "SHARE", "top_cpu_share_ratio", CT_RATIO, 0, "irq_softirq_top_cpu_share_ratio",
		      "Share of the softirqs on the busiest CPU." },
	[S_PERCPU] = { "PER-CPU", "per_cpu", CT_LIST, COL_HIDE },
};

enum { C_CPU, C_RATE, C_SHARE, C_HARDPCT, C_SOFTPCT, C_TOPIRQ, C_NETRX, C_NETTX, C_TIMER, C_SCHED, C_BLOCK,
       C_TASKLET, C_NCOLS };

static const struct sbx_col cpu_cols[] = {
	[C_CPU] = { "CPU", "cpu", CT_INT, COL_LABEL },
	[C_RATE] = { "IRQ/s", "irq_per_second", CT_RATE, 0, "irq_cpu_interrupts_per_second",
		     "Hardware interrupts per second on this CPU." },
	[C_SHARE] = { "SHARE", "irq_share_ratio", CT_RATIO, 0, "irq_cpu_share_ratio",
		      "This CPU's share of all hardware interrupts." },
	[C_HARDPCT] = { "%IRQ", "irq_time_ratio", CT_RATIO, 0, "irq_cpu_hardirq_time_ratio",
			"Share of this CPU's time in hardware interrupts (/proc/stat irq)." },
	[C_SOFTPCT] = { "%SOFT", "softirq_time_ratio", CT_RATIO, 0, "irq_cpu_softirq_time_ratio",
			"Share of this CPU's time in softirqs (/proc/stat softirq)." },
	[C_TOPIRQ] = { "TOP-IRQ", "top_irq", CT_STR },
	[C_NETRX] = { "NET_RX/s", "net_rx_per_second", CT_RATE },
	[C_NETTX] = { "NET_TX/s", "net_tx_per_second", CT_RATE },
	[C_TIMER] = { "TIMER/s", "timer_per_second", CT_RATE, COL_WIDE },
	[C_SCHED] = { "SCHED/s", "sched_per_second", CT_RATE, COL_WIDE },
	[C_BLOCK] = { "BLOCK/s", "block_per_second", CT_RATE, COL_WIDE },
	[C_TASKLET] = { "TASKLET/s", "tasklet_per_second", CT_RATE, COL_WIDE },
};

struct row_rate {
	size_t row;
	bool ok;
	const char *why;
	double rate;
	uint64_t sum;		/* increase on all CPUs: the sort key */
	size_t top;		/* column */
	double share;
	const uint64_t *delta;	/* per column; the counts themselves since boot */
};

static const struct irq_table *sort_tab;
/* Why rates are unknown for the whole report (no uptime), or NULL. */
static const char *rate_why;

static int cmp_rows(const void *a, const void *b)
{
	const struct row_rate *x = a, *y = b;
	const struct irq_row *rx = &sort_tab->rows[x->row], *ry = &sort_tab->rows[y->row];

	if (!strcmp(o_sort, "irq"))
		return strverscmp(rx->name, ry->name);
	if (!strcmp(o_sort, "name")) {
		int c = strcmp(rx->devices ? rx->devices : "~", ry->devices ? ry->devices : "~");

		if (c)
			return c;
	} else {
		double vx = x->ok ? (double)x->sum : -1, vy = y->ok ? (double)y->sum : -1;

		if (vx != vy)
			return vx < vy ? 1 : -1;
	}
	return strverscmp(rx->name, ry->name);
}

/* Rates of every row of cur, sorted as asked. */
static struct row_rate *row_rates(const struct irq_table *cur, const struct irq_table *prev,
				  double seconds, uint64_t **store)
{
	struct row_rate *rr = xcalloc(cur->nrows + 1, sizeof(*rr));
	static const uint64_t none[1];

	/* Since boot the increase is the counts: no copy of 512k counters. */
	*store = prev ? xcalloc(cur->nrows * cur->ncpu + 1, sizeof(uint64_t)) : NULL;

	for (size_t i = 0; i < cur->nrows; i++) {
		struct row_rate *x = &rr[i];
		uint64_t sum = 0;

		x->row = i;
		x->delta = none;
		if (!cur->rows[i].counts) {
			/* ERR/MIS: a single total, no per-CPU split */
			x->ok = cur->rows[i].ncounts == 1 &&
				irq_row_total_delta(cur, i, prev, &sum, &x->why);
			if (cur->rows[i].ncounts == 0)
				x->why = "no counters in this row";
			x->rate = seconds > 0 ? (double)sum / seconds : 0;
			x->sum = sum;
			continue;
		}
		if (prev) {
			uint64_t *d = *store + i * cur->ncpu;

			x->ok = irq_row_delta(cur, i, prev, d, &x->why);
			x->delta = d;
		} else {
			x->ok = true;
			x->delta = cur->rows[i].counts;
		}
		if (!x->ok)
			continue;
		for (size_t c = 0; c < cur->ncpu; c++) {
			sum += x->delta[c];
			if (x->delta[c] > x->delta[x->top])
				x->top = c;
		}
		x->rate = seconds > 0 ? (double)sum / seconds : 0;
		x->sum = sum;
		x->share = sum ? (double)x->delta[x->top] / (double)sum : 0;
	}
	sort_tab = cur;
	qsort(rr, cur->nrows, sizeof(*rr), cmp_rows);
	return rr;
}

static void free_rates(struct row_rate *rr, uint64_t *store)
{
	free(store);
	free(rr);
}

static void cpu_ids(const struct irq_table *t, struct sbx_table *tab)
{
	char **ids = xcalloc(t->ncpu, sizeof(char *));

	for (size_t c = 0; c < t->ncpu; c++)
		ids[c] = xasprintf("%u", t->cpu[c]);
	table_vec_ids(tab, ids, t->ncpu);
	for (size_t c = 0; c < t->ncpu; c++)
		free(ids[c]);
	free(ids);
}

static void affinity_cell(struct sbx_cell *c, const char *irq, const char *file)
{
	char path[128], val[4096];
	struct sbx_err err;

	snprintf(path, sizeof(path), "/proc/irq/%s/%s", irq, file);
	if (root_read_line(path, val, sizeof(val), &err) < 0)
		cell_unknown(c, err.msg);
	else
		cell_str(c, val);
}

/* srebox top keeps a table's first rows_kept rows by rate, which is this
 * table's order: the rest are not made. */
static size_t kept_rows(const struct sbx_ctx *ctx, size_t n)
{
	return ctx->rows_kept && ctx->rows_kept < n && !strcmp(o_sort, "rate") ? ctx->rows_kept : n;
}

static void add_irq_table(struct sbx_report *rep, const struct sbx_ctx *ctx,
			  const struct irq_table *cur, const struct row_rate *rr)
{
	struct sbx_table *t = report_table(rep, "interrupts", irq_cols, I_NCOLS);
	/* /proc/irq/N is read only for the rows that will be seen: the
	 * busiest 20 of a table, none for a check line, top's kept rows (its
	 * pane's sort, rate, is this table's order) */
	size_t shown = o_all || ctx->format != FMT_TABLE ? cur->nrows : 20;
	size_t affinity = ctx->format == FMT_CHECK ? 0 : shown;

	if (ctx->rows_kept && affinity > ctx->rows_kept && !strcmp(o_sort, "rate"))
		affinity = ctx->rows_kept;
	struct sbx_err noirq;
	DIR *d = root_opendir("/proc/irq", &noirq);

	if (d)
		closedir(d);

	t->limit = shown;
	cpu_ids(cur, t);
	for (size_t k = 0; k < kept_rows(ctx, cur->nrows); k++) {
		const struct row_rate *x = &rr[k];
		const struct irq_row *r = &cur->rows[x->row];
		struct sbx_cell *c = table_row(t);

		cell_str(&c[I_IRQ], r->name);
		if (x->ok && !rate_why)
			cell_num(&c[I_RATE], x->rate);
		else
			cell_unknown(&c[I_RATE], rate_why ? rate_why : x->why);
		cell_u64(&c[I_TOTAL], r->total);
		if (r->counts && x->ok && x->share > 0) {
			cell_i64(&c[I_TOPCPU], cur->cpu[x->top]);
			cell_num(&c[I_SHARE], x->share);
		}
		if (r->numeric && k < affinity && !d) {
			cell_unknown(&c[I_AFF], noirq.msg);
			cell_unknown(&c[I_EFF], noirq.msg);
		} else if (r->numeric && k < affinity) {
			/* top's pane shows where the interrupt is delivered,
			 * not where it may be: the other read is saved there */
			if (ctx->rows_kept)
				cell_unknown(&c[I_AFF], "not read: srebox top shows the effective affinity");
			else
				affinity_cell(&c[I_AFF], r->name, "smp_affinity_list");
			affinity_cell(&c[I_EFF], r->name, "effective_affinity_list");
		}
		if (r->chip)
			cell_str(&c[I_CHIP], r->chip);
		if (r->hwirq)
			cell_str(&c[I_HWIRQ], r->hwirq);
		if (r->trigger)
			cell_str(&c[I_TRIG], r->trigger);
		if (r->devices)
			cell_str(&c[I_DEV], r->devices);
		if (r->counts)
			cell_list(&c[I_PERCPU], x->ok ? x->delta : r->counts, cur->ncpu);
	}
}

static void add_soft_table(struct sbx_report *rep, const struct sbx_ctx *ctx,
			   const struct irq_table *cur, const struct row_rate *rr)
{
	struct sbx_table *t = report_table(rep, "softirqs", soft_cols, S_NCOLS);

	table_title(t, "Softirqs:");
	cpu_ids(cur, t);
	for (size_t k = 0; k < kept_rows(ctx, cur->nrows); k++) {
		const struct row_rate *x = &rr[k];
		const struct irq_row *r = &cur->rows[x->row];
		struct sbx_cell *c = table_row(t);

		cell_str(&c[S_NAME], r->name);
		if (x->ok && !rate_why)
			cell_num(&c[S_RATE], x->rate);
		else
			cell_unknown(&c[S_RATE], rate_why ? rate_why : x->why);
		cell_u64(&c[S_TOTAL], r->total);
		if (r->counts && x->ok && x->share > 0) {
			cell_i64(&c[S_TOPCPU], cur->cpu[x->top]);
			cell_num(&c[S_SHARE], x->share);
		}
		if (r->counts)
			cell_list(&c[S_PERCPU], x->ok ? x->delta : r->counts, cur->ncpu);
	}
}

static const struct row_rate *soft_rate(const struct irq_table *soft, const struct row_rate *rr,
					const char *name)
{
	for (size_t k = 0; k < soft->nrows; k++)
		if (!strcmp(soft->rows[rr[k].row].name, name))
			return &rr[k];
	return NULL;
}

static void add_cpu_table(struct sbx_report *rep, const struct irq_snap *cur,
			  const struct irq_snap *prev, const struct row_rate *hard,
			  const struct row_rate *soft, double seconds)
{
	static const struct {
		const char *name;
		int col;
	} softcols[] = { { "NET_RX", C_NETRX }, { "NET_TX", C_NETTX }, { "TIMER", C_TIMER },
			 { "SCHED", C_SCHED }, { "BLOCK", C_BLOCK }, { "TASKLET", C_TASKLET } };
	const struct irq_table *h = &cur->hard;
	struct sbx_table *t = report_table(rep, "cpus", cpu_cols, C_NCOLS);
	uint64_t all = 0;

	struct cpu_share aggr, *per = NULL;
	size_t nper = 0;
	bool have_stat = cur->have_stat && (!prev || prev->have_stat);

	if (have_stat)
		cpu_shares(&cur->stat, prev ? &prev->stat : NULL, &aggr, &per, &nper);
	table_title(t, "Per CPU:");
	for (size_t k = 0; k < h->nrows; k++)
		if (hard[k].ok && h->rows[hard[k].row].counts && irq_row_counted(h, hard[k].row))
			all += hard[k].sum;
	for (size_t c = 0; c < h->ncpu; c++) {
		struct sbx_cell *cell = table_row(t);
		uint64_t sum = 0, best = 0;
		size_t besti = 0;

		cell_i64(&cell[C_CPU], h->cpu[c]);
		for (size_t k = 0; k < h->nrows; k++) {
			if (!hard[k].ok || !h->rows[hard[k].row].counts)
				continue;
			if (irq_row_counted(h, hard[k].row))
				sum += hard[k].delta[c];
			if (hard[k].delta[c] > best && h->rows[hard[k].row].numeric) {
				best = hard[k].delta[c];
				besti = k;
			}
		}
		if (rate_why)
			cell_unknown(&cell[C_RATE], rate_why);
		else
			cell_num(&cell[C_RATE], seconds > 0 ? (double)sum / seconds : 0);
		cell_num(&cell[C_SHARE], all ? (double)sum / (double)all : 0);
		{
			const struct cpu_share *sh = NULL;

			for (size_t i = 0; i < nper; i++)
				if (per[i].cpu == (int)h->cpu[c])
					sh = &per[i];
			if (!have_stat) {
				const char *why = !cur->have_stat ? cur->stat_err.msg : prev->stat_err.msg;

				cell_unknown(&cell[C_HARDPCT], why);
				cell_unknown(&cell[C_SOFTPCT], why);
			} else if (!sh || !sh->ok) {
				const char *why = sh ? sh->why : "no line for this CPU in /proc/stat";

				cell_unknown(&cell[C_HARDPCT], why);
				cell_unknown(&cell[C_SOFTPCT], why);
			} else {
				cell_num(&cell[C_HARDPCT], sh->pct[SH_IRQ] / 100);
				cell_num(&cell[C_SOFTPCT], sh->pct[SH_SOFT] / 100);
			}
		}
		if (best > 0) {
			const struct irq_row *r = &h->rows[hard[besti].row];

			cell_strf(&cell[C_TOPIRQ], "%s %s", r->name, r->devices ? r->devices : "");
		}
		for (size_t s = 0; s < ARRAY_SIZE(softcols); s++) {
			const struct row_rate *x = cur->have_soft ? soft_rate(&cur->soft, soft,
									      softcols[s].name)
								  : NULL;
			long sc = x ? irq_table_col(&cur->soft, h->cpu[c]) : -1;

			if (!cur->have_soft)
				cell_unknown(&cell[softcols[s].col], cur->soft_err.msg);
			else if (rate_why)
				cell_unknown(&cell[softcols[s].col], rate_why);
			else if (x && x->ok && sc >= 0)
				cell_num(&cell[softcols[s].col],
					 seconds > 0 ? (double)x->delta[sc] / seconds : 0);
		}
	}
	free(per);
}

static struct sbx_report *build(const struct sbx_ctx *ctx, const struct irq_snap *prev,
				const struct irq_snap *cur)
{
	struct sbx_report *rep = report_new("irq");
	double seconds = prev ? cur->when - prev->when : cur->uptime;
	struct row_rate *hard, *soft = NULL;
	uint64_t *hard_store, *soft_store = NULL;
	double total = 0;
	char up[32], nouptime[400];

	rate_why = NULL;
	if (!prev && cur->uptime <= 0) {
		/* Totals and shares stand without it; rates do not (the
		 * judge says so as well). */
		snprintf(nouptime, sizeof(nouptime), "%s unreadable: no rates since boot",
			 rooted("/proc/uptime"));
		rate_why = nouptime;
	}
	rep->interval = prev ? seconds : 0;
	hard = row_rates(&cur->hard, prev ? &prev->hard : NULL, seconds, &hard_store);
	if (cur->have_soft)
		soft = row_rates(&cur->soft, prev && prev->have_soft ? &prev->soft : NULL, seconds,
				 &soft_store);
	for (size_t k = 0; k < cur->hard.nrows; k++)
		if (hard[k].ok && cur->hard.rows[hard[k].row].counts &&
		    irq_row_counted(&cur->hard, hard[k].row))
			total += hard[k].rate;
	fmt_duration(up, sizeof(up), cur->uptime);
	if (rate_why) {
		report_summary(rep, "interrupts on %zu CPU%s since boot", cur->hard.ncpu,
			       plural(cur->hard.ncpu, "s"));
	} else if (prev) {
		report_summary(rep, "%.0f interrupts/s on %zu CPU%s over %.1fs", total, cur->hard.ncpu,
			       plural(cur->hard.ncpu, "s"), seconds);
	} else {
		report_summary(rep, "%.0f interrupts/s on %zu CPU%s, averaged since boot", total,
			       cur->hard.ncpu, plural(cur->hard.ncpu, "s"));
		report_note(rep, "values since boot (up %s); -i SECONDS gives current rates", up);
	}
	judge_irq(rep, cur, prev, o_min_rate);
	if (sbx_wants_tables(ctx)) {
		add_irq_table(rep, ctx, &cur->hard, hard);
		if (soft)
			add_soft_table(rep, ctx, &cur->soft, soft);
		if (o_per_cpu)
			add_cpu_table(rep, cur, prev, hard, soft, seconds);
	}
	free_rates(hard, hard_store);
	if (soft)
		free_rates(soft, soft_store);
	return rep;
}

/* The shared sampling loop (lib/cli/sample.c) drives the readings. */
static int irq_read(void *snap, struct sbx_err *err, void *arg)
{
	(void)arg;
	return irq_snap_read(snap, err);
}

static void irq_free(void *snap, void *arg)
{
	(void)arg;
	irq_snap_free(snap);
}

static bool table_same(const struct irq_table *a, const struct irq_table *b)
{
	if (a->nrows != b->nrows || a->ncpu != b->ncpu)
		return false;
	for (size_t i = 0; i < a->nrows; i++) {
		const struct irq_row *x = &a->rows[i], *y = &b->rows[i];

		if (x->total != y->total || x->ncounts != y->ncounts || !x->counts != !y->counts ||
		    (x->counts && memcmp(x->counts, y->counts, x->ncounts * sizeof(*x->counts))))
			return false;
	}
	return true;
}

/* Nothing counted moved: a saved tree. */
static bool irq_same(const void *a_, const void *b_, void *arg)
{
	const struct irq_snap *a = a_, *b = b_;

	(void)arg;
	return table_same(&a->hard, &b->hard) && a->have_soft == b->have_soft &&
	       (!a->have_soft || table_same(&a->soft, &b->soft));
}

static struct sbx_report *irq_build(struct sbx_ctx *ctx, const void *prev, const void *cur,
				    void *arg)
{
	(void)arg;
	return build(ctx, prev, cur);
}

/* srebox top's interrupts (cmd/top.h). */
const struct sbx_sampler *irq_sampler(void)
{
	static const struct sbx_sampler s = { .name = "irq", .size = sizeof(struct irq_snap),
					      .read = irq_read, .free = irq_free, .same = irq_same,
					      .build = irq_build };

	return &s;
}

static int irq_run(struct sbx_ctx *ctx)
{
	struct sbx_sampler s = { .name = "irq", .size = sizeof(struct irq_snap), .read = irq_read,
				 .free = irq_free, .same = irq_same, .build = irq_build };

	if (ctx->nargs) {
		warnx_("unexpected argument '%s'", ctx->args[0]);
		return 3;
	}
	if (!isfinite(o_min_rate) || o_min_rate < 0) {
		warnx_("--min-rate must be 0 or more interrupts per second, not %g", o_min_rate);
		return 3;
	}
	return sbx_sample(ctx, &s);
}

const struct sbx_applet applet_irq = {
	.name = "irq",
	.examples =
		"# one CPU pegged in softirq: rates and the per-CPU view\n"
		"srebox irq -i 2 --per-cpu\n"
		"# a Nagios check of interrupt time while another CPU idles\n"
		"srebox irq -i 1 -o check -c irq=90\n",
	.summary = "interrupt and softirq rates per CPU, and devices piled onto one CPU",
	.usage = "[OPTIONS]",
	.description =
		"Reads /proc/interrupts, /proc/softirqs, /proc/stat and /proc/irq/N/*affinity_list.\n"
		"Without -i, rates over a " SBX_SAMPLE_DEFAULT_TEXT " s sample; -i 0, averages since boot;\n"
		"-i SECONDS, over that interval.  Judged is what costs CPU time: a CPU busy in\n"
		"hardirq+softirq while another is idle, a multi-queue device whose queues all\n"
		"landed on one CPU, and NET_RX/NET_TX on one CPU that spends real time in\n"
		"softirq.  A single vector on one CPU is how x86 delivers interrupts, not a finding.",
	.flags = AP_PROBE | AP_OUTPUT,
	.opts = irq_opts,
	.checks = irq_checks,
	.run = irq_run,
};
