/* srebox health: what is wrong with this node, on one screen.  The USE
 * method and the "first 60 seconds" checklist in one pass, each line a
 * finding with its state and evidence, worst first. */
#include "applet.h"
#include "top.h"
#include "cpu_share.h"
#include "cswitch.h"
#include "disk.h"
#include "http.h"
#include "hung.h"
#include "judge_disk.h"
#include "io.h"
#include "irq.h"
#include "judge_throttle.h"
#include "judge_irq.h"
#include "judge_kube.h"
#include "judge_kmsg.h"
#include "judge_io.h"
#include "judge_cpu.h"
#include "judge_sched.h"
#include "judge_net.h"
#include "node.h"
#include "procuse.h"
#include "root.h"
#include "sample.h"
#include "tasks.h"
#include "throttle.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECENT 900.0	/* "recent" OOM kills and hung tasks: the last 15 minutes */

static const enum sbx_check_id health_checks[] = {
	CHK_LOAD, CHK_RUNQUEUE, CHK_CPU, CHK_STEAL, CHK_MEMORY, CHK_MEMORY_AVAILABLE, CHK_SWAP,
	CHK_PSI_CPU, CHK_PSI_MEMORY, CHK_PSI_IO, CHK_PSI_IRQ, CHK_OOM, CHK_BLOCKED, CHK_FILES,
	CHK_PIDS, CHK_CONNTRACK, CHK_HUNG_TASKS, CHK_IRQ, CHK_IRQ_QUEUES, CHK_IRQ_NET, CHK_SWITCHES, CHK_ZOMBIES, CHK_CFS,
	CHK_THERMAL, CHK_TRIP, CHK_FREQ, CHK_SPACE, CHK_INODES, CHK_NODEFS_AVAILABLE, CHK_NODEFS_INODES,
	CHK_IMAGEFS_AVAILABLE, CHK_IMAGEFS_INODES, CHK_STATFS,
	CHK_READONLY, CHK_HUNG, CHK_KUBELET, CHK_PSI, CHK_DSTATE, CHK_FORKS,
	CHK_NET_ERRORS, CHK_NET_DROPS, CHK_RETRANS, CHK_LISTEN_DROPS, CHK_SOFTNET_DROPS,
	CHK_CONNTRACK_DROPS, CHK_UDP_RCVBUF, CHK_TCP_MEM,
	CHK_KERNEL_LOCKUP, CHK_KERNEL_MCE, CHK_KERNEL_MCE_CORRECTED, CHK_KERNEL_NET,
	CHK_KERNEL_CONNTRACK, CHK_KERNEL_SYNFLOOD, CHK_KERNEL_SEGFAULT, CHK_KERNEL_LOG,
	CHK_IO_UTIL, CHK_IO_QUEUE, CHK_IO_AWAIT, CHK_IO_ERRORS, CHK_CPU_HOT, CHK_N,
};

static double o_timeout = 0.5;
static const char *o_kubelet_dir = "/var/lib/kubelet";
static const char *o_healthz = "http://127.0.0.1:10248/healthz";

static const struct sbx_opt health_opts[] = {
	{ 't', "timeout", OPT_SECONDS, &o_timeout, "SECONDS",
	  "give up on a filesystem's statfs or the kubelet's healthz after SECONDS (default 0.5)",
	  NULL, NULL },
	{ 0, "kubelet-dir", OPT_STRING, &o_kubelet_dir, "DIR",
	  "the kubelet's root dir, for nodefs.available (default /var/lib/kubelet)", "dirs", NULL },
	{ 0, "kubelet-healthz", OPT_STRING, &o_healthz, "URL",
	  "the kubelet's health endpoint (default http://127.0.0.1:10248/healthz)", NULL, NULL },
	OPT_END,
};

/* The one-row table of raw values, for -o json and -o prom. */
enum { N_NCPU, N_LOAD1, N_LOAD5, N_LOAD15, N_RUNNING, N_BLOCKED, N_BUSY, N_STEAL, N_MEMTOTAL,
       N_MEMAVAIL, N_KUBEAVAIL, N_SWAPIN, N_SWAPOUT, N_PSI_CPU, N_PSI_MEM_SOME, N_PSI_MEM_FULL,
       N_PSI_IO_SOME, N_PSI_IO_FULL, N_PSI_IRQ, N_OOM, N_FILES, N_FILEMAX, N_TASKS, N_TASKLIMIT,
       N_CONNTRACK, N_CONNTRACKMAX, N_HUNG, N_CS, N_ZOMBIES, N_DSTATE, N_NCOLS };

