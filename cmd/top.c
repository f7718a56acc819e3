/* srebox top: the live view an on-call engineer keeps open during an
 * incident, and its flight recorder.  It measures and judges nothing of its
 * own: each interval it builds the reports of health (the verdict and the
 * findings), cpu, cswitch, irq, throttle, io, net and disk from their samplers
 * (cmd/top.h), keeps a small projection of them as one JSON object (the
 * model), and hands that to a front end: the ncurses screen (top_screen.c),
 * the batch printer, the recorder.  A replay reads the same objects back.
 *
 * Recording format: JSON lines, one sample a line, exactly the batch
 * `-o json` output.  FILE holds the newest lines, FILE.1 the older ones;
 * when FILE would pass half of --record-size it is fsynced and renamed to
 * FILE.1 (replacing it), so the pair never holds more than --record-size.
 * A line is written with one write(2); a write cut short (a full disk) is
 * truncated away, and a line cut by a crash is skipped on replay, so the
 * file is always readable. */
#include "applet.h"
#include "arena.h"
#include "top.h"
#include "render.h"
#include "root.h"
#include "tasks.h"
#include "toprec.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TOP_ROWS 25		/* rows kept per pane and sample */
#define TOP_BATCH_ROWS 5	/* rows the batch text prints per pane */
#define TOP_INTERVAL 2.0	/* top -d 2 */

static bool o_batch;
static const char *o_record, *o_replay, *o_when, *o_record_size = "8M";

static const struct sbx_opt top_opts[] = {
	{ 'b', "batch", OPT_FLAG, &o_batch, NULL,
	  "print the samples (text, or JSON lines with -o json) instead of the screen; "
	  "the default when stdout is not a terminal", NULL, NULL },
	{ 0, "record", OPT_STRING, &o_record, "FILE",
	  "also keep the samples in FILE (and FILE.1: a ring of two, see --record-size)",
	  "files", NULL },
	{ 0, "record-size", OPT_STRING, &o_record_size, "BYTES",
	  "the recording's bound (default 8M; K, M and G suffixes)", NULL, NULL },
	{ 0, "replay", OPT_STRING, &o_replay, "FILE", "show a recording instead of this node",
	  "files", NULL },
	{ 't', "time", OPT_STRING, &o_when, "WHEN",
	  "replay from WHEN: \"10m ago\", \"2026-12-02T05:17:57Z\", \"2026-12-02 05:17\", \"05:17\"",
	  NULL, NULL },
	OPT_END,
};

/* --- panes: which rows of which report, and how they are shown ---------- */

#define COL(k, h, w, f) { k, h, w, f }
static const struct top_pane_col cpu_cols[] = {
	COL("pid", "PID", 7, 'n'), COL("cpu_ratio", "%CPU", 6, 'p'),
	COL("rss_bytes", "RSS", 8, 'b'), COL("threads", "THR", 5, 'n'),
	COL("top_thread_last_cpu", "CPU", 4, 'n'), COL("user", "USER", -9, 's'),
	COL("pod", "POD", -20, 's'), COL("command", "COMMAND", -16, 's'),
	COL("cgroup", "CGROUP", -40, 's'),
};
static const struct top_pane_col irq_cols[] = {
	COL("rate_per_second", "RATE/s", 9, 'r'), COL("top_cpu", "CPU", 4, 'n'),
	COL("top_cpu_share_ratio", "SHARE", 6, 'p'), COL("irq", "IRQ", -6, 's'),
	COL("effective_affinity_list", "AFFINITY", -9, 's'), COL("devices", "DEVICES", -40, 's'),
};
static const struct top_pane_col softirq_cols[] = {
	COL("rate_per_second", "RATE/s", 9, 'r'), COL("top_cpu", "CPU", 4, 'n'),
	COL("top_cpu_share_ratio", "SHARE", 6, 'p'), COL("softirq", "SOFTIRQ", -10, 's'),
};
static const struct top_pane_col cs_cols[] = {
	COL("pid", "PID", 7, 'n'), COL("switches_per_second", "CS/s", 9, 'r'),
	COL("voluntary_per_second", "VOL/s", 9, 'r'), COL("involuntary_per_second", "INVOL/s", 9, 'r'),
	COL("threads", "THR", 5, 'n'), COL("state", "S", -2, 's'), COL("command", "COMMAND", -16, 's'),
};
static const struct top_pane_col thr_cols[] = {
	COL("throttled_ratio", "THROT", 6, 'p'), COL("throttled_seconds", "THR_s", 7, 'n'),
	COL("limit_cpus", "LIMIT", 6, 'n'), COL("usage_cpus", "USED", 6, 'n'),
	COL("qos", "QOS", -10, 's'), COL("pod", "POD", -24, 's'), COL("container", "CONTAINER", -12, 's'),
	COL("cgroup", "CGROUP", -50, 's'),
};
static const struct top_pane_col disk_cols[] = {
	COL("util_ratio", "%UTIL", 6, 'p'), COL("r_await_ms", "R_AWAIT", 8, 'm'),
	COL("w_await_ms", "W_AWAIT", 8, 'm'), COL("aqu_sz", "AQU", 6, 'n'),
	COL("reads_per_second", "R/s", 8, 'r'), COL("writes_per_second", "W/s", 8, 'r'),
	COL("read_bytes_per_second", "RB/s", 9, 'b'), COL("write_bytes_per_second", "WB/s", 9, 'b'),
	COL("device", "DEVICE", -12, 's'),
};
static const struct top_pane_col fs_cols[] = {
	COL("seconds_to_full", "TO-FULL", 8, 'd'), COL("fill_bytes_per_second", "FILL/s", 9, 'b'),
	COL("used_ratio", "USE%", 6, 'p'), COL("avail_bytes", "AVAIL", 8, 'b'),
	COL("size_bytes", "SIZE", 8, 'b'), COL("inodes_used_ratio", "IUSE%", 6, 'p'),
	COL("fstype", "TYPE", -8, 's'), COL("mountpoint", "MOUNT", -30, 's'),
};
static const struct top_pane_col net_cols[] = {
	COL("rx_errors_per_second", "RXERR/s", 8, 'r'), COL("tx_errors_per_second", "TXERR/s", 8, 'r'),
	COL("rx_drops_per_second", "RXDRP/s", 8, 'r'), COL("tx_drops_per_second", "TXDRP/s", 8, 'r'),
	COL("rx_bytes_per_second", "RX B/s", 9, 'b'), COL("tx_bytes_per_second", "TX B/s", 9, 'b'),
	COL("operstate", "STATE", -6, 's'), COL("interface", "INTERFACE", -16, 's'),
};
static const struct top_pane_col tcp_cols[] = {
	COL("rate_per_second", "RATE/s", 10, 'r'), COL("proto", "PROTO", -8, 's'),
	COL("counter", "COUNTER", -24, 's'),
};
#undef COL

