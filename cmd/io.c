/* srebox io: which block devices are busy or slow, and which processes do
 * the I/O.  Replaces `iostat -xz 1` and `pidstat -d 1` / iotop: the
 * device figures are sysstat's iostat -x definitions (lib/parse/iostat.h),
 * the process figures pidstat -d's (lib/host/procio_host.h). */
#include "applet.h"
#include "top.h"
#include "io.h"
#include "judge_io.h"
#include "node.h"
#include "owner.h"
#include "procio_host.h"
#include "root.h"
#include "sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool o_all, o_parts, o_no_procs;
static unsigned o_top = 10;
static double o_min_ios = IO_MIN_IOS;

static const struct sbx_opt io_opts[] = {
	{ 'a', "all", OPT_FLAG, &o_all, NULL,
	  "show every device, idle ones too (by default, as iostat -z, a device with no I/O over "
	  "the interval is left out), and every process that did I/O",
	  NULL, NULL },
	/* long only: -p is --pid in the node-local family (pidstat -p) */
	{ 0, "partitions", OPT_FLAG, &o_parts, NULL,
	  "show partitions as rows of their own (by default they are folded into their disk, "
	  "whose figures include theirs)",
	  NULL, NULL, NULL, 'p' },
	/* long only, as cpu's and disk's --top: -t is --timeout elsewhere */
	{ 0, "top", OPT_UINT, &o_top, "N", "show the N processes doing the most I/O (default 10)",
	  NULL, NULL, NULL, 't' },
	{ 0, "no-processes", OPT_FLAG, &o_no_procs, NULL,
	  "do not read /proc/PID/io: devices only (and no processes named in findings)", NULL, NULL },
	{ 0, "min-ios", OPT_DOUBLE, &o_min_ios, "N",
	  "judge a device's await, %util and queue only with N I/Os or more in the interval "
	  "(default 20)",
	  NULL, NULL },
	OPT_END,
};

static const enum sbx_check_id io_checks[] = {
	CHK_IO_UTIL, CHK_IO_QUEUE, CHK_IO_AWAIT, CHK_IO_ERRORS, CHK_N,
};

enum { D_DEV, D_RS, D_WS, D_RKB, D_WKB, D_RAWAIT, D_WAWAIT, D_AQU, D_UTIL, D_TYPE,
       D_RRQM, D_WRQM, D_RRQMP, D_WRQMP, D_RAREQ, D_WAREQ, D_DS, D_DKB, D_DAWAIT, D_FS, D_FAWAIT,
       D_KNAME, D_PARENT, D_RB, D_WB, D_NCOLS };

