/* Pure parsers for /proc files: text in, struct out, no I/O and no
 * globals.  Each takes the file name only to put it in error messages
 * ("/proc/interrupts:3: ..."), and each is total: any input, however
 * truncated, empty, huge or garbled, gives a result or an error.  The
 * kernel ends every line with a newline; a file whose last line lacks one
 * was cut short (a copy on a full disk), and a counter on that line could
 * be missing digits, so those parsers refuse it rather than guess. */
#ifndef SREBOX_PROCFS_H
#define SREBOX_PROCFS_H

#include "util.h"

/* /proc/interrupts and /proc/softirqs */
struct irq_row {
	char *name;		/* "41", "NMI", "NET_RX" */
	bool numeric;		/* a numbered IRQ (has /proc/irq/N) */
	uint64_t *counts;	/* per header column; NULL when the row has none */
	size_t ncounts;		/* ncpu, or 1 for total-only rows (ERR, MIS), or 0 (FIQ) */
	uint64_t total;
	char *chip;		/* "IR-PCI-MSI", "GICv3"; NULL if none */
	char *hwirq;		/* "524288", "27" */
	char *trigger;		/* "edge", "Level", "fasteoi" */
	char *devices;		/* "ehci_hcd:usb1, mmc0"; named rows: description */
};

struct irq_table {
	size_t ncpu;
	unsigned *cpu;		/* CPU id of each column (offline CPUs are absent) */
	struct irq_row *rows;
	size_t nrows;
	uint64_t *arena;	/* all counts */
};

int parse_interrupts(const char *text, size_t len, const char *fname, struct irq_table *out,
		     struct sbx_err *err);
void irq_table_free(struct irq_table *t);
/* Column of CPU id `cpu`, or -1. */
long irq_table_col(const struct irq_table *t, unsigned cpu);

/* -1 (and err) when a non-empty text does not end with a newline: the
 * kernel ends every line, so a file cut short (a saved copy on a full
 * disk) would otherwise give a counter with digits missing. */
int text_truncated(const char *text, size_t len, const char *fname, struct sbx_err *err);

/* /proc/stat */
enum { CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ, CPU_SOFTIRQ, CPU_STEAL,
       CPU_GUEST, CPU_GUEST_NICE, CPU_NFIELDS };

struct cpu_times {
	int cpu;		/* -1 for the aggregate "cpu" line */
	unsigned nfields;	/* 4 on 2.4 kernels .. 10 */
	uint64_t t[CPU_NFIELDS];	/* USER_HZ ticks */
};

struct proc_stat {
	struct cpu_times all;
	struct cpu_times *cpus;
	size_t ncpus;
	bool has_intr, has_ctxt, has_btime, has_processes, has_running, has_blocked, has_softirq;
	uint64_t intr, ctxt, btime, processes, procs_running, procs_blocked, softirq;
};

int parse_stat(const char *text, size_t len, const char *fname, struct proc_stat *out,
	       struct sbx_err *err);
/* The same without the per-CPU rows: they are counted (ncpus), not read,
 * and cpus is NULL.  For a reader that wants the totals several times an
 * interval on a node of hundreds of CPUs (the run queue's readings). */
int parse_stat_head(const char *text, size_t len, const char *fname, struct proc_stat *out,
		    struct sbx_err *err);
void proc_stat_free(struct proc_stat *s);

/* /proc/PID/status and /proc/PID/task/TID/status */
struct task_status {
	char name[64];
	char state;		/* 'R', 'S', 'D', 'Z', ... */
	int64_t tgid, pid, ppid;
	int64_t threads;	/* -1 if absent */
	int64_t uid;		/* real uid, -1 if absent */
	bool has_ctxt;		/* kernels before 2.6.23 lack the switch counts */
	uint64_t vol, nonvol;	/* voluntary_ctxt_switches, nonvoluntary_ctxt_switches */
};

int parse_task_status(const char *text, size_t len, const char *fname, struct task_status *out,
		      struct sbx_err *err);

/* /proc/PID/task/TID/schedstat (kernels with CONFIG_SCHED_INFO):
 * "sum_exec_runtime run_delay pcount\n", nanoseconds on a CPU, nanoseconds
 * waiting for one, and how many times it was put on one. */
struct task_schedstat {
	uint64_t run_ns, wait_ns, pcount;
};

int parse_task_schedstat(const char *text, size_t len, const char *fname,
			 struct task_schedstat *out, struct sbx_err *err);

/* /proc/schedstat (kernels with CONFIG_SCHEDSTATS): a "version N" line,
 * then a "cpuN" line per online CPU whose 8th figure is run_delay, the
 * nanoseconds tasks waited on that CPU's run queue, counted when each
 * wait ends (Documentation/scheduler/sched-stats.rst; the same since
 * version 15, Linux 2.6.39).  Its domain lines are not read.  A version
 * before 15, a cpu line with fewer than 9 figures, or none: -1. */
struct sched_cpus {
	unsigned version;
	size_t ncpu;		/* cpuN lines */
	uint64_t wait_ns;	/* their run_delay, summed */
};

int parse_schedstat(const char *text, size_t len, const char *fname, struct sched_cpus *out,
		    struct sbx_err *err);