#define PANE(n, t, a, tb, c, s, k) { n, t, a, tb, c, ARRAY_SIZE(c), s, k }
const struct top_pane top_panes[] = {
	PANE("cpu", "processes by CPU", "cpu", "by_cpu", cpu_cols, "cpu_ratio", "top_thread_last_cpu"),
	PANE("mem", "processes by memory", "cpu", "by_memory", cpu_cols, "rss_bytes", "top_thread_last_cpu"),
	PANE("irq", "interrupts by rate", "irq", "interrupts", irq_cols, "rate_per_second", "top_cpu"),
	PANE("softirq", "softirqs by rate", "irq", "softirqs", softirq_cols, "rate_per_second", "top_cpu"),
	PANE("cswitch", "busiest context switchers", "cswitch", "processes", cs_cols,
	     "switches_per_second", NULL),
	PANE("throttle", "most throttled cgroups", "throttle", "cgroups", thr_cols, "throttled_ratio", NULL),
	PANE("disk", "disks by utilisation", "io", "devices", disk_cols, "util_ratio", NULL),
	PANE("net", "interfaces with errors and drops", "net", "interfaces", net_cols,
	     "rx_drops_per_second", NULL),
	PANE("tcp", "TCP and UDP counters (retransmits)", "net", "counters", tcp_cols,
	     "rate_per_second", NULL),
	PANE("fs", "filesystems filling fastest, with time to full", "disk", "filesystems", fs_cols,
	     "fill_bytes_per_second", NULL),
};
#undef PANE
const size_t top_npanes = ARRAY_SIZE(top_panes);

void top_cell_text(const json_t *v, char fmt, char *out, size_t n)
{
	double d;

	if (!v || json_is_null(v)) {
		snprintf(out, n, "-");
		return;
	}
	if (json_is_string(v)) {
		size_t len = json_string_length(v);

		if (len >= n)
			len = n - 1;
		memcpy(out, json_string_value(v), len);
		out[len] = '\0';
		return;
	}
	if (json_is_boolean(v)) {
		snprintf(out, n, "%s", json_is_true(v) ? "yes" : "no");
		return;
	}
	if (!json_is_number(v)) {
		snprintf(out, n, "?");
		return;
	}
	d = json_number_value(v);
	switch (fmt) {
	case 'p':
		fmt_pct(out, n, d * 100);
		break;
	case 'b':
		fmt_bytes(out, n, d);
		break;
	case 'r':
		fmt_count(out, n, d);
		break;
	case 'm':
		fmt_fixed(out, n, d, 1);
		break;
	case 'd':
		fmt_duration(out, n, d);
		break;
	default:
		fmt_fixed(out, n, d, d == floor(d) && fabs(d) < 1e15 ? 0 : 2);
	}
}