#define W COL_WIDE
static const struct sbx_col dev_cols[] = {
	[D_DEV] = { "DEVICE", "device", CT_STR, COL_LABEL },
	[D_RS] = { "r/s", "reads_per_second", CT_RATE, 0, "io_reads_per_second",
		   "Reads completed per second (iostat r/s)." },
	[D_WS] = { "w/s", "writes_per_second", CT_RATE, 0, "io_writes_per_second",
		   "Writes completed per second (iostat w/s)." },
	[D_RKB] = { "rkB/s", "read_kB_per_second", CT_NUM, 0 },
	[D_WKB] = { "wkB/s", "write_kB_per_second", CT_NUM, 0 },
	[D_RAWAIT] = { "r_await", "r_await_ms", CT_NUM, COL_MILLI, "io_read_await_seconds",
		       "Average time of a read, queueing included, in seconds (iostat r_await / 1000)." },
	[D_WAWAIT] = { "w_await", "w_await_ms", CT_NUM, COL_MILLI, "io_write_await_seconds",
		       "Average time of a write, queueing included, in seconds (iostat w_await / 1000)." },
	[D_AQU] = { "aqu-sz", "aqu_sz", CT_NUM, 0, "io_queue_size",
		    "Average requests queued or in service (iostat aqu-sz)." },
	[D_UTIL] = { "%util", "util_ratio", CT_RATIO, 0, "io_util_ratio",
		     "Share of the time with at least one request in service (iostat %util)." },
	[D_TYPE] = { "QUEUE", "queue", CT_STR, 0 },
	[D_RRQM] = { "rrqm/s", "read_merges_per_second", CT_RATE, W },
	[D_WRQM] = { "wrqm/s", "write_merges_per_second", CT_RATE, W },
	[D_RRQMP] = { "%rrqm", "read_merged_ratio", CT_RATIO, W },
	[D_WRQMP] = { "%wrqm", "write_merged_ratio", CT_RATIO, W },
	[D_RAREQ] = { "rareq-sz", "read_request_kB", CT_NUM, W },
	[D_WAREQ] = { "wareq-sz", "write_request_kB", CT_NUM, W },
	[D_DS] = { "d/s", "discards_per_second", CT_RATE, W, "io_discards_per_second",
		   "Discards completed per second (kernel 4.18+)." },
	[D_DKB] = { "dkB/s", "discard_kB_per_second", CT_NUM, W },
	[D_DAWAIT] = { "d_await", "d_await_ms", CT_NUM, W },
	[D_FS] = { "f/s", "flushes_per_second", CT_RATE, W, "io_flushes_per_second",
		   "Flushes completed per second (kernel 5.5+)." },
	[D_FAWAIT] = { "f_await", "f_await_ms", CT_NUM, W },
	[D_KNAME] = { "KNAME", "kernel_name", CT_STR, W | COL_LABEL },
	[D_PARENT] = { "DISK", "disk", CT_STR, W },
	[D_RB] = { "RBYTES/s", "read_bytes_per_second", CT_RATE, COL_HIDE, "io_read_bytes_per_second",
		   "Bytes read per second." },
	[D_WB] = { "WBYTES/s", "write_bytes_per_second", CT_RATE, COL_HIDE,
		   "io_write_bytes_per_second", "Bytes written per second." },
};

enum { P_PID, P_COMM, P_RD, P_WR, P_CCWR, P_DELAY, P_USER, P_POD, P_CGROUP, P_RB, P_WB, P_NCOLS };

static const struct sbx_col proc_cols[] = {
	[P_PID] = { "PID", "pid", CT_INT, COL_LABEL },
	[P_COMM] = { "COMMAND", "command", CT_STR, COL_LABEL },
	[P_RD] = { "kB_rd/s", "read_kB_per_second", CT_NUM, 0 },
	[P_WR] = { "kB_wr/s", "write_kB_per_second", CT_NUM, 0 },
	[P_CCWR] = { "kB_ccwr/s", "cancelled_write_kB_per_second", CT_NUM, 0 },
	[P_DELAY] = { "iodelay", "iodelay_ticks", CT_NUM, 0 },
	[P_USER] = { "USER", "user", CT_STR, 0 },
	[P_POD] = { "POD", "pod", CT_STR, 0 },
	[P_CGROUP] = { "CGROUP", "cgroup", CT_STR, W },
	[P_RB] = { "RBYTES/s", "read_bytes_per_second", CT_RATE, COL_HIDE,
		   "io_process_read_bytes_per_second", "Bytes a process read from storage per second." },
	[P_WB] = { "WBYTES/s", "write_bytes_per_second", CT_RATE, COL_HIDE,
		   "io_process_write_bytes_per_second",
		   "Bytes a process sent towards storage per second." },
};
#undef W

struct snap {
	struct io_snap io;
	struct pio_snap procs;
	bool have_procs;
	struct sbx_err procs_err;
};

static void num_or(struct sbx_cell *c, const struct io_figs *f, int i, const char *why)
{
	if (why)
		cell_unknown(c, why);
	else if (!f->ok)
		cell_unknown(c, f->why);
	else if (f->has[i])
		cell_num(c, f->v[i]);
}

static bool idle(const struct io_figs *f)
{
	return f->ok && !(f->v[IO_RS] > 0 || f->v[IO_WS] > 0 || (f->has[IO_DS] && f->v[IO_DS] > 0) ||
			  (f->has[IO_FS] && f->v[IO_FS] > 0));
}

