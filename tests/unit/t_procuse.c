/* CPU and memory by process (lib/host/procuse.c) over task tables built in
 * memory, and the cpu_hot judgment (lib/check/judge_cpu.c): every case of
 * matching two readings, births and exits, ages, and the hot CPU named
 * only while the other CPUs idle. */
#include "unit.h"
#include "judge_cpu.h"
#include "procuse.h"
#include "report.h"

#include <math.h>
#include <unistd.h>

static struct task T(int32_t tgid, int32_t tid, uint64_t start, uint64_t ut, uint64_t st,
		     int32_t cpu)
{
	struct task k = { .tgid = tgid, .tid = tid, .nlwp = 1, .state = 'R', .has_name = true,
			  .has_start = true, .has_times = true, .has_rss = true, .stat_errno = -1,
			  .status_errno = -2, .start = start, .utime = ut, .stime = st,
			  .rss_pages = (uint64_t)tgid, .processor = cpu };

	snprintf(k.comm, sizeof(k.comm), "t%d", (int)tid);
	return k;
}

static void snap(struct cpu_snap *s, double when, double uptime, struct task *v, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->when = when;
	s->uptime = uptime;
	s->has_tasks = true;
	s->tasks.v = v;
	s->tasks.n = n;
	s->tasks.hz = 100;
}

static const struct proc_use *P(const struct procs_use *u, int32_t pid)
{
	for (size_t i = 0; i < u->np; i++)
		if (u->p[i].pid == pid)
			return &u->p[i];
	fail_msg("no process %d", (int)pid);
	return NULL;
}

static void since_boot(void **state)
{
	/* uptime 100 s.  10: two threads, started at 0 and 50 s;
	 * 20: started half a second ago (too young); 30: skipped */
	struct task v[] = { T(10, 10, 0, 4000, 1000, 0), T(10, 11, 5000, 2500, 0, 1),
			    T(20, 20, 9950, 50, 0, 1), T(30, 30, 0, 10000, 0, 0) };
	struct cpu_snap s;
	struct procs_use u;
	long page = sysconf(_SC_PAGESIZE);
	char buf[400];

	(void)state;
	snap(&s, 1, 100, v, ARRAY_SIZE(v));
	procs_use(&s, NULL, 30, &u);
	assert_true(u.since_boot);
	assert_int_equal(u.np, 2);
	/* 75 s of CPU over its 100 s: 75% of one CPU; usr 65, sys 10 */
	assert_true(P(&u, 10)->ok);
	assert_float_equal(P(&u, 10)->pct, 75, 1e-9);
	assert_float_equal(P(&u, 10)->usr, 65, 1e-9);
	assert_float_equal(P(&u, 10)->sys, 10, 1e-9);
	assert_int_equal(P(&u, 10)->threads, 2);
	/* thread 11: 25 s over its 50 s */
	assert_int_equal(P(&u, 10)->top->k->tid, 10);
	assert_float_equal(u.t[1].pct, 50, 1e-9);
	assert_false(P(&u, 20)->ok);
	assert_int_equal(P(&u, 20)->why, PU_YOUNG);
	proc_use_why(&u, P(&u, 20), buf, sizeof(buf));
	assert_non_null(strstr(buf, "too young"));
	assert_true(P(&u, 10)->has_rss && P(&u, 10)->rss == 10 * (uint64_t)page);
	/* the busiest thread on CPU 1 is 11 (20 is too young to rank) */
	assert_int_equal(procs_busiest_on(&u, 1)->k->tid, 11);
	assert_null(procs_busiest_on(&u, 7));
	procs_use_free(&u);
	/* no uptime: nothing has a share */
	snap(&s, 1, -1, v, ARRAY_SIZE(v));
	procs_use(&s, NULL, 0, &u);
	assert_false(P(&u, 10)->ok);
	proc_use_why(&u, P(&u, 10), buf, sizeof(buf));
	assert_non_null(strstr(buf, "no uptime"));
	procs_use_free(&u);
}