void top_row_text(const struct top_pane *p, const json_t *row, char *out, size_t n)
{
	size_t len = 0;

	out[0] = 0;
	for (size_t c = 0; c < p->ncols && len + 1 < n; c++) {
		char cell[512];
		int w = abs(p->cols[c].width), k;
		size_t cl, pad;

		if (row)
			top_cell_text(json_object_get(row, p->cols[c].key), p->cols[c].fmt, cell, sizeof(cell));
		else
			snprintf(cell, sizeof(cell), "%s", p->cols[c].head);
		/* text columns are cut to their width, but the last */
		if (p->cols[c].width < 0 && c + 1 < p->ncols && (int)strlen(cell) > w)
			cell[utf8_boundary(cell, (size_t)w)] = 0;
		cl = strlen(cell);
		pad = cl < (size_t)w ? (size_t)w - cl : 0;
		if (cl + pad + 1 < n - len) {	/* as "%*s " or "%-*s ", a few hundred a sample */
			if (p->cols[c].width > 0) {
				memset(out + len, ' ', pad);
				memcpy(out + len + pad, cell, cl);
			} else {
				memcpy(out + len, cell, cl);
				memset(out + len + cl, ' ', pad);
			}
			len += cl + pad;
			out[len++] = ' ';
			out[len] = '\0';
			continue;
		}
		k = snprintf(out + len, n - len, p->cols[c].width > 0 ? "%*s " : "%-*s ", w, cell);
		len = k < 0 || (size_t)k >= n - len ? n - 1 : len + (size_t)k;
	}
	while (len && out[len - 1] == ' ')
		out[--len] = 0;
}

enum sbx_state top_state_of(const json_t *o)
{
	const char *s = json_string_value(json_object_get(o, "state"));

	if (!s)
		return ST_UNKNOWN;
	if (!strcmp(s, "OK"))
		return ST_OK;
	if (!strcmp(s, "WARNING"))
		return ST_WARNING;
	if (!strcmp(s, "CRITICAL"))
		return ST_CRITICAL;
	return ST_UNKNOWN;
}

/* --- the live model: the samplers and one sample's projection ---------- */

enum { S_HEALTH, S_CPU, S_CSWITCH, S_IRQ, S_THROTTLE, S_IO, S_NET, S_DISK, S_N };

struct live {
	struct sbx_ctx *ctx, rctx;	/* rctx: the builders' context (-o json: every table) */
	const struct sbx_sampler *s[S_N];
	void *prev[S_N], *cur[S_N];
	bool have_prev[S_N];
	struct buf print0;	/* /proc/stat and /proc/uptime: a saved tree stands still */
	double t_prev;
	bool ticks;		/* live_tick wants readings inside the interval */
	int rec_fd;
	off_t rec_size;
	uint64_t rec_max;
	double last_sync;
	bool rec_warned;
	/* what of each report the model keeps: the panes' tables, their
	 * first rows, and the tables frame_of reads whole */
	struct json_pick pick[S_N][8];
	size_t npick[S_N];
	unsigned long samples;
	size_t rows;		/* rows kept per pane */
	bool all_texts;		/* the texts of OK findings too (JSON, a recording) */
	int pane;		/* top_view.pane: the one pane made, or -1 */
};

/* --- the model's memory -------------------------------------------------- */

/* A live sample's model is some 2,800 small jansson values, made at once
 * and dropped at once when the next sample replaces it: malloc, free and
 * jansson's walk to free them were a quarter of a sample's instructions.
 * They are carved from two arenas in turn (the sample being made, the one
 * on the screen), and dropping a sample is resetting its arena two samples
 * later.  Only what is made while model.in is set comes from an arena;
 * everything else, and what does not fit, is malloc's, and a sample that
 * spilled out of its arena is freed value by value as before. */
static struct {
	struct arena a[2];
	struct arena *in;	/* where new values come from; NULL: malloc */
	bool on;
} model;

static void *model_malloc(size_t n)
{
	void *p = model.in ? arena_alloc(model.in, n) : NULL;

	return p ? p : malloc(n);
}

static void model_free(void *p)
{
	if (arena_owns(&model.a[0], p) || arena_owns(&model.a[1], p))
		return;	/* taken back with its arena */
	free(p);
}

static void model_start(void)
{
	/* virtual: a sample's model touches a few hundred KiB of it */
	if (!arena_init(&model.a[0], 64u << 20) || !arena_init(&model.a[1], 64u << 20)) {
		arena_fini(&model.a[0]);
		return;	/* malloc, as for a replay */
	}
	json_set_alloc_funcs(model_malloc, model_free);
	model.on = true;
}

/* The arena of the next sample's model, emptied: it held the sample
 * before the one on the screen. */
static struct arena *model_next(struct live *l)
{
	struct arena *a;

	if (!model.on)
		return NULL;
	a = &model.a[l->samples++ & 1];
	arena_reset(a);
	return a;
}

/* Drop a sample's model: its arena takes it back, unless it spilled. */
static void model_drop(json_t *fr)
{
	for (size_t i = 0; i < 2; i++)
		if (arena_owns(&model.a[i], fr) && !model.a[i].spilled)
			return;
	json_decref(fr);
}

static void model_stop(void)
{
	if (!model.on)
		return;
	json_set_alloc_funcs(malloc, free);
	arena_fini(&model.a[0]);
	arena_fini(&model.a[1]);
	model.on = false;
	model.in = NULL;
}