static void add_dev_table(struct sbx_report *rep, const struct snap *cur, const struct snap *prev,
			  size_t *hidden_idle, size_t *hidden_parts)
{
	struct sbx_table *t = report_table(rep, "devices", dev_cols, D_NCOLS);
	struct io_figs *figs;
	double seconds;
	const char *why;
	size_t n = io_figures(&cur->io, prev ? &prev->io : NULL, &seconds, &why, &figs);

	for (size_t i = 0; i < n; i++) {
		const struct io_figs *f = &figs[i];
		/* figs follows cur's order, then the devices that went away */
		const struct io_dev *d = i < cur->io.ds.n ? &cur->io.dev[i] : NULL;
		struct sbx_cell *c;
		char q[32];

		if (!d && prev)
			d = io_dev_find(&prev->io, f->name);
		if (d && d->partition && !o_parts) {
			++*hidden_parts;
			continue;
		}
		if (!o_all && (idle(f) || (!f->ok && !why && strstr(f->why, "appeared") &&
					   !cur->io.ds.dev[i].v[DS_RD_IOS] &&
					   !cur->io.ds.dev[i].v[DS_WR_IOS]))) {
			++*hidden_idle;
			continue;
		}
		c = table_row(t);
		cell_str(&c[D_DEV], d ? d->name : f->name);
		cell_str(&c[D_KNAME], f->name);
		if (d && d->partition)
			cell_str(&c[D_PARENT], d->parent);
		if (d) {
			io_dev_queue_type(d, q, sizeof(q));
			if (d->level[0])
				cell_strf(&c[D_TYPE], "%s %s", q, d->level);
			else
				cell_str(&c[D_TYPE], q);
		}
		num_or(&c[D_RS], f, IO_RS, why);
		num_or(&c[D_WS], f, IO_WS, why);
		num_or(&c[D_RKB], f, IO_RKBS, why);
		num_or(&c[D_WKB], f, IO_WKBS, why);
		num_or(&c[D_RAWAIT], f, IO_R_AWAIT, why);
		num_or(&c[D_WAWAIT], f, IO_W_AWAIT, why);
		num_or(&c[D_AQU], f, IO_AQU_SZ, why);
		if (why)
			cell_unknown(&c[D_UTIL], why);
		else if (!f->ok)
			cell_unknown(&c[D_UTIL], f->why);
		else if (f->has[IO_UTIL])
			cell_num(&c[D_UTIL], f->v[IO_UTIL] / 100);
		num_or(&c[D_RRQM], f, IO_RRQMS, why);
		num_or(&c[D_WRQM], f, IO_WRQMS, why);
		if (!why && f->ok && f->has[IO_RRQM_PCT])
			cell_num(&c[D_RRQMP], f->v[IO_RRQM_PCT] / 100);
		if (!why && f->ok && f->has[IO_WRQM_PCT])
			cell_num(&c[D_WRQMP], f->v[IO_WRQM_PCT] / 100);
		num_or(&c[D_RAREQ], f, IO_RAREQ_SZ, why);
		num_or(&c[D_WAREQ], f, IO_WAREQ_SZ, why);
		if (!why && f->ok) {
			/* absent where the kernel does not count them: empty, not 0 */
			if (f->has[IO_DS]) {
				cell_num(&c[D_DS], f->v[IO_DS]);
				cell_num(&c[D_DKB], f->v[IO_DKBS]);
				cell_num(&c[D_DAWAIT], f->v[IO_D_AWAIT]);
			}
			if (f->has[IO_FS]) {
				cell_num(&c[D_FS], f->v[IO_FS]);
				cell_num(&c[D_FAWAIT], f->v[IO_F_AWAIT]);
			}
			cell_num(&c[D_RB], f->v[IO_RKBS] * 1024);
			cell_num(&c[D_WB], f->v[IO_WKBS] * 1024);
		}
	}
	free(figs);
}

