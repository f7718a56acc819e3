/* Node-wide readers behind `health`: memory, pressure, limits, the kernel
 * log.  Each reads under the root and says why when it cannot. */
#ifndef SREBOX_NODE_H
#define SREBOX_NODE_H

#include "kmsgclass.h"
#include "procfs.h"

struct mem_info {
	uint64_t total, available, free, swap_total, swap_free;
	bool has_available;	/* MemAvailable exists since 3.14 */
};
int node_meminfo(struct mem_info *m, struct sbx_err *err);

/* The kubelet's memory.available: MemTotal - working set, where the
 * working set is the root cgroup's usage minus inactive_file (never the
 * free or available figures).  `how` names the files used. */
int node_kubelet_memory_available(uint64_t mem_total, uint64_t *avail, char *how, size_t n,
				  struct sbx_err *err);

/* /proc/pressure/RES.  err->errnum tells ENOENT (kernel without PSI) from
 * EOPNOTSUPP (PSI built in but disabled at boot). */
int node_psi(const char *res, struct psi *out, struct sbx_err *err);

int node_vmstat(struct kv_list *out, struct sbx_err *err);
int node_stat(struct proc_stat *out, struct sbx_err *err);
int node_loadavg(struct loadavg *out, struct sbx_err *err);
int node_uptime(double *up, struct sbx_err *err);

/* Allocated file handles and fs.file-max. */
int node_file_nr(uint64_t *allocated, uint64_t *max, struct sbx_err *err);
/* The kubelet's pid.available inputs: tasks in use (/proc/loadavg) and
 * min(kernel.pid_max, kernel.threads-max). */
int node_pid_limit(uint64_t *limit, struct sbx_err *err);
/* nf_conntrack_count / nf_conntrack_max (or the old ip_conntrack names).
 * ENOENT: conntrack is not loaded. */
int node_conntrack(uint64_t *count, uint64_t *max, struct sbx_err *err);

/* What the kernel log says about OOM kills and hung tasks, and its other
 * messages by class (kmsgclass.h).  Reading it is costly on a big ring
 * buffer: node_kmsg_scan_keyed() keeps the scan while the log stands still. */
#define KMSG_MAX_VICTIMS 8
struct kmsg_scan {
	size_t records;
	size_t ooms;			/* "Killed process" records */
	struct {
		struct oom_kill kill;
		char memcg[256];	/* the victim's cgroup, when the kernel says */
		double age;		/* seconds ago; <0 unknown */
	} victim[KMSG_MAX_VICTIMS];	/* the most recent, newest last */
	size_t nvictims;
	size_t hung;
	char hung_task[64];
	int64_t hung_pid;
	double hung_age;
	double newest_oom_age;		/* <0 none */
	/* the "oom-kill:...task_memcg=" line precedes its "Killed process" */
	char pending_memcg[256];
	int64_t pending_pid;
	struct kmsg_classes cls;	/* lockups, MCE, NIC, conntrack, SYN flood, segfaults, I/O */
};
int node_kmsg_scan(double uptime, struct kmsg_scan *out, struct sbx_err *err);
/* The same, kept between runs on the live machine.  The kernel log only
 * grows: while the boot, the log's tail (kmsg_tail_key(): a hash of the
 * newest records, without copying the ring) and the OOM and hung-task
 * counters (/proc/vmstat oom_kill, hung_task_detect_count; UINT64_MAX: not
 * known) are those of the last scan, it still holds, its ages moved on by
 * the time since, and the ring buffer is not read again -- the costliest
 * thing health does.  Where the tail has no key (syslog(2) refused, only
 * /dev/kmsg readable) the log is read every time.  The scan is kept only where no one
 * else can write ($XDG_RUNTIME_DIR, else rundir.h's), never under
 * --root, and a failure to keep it is silent.  Within one process (top,
 * health -n) the last scan is also kept in memory while
 * kmsg_follow_changed() sees no new record: a sample after the first
 * reads neither the tail nor the ring.  *cached says whether it came from
 * either. */
int node_kmsg_scan_keyed(double uptime, uint64_t ooms, uint64_t hung, struct kmsg_scan *out,
			 bool *cached, struct sbx_err *err);

#endif