static const char *const sampler_applet[S_N] = { "health", "cpu", "cswitch", "irq", "throttle",
						 "io", "net", "disk" };

/* The keys of health's node table the header shows. */
static const char *const node_keys[] = {
	"cpus", "load1", "load5", "load15", "procs_running", "procs_blocked", "cpu_busy_ratio",
	"cpu_steal_ratio", "memory_total_bytes", "memory_available_bytes",
	"kubelet_memory_available_bytes", "psi_cpu_some_avg10_ratio",
	"psi_memory_some_avg10_ratio", "psi_memory_full_avg10_ratio",
	"psi_io_some_avg10_ratio", "psi_io_full_avg10_ratio", "context_switches_per_second",
};
static const char *const finding_keys[] = { "check", "state", "text" };
static const char *const system_keys[] = { "interrupts_per_second" };
static const char *const cpu_keys[] = { "cpu", "busy_ratio", "irq_ratio", "softirq_ratio", "steal_ratio" };

/* Only what the model keeps is made into JSON: a report's other tables
 * and columns, and most of its rows, cost a sample as much as the rest. */
static void live_picks(struct live *l)
{
#define WHOLE(s, t, k) { s, t, k, ARRAY_SIZE(k) }
	static const struct { size_t s; const char *table; const char *const *keys; size_t nkeys; } whole[] = {
		WHOLE(S_HEALTH, "node", node_keys), WHOLE(S_HEALTH, JSON_PICK_FINDINGS, finding_keys),
		WHOLE(S_CSWITCH, "system", system_keys), WHOLE(S_CPU, "cpus", cpu_keys),
	};
#undef WHOLE
	static const char *keys[ARRAY_SIZE(top_panes)][16];

	for (size_t i = 0; i < ARRAY_SIZE(whole); i++)
		l->pick[whole[i].s][l->npick[whole[i].s]++] =
			(struct json_pick){ whole[i].table, NULL, 0, whole[i].keys, whole[i].nkeys };
	for (size_t i = 0; i < top_npanes; i++) {
		const struct top_pane *p = &top_panes[i];

		for (size_t c = 0; c < p->ncols && c < ARRAY_SIZE(keys[i]); c++)
			keys[i][c] = p->cols[c].key;
		for (size_t k = 0; k < S_N; k++)
			if (!strcmp(sampler_applet[k], p->applet) && l->npick[k] < ARRAY_SIZE(l->pick[k]))
				l->pick[k][l->npick[k]++] = (struct json_pick){
					p->table, p->sort, l->rows, keys[i], p->ncols };
	}
}

static void read_print(struct buf *b)
{
	struct buf up = { 0 };
	struct sbx_err e;

	buf_reset(b);
	if (root_is_live())
		return;	/* the live node moves */
	if (root_read("/proc/stat", b, &e) < 0)
		buf_reset(b);
	if (root_read("/proc/uptime", &up, &e) == 0)
		buf_add(b, up.s, up.len);
	buf_free(&up);
}

/* The pane's rows: report_to_json ranked them by the pane's sort key and
 * kept the first l->rows, with the pane's columns alone (live_picks), so
 * they are shared, not copied. */
static json_t *pane_rows(const struct top_pane *p, const json_t *rep)
{
	json_t *rows = json_object_get(rep, p->table);

	return json_is_array(rows) ? json_incref(rows) : json_array();
}

static json_t *findings_of(const json_t *rep)
{
	json_t *out = json_array();
	size_t i;
	const json_t *f;

	json_array_foreach(json_object_get(rep, "findings"), i, f) {
		json_t *o = json_object();

		json_object_set(o, "check", json_object_get(f, "check"));
		json_object_set(o, "state", json_object_get(f, "state"));
		json_object_set(o, "text", json_object_get(f, "text"));
		json_array_append_new(out, o);
	}
	return out;
}

static json_t *first_row(const json_t *rep, const char *table)
{
	return json_array_get(json_object_get(rep, table), 0);
}

/* Whether sample k's report is made: every one for the batch and a
 * recording; on a screen, the shown pane's and what every pane draws on. */
static bool made(const struct live *l, size_t k)
{
	return l->pane < 0 || k == S_HEALTH || k == S_CPU || k == S_CSWITCH ||
	       !strcmp(top_panes[l->pane].applet, sampler_applet[k]);
}

/* One sample: the verdict and findings of health, its node figures, the
 * per-CPU strip and every pane made (a pane not made is not in "panes"). */