#define G(h, k, t, m, help) { h, k, t, COL_HIDE, m, help }
#define C(h, k, t, m, help) { h, k, t, COL_HIDE | COL_COUNTER, m, help }
static const struct sbx_col node_cols[] = {
	[N_NCPU] = G("CPUS", "cpus", CT_COUNT, "health_cpus", "Online CPUs."),
	[N_LOAD1] = G("LOAD1", "load1", CT_NUM, "health_load1", "1-minute load average."),
	[N_LOAD5] = G("LOAD5", "load5", CT_NUM, "health_load5", "5-minute load average."),
	[N_LOAD15] = G("LOAD15", "load15", CT_NUM, "health_load15", "15-minute load average."),
	[N_RUNNING] = G("RUNNING", "procs_running", CT_NUM, "health_procs_running",
			"Runnable tasks over the interval, as the runqueue check has them (srebox not counted)."),
	[N_BLOCKED] = G("BLOCKED", "procs_blocked", CT_NUM, "health_procs_blocked",
			"Tasks blocked on block I/O, averaged over the interval's readings."),
	[N_BUSY] = G("BUSY", "cpu_busy_ratio", CT_RATIO, "health_cpu_busy_ratio",
		     "CPU time not idle or iowait, over the interval."),
	[N_STEAL] = G("STEAL", "cpu_steal_ratio", CT_RATIO, "health_cpu_steal_ratio",
		      "CPU time stolen by the hypervisor, over the interval."),
	[N_MEMTOTAL] = G("MEMTOTAL", "memory_total_bytes", CT_BYTES, "health_memory_total_bytes",
			 "MemTotal."),
	[N_MEMAVAIL] = G("MEMAVAIL", "memory_available_bytes", CT_BYTES,
			 "health_memory_available_bytes", "MemAvailable."),
	[N_KUBEAVAIL] = G("KUBEAVAIL", "kubelet_memory_available_bytes", CT_BYTES,
			  "health_kubelet_memory_available_bytes",
			  "The kubelet's memory.available signal."),
	[N_SWAPIN] = G("SWAPIN", "swap_in_pages_per_second", CT_RATE,
		       "health_swap_in_pages_per_second", "Pages swapped in per second."),
	[N_SWAPOUT] = G("SWAPOUT", "swap_out_pages_per_second", CT_RATE,
			"health_swap_out_pages_per_second", "Pages swapped out per second."),
	[N_PSI_CPU] = G("PSICPU", "psi_cpu_some_avg10_ratio", CT_RATIO,
			"health_psi_cpu_some_avg10_ratio", "CPU pressure, some, 10 s average."),
	[N_PSI_MEM_SOME] = G("PSIMEMS", "psi_memory_some_avg10_ratio", CT_RATIO,
			     "health_psi_memory_some_avg10_ratio",
			     "Memory pressure, some, 10 s average."),
	[N_PSI_MEM_FULL] = G("PSIMEMF", "psi_memory_full_avg10_ratio", CT_RATIO,
			     "health_psi_memory_full_avg10_ratio",
			     "Memory pressure, full, 10 s average."),
	[N_PSI_IO_SOME] = G("PSIIOS", "psi_io_some_avg10_ratio", CT_RATIO,
			    "health_psi_io_some_avg10_ratio", "I/O pressure, some, 10 s average."),
	[N_PSI_IO_FULL] = G("PSIIOF", "psi_io_full_avg10_ratio", CT_RATIO,
			    "health_psi_io_full_avg10_ratio", "I/O pressure, full, 10 s average."),
	[N_PSI_IRQ] = G("PSIIRQ", "psi_irq_full_avg10_ratio", CT_RATIO,
			"health_psi_irq_full_avg10_ratio", "IRQ pressure, full, 10 s average."),
	[N_OOM] = C("OOM", "oom_kills_total", CT_COUNT, "health_oom_kills_total",
		    "OOM kills since boot (/proc/vmstat oom_kill)."),
	[N_FILES] = G("FILES", "file_handles", CT_COUNT, "health_file_handles",
		      "Allocated file handles."),
	[N_FILEMAX] = G("FILEMAX", "file_max", CT_COUNT, "health_file_max", "fs.file-max."),
	[N_TASKS] = G("TASKS", "tasks", CT_COUNT, "health_tasks", "Tasks (threads) in use."),
	[N_TASKLIMIT] = G("TASKLIMIT", "task_limit", CT_COUNT, "health_task_limit",
			  "min(kernel.pid_max, kernel.threads-max)."),
	[N_CONNTRACK] = G("CONNTRACK", "conntrack_entries", CT_COUNT, "health_conntrack_entries",
			  "Connection tracking entries."),
	[N_CONNTRACKMAX] = G("CONNTRACKMAX", "conntrack_max", CT_COUNT, "health_conntrack_max",
			     "nf_conntrack_max."),
	[N_HUNG] = C("HUNG", "hung_tasks_total", CT_COUNT, "health_hung_tasks_total",
		     "Hung tasks the kernel reported since boot."),
	[N_CS] = G("CS", "context_switches_per_second", CT_RATE,
		   "health_context_switches_per_second", "Context switches per second."),
	[N_ZOMBIES] = G("ZOMBIES", "zombie_processes", CT_COUNT, "health_zombie_processes",
			"Processes in state Z (exited, not reaped by their parent)."),
	[N_DSTATE] = G("DSTATE", "uninterruptible_processes", CT_COUNT,
		       "health_uninterruptible_processes",
		       "Processes whose main thread is in state D (uninterruptible sleep)."),
};
#undef G
#undef C

/* Disk I/O, as srebox io reads and judges it (lib/check/judge_io.c). */
struct health_io {
	struct io_snap dev;
};

/* What is read twice, at the start and the end of the interval. */
struct sample {
	double when, uptime;
	bool have_stat, have_vmstat;
	struct proc_stat stat;
	struct kv_list vmstat;
	struct sbx_err stat_err, vmstat_err, up_err;
	struct irq_snap irq;
	bool have_irq;
	struct thr_snap thr;
	struct cs_snap cs;	/* the scheduler's counters and limits, as cswitch reads them */
	bool have_cs;
	struct sbx_err cs_err;
	/* the load: only the last reading's is used */
	bool have_la;
	struct loadavg la;
	struct sbx_err la_err;
	struct net_snap net;	/* net's reading without /sys: what the network judge needs */
	struct health_io io;	/* the block devices: check_io */
	unsigned borrowed;	/* B_*: parts that are another sampler's (top) */
};

enum { B_IRQ = 1, B_THR = 2, B_CS = 4, B_NET = 8, B_IO = 16 };
static struct health_borrowed borrow;

void health_borrow(const struct health_borrowed *b)
{
	borrow = *b;
}

static void io_read_sample(struct health_io *h)
{
	struct sbx_err e;

	io_snap_read(&h->dev, &e);	/* a failure is in h->dev.err, judged UNKNOWN */
}

static void io_free_sample(struct health_io *h)
{
	io_snap_free(&h->dev);
}

/* The io checks (no /proc/diskstats, as in a saved tree or a container
 * without block devices: nothing to judge, as conntrack without its
 * file); then, only when an I/O finding (psi_io, blocked, io_*) is not OK,
 * the processes doing the most I/O, named on those findings.  They come
 * from a short sample of their own (HEALTH_IO_WHO seconds) taken then:
 * reading every /proc/PID/io twice costs more than all of health on a
 * node with thousands of processes, and a healthy node need not pay it.
 * io_errors comes from check_kmsg's scan of the kernel log (kept while
 * the log stands still), which must run first. */
#define HEALTH_IO_WHO 0.25

/* The classified log of this report's check_kmsg, for check_io's
 * io_errors: one scan, so health and io judge the same records.  The
 * scan is 22 KB: kept here, not copied again (top takes one a sample). */
static struct kmsg_scan kmsg_scan;
static bool have_kmsg_cls;

