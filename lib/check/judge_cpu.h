/* The per-CPU and per-process judgments, made once for `cpu` and `health`:
 * one CPU saturated while the node is not (cpu_hot), and the processes
 * named behind a CPU or memory finding. */
#ifndef SREBOX_JUDGE_CPU_H
#define SREBOX_JUDGE_CPU_H

#include "check.h"
#include "cpu_share.h"
#include "procuse.h"

/* cpu_hot is judged only while the other CPUs are on average below this
 * busy %: with half of them idle, the hot CPU's work is one thread's, not
 * the node's (a uniformly busy node is runqueue's and psi_cpu's). */
#define CPU_HOT_REST 50.0

/* How many processes a finding names. */
#define CPU_WHO_N 3

/* One CPU saturated while the rest are mostly idle.  per/nper: every
 * CPU's share (cpu_shares()); all: the aggregate.  *hot: the busiest
 * CPU's id, -1 none.  u (may be NULL): the busiest thread that last ran
 * on that CPU is named when the finding is not OK.  Returns the finding. */
struct sbx_finding *judge_cpu_hot(struct sbx_report *r, const struct cpu_share *per, size_t nper,
				  const struct cpu_share *all, bool since_boot,
				  const struct procs_use *u, int *hot);

/* Name the busiest thread on CPU cpu ("spin (pid 812) 99%"). */
void cpu_who_hot(struct sbx_finding *f, const struct procs_use *u, int cpu);
/* Name the CPU_WHO_N busiest processes by CPU (% of one CPU) or by RSS,
 * with their cgroup and pod.  Returns how many were named. */
size_t cpu_who_cpu(struct sbx_finding *f, const struct procs_use *u);
size_t cpu_who_mem(struct sbx_finding *f, const struct procs_use *u);

#endif