static json_t *frame_of(const struct live *l, json_t *const *reps, double t, double interval)
{
	json_t *fr = json_object(), *panes = json_object(), *cpus = json_array(),
	       *errors = json_object(), *head = json_object();
	const json_t *h = reps[S_HEALTH], *node = first_row(h, "node"),
		     *sys = first_row(reps[S_CSWITCH], "system");
	const char *const *applets = sampler_applet;
	size_t i;
	const json_t *c;
	char when[40];
	time_t secs = (time_t)t;
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(fr, "time", json_string(when));
	json_object_set_new(fr, "t", json_real(t));
	json_object_set_new(fr, "interval_seconds", json_real(interval));
	json_object_set(fr, "state", json_object_get(h, "state"));
	json_object_set(fr, "summary", json_object_get(h, "summary"));
	json_object_set_new(fr, "findings", findings_of(h));
	for (i = 0; i < ARRAY_SIZE(node_keys); i++) {
		json_t *v = json_object_get(node, node_keys[i]);

		json_object_set(head, node_keys[i], v ? v : json_null());
	}
	json_object_set(head, "interrupts_per_second",
			sys ? json_object_get(sys, "interrupts_per_second") : json_null());
	json_object_set_new(fr, "node", head);
	json_array_foreach(json_object_get(reps[S_CPU], "cpus"), i, c) {
		json_t *o = json_object();
		const json_t *irq = json_object_get(c, "irq_ratio"), *soft = json_object_get(c, "softirq_ratio");

		json_object_set(o, "cpu", json_object_get(c, "cpu"));
		json_object_set(o, "busy", json_object_get(c, "busy_ratio"));
		json_object_set_new(o, "irq", json_is_number(irq) && json_is_number(soft) ?
			json_real(json_number_value(irq) + json_number_value(soft)) : json_null());
		json_object_set(o, "steal", json_object_get(c, "steal_ratio"));
		json_array_append_new(cpus, o);
	}
	json_object_set_new(fr, "cpus", cpus);
	for (i = 0; i < top_npanes; i++) {
		const struct top_pane *p = &top_panes[i];

		for (size_t k = 0; k < S_N; k++)
			if (!strcmp(applets[k], p->applet) && made(l, k))
				json_object_set_new(panes, p->name, pane_rows(p, reps[k]));
	}
	json_object_set_new(fr, "panes", panes);
	for (i = 0; i < S_N; i++) {
		json_t *e = json_object_get(reps[i], "error");

		if (json_is_string(e))
			json_object_set(errors, applets[i], e);
	}
	json_object_set_new(fr, "errors", errors);
	return fr;
}

static bool ticks_now(struct live *l)
{
	bool want = false;

	for (size_t i = 0; i < S_N; i++)
		if (l->s[i]->tick)
			want |= l->s[i]->tick(l->s[i]->arg);
	return want;
}

static bool live_tick(void *arg)
{
	bool want;

	/* health and cswitch each take the run queue: one /proc/stat a tick */
	root_memo_begin();
	want = ticks_now(arg);
	root_memo_end();
	return want;
}

/* The samplers' readings of the task table, and health's culprits, come
 * from one walk a sample: see tasks_share_begin.  By hand, as health's:
 * top reads every task's status anyway, and libproc2 would add a stat(2)
 * of each /proc/PID and its sscanf of the stat line it reads beside it. */
#define TOP_TASKS (TASKS_SWITCHES | TASKS_NO_LIBPROC2 | TASKS_HOLD)

/* health last: it borrows what the others read (health_borrow), the
 * same probes of the same sample. */
static void live_read(struct live *l, void **into)
{
	bool ok[S_N];

	for (size_t k = 0; k < S_N; k++) {
		size_t i = (k + 1) % S_N;	/* S_HEALTH is 0 */
		struct sbx_err err;

		if (i == S_HEALTH) {
			struct health_borrowed b = {
				.irq = ok[S_IRQ] ? into[S_IRQ] : NULL,
				.thr = ok[S_THROTTLE] ? into[S_THROTTLE] : NULL,
				.cs = ok[S_CSWITCH] ? into[S_CSWITCH] : NULL,
				.net = ok[S_NET] ? into[S_NET] : NULL,
				.io = ok[S_IO] ? io_sampler_devices(into[S_IO]) : NULL,
			};

			health_borrow(&b);
		}
		memset(into[i], 0, l->s[i]->size);
		/* a failed reading is built since nothing: its report says why */
		ok[i] = l->s[i]->read(into[i], &err, l->s[i]->arg) == 0;
		if (!ok[i]) {
			l->s[i]->free(into[i], l->s[i]->arg);
			memset(into[i], 0, l->s[i]->size);
		}
	}
	root_hold_sweep();
}

static void live_start(struct live *l, struct sbx_ctx *ctx, size_t rows, bool all_texts)
{
	memset(l, 0, sizeof(*l));
	l->rows = rows;
	l->all_texts = all_texts;
	l->ctx = ctx;
	l->rctx = *ctx;
	l->rctx.format = FMT_JSON;
	l->rctx.format_given = true;
	l->rctx.textfile = NULL;
	l->rctx.rows_kept = rows;
	live_picks(l);
	l->s[S_HEALTH] = health_sampler();
	l->s[S_CPU] = cpu_sampler();
	l->s[S_CSWITCH] = cswitch_sampler();
	l->s[S_IRQ] = irq_sampler();
	l->s[S_THROTTLE] = throttle_sampler();
	l->s[S_IO] = io_sampler();
	l->s[S_NET] = net_sampler(&l->rctx);
	l->s[S_DISK] = disk_sampler();
	for (size_t i = 0; i < S_N; i++) {
		l->prev[i] = xcalloc(1, l->s[i]->size);
		l->cur[i] = xcalloc(1, l->s[i]->size);
	}
	l->rec_fd = -1;
	read_print(&l->print0);
	root_hold();	/* the live node's files stay open between samples */
	tasks_share_begin(TOP_TASKS);
	live_read(l, l->prev);
	tasks_share_end();
	l->t_prev = now_monotonic();
	l->ticks = live_tick(l);
}