static void interval(void **state)
{
	/* first reading at uptime 100 s, second 2 s later (when 1 -> 3).
	 * 10: thread 11 spun 2 s (200 ticks), 12 exited, 13 was born at
	 *     101 s and spun 0.5 s; 14 reuses no TID but was missed (started
	 *     at 50 s, not in the first reading): the process is unknown.
	 * 20: unchanged.  30: exited whole.  40: born whole at 100.5 s.
	 * 50: its counter went backwards.  60: a TID reused by a new thread. */
	struct task a[] = { T(10, 10, 0, 100, 0, 0),  T(10, 11, 0, 500, 0, 1),
			    T(10, 12, 0, 10, 0, 0),   T(20, 20, 0, 7, 7, 0),
			    T(30, 30, 0, 1, 1, 0),    T(50, 50, 0, 100, 100, 0),
			    T(60, 60, 0, 1, 0, 0),    T(60, 61, 10, 99999, 0, 0) };
	struct task b[] = { T(10, 10, 0, 100, 0, 0),   T(10, 11, 0, 700, 0, 1),
			    T(10, 13, 10100, 40, 10, 0), T(20, 20, 0, 7, 7, 0),
			    T(40, 40, 10050, 30, 20, 1), T(50, 50, 0, 90, 100, 0),
			    T(60, 60, 0, 1, 0, 0),     T(60, 61, 10150, 20, 0, 1) };
	struct task c[] = { T(10, 10, 0, 100, 0, 0), T(10, 14, 5000, 300, 0, 1) };
	struct cpu_snap s0, s1;
	struct procs_use u;
	size_t n, *idx;
	char buf[400];

	(void)state;
	snap(&s0, 1, 100, a, ARRAY_SIZE(a));
	snap(&s1, 3, 102, b, ARRAY_SIZE(b));
	procs_use(&s1, &s0, 0, &u);
	assert_false(u.since_boot);
	assert_float_equal(u.seconds, 2, 1e-9);
	/* 200 + 50 ticks in 2 s: 125% of one CPU, thread 11 100% */
	assert_true(P(&u, 10)->ok);
	assert_float_equal(P(&u, 10)->pct, 125, 1e-9);
	assert_int_equal(P(&u, 10)->top->k->tid, 11);
	assert_float_equal(P(&u, 10)->top->pct, 100, 1e-9);
	assert_float_equal(P(&u, 20)->pct, 0, 1e-9);
	/* born during the interval: counted whole, 50 ticks over 2 s */
	assert_true(P(&u, 40)->ok && P(&u, 40)->born);
	assert_float_equal(P(&u, 40)->pct, 25, 1e-9);
	assert_int_equal(u.born, 1);
	assert_false(P(&u, 50)->ok);
	/* 61 is a new thread under an old TID: its 20 ticks, not -99979 */
	assert_true(P(&u, 60)->ok);
	assert_float_equal(P(&u, 60)->pct, 10, 1e-9);
	assert_int_equal(u.threads_exited, 2);	/* 12, and 61's first holder */
	assert_int_equal(u.procs_exited, 1);	/* 30 */
	idx = procs_by_cpu(&u, &n);
	assert_int_equal(n, 5);
	assert_int_equal(u.p[idx[0]].pid, 10);
	assert_int_equal(u.p[idx[1]].pid, 40);
	assert_int_equal(u.p[idx[n - 1]].pid, 50);	/* unknown last */
	free(idx);
	idx = procs_by_rss(&u, &n);
	assert_int_equal(u.p[idx[0]].pid, 60);
	free(idx);
	procs_use_free(&u);
	/* a thread missing from the first reading though older than it */
	snap(&s1, 3, 102, c, ARRAY_SIZE(c));
	procs_use(&s1, &s0, 0, &u);
	assert_false(P(&u, 10)->ok);
	proc_use_why(&u, P(&u, 10), buf, sizeof(buf));
	assert_non_null(strstr(buf, "not in the first reading"));
	procs_use_free(&u);
}

static void unreadable(void **state)
{
	struct task v[] = { T(10, 10, 0, 100, 0, 0) };
	struct cpu_snap s;
	struct procs_use u;
	char buf[400];

	(void)state;
	v[0].has_times = v[0].has_start = v[0].has_name = v[0].has_rss = false;
	v[0].stat_errno = 13;
	snap(&s, 1, 100, v, 1);
	procs_use(&s, NULL, 0, &u);
	assert_false(u.p[0].ok);
	proc_use_why(&u, &u.p[0], buf, sizeof(buf));
	assert_non_null(strstr(buf, "stat"));
	assert_false(u.p[0].has_rss);
	procs_use_free(&u);
	/* no task table at all: nothing, and no crash */
	s.has_tasks = false;
	procs_use(&s, NULL, 0, &u);
	assert_int_equal(u.np, 0);
	procs_use_free(&u);
}