static void add_proc_table(struct sbx_report *rep, const struct pio_rates *r)
{
	struct sbx_table *t = report_table(rep, "processes", proc_cols, P_NCOLS);

	table_title(t, "Processes by disk I/O:");
	for (size_t i = 0; i < r->n; i++) {
		const struct pio_rate *p = &r->v[i];
		struct sbx_cell *c = table_row(t);
		struct proc_owner o;

		if (!o_all && i >= o_top)
			break;
		proc_owner(p->pid, &o);
		cell_i64(&c[P_PID], p->pid);
		cell_str(&c[P_COMM], p->comm);
		cell_num(&c[P_RD], p->rd / 1024);
		cell_num(&c[P_WR], p->wr / 1024);
		cell_num(&c[P_CCWR], p->ccwr / 1024);
		if (p->has_delay)
			cell_num(&c[P_DELAY], p->iodelay);
		else if (r->delayacct_off)
			cell_unknown(&c[P_DELAY], "delay accounting is off (sysctl kernel.task_delayacct=1, "
						  "or boot with delayacct)");
		else
			cell_unknown(&c[P_DELAY], "no delayacct_blkio_ticks in /proc/PID/stat");
		if (o.has_uid)
			cell_str(&c[P_USER], o.user);
		if (o.has_pod)
			cell_str(&c[P_POD], o.pod);
		if (o.has_cgroup)
			cell_str(&c[P_CGROUP], o.cgroup);
		else
			cell_unknown(&c[P_CGROUP], o.why);
		cell_num(&c[P_RB], p->rd);
		cell_num(&c[P_WB], p->wr);
	}
}

static struct sbx_report *build(const struct sbx_ctx *ctx, const struct snap *prev,
				const struct snap *cur)
{
	struct sbx_report *rep = report_new("io");
	struct pio_rates procs;
	bool have_procs = cur->have_procs && (!prev || prev->have_procs);
	double seconds = prev ? cur->io.when - prev->io.when : cur->io.uptime;
	struct buf note = { 0 };
	size_t hidden_idle = 0, hidden_parts = 0;
	char up[32];
	struct io_judge_in in = { .cur = &cur->io, .prev = prev ? &prev->io : NULL,
				  .min_ios = o_min_ios, .kmsg = true };
	/* the kernel log's I/O errors from the scan health keeps too (one
	 * small read while the log stands still): the same verdict in both */
	struct kmsg_scan k;
	struct sbx_err kerr;
	bool cached;

	memset(&procs, 0, sizeof(procs));
	if (have_procs) {
		double ps = prev ? cur->procs.when - prev->procs.when : cur->io.uptime;

		pio_rates(&cur->procs, prev ? &prev->procs : NULL, ps, false, &procs);
		in.procs = &procs;
	}
	rep->interval = prev ? seconds : 0;
	if (node_kmsg_scan_keyed(cur->io.uptime, UINT64_MAX, UINT64_MAX, &k, &cached, &kerr) == 0)
		in.kmsg_cls = &k.cls;
	else
		in.kmsg_why = kerr.msg;
	judge_io(rep, &in);
	if (sbx_wants_tables(ctx)) {
		add_dev_table(rep, cur, prev, &hidden_idle, &hidden_parts);
		if (have_procs)
			add_proc_table(rep, &procs);
	}
	fmt_duration(up, sizeof(up), cur->io.uptime);
	if (prev)
		report_summary(rep, "disk I/O of %zu device%s over %.1fs", cur->io.ds.n,
			       plural(cur->io.ds.n, "s"), seconds);
	else
		report_summary(rep, "disk I/O of %zu device%s, averaged since boot (up %s)",
			       cur->io.ds.n, plural(cur->io.ds.n, "s"), cur->io.uptime > 0 ? up : "?");
	if (!prev)
		buf_addf(&note, "values since boot; -i SECONDS gives current rates");
	if (hidden_idle)
		buf_addf(&note, "%s%zu idle device%s not shown (-a shows them)", note.len ? "; " : "",
			 hidden_idle, hidden_idle == 1 ? "" : "s");
	if (hidden_parts)
		buf_addf(&note, "%s%zu partition%s folded into their disks (-p shows them)",
			 note.len ? "; " : "", hidden_parts, hidden_parts == 1 ? "" : "s");
	if (o_no_procs) {
		/* asked for: nothing to say */
	} else if (!have_procs) {
		buf_addf(&note, "%sprocesses unknown: %s", note.len ? "; " : "",
			 !cur->have_procs ? cur->procs_err.msg : prev->procs_err.msg);
	} else {
		if (procs.unreadable)
			buf_addf(&note, "%sio of %zu process%s unreadable: %s%s", note.len ? "; " : "",
				 procs.unreadable, procs.unreadable == 1 ? "" : "es",
				 root_is_live() && geteuid() != 0 ? "not root, " : "",
				 procs.unreadable_why);
		if (procs.exited)
			buf_addf(&note, "%s%zu process%s exited during the interval (their last I/O is not counted)",
				 note.len ? "; " : "", procs.exited, procs.exited == 1 ? "" : "es");
	}
	if (note.len && rep->note)	/* the judge's (kernel log not read) */
		report_note(rep, "%s; %s", note.s, rep->note);
	else if (note.len)
		report_note(rep, "%s", note.s);
	buf_free(&note);
	pio_rates_free(&procs);
	return rep;
}