/* /proc/PID/stat and /proc/PID/task/TID/stat: the fields srebox uses.
 * comm may hold spaces and parentheses, so it ends at the last ')' of
 * the first line.  Fields after starttime must follow (a line cut there
 * could have lost its digits); the newline need not (node_exporter's
 * fixtures lack it). */
struct task_stat {
	char comm[64];
	char state;
	int64_t ppid;
	int64_t num_threads;	/* field 20: threads of the whole process */
	uint64_t starttime;	/* field 22: clock ticks (USER_HZ) after boot */
	uint64_t utime, stime;	/* fields 14, 15: clock ticks in user and kernel mode */
	/* Fields past starttime, each known only when the line holds it
	 * whole (a space or the newline after it): kernels before 2.2 end
	 * before processor, and a cut line loses its tail. */
	bool has_rss, has_processor;
	uint64_t rss;		/* field 24: resident pages (of the whole process) */
	int32_t processor;	/* field 39: the CPU the task last ran on */
};

int parse_task_stat(const char *text, size_t len, const char *fname, struct task_stat *out,
		    struct sbx_err *err);

/* /proc/loadavg: "0.20 0.18 0.12 1/80 11206" */
struct loadavg {
	double load1, load5, load15;
	uint64_t running, tasks;
	int64_t last_pid;
};
int parse_loadavg(const char *text, size_t len, const char *fname, struct loadavg *out,
		  struct sbx_err *err);

/* /proc/uptime: seconds since boot, idle seconds */
int parse_uptime(const char *text, size_t len, const char *fname, double *uptime,
		 struct sbx_err *err);

/* A CPU list: "0-3,8,10-11" -> ids.  Returns count, -1 on syntax error. */
long parse_cpulist(const char *s, unsigned *out, size_t max);

/* "Key: value [kB]" (/proc/meminfo) and "key value" (/proc/vmstat,
 * memory.stat, cpu.stat) files.  Values with a kB unit are in bytes. */
struct kv_entry {
	char key[64];
	uint64_t value;
};
struct kv_list {
	struct kv_entry *e;
	size_t n;
};
int parse_kv(const char *text, size_t len, const char *fname, struct kv_list *out,
	     struct sbx_err *err);
bool kv_get(const struct kv_list *l, const char *key, uint64_t *value);
void kv_free(struct kv_list *l);

/* /proc/pressure/{cpu,memory,io,irq} and cgroup *.pressure */
struct psi_line {
	bool has;
	double avg10, avg60, avg300;	/* percent */
	uint64_t total;			/* microseconds stalled */
};
struct psi {
	struct psi_line some, full;
};
int parse_psi(const char *text, size_t len, const char *fname, struct psi *out,
	      struct sbx_err *err);

/* A line of whitespace-separated unsigned numbers (file-nr, a sysctl):
 * exactly `want` of them. */
int parse_numbers(const char *text, size_t len, const char *fname, uint64_t *out, size_t want,
		  struct sbx_err *err);

/* One /dev/kmsg record: "prio,seq,usec,flags[,...];text" (continuation
 * lines, which start with a space, are not records). */
struct kmsg_rec {
	unsigned prio;		/* facility << 3 | level */
	uint64_t seq, usec;	/* usec: since boot */
	const char *text;	/* not NUL-terminated */
	size_t tlen;
};
int parse_kmsg_record(const char *line, size_t len, struct kmsg_rec *out);
/* The same from syslog(2)'s SYSLOG_ACTION_READ_ALL: "<prio>[  secs.usecs] text"
 * (seq is 0; without printk timestamps usec is 0 and the return is 1). */
int parse_syslog_record(const char *line, size_t len, struct kmsg_rec *out);

/* What the kernel says when it kills for memory:
 * "[Memory cgroup ]Out of memory: Killed process 1234 (comm) total-vm:..kB, anon-rss:..kB, ..." */
struct oom_kill {
	int64_t pid;
	char comm[64];
	uint64_t anon_rss;	/* bytes */
	bool memcg;		/* a cgroup limit, not the whole machine */
};
bool match_oom_kill(const char *text, size_t len, struct oom_kill *out);
/* "oom-kill:constraint=...,task_memcg=/kubepods/...,task=comm,pid=N,uid=N":
 * the cgroup of the victim, or false. */
bool match_oom_memcg(const char *text, size_t len, char *memcg, size_t n, int64_t *pid);
/* "INFO: task kworker/0:1:123 blocked for more than 120 seconds." */
bool match_hung_task(const char *text, size_t len, char *task, size_t n, int64_t *pid);


/* /proc/cpuinfo: the "cpu MHz" of each "processor" (x86 prints it; arm64
 * does not, and then has_mhz is false). */
struct cpuinfo_cpu {
	unsigned processor;
	bool has_mhz;
	double mhz;
};
struct cpuinfo {
	struct cpuinfo_cpu *cpus;
	size_t n;
};
int parse_cpuinfo(const char *text, size_t len, const char *fname, struct cpuinfo *out,
		  struct sbx_err *err);
void cpuinfo_free(struct cpuinfo *c);

#endif