static void live_stop(struct live *l)
{
	for (size_t i = 0; i < S_N; i++) {
		l->s[i]->free(l->prev[i], l->s[i]->arg);
		free(l->prev[i]);
		free(l->cur[i]);
	}
	tasks_share_free();
	buf_free(&l->print0);
	if (l->rec_fd >= 0) {
		fsync(l->rec_fd);
		close(l->rec_fd);
	}
}

/* The next sample, over the time since the last one.  A --root tree that
 * did not move (a saved copy) has no rates: its reports are since boot. */
static json_t *live_sample(struct live *l)
{
	json_t *reps[S_N];
	struct buf p1 = { 0 };
	double now = now_monotonic(), interval = now - l->t_prev;
	bool saved;
	json_t *fr;
	struct arena *a = model_next(l);

	/* the run queue at the interval's end, in the sample's window: its
	 * /proc/stat and /proc/loadavg are the sample's, read once */
	tasks_share_begin(TOP_TASKS);
	ticks_now(l);
	live_read(l, l->cur);
	read_print(&p1);
	saved = !root_is_live() && p1.len == l->print0.len &&
		!memcmp(p1.s, l->print0.s, p1.len);
	for (size_t i = 0; i < S_N; i++) {
		struct sbx_report *r;

		if (!made(l, i)) {
			model.in = a;
			reps[i] = json_object();
			model.in = NULL;
			continue;
		}
		/* the screen shows health's findings alone, and of those the
		 * texts of the ones not OK (JSON lines and a recording keep
		 * every text): the others are judged (a table may need the
		 * states), not written */
		check_evidence(i != S_HEALTH ? EVIDENCE_NONE : l->all_texts ? EVIDENCE_ALL : EVIDENCE_NOT_OK);
		r = l->s[i]->build(&l->rctx, saved ? NULL : l->prev[i], l->cur[i], l->s[i]->arg);
		check_evidence(EVIDENCE_ALL);

		model.in = a;
		reps[i] = report_to_json(r, l->pick[i], l->npick[i]);
		if (!reps[i])
			reps[i] = json_object();
		model.in = NULL;
		report_free(r);
	}
	/* health's readings hold the others' (borrowed): freed once every
	 * report is built, health's first */
	for (size_t i = 0; i < S_N; i++) {
		l->s[i]->free(l->prev[i], l->s[i]->arg);
		memcpy(l->prev[i], l->cur[i], l->s[i]->size);
	}
	tasks_share_end();
	buf_free(&l->print0);
	l->print0 = p1;
	model.in = a;
	fr = frame_of(l, reps, now_realtime(), saved ? 0 : interval);
	if (saved)
		json_object_set_new(fr, "note", json_string("the tree did not change (a saved copy?): "
							    "figures since boot"));
	model.in = NULL;
	/* the frame holds what it shows of them; the rest goes with the arena */
	if (!a || a->spilled)
		for (size_t i = 0; i < S_N; i++)
			json_decref(reps[i]);
	l->t_prev = now;
	return fr;
}

/* --- the recorder -------------------------------------------------------- */

static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v <= 0)
		return false;
	switch (*end) {
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end || v > 1e15)
		return false;
	*out = (uint64_t)v;
	return true;
}

static char *rec_old_name(void)
{
	return xasprintf("%s.1", o_record);
}

