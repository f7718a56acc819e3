/* The scheduler probe's arithmetic (lib/cswitch.c) over task tables built
 * in memory: every case of matching two samples, ages, and limits. */
#include "unit.h"
#include "cswitch.h"

#include <errno.h>
#include <math.h>

static struct task T(int32_t tgid, int32_t tid, uint64_t start, uint64_t vol, uint64_t nonvol)
{
	struct task k = { .tgid = tgid, .tid = tid, .nlwp = 1, .state = 'S', .has_name = true,
			  .has_start = true, .has_switches = true, .stat_errno = -1,
			  .status_errno = -1, .start = start, .vol = vol, .nonvol = nonvol };

	snprintf(k.comm, sizeof(k.comm), "t%d", (int)tid);
	return k;
}

/* A snapshot over tasks sorted by (tgid, tid), as tasks_read leaves them. */
static void snap(struct cs_snap *s, double when, double uptime, struct task *v, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->when = when;
	s->uptime = uptime;
	s->has_tasks = true;
	s->tasks.v = v;
	s->tasks.n = n;
	s->tasks.hz = 100;
}

static const struct cs_proc *proc(const struct cs_tasks *t, int32_t tgid)
{
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].tgid == tgid)
			return &t->procs[i];
	fail_msg("no process %d", (int)tgid);
	return NULL;
}

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1, fabs(b));
}

static void since_boot(void **state)
{
	/* uptime 100 s: started at 0 s (age 100), at 90 s (age 10), in the
	 * very tick of the read (age one tick), 5 s in the future */
	struct task v[] = { T(10, 10, 0, 1000, 100), T(10, 11, 9000, 50, 0), T(20, 20, 10000, 3, 0),
			    T(30, 30, 10500, 7, 7), T(40, 40, 0, 9, 9) };
	struct cs_snap s;
	struct cs_tasks t;

	(void)state;
	snap(&s, 1, 100, v, ARRAY_SIZE(v));
	cs_tasks_rates(&s, NULL, 40, 0, &t);
	assert_int_equal(t.nprocs, 3);	/* 40 skipped */
	assert_int_equal(t.nrates, 4);
	assert_true(near(proc(&t, 10)->vol, 1000.0 / 100 + 50.0 / 10));
	assert_true(near(proc(&t, 10)->nonvol, 1));
	assert_int_equal(proc(&t, 10)->threads, 2);
	assert_true(near(proc(&t, 10)->age, 100));
	assert_true(near(proc(&t, 20)->vol, 300));
	assert_true(near(t.rates[2].age, 0.01));
	assert_int_equal(proc(&t, 30)->why, CS_FUTURE);
	assert_int_equal(t.seconds, 0);
	cs_tasks_free(&t);
	/* no uptime: counts stand, rates and ages do not */
	snap(&s, 1, -1, v, ARRAY_SIZE(v));
	cs_tasks_rates(&s, NULL, 0, 0, &t);
	assert_int_equal(proc(&t, 10)->why, CS_NO_UPTIME);
	assert_true(t.rates[0].age < 0);
	cs_tasks_free(&t);
}

static void interval(void **state)
{
	struct task a[] = { T(10, 10, 5, 100, 10), T(10, 11, 6, 200, 20), T(10, 12, 7, 300, 30),
			    T(10, 13, 8, 400, 40), T(20, 20, 9, 5, 5), T(30, 30, 9, 1, 1) };
	/* 10: 11 grew, 12 exited, 13 is a new thread under an old TID, 14 is
	 * new; 20 counted backwards; 30 exited whole; 50 is new */
	struct task b[] = { T(10, 10, 5, 100, 10), T(10, 11, 6, 260, 26), T(10, 13, 99, 4, 4),
			    T(10, 14, 99, 8, 0),   T(20, 20, 9, 4, 5),	  T(50, 50, 99, 2, 2) };
	struct cs_snap p, c;
	struct cs_tasks t;
	const struct cs_proc *x;

	(void)state;
	snap(&p, 10, 100, a, ARRAY_SIZE(a));
	snap(&c, 12, 102, b, ARRAY_SIZE(b));
	cs_tasks_rates(&c, &p, 0, 0, &t);
	assert_true(near(t.seconds, 2));
	x = proc(&t, 10);
	assert_true(near(x->vol, (60 + 4 + 8) / 2.0));
	assert_true(near(x->nonvol, (6 + 4) / 2.0));
	assert_int_equal(x->born, 2);
	assert_int_equal(x->exited, 2);	/* 12, and the old 13 */
	assert_int_equal(x->why, CS_OK);
	assert_int_equal(proc(&t, 20)->why, CS_BACKWARDS);
	assert_int_equal(proc(&t, 50)->born, 1);
	assert_true(near(proc(&t, 50)->vol, 1));
	assert_int_equal(t.threads_exited, 2);
	assert_int_equal(t.procs_exited, 1);
	cs_tasks_free(&t);
}