static void check_io(struct sbx_report *rep, const struct sample *a, const struct sample *b)
{
	struct io_judge_in in = { .cur = &b->io.dev, .prev = a ? &a->io.dev : NULL,
				  .min_ios = IO_MIN_IOS,
				  /* an unreadable log is kernel_log's UNKNOWN already */
				  .kmsg = have_kmsg_cls,
				  .kmsg_cls = have_kmsg_cls ? &kmsg_scan.cls : NULL };
	struct pio_snap p0, p1;
	struct pio_rates procs;
	struct sbx_err err;

	if ((!b->io.dev.ok && b->io.dev.err.errnum == ENOENT) ||
	    (a && !a->io.dev.ok && a->io.dev.err.errnum == ENOENT))
		return;
	judge_io(rep, &in);
	if (!io_culprits_wanted(rep))
		return;
	if (pio_read(&p0, &err) < 0)
		return;
	sleep_seconds(HEALTH_IO_WHO, NULL);
	if (pio_read(&p1, &err) == 0) {
		pio_rates(&p1, &p0, p1.when - p0.when, false, &procs);
		io_name_culprits(rep, &procs);
		pio_rates_free(&procs);
		pio_free(&p1);
	}
	pio_free(&p0);
}

static void sample_read(struct sample *s)
{
	struct sbx_err e;

	memset(s, 0, sizeof(*s));
	s->when = root_clock();	/* a capture: its own clock */
	if (node_uptime(&s->uptime, &s->up_err) < 0)
		s->uptime = -1;
	s->have_stat = node_stat(&s->stat, &s->stat_err) == 0;
	s->have_vmstat = node_vmstat(&s->vmstat, &s->vmstat_err) == 0;
	/* a part top's other samplers read this sample is theirs, lent for
	 * the sample: the same probes, read once */
	if (borrow.irq) {
		s->irq = *borrow.irq;
		s->have_irq = true;
		s->borrowed |= B_IRQ;
	} else {
		s->have_irq = irq_snap_read(&s->irq, &e) == 0;
	}
	/* steal is read above, with the rest of /proc/stat */
	if (borrow.thr) {
		s->thr = *borrow.thr;
		s->borrowed |= B_THR;
	} else {
		throttle_read(&s->thr, THR_CGROUPS | THR_THERMAL | THR_FREQ | THR_TEMPS, NULL, 0);
	}
	if (borrow.cs) {
		s->cs = *borrow.cs;
		s->have_cs = true;
		s->borrowed |= B_CS;
	} else {
		s->have_cs = cs_snap_read(&s->cs, 0, &s->cs_err) == 0;
	}
	s->have_la = node_loadavg(&s->la, &s->la_err) == 0;
	if (borrow.net) {
		s->net = *borrow.net;
		s->borrowed |= B_NET;
	} else {
		net_snap_read(&s->net, 0, &e);	/* a failure is in s->net, judged UNKNOWN */
	}
	if (borrow.io) {
		s->io.dev = *borrow.io;
		s->borrowed |= B_IO;
	} else {
		io_read_sample(&s->io);
	}
	memset(&borrow, 0, sizeof(borrow));
}

static void sample_free(struct sample *s)
{
	if (s->have_stat)
		proc_stat_free(&s->stat);
	kv_free(&s->vmstat);
	if (s->have_irq && !(s->borrowed & B_IRQ))
		irq_snap_free(&s->irq);
	if (!(s->borrowed & B_THR))
		throttle_snap_free(&s->thr);
	if (s->have_cs && !(s->borrowed & B_CS))
		cs_snap_free(&s->cs);
	if (!(s->borrowed & B_NET))
		net_snap_free(&s->net);
	if (!(s->borrowed & B_IO))
		io_free_sample(&s->io);
}

static double ratio_pct(double part, double whole)
{
	return whole > 0 ? part / whole * 100 : 0;
}

static uint64_t sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;	/* idle can run backwards (NO_HZ) */
}

/* The scheduler's checks (load, run queue, blocked, D state, switches,
 * forks: lib/check/judge_sched.c, as cswitch judges them), CPU busy from
 * cpu_shares(), and steal.  *ncpu: 0 when /proc/stat gives no CPU count. */
static void check_cpu(struct sbx_report *rep, const struct sample *a, const struct sample *b, double seconds, struct sbx_cell *row, size_t *ncpu, const struct cs_runq *rq, const struct sched_dstate *d)
{
	const struct proc_stat *s = &b->stat;
	const struct loadavg *la = &b->la;
	struct cs_system sys;
	struct cpu_share all;
	double run, blk;
	struct sched_in in = {
		.since_boot = !a, .seconds = seconds,
		.load = b->have_la ? la : NULL, .load_why = b->la_err.msg,
		.rq = rq, .self_excluded = root_is_live(), .sys = &sys, .d = d,
	};

	*ncpu = b->have_stat ? s->ncpus : 0;
	in.ncpu = *ncpu;
	in.ncpu_why = !b->have_stat ? b->stat_err.msg : "no cpuN lines in /proc/stat";
	if (*ncpu)
		cell_u64(&row[N_NCPU], *ncpu);
	if (b->have_la) {
		cell_num(&row[N_LOAD1], la->load1);
		cell_num(&row[N_LOAD5], la->load5);
		cell_num(&row[N_LOAD15], la->load15);
	}
	if (cs_runq_avg(rq, &run, &blk)) {
		cell_num(&row[N_RUNNING], run);
		if (blk >= 0)
			cell_num(&row[N_BLOCKED], blk);
	}
	if (b->have_cs) {
		cs_system_rates(&b->cs, a && a->have_cs ? &a->cs : NULL, &sys);
	} else {
		memset(&sys, 0, sizeof(sys));
		snprintf(sys.why, sizeof(sys.why), "%s", b->cs_err.msg);
		sys.ctxt.why = sys.intr.why = sys.forks.why = sys.why;
	}
	judge_load(rep, &in);
	judge_runqueue(rep, &in);
	judge_blocked(rep, &in);
	judge_dstate(rep, &in);
	judge_switches(rep, &in);
	judge_forks(rep, &in);
	if (sys.ctxt.ok)
		cell_num(&row[N_CS], sys.ctxt.v);
	if (!b->have_stat) {
		check_unknown(rep, CHK_CPU, NULL, "%s: %s", "CPU", b->stat_err.msg);
		return;
	}
	/* busy over the interval, or since boot; a CPU that came online
	 * meanwhile, or a counter that went backwards, is left out */
	if (a && !a->have_stat) {
		check_unknown(rep, CHK_CPU, NULL, "CPU busy: first reading: %s", a->stat_err.msg);
	} else {
		cpu_shares(s, a ? &a->stat : NULL, &all, NULL, NULL);
		if (all.ok)
			cell_num(&row[N_BUSY], all.busy / 100);
		judge_cpu(rep, &all, !a);
	}
	/* steal, judged as throttle judges it */
	if (!a || a->have_stat) {
		double st;

		if (judge_steal(rep, s, a ? &a->stat : NULL, NULL, &st))
			cell_num(&row[N_STEAL], st / 100);
	}
}

