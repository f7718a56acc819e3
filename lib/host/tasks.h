/* The task table: every task (thread) on the node, with its process, name,
 * state, start time and, on request, its context switch counts.
 *
 * On the live machine libproc2 (procps-ng 4) lists the tasks and reads
 * their stat files; it is loaded with dlopen on first use, because it
 * brings libsystemd and every applet would otherwise pay for it at start.
 * libproc2 reads fixed /proc paths, so under --root (a host mounted in a
 * pod, a fixture tree), or when it cannot be loaded, this file reads the
 * rooted /proc itself and fills the same table.  The switch counts are not
 * in libproc2: they are read from /proc/PID/task/TID/status either way (on
 * the live node, not again for a task that did not run since the last
 * reading: tasks.c's switches()).  Callers that read every status anyway
 * (top, health) read by hand: TASKS_NO_LIBPROC2.
 *
 * Each task's CPU time (utime, stime), resident size and last CPU come
 * from the stat file it reads anyway, so they cost nothing extra.
 *
 * Used by `cswitch` (busiest tasks, threads per process), `cpu` (CPU and
 * memory by process), `health` (D state, zombies; the processes behind
 * a CPU or memory finding) and `top` (all of these, one walk a sample). */
#ifndef SREBOX_TASKS_H
#define SREBOX_TASKS_H

#include "util.h"

/* tasks_read flags */
#define TASKS_SWITCHES 0x1	/* also read each task's status for its switch counts */
#define TASKS_NO_LIBPROC2 0x2	/* read /proc by hand even on the live machine */
/* Processes only, one entry each with its main thread's state: enough to
 * count zombies (a zombie is a whole process) at a fraction of the cost. */
#define TASKS_PROCESSES 0x4
#define TASKS_GATE 0x8		/* internal: see tasks.c's switches() */
/* A sampler's: on the live node keep each task's files open from one
 * reading to the next and read them again in place (tasks.c's "Held
 * files"): a system call per file instead of three, and no path walk. */
#define TASKS_HOLD 0x10

struct task {
	int32_t tid, tgid;
	int32_t nlwp;		/* threads of its process (stat field 20); -1 unknown */
	int32_t ppid;		/* its parent process (stat field 4); -1 unknown */
	char state;		/* 'R', 'S', 'D', 'Z', 'T', 'I', ...; 0 unknown */
	bool has_name;		/* comm is known (it may be empty) */
	bool has_start;		/* start is known */
	bool has_switches;	/* vol and nonvol are known */
	/* The process has no task/ directory (a saved tree, or a kernel
	 * before 2.6): its own stat and status stood in for its threads,
	 * and their switch counts are the main thread's only. */
	bool whole_process;
	int16_t stat_errno;	/* why stat was not read (errno; 0: parse error); -1: read */
	int16_t status_errno;	/* the same for status; -2: not asked for */
	uint64_t start;		/* clock ticks (USER_HZ) after boot */
	/* CPU time and memory, from the same stat file (no extra read):
	 * has_times with has_start; has_rss and processor may be missing
	 * from a stat line of an old kernel or a cut copy. */
	bool has_times, has_rss;
	uint64_t utime, stime;	/* clock ticks (USER_HZ) in user and kernel mode */
	uint64_t rss_pages;	/* resident pages of its process (stat field 24) */
	int32_t processor;	/* the CPU it last ran on (stat field 39); -1 unknown */
	uint64_t vol, nonvol;	/* voluntary_ctxt_switches, nonvoluntary_ctxt_switches */
	/* Its schedstat, read on the live node to learn whether it ran at
	 * all since the last reading (tasks.c's switches()). */
	bool has_sched;
	uint64_t run_ns, pcount;
	uint64_t wait_ns;	/* its run_delay: nanoseconds it waited for a CPU */
	/* It did not run since the last reading of the live node, whose
	 * stat and switch counts stand (tasks.c's carried()). */
	bool carried;
	char comm[64];		/* the task's name: stat's comm, else status's Name */
};