static void unreadable(void **state)
{
	struct task a[] = { T(10, 10, 5, 100, 10), T(10, 11, 5, 100, 10) };
	struct task b[] = { T(10, 10, 5, 150, 10), T(10, 11, 5, 0, 0) };
	struct cs_snap p, c;
	struct cs_tasks t;

	(void)state;
	b[1].has_switches = false;
	b[1].status_errno = EACCES;
	snap(&p, 10, 100, a, 2);
	snap(&c, 11, 101, b, 2);
	cs_tasks_rates(&c, &p, 0, 0, &t);
	assert_int_equal(proc(&t, 10)->why, CS_NO_STATUS);
	assert_ptr_equal(proc(&t, 10)->why_task, &b[1]);
	cs_tasks_free(&t);
	/* unreadable in the first sample only: still no increase to give */
	a[0].has_switches = false;
	a[0].status_errno = EACCES;
	cs_tasks_rates(&c, &p, 0, 0, &t);
	assert_int_equal(t.rates[0].why, CS_NO_STATUS);
	assert_ptr_equal(t.rates[0].why_task, &a[0]);
	assert_ptr_equal(t.rates[0].k, &b[0]);
	cs_tasks_free(&t);
	/* a process without task/: its status is the main thread's */
	b[0].whole_process = true;
	b[0].nlwp = 5;
	snap(&c, 11, 101, b, 1);
	cs_tasks_rates(&c, NULL, 0, 0, &t);
	assert_int_equal(proc(&t, 10)->why, CS_MAIN_ONLY);
	assert_int_equal(proc(&t, 10)->threads, 5);
	cs_tasks_free(&t);
	b[0].nlwp = 1;
	cs_tasks_rates(&c, NULL, 0, 0, &t);
	assert_int_equal(proc(&t, 10)->why, CS_OK);
	cs_tasks_free(&t);
}

static void system_rates(void **state)
{
	struct cs_snap p, c;
	struct cs_system r;

	(void)state;
	snap(&p, 10, 100, NULL, 0);
	snap(&c, 12, 102, NULL, 0);
	p.stat.has_ctxt = p.stat.has_intr = p.stat.has_processes = true;
	c.stat = p.stat;
	p.stat.ctxt = 1000;
	c.stat.ctxt = 3000;
	p.stat.intr = 500;
	c.stat.intr = 400;	/* backwards */
	p.stat.processes = 10;
	c.stat.processes = 16;
	cs_system_rates(&c, &p, &r);
	assert_true(r.ctxt.ok && near(r.ctxt.v, 1000));
	assert_false(r.intr.ok);
	assert_non_null(strstr(r.intr.why, "backwards"));
	assert_true(r.forks.ok && near(r.forks.v, 3));
	cs_system_rates(&c, NULL, &r);
	assert_true(near(r.ctxt.v, 3000 / 102.0) && near(r.seconds, 102));
	c.uptime = -1;
	snprintf(c.uptime_err.msg, sizeof(c.uptime_err.msg), "/proc/uptime: missing");
	cs_system_rates(&c, NULL, &r);
	assert_false(r.ctxt.ok);
	assert_string_equal(r.ctxt.why, "/proc/uptime: missing; use -i SECONDS");
}

static void task_limit(void **state)
{
	struct cs_snap s;
	struct cs_limit l;

	(void)state;
	snap(&s, 1, 1, NULL, 0);
	s.has_load = s.has_pid_max = s.has_threads_max = true;
	s.load.tasks = 719;
	s.pid_max = 123;
	s.threads_max = 7801;
	cs_task_limit(&s, &l);
	assert_true(l.ok && l.limit == 123 && near(l.ratio, 719.0 / 123));
	assert_string_equal(l.limited_by, "kernel.pid_max");
	s.pid_max = 4194304;
	cs_task_limit(&s, &l);
	assert_true(l.limit == 7801);
	assert_string_equal(l.limited_by, "kernel.threads-max");
	s.has_pid_max = false;
	snprintf(s.pid_max_err.msg, sizeof(s.pid_max_err.msg), "pid_max: missing");
	cs_task_limit(&s, &l);
	assert_false(l.ok);
	assert_string_equal(l.why, "pid_max: missing");
	s.has_pid_max = true;
	s.pid_max = 0;
	s.threads_max = 0;
	cs_task_limit(&s, &l);
	assert_false(l.ok);
}

/* Since boot, a task younger than the sample has no rate since start:
 * three switches in one tick of age would rank it first at 300/s. */
static void young_not_ranked(void **state)
{
	struct task v[] = { T(10, 10, 0, 1000, 0), T(20, 20, 9990, 3, 0) };
	struct cs_snap s;
	struct cs_tasks t;
	char why[200];

	(void)state;
	snap(&s, 1, 100, v, ARRAY_SIZE(v));
	cs_tasks_rates(&s, NULL, 0, 0.5, &t);
	assert_int_equal(proc(&t, 10)->why, CS_OK);
	assert_true(near(proc(&t, 10)->vol, 10));
	assert_int_equal(proc(&t, 20)->why, CS_YOUNG);	/* 0.1 s old */
	cs_why_text(CS_YOUNG, &v[1], why, sizeof(why));
	assert_string_equal(why, "started less than a sample ago: no rate since start; -i SECONDS "
			    "measures it");
	cs_tasks_free(&t);
	/* with min_age 0 (the old rule) it would be rated */
	cs_tasks_rates(&s, NULL, 0, 0, &t);
	assert_int_equal(proc(&t, 20)->why, CS_OK);
	cs_tasks_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(young_not_ranked),
		cmocka_unit_test(since_boot),	cmocka_unit_test(interval),
		cmocka_unit_test(unreadable),	cmocka_unit_test(system_rates),
		cmocka_unit_test(task_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