static int io_read(void *snap, struct sbx_err *err, void *arg)
{
	struct snap *s = snap;

	(void)arg;
	if (io_snap_read(&s->io, err) < 0)
		return -1;
	if (!o_no_procs)
		s->have_procs = pio_read(&s->procs, &s->procs_err) == 0;
	else
		sbx_err_set(&s->procs_err, 0, "not read (--no-processes)");
	return 0;
}

const struct io_snap *io_sampler_devices(const void *snap)
{
	return &((const struct snap *)snap)->io;
}

static void io_free(void *snap, void *arg)
{
	struct snap *s = snap;

	(void)arg;
	io_snap_free(&s->io);
	pio_free(&s->procs);
}

/* Nothing counted moved: a saved tree. */
static bool io_same(const void *a_, const void *b_, void *arg)
{
	const struct snap *a = a_, *b = b_;

	(void)arg;
	if (a->io.ds.n != b->io.ds.n)
		return false;
	for (size_t i = 0; i < a->io.ds.n; i++)
		if (memcmp(a->io.ds.dev[i].v, b->io.ds.dev[i].v, sizeof(a->io.ds.dev[i].v)))
			return false;
	return true;
}

static struct sbx_report *io_build(struct sbx_ctx *ctx, const void *prev, const void *cur,
				   void *arg)
{
	(void)arg;
	return build(ctx, prev, cur);
}

/* srebox top's disks (cmd/top.h): its findings, culprits included, are
 * health's, and its pane shows the devices, so it reads no processes. */
const struct sbx_sampler *io_sampler(void)
{
	static const struct sbx_sampler s = { .name = "io", .size = sizeof(struct snap),
					      .read = io_read, .free = io_free, .same = io_same,
					      .build = io_build };

	o_no_procs = true;
	return &s;
}

static int io_run(struct sbx_ctx *ctx)
{
	struct sbx_sampler s = { .name = "io", .size = sizeof(struct snap), .read = io_read,
				 .free = io_free, .same = io_same, .build = io_build };

	if (ctx->nargs) {
		warnx_("unexpected argument '%s'", ctx->args[0]);
		return 3;
	}
	if (!isfinite(o_min_ios) || o_min_ios < 0) {
		warnx_("--min-ios must be 0 or more, not %g", o_min_ios);
		return 3;
	}
	return sbx_sample(ctx, &s);
}

const struct sbx_applet applet_io = {
	.name = "io",
	.examples =
		"# slow disks: iostat -xz and pidstat -d over two seconds\n"
		"srebox io -i 2\n"
		"# a Nagios check that warns when requests take over 20 ms\n"
		"srebox io -i 1 -o check -w io_await=20\n",
	.summary = "block device I/O (iostat -x) and the processes doing it (pidstat -d)",
	.usage = "[OPTIONS]",
	.description =
		"Reads /proc/diskstats, /sys/block and /proc/PID/io.  Without -i, rates over a\n"
		SBX_SAMPLE_DEFAULT_TEXT " s sample; -i 0, averages since boot (iostat's first report);\n"
		"-i SECONDS, over that interval.  Devices idle over the interval are left out\n"
		"(iostat -z; -a shows them), partitions are folded into their disk (-p shows\n"
		"them).  Judged: %util of devices that serve one request at a time, aqu-sz of\n"
		"multi-queue and stacked ones, r_await/w_await, and I/O errors in the kernel log;\n"
		"findings name the device and the processes doing the most I/O.",
	.flags = AP_PROBE | AP_OUTPUT,
	.opts = io_opts,
	.checks = io_checks,
	.run = io_run,
};