static int rec_open(struct live *l)
{
	struct stat st;

	l->rec_fd = open(o_record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (l->rec_fd < 0 || fstat(l->rec_fd, &st) < 0) {
		warnx_("--record %s: %s", o_record, strerror(errno));
		return -1;
	}
	l->rec_size = st.st_size;
	return 0;
}

static void rec_write(struct live *l, const char *line, size_t len)
{
	ssize_t n;

	if (l->rec_fd < 0)
		return;
	if (l->rec_size > 0 && (uint64_t)l->rec_size + len > l->rec_max / 2) {
		char *old = rec_old_name();

		fsync(l->rec_fd);
		close(l->rec_fd);
		if (rename(o_record, old) < 0 && !l->rec_warned) {
			warnx_("--record: rename %s: %s", o_record, strerror(errno));
			l->rec_warned = true;
		}
		free(old);
		if (rec_open(l) < 0)
			return;
	}
	n = write(l->rec_fd, line, len);
	if (n != (ssize_t)len) {
		/* a full disk: no half line stays behind */
		if (ftruncate(l->rec_fd, l->rec_size) < 0) {
			/* nothing more to do: replay skips the cut line */
		}
		if (!l->rec_warned)
			warnx_("--record %s: %s: samples are not being kept", o_record,
			       n < 0 ? strerror(errno) : "short write");
		l->rec_warned = true;
		return;
	}
	l->rec_size += (off_t)len;
	if (now_monotonic() - l->last_sync >= 1) {
		fsync(l->rec_fd);
		l->last_sync = now_monotonic();
	}
}

/* --- batch --------------------------------------------------------------- */

static void batch_print(FILE *f, const json_t *fr, enum sbx_format fmt)
{
	char line[2048];
	size_t i;
	const json_t *x;

	if (fmt == FMT_JSON) {
		json_dumpf(fr, f, JSON_COMPACT);
		fputc('\n', f);
		fflush(f);
		return;
	}
	fprintf(f, "%s %s\n", json_string_value(json_object_get(fr, "time")),
		json_string_value(json_object_get(fr, "summary")) ?: "");
	if (json_is_string(json_object_get(fr, "note")))
		fprintf(f, "  note: %s\n", json_string_value(json_object_get(fr, "note")));
	json_array_foreach(json_object_get(fr, "findings"), i, x)
		if (top_state_of(x) != ST_OK)
			fprintf(f, "  %-8s %s: %s\n", json_string_value(json_object_get(x, "state")),
				json_string_value(json_object_get(x, "check")),
				json_string_value(json_object_get(x, "text")));
	for (size_t p = 0; p < top_npanes; p++) {
		const struct top_pane *pn = &top_panes[p];
		const json_t *rows = json_object_get(json_object_get(fr, "panes"), pn->name);
		size_t r;
		const json_t *row;

		if (!json_array_size(rows))
			continue;
		fprintf(f, "  [%s] %s\n", pn->name, pn->title);
		top_row_text(pn, NULL, line, sizeof(line));
		fprintf(f, "    %s\n", line);
		json_array_foreach(rows, r, row) {
			if (r >= TOP_BATCH_ROWS)
				break;
			top_row_text(pn, row, line, sizeof(line));
			fprintf(f, "    %s\n", line);
		}
	}
	fflush(f);
}

static void fold_state(struct sbx_ctx *ctx, const json_t *fr)
{
	enum sbx_state st = top_state_of(fr);

	ctx->worst = ctx->emitted ? state_worst(ctx->worst, st) : st;
	ctx->emitted++;
}

/* --- replay -------------------------------------------------------------- */

static void load_file(const char *path, struct top_view *v, size_t *bad, bool must)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		if (must)
			die(3, "top: --replay %s: %s", path, strerror(errno));
		return;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		struct sbx_err err;
		json_t *j = toprec_line(line, (size_t)n, &err);

		if (!j) {
			(*bad)++;
			continue;
		}
		v->frames = xreallocarray(v->frames, v->nframes + 1, sizeof(*v->frames));
		v->frames[v->nframes++] = j;
	}
	free(line);
	fclose(f);
}

size_t top_find_time(const struct top_view *v, double t)
{
	for (size_t i = 0; i < v->nframes; i++)
		if (json_number_value(json_object_get(v->frames[i], "t")) >= t)
			return i;
	return v->nframes;
}

size_t top_find_bad(const struct top_view *v, size_t i)
{
	for (size_t k = i + 1; k < v->nframes; k++)
		if (top_state_of(v->frames[k]) != ST_OK)
			return k;
	return v->nframes;
}

static int replay(struct sbx_ctx *ctx, bool batch)
{
	struct top_view v = { .replay = true, .paused = true, .stop = ctx->stop, .source = o_replay,
			      .color = ctx->color };
	char *old = xasprintf("%s.1", o_replay);
	size_t bad = 0, start = 0;
	int rc = 0;

	load_file(old, &v, &bad, false);
	load_file(o_replay, &v, &bad, true);
	free(old);
	if (bad)
		warnx_("--replay %s: %zu line%s not a sample (cut by a crash?), skipped", o_replay,
		       bad, plural(bad, "s"));
	if (!v.nframes)
		die(3, "top: --replay %s: no samples in it", o_replay);
	if (o_when) {
		double t;

		if (!toprec_when(o_when, now_realtime(), &t))
			die(3, "top: -t '%s': not a time (\"10m ago\", \"2026-12-02T05:17:57Z\", "
			    "\"2026-12-02 05:17\", \"05:17\")", o_when);
		start = top_find_time(&v, t);
		if (start == v.nframes)
			die(3, "top: -t '%s': the recording ends before that", o_when);
	}
	v.cur = start;
	if (batch) {
		for (size_t i = start; i < v.nframes && !(ctx->stop && *ctx->stop); i++) {
			batch_print(stdout, v.frames[i], ctx->format);
			fold_state(ctx, v.frames[i]);
		}
	} else {
		rc = top_screen(&v);
		ctx->emitted++;
	}
	for (size_t i = 0; i < v.nframes; i++)
		json_decref(v.frames[i]);
	free(v.frames);
	return rc;
}

/* --- live ---------------------------------------------------------------- */