static void check_memory(struct sbx_report *rep, const struct sample *a, const struct sample *b, double seconds, struct sbx_cell *row)
{
	struct mem_info m;
	struct sbx_err err;
	char h1[32], h2[32], how[96];
	uint64_t kavail, in1 = 0, out1 = 0, in0 = 0, out0 = 0;

	if (node_meminfo(&m, &err) < 0) {
		check_unknown(rep, CHK_MEMORY, NULL, "%s: %s", "memory", err.msg);
		return;
	}
	cell_num(&row[N_MEMTOTAL], (double)m.total);
	if (m.has_available) {
		double pct = ratio_pct((double)m.available, (double)m.total);

		cell_num(&row[N_MEMAVAIL], (double)m.available);
		fmt_bytes(h1, sizeof(h1), (double)m.available);
		fmt_bytes(h2, sizeof(h2), (double)m.total);
		check_value(rep, CHK_MEMORY, NULL, pct, "memory %s available of %s (%.1f%%)", h1, h2, pct);
	} else {
		check_unknown(rep, CHK_MEMORY, NULL, "memory: no MemAvailable (kernel before 3.14)");
	}
	if (node_kubelet_memory_available(m.total, &kavail, how, sizeof(how), &err) == 0) {
		cell_num(&row[N_KUBEAVAIL], (double)kavail);
		fmt_bytes(h1, sizeof(h1), (double)kavail);
		check_value(rep, CHK_MEMORY_AVAILABLE, NULL, (double)kavail / 1048576.0, "kubelet memory.available %s (MemTotal - working set: %s; eviction below 100Mi)", h1, how);
	} else {
		check_unknown(rep, CHK_MEMORY_AVAILABLE, NULL, "%s: %s", "kubelet memory.available", err.msg);
	}
	if (!b->have_vmstat) {
		check_unknown(rep, CHK_SWAP, NULL, "%s: %s", "swap", b->vmstat_err.msg);
		return;
	}
	kv_get(&b->vmstat, "pswpin", &in1);
	kv_get(&b->vmstat, "pswpout", &out1);
	if (a && a->have_vmstat) {
		kv_get(&a->vmstat, "pswpin", &in0);
		kv_get(&a->vmstat, "pswpout", &out0);
	} else {
		seconds = b->uptime;
	}
	if (seconds > 0) {
		double ri = (double)sub(in1, in0) / seconds, ro = (double)sub(out1, out0) / seconds;

		cell_num(&row[N_SWAPIN], ri);
		cell_num(&row[N_SWAPOUT], ro);
		fmt_bytes(h1, sizeof(h1), (double)(m.swap_total - m.swap_free));
		check_value(rep, CHK_SWAP, NULL, ri + ro, "swap %.0f pages/s in, %.0f out (%s used)%s", ri, ro, m.swap_total ? h1 : "no swap", a ? "" : "; average since boot");
	}
}

static void check_psi(struct sbx_report *rep, struct sbx_cell *row)
{
	static const struct {
		const char *res;
		enum sbx_check_id id;
		bool full;
	} r[] = { { "cpu", CHK_PSI_CPU, false },
		  { "memory", CHK_PSI_MEMORY, true },
		  { "io", CHK_PSI_IO, true },
		  { "irq", CHK_PSI_IRQ, true } };
	bool missing_reported = false;

	for (size_t i = 0; i < ARRAY_SIZE(r); i++) {
		struct psi p;
		struct sbx_err err;
		const struct psi_line *l;

		if (node_psi(r[i].res, &p, &err) < 0) {
			if (err.errnum == ENOENT && !strcmp(r[i].res, "irq"))
				continue;	/* irq pressure arrived in 6.1: absent is normal */
			if (err.errnum == ENOENT && missing_reported)
				continue;
			if (err.errnum == ENOENT) {
				struct stat st;

				missing_reported = true;
				/* Hidden is not absent: a directory without the file,
				 * or a kernel whose cgroups have pressure files, has
				 * PSI that this view does not show (a container
				 * runtime's mask): unknown, not "not in this kernel". */
				if (root_stat("/proc/pressure", &st) == 0 ||
				    root_stat("/sys/fs/cgroup/cpu.pressure", &st) == 0) {
					check_unknown(rep, CHK_PSI, NULL,
						      "PSI: hidden (%s, though this kernel has PSI: "
						      "masked by a container runtime?)", err.msg);
					continue;
				}
				/* no data is not a problem found: say so, as OK */
				check_rule(rep, CHK_PSI, ST_OK, NULL,
					   "PSI: not in this kernel (%s; needs 4.20+ with CONFIG_PSI)",
					   err.msg);
				continue;
			}
			if (err.errnum == EOPNOTSUPP) {
				check_unknown(rep, r[i].id, NULL,
					      "PSI %s: disabled at boot (psi=0; boot with psi=1)",
					      r[i].res);
				continue;
			}
			check_unknown(rep, r[i].id, NULL, "PSI %s: %s", r[i].res, err.msg);
			continue;
		}
		l = r[i].full ? &p.full : &p.some;
		if (!l->has)
			continue;
		switch (i) {
		case 0:
			cell_num(&row[N_PSI_CPU], p.some.avg10 / 100);
			break;
		case 1:
			cell_num(&row[N_PSI_MEM_SOME], p.some.avg10 / 100);
			cell_num(&row[N_PSI_MEM_FULL], p.full.avg10 / 100);
			break;
		case 2:
			cell_num(&row[N_PSI_IO_SOME], p.some.avg10 / 100);
			cell_num(&row[N_PSI_IO_FULL], p.full.avg10 / 100);
			break;
		case 3:
			cell_num(&row[N_PSI_IRQ], p.full.avg10 / 100);
			break;
		}
		check_value(rep, r[i].id, NULL, l->avg10,
		      "%s pressure: %s %.1f%% of the last 10s (some %.1f%%, 60s %.1f%%)", r[i].res,
		      r[i].full ? "all tasks stalled" : "some task stalled", l->avg10, p.some.avg10,
		      l->avg60);
	}
}