/* cpu_hot over shares made by hand */
static struct cpu_share S(int cpu, double busy)
{
	struct cpu_share s = { .cpu = cpu, .ok = true, .busy = busy, .ticks = 100 };

	for (int i = 0; i < SH_N; i++)
		s.has[i] = true;
	s.pct[SH_USR] = busy;
	s.pct[SH_IDLE] = 100 - busy;
	return s;
}

static const struct sbx_finding *hot(const struct cpu_share *per, size_t n,
				     const struct procs_use *u, struct sbx_report **r, int *cpu)
{
	struct cpu_share all = { .cpu = -1, .ok = true };

	*r = report_new("t");
	judge_cpu_hot(*r, per, n, &all, false, u, cpu);
	return find_check(*r, "cpu_hot");
}

static void cpu_hot(void **state)
{
	struct cpu_share idle[] = { S(0, 2), S(1, 1), S(2, 0), S(3, 3) };
	struct cpu_share busy[] = { S(0, 99), S(1, 80), S(2, 60), S(3, 70) };
	struct cpu_share one[] = { S(0, 5), S(1, 49), S(2, 2), S(3, 96) };
	struct cpu_share solo[] = { S(0, 100) };
	struct cpu_share off[] = { S(0, 1), S(1, 99), S(2, 0) };
	struct task v[] = { T(10, 10, 0, 0, 0, 3), T(10, 11, 0, 0, 0, 3), T(20, 20, 0, 0, 0, 1) };
	struct task w[] = { T(10, 10, 0, 10, 0, 3), T(10, 11, 0, 190, 0, 3), T(20, 20, 0, 300, 0, 1) };
	struct cpu_snap s0, s1;
	struct procs_use u;
	struct sbx_report *r;
	const struct sbx_finding *f;
	int cpu;

	(void)state;
	check_reset();
	/* an idle VM and a uniformly busy node: quiet */
	f = hot(idle, ARRAY_SIZE(idle), NULL, &r, &cpu);
	assert_int_equal(f->state, ST_OK);
	assert_int_equal(cpu, 3);
	report_free(r);
	f = hot(busy, ARRAY_SIZE(busy), NULL, &r, &cpu);
	assert_int_equal(f->state, ST_OK);
	assert_non_null(strstr(f->text, "spread"));
	report_free(r);
	/* one CPU at 96% while the rest average 18.7%: named, with the
	 * busiest thread that last ran there (thread 11, not 20 on CPU1) */
	snap(&s0, 1, 100, v, ARRAY_SIZE(v));
	snap(&s1, 3, 102, w, ARRAY_SIZE(w));
	procs_use(&s1, &s0, 0, &u);
	f = hot(one, ARRAY_SIZE(one), &u, &r, &cpu);
	assert_int_equal(f->state, ST_WARNING);
	assert_int_equal(cpu, 3);
	assert_non_null(strstr(f->text, "CPU3 96% busy"));
	assert_int_equal(f->nwho, 1);
	assert_int_equal(f->who[0].pid, 10);
	assert_non_null(strstr(f->who[0].name, "thread 11"));
	assert_float_equal(f->who[0].value, 95, 1e-9);
	report_free(r);
	/* the same over the threshold set higher: OK, no name */
	assert_true(check_set(CHK_CPU_HOT, false, "97"));
	f = hot(one, ARRAY_SIZE(one), &u, &r, &cpu);
	assert_int_equal(f->state, ST_OK);
	assert_int_equal(f->nwho, 0);
	report_free(r);
	check_reset();
	procs_use_free(&u);
	/* one CPU: nothing to compare */
	f = hot(solo, 1, NULL, &r, &cpu);
	assert_int_equal(f->state, ST_OK);
	report_free(r);
	/* a CPU without a share (came online) is left out, not read as idle */
	off[2].ok = false;
	f = hot(off, ARRAY_SIZE(off), NULL, &r, &cpu);
	assert_int_equal(f->state, ST_WARNING);
	assert_non_null(strstr(f->text, "other CPU is 1%"));
	report_free(r);
	/* no share at all: unknown with the reason */
	off[0].ok = off[1].ok = false;
	f = hot(off, ARRAY_SIZE(off), NULL, &r, &cpu);
	assert_int_equal(f->state, ST_UNKNOWN);
	report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(since_boot),
		cmocka_unit_test(interval),
		cmocka_unit_test(unreadable),
		cmocka_unit_test(cpu_hot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