static bool view_next(struct top_view *v, void *arg)
{
	struct live *l = arg;
	json_t *fr;

	l->pane = v->pane;
	fr = live_sample(l);
	/* the line is made only for a recording: it costs as much as a reader */
	char *line = l->rec_fd >= 0 ? json_dumps(fr, JSON_COMPACT) : NULL;

	if (line) {
		size_t n = strlen(line);

		line = xrealloc(line, n + 2);
		line[n] = '\n';
		rec_write(l, line, n + 1);
		free(line);
	}
	if (v->nframes)
		model_drop(v->frames[0]);
	else
		v->frames = xcalloc(1, sizeof(*v->frames));
	v->frames[0] = fr;
	v->nframes = 1;
	return true;
}

static int top_run(struct sbx_ctx *ctx)
{
	bool batch = o_batch || !isatty(STDOUT_FILENO);
	struct live l;
	struct top_view v = { 0 };
	uint64_t rec_max = 0;
	int rc = 0;

	if (ctx->nargs) {
		warnx_("unexpected argument '%s'", ctx->args[0]);
		return 3;
	}
	if (ctx->format != FMT_TABLE && ctx->format != FMT_JSON) {
		warnx_("-o takes table or json (the batch text or JSON lines)");
		return 3;
	}
	if (ctx->textfile) {
		warnx_("--textfile: top writes no Prometheus file (srebox health --textfile does)");
		return 3;
	}
	if (!parse_size(o_record_size, &rec_max) || rec_max < 4096) {
		warnx_("--record-size '%s': not a size of at least 4K (8M, 512K)", o_record_size);
		return 3;
	}
	if (o_replay && o_record) {
		warnx_("--replay and --record do not go together");
		return 3;
	}
	if (o_when && !o_replay) {
		warnx_("-t jumps in a recording: it needs --replay FILE");
		return 3;
	}
	if (ctx->interval_given && ctx->interval <= 0) {
		warnx_("-i must be more than 0 seconds");
		return 3;
	}
	if (o_replay)
		return replay(ctx, batch);
	model_start();
	/* the batch text prints a few rows a pane; JSON lines, a recording
	 * and the screen keep more */
	live_start(&l, ctx, batch && ctx->format == FMT_TABLE && !o_record ? TOP_BATCH_ROWS : TOP_ROWS,
		   (batch && ctx->format == FMT_JSON) || o_record);
	l.rec_max = rec_max;
	if (o_record && rec_open(&l) < 0) {
		live_stop(&l);
		model_stop();
		return 3;
	}
	v.interval = ctx->interval_given ? ctx->interval : TOP_INTERVAL;
	v.stop = ctx->stop;
	v.color = ctx->color;
	v.next = view_next;
	v.tick = live_tick;
	v.ticks = l.ticks;
	v.arg = &l;
	v.source = root_is_live() ? "live" : root_get();
	v.pane = batch || o_record ? -1 : 0;
	if (batch) {
		for (unsigned i = 0; ctx->count == 0 || i < ctx->count; i++) {
			bool ok = true;

			unsigned ticks = l.ticks ? SBX_SAMPLE_TICKS : 1;

			for (unsigned k = 0; k < ticks && ok; k++) {
				ok = sbx_wait(ctx, v.interval / ticks);
				if (ok && k + 1 < ticks)
					live_tick(&l);
			}
			if (!ok)
				break;
			view_next(&v, &l);
			batch_print(stdout, v.frames[0], ctx->format);
			fold_state(ctx, v.frames[0]);
			l.ticks = live_tick(&l);
		}
	} else {
		rc = top_screen(&v);
		ctx->emitted++;	/* a screen closed by a signal is no failed report */
	}
	if (v.nframes)
		model_drop(v.frames[0]);
	free(v.frames);
	live_stop(&l);
	model_stop();
	return rc;
}

const struct sbx_applet applet_top = {
	.name = "top",
	.examples =
		"# the live view during an incident, recorded for the postmortem\n"
		"srebox top --record /var/tmp/top.rec\n"
		"# what the node looked like ten minutes ago\n"
		"srebox top --replay /var/tmp/top.rec -t '10m ago'\n",
	.summary = "the live view during an incident: the node's verdict, per-CPU strip, processes, "
		   "IRQs, context switches, throttled cgroups, disks and interfaces, with a recorder "
		   "and replay",
	.usage = "[OPTIONS]",
	.description =
		"Each interval (default 2 s) builds the reports of health, cpu, cswitch, irq,\n"
		"throttle, io, net and disk and shows them on one screen: the verdict and the\n"
		"findings that are not OK come from health's checks, the panes from the other\n"
		"applets' tables (the filesystems filling fastest, with time to full, from\n"
		"disk's).  -b (or stdout not a terminal) prints the samples as text or, with\n"
		"-o json, as JSON lines; --record keeps them in a bounded file that --replay shows\n"
		"again, on any machine.  Press ? on the screen for the keys.",
	.flags = AP_PROBE | AP_OUTPUT,
	.formats = "table json",
	.opts = top_opts,
	.checks = NULL,
	.run = top_run,
	.interval_help = "seconds between samples (default 2, as top -d 2; above 0)",
};