/* The kernel log's other classes (lib/check/judge_kmsg.c) from the same
 * scan as the OOM kills and hung tasks, and its newest errors as a table. */
static void check_kernel_log(struct sbx_report *rep, const struct sample *b,
			     const struct kmsg_scan *k, const char *why)
{
	judge_kmsg(rep, k ? &k->cls : NULL, b->uptime, why);
	if (k) {
		kmsg_newest_table(rep, &k->cls, b->uptime);
		kmsg_class_table(rep, &k->cls, b->uptime);
	}
}

static void check_kmsg(struct sbx_report *rep, const struct sample *b, struct sbx_cell *row)
{
	uint64_t ooms = 0, hung = 0;
	bool have_oom = b->have_vmstat && kv_get(&b->vmstat, "oom_kill", &ooms);
	struct sbx_err herr, kerr;
	bool have_hung = root_read_u64("/proc/sys/kernel/hung_task_detect_count", &hung, &herr) == 0;
	struct kmsg_scan *const kp = &kmsg_scan;
	bool have_log = false, cached = false;
	char h[32];

	if (have_oom)
		cell_u64(&row[N_OOM], ooms);
	if (have_hung)
		cell_u64(&row[N_HUNG], hung);
	/* The kernel log: on a big ring buffer reading it costs more than all
	 * the rest, so its scan is kept while the log stands still (its tail's
	 * key and the counters: node_kmsg_scan_keyed). */
	have_log = node_kmsg_scan_keyed(b->uptime, have_oom ? ooms : UINT64_MAX,
					have_hung ? hung : UINT64_MAX, kp, &cached, &kerr) == 0;
	have_kmsg_cls = have_log;
	if (!have_oom) {
		check_unknown(rep, CHK_OOM, NULL, "%s: %s", "OOM kills", b->vmstat_err.msg);
	} else if (!ooms) {
		check_value(rep, CHK_OOM, NULL, 0, "no OOM kills since boot");
	} else if (have_log && kp->nvictims) {
		size_t recent = 0;
		const typeof(kp->victim[0]) *v = &kp->victim[kp->nvictims - 1];
		char age[32];

		for (size_t i = 0; i < kp->nvictims; i++)
			recent += kp->victim[i].age >= 0 && kp->victim[i].age <= RECENT;
		fmt_duration(age, sizeof(age), v->age);
		fmt_bytes(h, sizeof(h), (double)v->kill.anon_rss);
		check_value(rep, CHK_OOM, NULL, (double)recent, "OOM kills: %zu in the last 15m, %llu since boot; last %s ago: %s (pid %lld, "
		      "%s anon)%s%s%s", recent, (unsigned long long)ooms, age, v->kill.comm, (long long)v->kill.pid, h, v->kill.memcg ? " by its cgroup limit" : "", v->memcg[0] ? " in " : "", v->memcg);
	} else {
		/* When unknown: assume recent rather than hide it. */
		check_value(rep, CHK_OOM, NULL, (double)ooms, "OOM kills: %llu since boot, when unknown (kernel log: %s)", (unsigned long long)ooms, have_log ? "no victims found, rotated out" : kerr.msg);
	}
	if (!have_hung) {
		if (herr.errnum != ENOENT)
			check_unknown(rep, CHK_HUNG_TASKS, NULL, "%s: %s", "hung tasks", herr.msg);
	} else if (!hung) {
		check_value(rep, CHK_HUNG_TASKS, NULL, 0, "no hung tasks since boot");
	} else if (have_log && kp->hung) {
		char age[32];

		fmt_duration(age, sizeof(age), kp->hung_age);
		check_value(rep, CHK_HUNG_TASKS, NULL, (double)(kp->hung_age >= 0 && kp->hung_age <= RECENT ? hung : 0), "hung tasks: %llu since boot; last %s ago: %s (pid %lld) blocked > 120s", (unsigned long long)hung, age, kp->hung_task, (long long)kp->hung_pid);
	} else {
		check_value(rep, CHK_HUNG_TASKS, NULL, (double)hung, "hung tasks: %llu since boot, when unknown (kernel log: %s)", (unsigned long long)hung, have_log ? "rotated out" : kerr.msg);
	}
	check_kernel_log(rep, b, have_log ? kp : NULL, kerr.msg);
}

static void check_limits(struct sbx_report *rep, const struct sample *b, struct sbx_cell *row)
{
	uint64_t a, m, c, cm;
	struct sbx_err err;

	if (node_file_nr(&a, &m, &err) == 0) {
		cell_u64(&row[N_FILES], a);
		cell_u64(&row[N_FILEMAX], m);
		check_value(rep, CHK_FILES, NULL, ratio_pct((double)a, (double)m), "file handles %llu of %llu (%.1f%%)", (unsigned long long)a, (unsigned long long)m, ratio_pct((double)a, (double)m));
	} else {
		check_unknown(rep, CHK_FILES, NULL, "%s: %s", "file handles", err.msg);
	}
	/* pids: cswitch's reading and judgment (lib/check/judge_sched.c) */
	{
		struct cs_limit lim;
		struct sched_in in = { .lim = &lim };

		cs_task_limit(&b->cs, &lim);
		if (lim.ok) {
			cell_u64(&row[N_TASKS], lim.used);
			cell_u64(&row[N_TASKLIMIT], lim.limit);
		}
		judge_pids(rep, &in);
	}
	if (node_conntrack(&c, &cm, &err) == 0) {
		cell_u64(&row[N_CONNTRACK], c);
		cell_u64(&row[N_CONNTRACKMAX], cm);
		judge_conntrack_fill(rep, c, cm);
	} else if (err.errnum != ENOENT) {
		check_unknown(rep, CHK_CONNTRACK, NULL, "%s: %s", "conntrack", err.msg);
	}
}