/* By the state letter of each task (threads count one each). */
struct task_counts {
	size_t tasks, processes;
	size_t running, sleeping, disk_sleep, zombie, stopped, idle, other;
};

struct task_table {
	struct task *v;		/* sorted by tgid, then tid */
	size_t n, alloc;
	struct task_counts counts;
	unsigned long hz;	/* clock ticks per second of the start times */
	bool libproc2;		/* listed by libproc2, not by hand */
	size_t vanished;	/* tasks that exited while the table was read */
	/* /proc was not listed: the tasks are the last reading's and those
	 * made since (tasks.c's list gate) */
	bool list_carried;
};

/* Read every task under the root.  Fails (-1, err) only when /proc
 * cannot be listed at all; a task whose files cannot be read is kept
 * with the reason in stat_errno/status_errno. */
int tasks_read(struct task_table *t, unsigned flags, struct sbx_err *err);
void tasks_free(struct task_table *t);

/* The task (tgid, tid), or NULL. */
const struct task *tasks_find(const struct task_table *t, int32_t tgid, int32_t tid);

/* Why a task's status (or stat) could not be read, for a table cell:
 * "/proc/42/task/43/status: permission denied". */
void task_why(const struct task *k, bool status, char *out, size_t n);

/* Where task k sleeps: /proc/PID/task/TID/wchan (the kernel function it
 * waits in, "nfs_wait_bit_killable"), readable without root for most
 * tasks.  Returns false with the reason in out ("wchan: permission
 * denied", "wchan: 0 (hidden)") when it cannot be said. */
bool task_wchan(const struct task *k, char *out, size_t n);

/* One walk of the task table for several readers: srebox top's samplers
 * (cpu, cswitch, health) each read the table every sample, and between
 * tasks_share_begin and tasks_share_end every tasks_read is served from
 * one reading, taken at the first call with `flags` (which should cover
 * every reader's: TASKS_SWITCHES for cswitch's counts).  A reader asking
 * for TASKS_PROCESSES gets the main threads, each with its threads' CPU
 * times summed; one asking for switches the share was not read with is
 * read on its own.  Each reader gets its own copy, freed with tasks_free
 * as ever.  The last two shared readings stay after tasks_share_end, for
 * tasks_share_pair.  The window is also root_memo_begin's: each file of the
 * sample is read once. */
void tasks_share_begin(unsigned flags);
void tasks_share_end(void);
/* Copies of the last two shared readings (prev older), with the monotonic
 * time and the uptime (-1: unknown) each was taken at; false when there
 * are not two of them. */
bool tasks_share_pair(struct task_table *prev, double *prev_when, double *prev_uptime,
		      struct task_table *cur, double *cur_when, double *cur_uptime);
/* The seconds tasks waited for a CPU between the last two shared
 * readings: each task's run_delay (schedstat), matched by TID and start
 * time, for the run queue (cswitch.h).  False unless both readings have
 * every task's schedstat (srebox top on the live node).  born: tasks that
 * started between them; ended: tasks of the first gone from the second.
 * srebox's own tasks are left out on the live node. */
struct task_waits {
	double seconds;
	size_t born, ended;
	size_t tasks;		/* in the second table, srebox's own too */
};
bool tasks_share_wait(struct task_waits *w);
/* The same between any two tables (a read at uptime a_uptime, b after),
 * leaving out the tasks of process self (-1: none). */
void tasks_waits_between(const struct task_table *a, double a_uptime, const struct task_table *b,
			 int32_t self, struct task_waits *w);
/* Whether the latest shared reading has every task's schedstat, so that
 * the next tasks_share_wait can be had. */
bool tasks_share_waits_known(void);
/* Free the shared readings (at exit). */
void tasks_share_free(void);

/* Whether libproc2 can be loaded, and if not why (for tests and notes). */
bool tasks_libproc2_available(struct sbx_err *err);

#endif