static void check_irq(struct sbx_report *rep, const struct sample *a, const struct sample *b, double seconds)
{
	(void)seconds;	/* the judge times the readings of /proc/interrupts itself */
	judge_irq(rep, &b->irq, a ? &a->irq : NULL, IRQ_MIN_RATE);
}

/* srebox's own child (a statfs helper, between its exit and its reaping)
 * on the live node: not the node's doing. */
static bool own_child(const struct task *k)
{
	return root_is_live() && k->ppid == (int32_t)getpid();
}

/* Up to three names of processes in a state: "nfsd, jbd2/sda1-8 and 4 more";
 * srebox's own children are not named. */
static void names_in_state(const struct task_table *t, char state, size_t total, char *out,
			   size_t n)
{
	struct buf b = { 0 };
	size_t shown = 0;

	for (size_t i = 0; i < t->n && shown < 3; i++) {
		if (t->v[i].state != state || own_child(&t->v[i]))
			continue;
		buf_addf(&b, "%s%s (pid %d)", shown ? ", " : "",
			 t->v[i].has_name ? t->v[i].comm : "?", (int)t->v[i].tgid);
		shown++;
	}
	if (total > shown)
		buf_addf(&b, " and %zu more", total - shown);
	snprintf(out, n, "%s", b.len ? b.s : "");
	buf_free(&b);
}

/* Zombies and D-state processes from one pass over /proc/PID/stat (main
 * threads only: a zombie is a whole process; the D-state ones are named
 * with their wait channel, and procs_blocked counts the blocked threads).
 * By hand rather than through libproc2: health needs the state letter
 * only, and loading libproc2 (with libsystemd behind it) costs more than
 * this whole scan. */
static void check_tasks(struct sbx_report *rep, struct sbx_cell *row, struct task_table *t, bool *have, struct sched_dstate *d)
{
	struct sbx_err err;
	char names[320];
	size_t zombies;

	*have = tasks_read(t, TASKS_PROCESSES | TASKS_NO_LIBPROC2, &err) == 0;
	if (!*have) {
		judge_zombies(rep, false, 0, NULL, err.msg);
		sched_dstate_unknown(d, err.msg);
		return;
	}
	zombies = t->counts.zombie;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].state == 'Z' && own_child(&t->v[i]))
			zombies--;
	cell_u64(&row[N_ZOMBIES], zombies);
	cell_u64(&row[N_DSTATE], t->counts.disk_sleep);
	names_in_state(t, 'Z', zombies, names, sizeof(names));
	judge_zombies(rep, true, zombies, names, NULL);
	sched_dstate(t, false, d);
}

/* The kubelet: is it running, and does its healthz say ok?  A node set up
 * for a kubelet (its config exists) without one is critical: the node
 * goes NotReady within 40 seconds. */
static void check_kubelet(struct sbx_report *rep, const struct task_table *t, bool have_tasks)
{
	static const char *const configs[] = { "/var/lib/kubelet/config.yaml",
						"/etc/kubernetes/kubelet.conf",
						"/etc/kubernetes/kubelet.yaml" };
	struct kubelet_obs o = { .have_tasks = have_tasks, .looked = configs[0], .healthz = o_healthz,
				 .nrestarts = -1, .active_seconds = -1 };
	struct http *h;
	struct http_resp rs;
	struct buf body = { 0 };
	struct sbx_err err, herr;
	double t0;

	if (!have_tasks)
		return;
	/* k3s runs its kubelet inside k3s-server or k3s-agent, healthz and all */
	for (size_t i = 0; i < t->n && !o.comm; i++)
		if (t->v[i].has_name && t->v[i].state != 'Z' &&
		    (!strcmp(t->v[i].comm, "kubelet") || !strcmp(t->v[i].comm, "k3s-server") ||
		     !strcmp(t->v[i].comm, "k3s-agent"))) {
			o.comm = t->v[i].comm;
			o.pid = t->v[i].tgid;
		}
	for (size_t i = 0; i < ARRAY_SIZE(configs) && !o.config; i++) {
		struct stat st;

		if (sbx_stat_deadline(configs[i], &st, o_timeout, &err) == 0)
			o.config = configs[i];
	}
	if (o.comm) {
		h = http_new(&herr);
		if (!h) {
			o.healthz_why = herr.msg;
		} else {
			t0 = now_monotonic();
			if (http_get(h, o_healthz, o_timeout, &body, 512, &rs, &herr) < 0) {
				o.err = herr.msg;
			} else {
				o.answered = true;
				o.code = rs.code;
				o.body = body.s;
				o.body_len = body.len;
			}
			o.ms = (now_monotonic() - t0) * 1e3;
			http_free(h);
		}
	}
	judge_kubelet(rep, &o);
	buf_free(&body);
}

/* Disk pressure in a few lines: the fullest local filesystem, the one
 * with fewest inodes, filesystems the kernel turned read-only, and the
 * kubelet's nodefs/imagefs signals.  Network and FUSE mounts are asked
 * too, within the deadline, but only whether they answer: a hung one is
 * critical, their fill is `srebox disk`'s (the kubelet's and runtime's
 * dirs count whatever they are on). */
static void check_disk(struct sbx_report *rep)
{
	struct disk_snap s;
	struct sbx_err err;
	struct stat kst;
	const char *runtime = disk_runtime_dir(o_timeout);
	bool kubelet = false, *want, *fill;
	struct fs_verdict v;

	if (disk_read_mounts(&s, &err) < 0) {
		check_unknown(rep, CHK_SPACE, NULL, "%s: %s", "filesystems", err.msg);
		return;
	}
	want = xcalloc(s.mt.n + 1, sizeof(bool));
	fill = xcalloc(s.mt.n + 1, sizeof(bool));
	for (size_t i = 0; i < s.mt.n; i++) {
		const struct mnt *m = &s.mt.m[i];

		if (m->hide != MNT_SHOWN)
			continue;
		want[i] = true;
		fill[i] = !m->suspect;
	}
	{
		long m = mnt_find_path(&s.mt, o_kubelet_dir);

		kubelet = sbx_stat_deadline(o_kubelet_dir, &kst, o_timeout, &err) == 0 ||
			  err.errnum == ETIMEDOUT;
		if (kubelet && m >= 0)
			want[m] = fill[m] = true;
		if (runtime && (m = mnt_find_path(&s.mt, runtime)) >= 0)
			want[m] = fill[m] = true;
	}
	disk_probe(&s, want, o_timeout);
	judge_filesystems(rep, &s, want, fill, NULL, false, &v);
	if (kubelet) {
		struct disk_signal g[SIG_N];

		disk_signals(&s, o_kubelet_dir, runtime, o_timeout, g);
		for (int k = 0; k < SIG_N; k++)
			judge_signal(rep, &s, &g[k]);
	}
	free(want);
	free(fill);
	disk_snap_free(&s);
}

/* The network: srebox net's judgment of the same two readings. */
static void check_net(struct sbx_report *rep, const struct sample *a, const struct sample *b)
{
	judge_net(rep, &b->net, a ? &a->net : NULL);
}

/* CPU held back: the most throttled cgroup, thermal events and trip
 * points, frequency caps, judged as srebox throttle judges them (steal is
 * judged with the CPU above, or here when /proc/stat could not be read). */
static void check_throttle(struct sbx_report *rep, const struct sample *a, const struct sample *b)
{
	const struct thr_snap *prev = a ? &a->thr : NULL;
	double steal;

	judge_cfs(rep, &b->thr, prev, JUDGE_CFS_MIN_PERIODS, 1);
	judge_thermal(rep, &b->thr, prev, 1);
	judge_freq(rep, &b->thr, 1);
	if (!b->have_stat)
		judge_steal(rep, NULL, NULL, b->stat_err.msg, &steal);
}

/* The sample of the task table that ranks processes behind a CPU finding:
 * taken only when one is not OK, so an OK node does not pay for it. */
#define WHO_SAMPLE 0.25

static bool finding_is(const struct sbx_finding *f, const enum sbx_check_id *ids)
{
	for (; *ids != CHK_N; ids++)
		if (f->check && !strcmp(f->check, sbx_checks[*ids].id))
			return true;
	return false;
}

/* One CPU saturated while the others idle (cpu_hot, judged as `srebox cpu`
 * judges it), and who is behind every CPU or memory finding that is not
 * OK: the busiest processes by CPU over a WHO_SAMPLE s sample of every
 * thread (cpu_hot: the busiest thread that last ran on the hot CPU), the
 * largest by resident memory from health's own scan of the processes. */
static void check_who(struct sbx_report *rep, const struct sample *a, const struct sample *b,
		      const struct task_table *tasks, bool have_tasks)
{
	static const enum sbx_check_id cpu_ids[] = { CHK_PSI_CPU, CHK_RUNQUEUE, CHK_LOAD, CHK_CPU,
						     CHK_CPU_HOT, CHK_N };
	static const enum sbx_check_id mem_ids[] = { CHK_MEMORY, CHK_MEMORY_AVAILABLE,
						     CHK_PSI_MEMORY, CHK_SWAP, CHK_N };
	struct sbx_finding *hotf = NULL;
	struct cpu_snap s1, s2, own;
	struct procs_use cpu_u, mem_u;
	bool want_cpu = false, want_mem = false, have_cpu = false, have_mem = false, moved;
	int hot = -1;
	char how[64];

	if (b->have_stat && (!a || a->have_stat)) {
		struct cpu_share all, *per = NULL;
		size_t nper = 0;

		cpu_shares(&b->stat, a ? &a->stat : NULL, &all, &per, &nper);
		hotf = judge_cpu_hot(rep, per, nper, &all, !a, NULL, &hot);
		free(per);
	}
	for (size_t i = 0; i < rep->nfind; i++) {
		const struct sbx_finding *f = &rep->findings[i];

		if (f->state == ST_OK || f->state == ST_UNKNOWN)
			continue;
		want_cpu |= finding_is(f, cpu_ids);
		want_mem |= finding_is(f, mem_ids);
	}
	if (!want_cpu && !want_mem)
		return;
	if (want_cpu) {
		struct timespec ts = { 0, (long)(WHO_SAMPLE * 1e9) };

		/* srebox top: the task table it read for this sample and the
		 * last one are a sample already */
		if (!cpu_snap_shared(&s1, &s2)) {
			cpu_snap_read(&s1, CPU_SNAP_TASKS | CPU_SNAP_BY_HAND);
			nanosleep(&ts, NULL);
			cpu_snap_read(&s2, CPU_SNAP_TASKS | CPU_SNAP_BY_HAND);
		}
		/* a saved tree under --root does not move: shares since start */
		moved = s2.uptime != s1.uptime;
		if (s2.has_tasks && (!moved || s1.has_tasks)) {
			procs_use(&s2, moved ? &s1 : NULL, root_is_live() ? (int32_t)getpid() : 0,
				  &cpu_u);
			have_cpu = true;
		}
		if (moved)
			snprintf(how, sizeof(how), " (%%CPU over a %.2fs sample)", s2.when - s1.when);
		else
			snprintf(how, sizeof(how), " (%%CPU since each started)");
	}
	if (want_mem && have_cpu) {
		mem_u = cpu_u;
		have_mem = true;
	} else if (want_mem && have_tasks) {
		memset(&own, 0, sizeof(own));
		own.uptime = b->uptime;
		own.has_tasks = true;
		own.tasks = *tasks;
		procs_use(&own, NULL, root_is_live() ? (int32_t)getpid() : 0, &mem_u);
		have_mem = true;
	}
	for (size_t i = 0; i < rep->nfind; i++) {
		struct sbx_finding *f = &rep->findings[i];
		size_t n = 0;

		if (f->state == ST_OK || f->state == ST_UNKNOWN)
			continue;
		if (have_cpu && f == hotf) {
			cpu_who_hot(f, &cpu_u, hot);
			n = f->nwho;
		} else if (have_cpu && finding_is(f, cpu_ids)) {
			n = cpu_who_cpu(f, &cpu_u);
		} else if (have_mem && finding_is(f, mem_ids)) {
			cpu_who_mem(f, &mem_u);
			continue;
		} else {
			continue;
		}
		if (n) {
			char *t = xasprintf("%s%s", f->text, how);

			free(f->text);
			f->text = t;
		}
	}
	if (have_cpu)
		procs_use_free(&cpu_u);
	else if (have_mem)
		procs_use_free(&mem_u);
	if (want_cpu) {
		cpu_snap_free(&s1);
		cpu_snap_free(&s2);
	}
}

/* What the loop keeps across readings: the run queue read during the
 * interval (sample.h's tick). */
struct health_state {
	struct cs_runq rq;
};

static unsigned self_tasks(void)
{
	/* srebox's reading thread is running while it reads /proc/stat */
	return root_is_live() ? 1 : 0;
}

static int health_read(void *snap, struct sbx_err *err, void *arg)
{
	struct sample *s = snap;

	(void)err;
	(void)arg;
	sample_read(s);
	return 0;
}

static void health_free(void *snap, void *arg)
{
	(void)arg;
	sample_free(snap);
}

static bool health_tick(void *arg)
{
	struct cs_runq *q = &((struct health_state *)arg)->rq;

	cs_runq_tick(q, self_tasks());
	return cs_runq_ticks(q);
}

static struct sbx_report *health_build(struct sbx_ctx *ctx, const void *a_, const void *b_, void *arg)
{
	const struct sample *a = a_, *b = b_;
	struct health_state *hs = arg;
	struct sbx_report *rep = report_new("health");
	struct sbx_table *t = report_table(rep, "node", node_cols, N_NCOLS);
	struct sbx_cell *row = table_row(t);
	double seconds = a ? b->when - a->when : 0;
	size_t ncpu = 0, bad = 0;
	struct task_table tasks;
	struct sched_dstate d;
	bool have_tasks = false;
	char up[32], cpus[32];

	(void)ctx;
	/* Since boot there is one reading: the snapshot's. */
	if (!a) {
		cs_runq_reset(&hs->rq);
		if (b->have_stat && b->stat.has_running)
			cs_runq_add(&hs->rq, b->stat.procs_running, b->stat.has_blocked,
				    b->stat.procs_blocked, self_tasks());
		else
			sbx_err_set(&hs->rq.err, 0, "%s", b->have_stat ? "no procs_running line in "
				    "/proc/stat (kernel before 2.5.45)" : b->stat_err.msg),
				hs->rq.failed++;
	}
	rep->interval = seconds;
	/* the tasks first: the load's explanation names the D-state ones */
	check_tasks(rep, row, &tasks, &have_tasks, &d);
	check_cpu(rep, a, b, seconds, row, &ncpu, &hs->rq, &d);
	cs_runq_restart(&hs->rq);	/* this interval's end, the next one's start */
	check_memory(rep, a, b, seconds, row);
	check_psi(rep, row);
	check_kmsg(rep, b, row);
	check_limits(rep, b, row);
	check_irq(rep, a, b, seconds);
	check_net(rep, a, b);
	check_throttle(rep, a, b);
	check_kubelet(rep, &tasks, have_tasks);
	check_disk(rep);
	check_io(rep, a, b);
	check_who(rep, a, b, &tasks, have_tasks);
	if (have_tasks)
		tasks_free(&tasks);
	for (size_t k = 0; k < rep->nfind; k++)
		bad += rep->findings[k].state != ST_OK;
	fmt_duration(up, sizeof(up), b->uptime);
	if (ncpu)
		snprintf(cpus, sizeof(cpus), "%zu CPU%s", ncpu, plural(ncpu, "s"));
	else
		snprintf(cpus, sizeof(cpus), "CPUs unknown");
	report_summary(rep, "%s: %zu of %zu check%s need%s attention; up %s, %s, %s",
		       report_state(rep) == ST_OK ? "healthy" : state_name(report_state(rep)),
		       bad, rep->nfind, plural(rep->nfind, "s"), bad == 1 ? "s" : "", b->uptime >= 0 ? up : "?", cpus,
		       a ? "rates over the last" : "values since boot");
	if (a) {
		char *s = xasprintf("%s %.2fs", rep->summary, seconds);

		free(rep->summary);
		rep->summary = s;
	}
	return rep;
}

/* srebox top's view of health (cmd/top.h). */
const struct sbx_sampler *health_sampler(void)
{
	static struct health_state hs;
	static const struct sbx_sampler s = { .name = "health", .size = sizeof(struct sample),
					      .read = health_read, .free = health_free,
					      .tick = health_tick, .build = health_build, .arg = &hs };

	cs_runq_reset(&hs.rq);
	return &s;
}

static int health_run(struct sbx_ctx *ctx)
{
	struct health_state hs;
	struct sbx_sampler s = { .name = "health", .size = sizeof(struct sample),
				 .read = health_read, .free = health_free, .tick = health_tick,
				 .build = health_build, .arg = &hs };

	if (ctx->nargs) {
		warnx_("unexpected argument '%s'", ctx->args[0]);
		return 3;
	}
	if (o_timeout <= 0) {
		warnx_("-t must be more than 0 seconds");
		return 3;
	}
	/* the mount, kubelet and runtime asks, each given -t, one after another */
	sbx_watchdog_extend(3 * o_timeout);
	cs_runq_reset(&hs.rq);
	return sbx_sample(ctx, &s);
}

const struct sbx_applet applet_health = {
	.name = "health",
	.formats = "table json prom check name",	/* no wide column */
	.examples =
		"# what is wrong with this node, and who is doing it\n"
		"srebox health\n"
		"# the checks that need attention, one id a line, for a script\n"
		"srebox health -o name\n"
		"# a Nagios check over one second that tolerates a busier CPU\n"
		"srebox health -i 1 -o check -w load=3 -c load=6\n",
	.summary = "what is wrong with this node: every resource's saturation and errors, worst first",
	.usage = "[OPTIONS]",
	.description =
		"One pass over the USE method and the first-60-seconds checklist: load and run\n"
		"queue, CPU and steal, memory and the kubelet's memory.available, swap, PSI, OOM\n"
		"kills, blocked, hung and zombie tasks, file handles, pids, conntrack, interrupts,\n"
		"network errors, drops and retransmits, context switches, CPU throttling, disk\n"
		"pressure and I/O (srebox io's checks), the kubelet's health, and the kernel\n"
		"log's lockups, hardware errors, NIC timeouts, conntrack table full, SYN floods\n"
		"and segfaults, with its newest errors.  Rates are sampled over " SBX_SAMPLE_DEFAULT_TEXT " s\n"
		"by default; -i 0 takes one snapshot (rates since boot).",
	.flags = AP_PROBE | AP_OUTPUT,
	.opts = health_opts,
	.checks = health_checks,
	.run = health_run,
};
