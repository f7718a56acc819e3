/* The scheduler's judgments (lib/check/judge_sched.c) at their threshold
 * boundaries, the run queue averaged over several readings, and every
 * input that cannot be judged: unknown with the reason, never 0. */
#include <unistd.h>

#include "unit.h"
#include "report.h"
#include "judge_sched.h"

static enum sbx_state runq_state(const uint64_t *readings, size_t n, size_t ncpu, unsigned self)
{
	struct cs_runq q;
	struct sched_in in = { .ncpu = ncpu, .seconds = 0.5 };
	struct sbx_report *r = report_new("t");
	enum sbx_state st;

	cs_runq_reset(&q);
	for (size_t i = 0; i < n; i++)
		cs_runq_add(&q, readings[i], true, 0, self);
	in.rq = &q;
	judge_runqueue(r, &in);
	st = find_check(r, "runqueue")->state;
	report_free(r);
	return st;
}

static void runq_is_averaged(void **state)
{
	/* one reading of 9 on 2 CPUs would be CRITICAL (4.5 per CPU); over
	 * six readings the queue averages 2.5 per CPU: WARNING */
	static const uint64_t burst[] = { 9, 4, 4, 5, 4, 4 };
	/* srebox's own reading thread left out: 5 readings of 5 are 4 each */
	static const uint64_t five[] = { 5, 5, 5, 5, 5 };
	struct cs_runq q;
	double run, blk;

	(void)state;
	check_reset();
	assert_int_equal(runq_state(burst, 1, 2, 0), ST_CRITICAL);
	assert_int_equal(runq_state(burst, ARRAY_SIZE(burst), 2, 0), ST_WARNING);
	cs_runq_reset(&q);
	for (size_t i = 0; i < ARRAY_SIZE(five); i++)
		cs_runq_add(&q, five[i], true, 1, 1);
	assert_true(cs_runq_avg(&q, &run, &blk));
	assert_float_equal(run, 4, 1e-9);
	assert_float_equal(blk, 1, 1e-9);
	assert_int_equal(q.running_max, 4);
	/* self never makes a reading negative */
	cs_runq_reset(&q);
	cs_runq_add(&q, 0, false, 0, 1);
	assert_true(cs_runq_avg(&q, &run, &blk));
	assert_float_equal(run, 0, 1e-9);
	assert_true(blk < 0);	/* no procs_blocked: unknown, not 0 */
	cs_runq_reset(&q);
	assert_false(cs_runq_avg(&q, &run, &blk));
}

/* Time-averaged: busy plus waiting time over the time elapsed, from the
 * first and last readings' points, in place of the readings' average. */
static void runq_is_timed(void **state)
{
	struct cs_runq q;
	struct sched_in in = { .ncpu = 2, .seconds = 2 };
	struct sbx_report *r;
	const struct sbx_finding *f;
	double run, blk;
	char how[200];
	long hz = sysconf(_SC_CLK_TCK);

	(void)state;
	check_reset();
	cs_runq_reset(&q);
	/* two readings of 9 runnable: 4.5 per CPU, CRITICAL as readings */
	cs_runq_add(&q, 9, true, 2, 0);
	cs_runq_add(&q, 9, true, 0, 0);
	q.first = (struct cs_runq_point){ .ok = true, .when = 100, .busy = 1000, .forks = 7,
					  .ncpu = 2, .has_wait = true, .wait_ncpu = 2, .wait_ns = 5 };
	q.last = q.first;
	/* 2 s later: 3 s of CPU busy and 3.5 s waited, srebox 0.5 s of it */
	q.last.when = 102;
	q.last.busy = 1000 + 3 * (uint64_t)hz;
	q.last.wait_ns = 5 + 3500000000ULL;
	q.last.self_cpu = 0.25;
	q.last.self_wait = 0.25;
	assert_true(cs_runq_timed(&q));
	assert_true(cs_runq_avg(&q, &run, &blk));
	assert_float_equal(run, 3.0, 1e-9);	/* (3 + 3.5 - 0.5) / 2 */
	assert_float_equal(blk, 1, 1e-9);	/* blocked: the readings' */
	cs_runq_how(&q, 2, how, sizeof(how));
	assert_string_equal(how, "time-averaged over 2.00s from CPU busy time and "
				 "/proc/schedstat's run delay");
	in.rq = &q;
	r = report_new("t");
	judge_runqueue(r, &in);
	f = find_check(r, "runqueue");
	assert_int_equal(f->state, ST_OK);	/* 1.5 per CPU */
	assert_non_null(strstr(f->text, "3.0 runnable on 2 CPUs: 1.50 per CPU (run queue at most 9 "
				       "at the interval's ends, time-averaged over 2.00s"));
	report_free(r);
	/* a CPU came or went, a counter went back, no time passed: the
	 * readings stand, and say so */
	q.last.wait_ncpu = 3;
	assert_false(cs_runq_timed(&q));
	assert_true(cs_runq_avg(&q, &run, &blk));
	assert_float_equal(run, 9, 1e-9);
	cs_runq_how(&q, 2, how, sizeof(how));
	assert_string_equal(how, "averaged over 2 readings in 2.00s");
	q.last.wait_ncpu = 2;
	q.last.busy = 999;
	assert_false(cs_runq_timed(&q));
	q.last.busy = 1000;
	q.last.when = 100;
	assert_false(cs_runq_timed(&q));
	/* without /proc/schedstat nor each task's (no shared task table
	 * here): readings, and the readings inside the interval are wanted */
	q.last.when = 102;
	q.first.has_wait = q.last.has_wait = false;
	assert_false(cs_runq_timed(&q));
	assert_true(cs_runq_ticks(&q));
	q.first.has_wait = true;
	assert_false(cs_runq_ticks(&q));
	/* one reading is never timed */
	q.n = 1;
	assert_false(cs_runq_timed(&q));
}

/* An interval's last reading begins the next (cs_runq_restart), and the
 * tick after the report takes none of its own; live /proc/stat. */
static void runq_carried(void **state)
{
	struct cs_runq q;
	struct cs_runq_point end;
	uint64_t running;

	(void)state;
	cs_runq_reset(&q);
	assert_int_equal(cs_runq_tick(&q, 0), 0);
	usleep(20000);
	assert_int_equal(cs_runq_tick(&q, 1), 0);
	assert_int_equal(q.n, 2);
	assert_true(q.first.ok && q.last.ok && q.last.when > q.first.when);
	end = q.last;
	running = q.latest.running;
	cs_runq_restart(&q);
	assert_int_equal(q.n, 1);
	assert_true(q.carried);
	assert_memory_equal(&q.first, &end, sizeof(end));
	assert_float_equal(q.running, (double)running, 0);
	assert_int_equal(q.running_max, running);
	assert_true(q.has_blocked);
	/* the tick after the report: the carried reading is its */
	assert_int_equal(cs_runq_tick(&q, 1), 0);
	assert_int_equal(q.n, 1);
	assert_false(q.carried);
	/* the next one reads */
	usleep(20000);
	assert_int_equal(cs_runq_tick(&q, 1), 0);
	assert_int_equal(q.n, 2);
	assert_memory_equal(&q.first, &end, sizeof(end));
	assert_true(q.last.when > end.when);
	/* a report since boot has a reading without a point: nothing to carry */
	cs_runq_reset(&q);
	cs_runq_add(&q, 3, true, 0, 0);
	cs_runq_restart(&q);
	assert_int_equal(q.n, 0);
	assert_false(q.carried);
	cs_runq_restart(&q);
	assert_int_equal(q.n, 0);
}

static void boundaries(void **state)
{
	/* runqueue 2/4 per CPU: 4 on 2 CPUs is 2.0, not above 2 */
	static const uint64_t r4[] = { 4 }, r5[] = { 5 }, r8[] = { 8 }, r9[] = { 9 };
	struct sbx_report *r;
	struct loadavg la = { .load1 = 3.0, .load5 = 1, .load15 = 1 };
	struct cs_runq q;
	struct cs_system sys = { .seconds = 1, .ctxt = { .ok = true, .v = 100000 },
				 .forks = { .ok = true, .v = 3 } };
	struct cs_limit lim = { .ok = true, .used = 80, .limit = 100, .ratio = 0.8,
				.limited_by = "kernel.pid_max" };
	struct sched_in in = { .ncpu = 2, .load = &la, .rq = &q, .sys = &sys, .lim = &lim };

	(void)state;
	check_reset();
	assert_int_equal(runq_state(r4, 1, 2, 0), ST_OK);
	assert_int_equal(runq_state(r5, 1, 2, 0), ST_WARNING);
	assert_int_equal(runq_state(r8, 1, 2, 0), ST_WARNING);
	assert_int_equal(runq_state(r9, 1, 2, 0), ST_CRITICAL);
	cs_runq_reset(&q);
	cs_runq_add(&q, 1, true, 2, 0);
	r = report_new("t");
	judge_sched(r, &in);
	/* load 3.0 on 2 CPUs = 1.5: the warning boundary, OK */
	assert_int_equal(find_check(r, "load")->state, ST_OK);
	assert_string_equal(find_check(r, "load")->text,
			    "load 3.00 on 2 CPUs: 1.50 per CPU (5m 1.00, 15m 1.00); the load counts "
			    "runnable and uninterruptible tasks: now 1 runnable, 2 blocked on block I/O");
	/* blocked 2 on 2 CPUs = 1.0: the boundary, OK */
	assert_int_equal(find_check(r, "blocked")->state, ST_OK);
	/* switches 100000/s on 2 CPUs = 50000 per CPU: the boundary, OK */
	assert_int_equal(find_check(r, "switches")->state, ST_OK);
	assert_float_equal(find_check(r, "switches")->value, 50000, 1e-9);
	/* pids 80%: the boundary, OK; forks never judged */
	assert_int_equal(find_check(r, "pids")->state, ST_OK);
	assert_string_equal(find_check(r, "pids")->text, "tasks 80 of 100 (80.0%, the limit of "
			    "kernel.pid_max; kubelet pid.available 20)");
	assert_int_equal(find_check(r, "forks")->state, ST_OK);
	report_free(r);
	/* one step past each */
	la.load1 = 3.02;
	cs_runq_reset(&q);
	cs_runq_add(&q, 1, true, 3, 0);
	sys.ctxt.v = 100002;
	lim.used = 81, lim.ratio = 0.81;
	r = report_new("t");
	judge_sched(r, &in);
	assert_int_equal(find_check(r, "load")->state, ST_WARNING);
	assert_int_equal(find_check(r, "blocked")->state, ST_WARNING);
	assert_int_equal(find_check(r, "switches")->state, ST_WARNING);
	assert_int_equal(find_check(r, "pids")->state, ST_WARNING);
	report_free(r);
	/* zombies 5/10 */
	r = report_new("t");
	judge_zombies(r, true, 5, "", NULL);
	judge_zombies(r, true, 6, "a (pid 1)", NULL);
	judge_zombies(r, true, 11, "", NULL);
	assert_int_equal(r->findings[0].state, ST_OK);
	assert_int_equal(r->findings[1].state, ST_WARNING);
	assert_string_equal(r->findings[1].text, "6 zombie processes: a (pid 1)");
	assert_int_equal(r->findings[2].state, ST_CRITICAL);
	report_free(r);
}

static void unknowns(void **state)
{
	struct cs_runq q;
	struct cs_system sys = { .ctxt = { .why = "/proc/stat ctxt went backwards between the "
					   "readings (a reboot, or another tree?)" },
				 .forks = { .why = "no 'processes' line in /proc/stat" } };
	struct cs_limit lim = { .why = "x/proc/sys/kernel/pid_max: missing" };
	struct sched_dstate d;
	struct sched_in in = { .ncpu = 0, .ncpu_why = "x/proc/stat: missing", .load_why = "no load",
			       .rq = &q, .sys = &sys, .lim = &lim, .d = &d };
	struct sbx_report *r = report_new("t");
	struct cpu_share cpu = { .cpu = -1, .ok = false, .why = "counters went backwards" };

	(void)state;
	check_reset();
	cs_runq_reset(&q);
	cs_runq_add(&q, 3, true, 0, 0);
	sched_dstate_unknown(&d, "x/proc: permission denied");
	judge_sched(r, &in);
	judge_cpu(r, &cpu, false);
	for (size_t i = 0; i < r->nfind; i++)
		assert_int_equal(r->findings[i].state, ST_UNKNOWN);
	/* no CPU count is not "1 CPUs" */
	assert_string_equal(find_check(r, "runqueue")->text, "run queue: per CPU unknown: x/proc/stat: missing");
	assert_string_equal(find_check(r, "switches")->text, "switches: /proc/stat ctxt went backwards "
			    "between the readings (a reboot, or another tree?)");
	assert_string_equal(find_check(r, "cpu")->text, "CPU busy: counters went backwards");
	assert_string_equal(find_check(r, "dstate")->text, "D state: x/proc: permission denied");
	report_free(r);
}

static void cpu_steps(void **state)
{
	struct cpu_share c = { .cpu = -1, .ok = true, .busy = 37, .ticks = 50 };
	struct sbx_report *r = report_new("t");

	(void)state;
	check_reset();
	/* 0.25 s on 2 CPUs: 50 ticks, 2% steps, said */
	judge_cpu(r, &c, false);
	c.ticks = 2000;
	c.busy = 37.25;
	judge_cpu(r, &c, false);
	judge_cpu(r, &c, true);
	assert_string_equal(r->findings[0].text, "CPU 37% busy (to within 2%: 50 ticks sampled)");
	assert_string_equal(r->findings[1].text, "CPU 37.2% busy");
	assert_string_equal(r->findings[2].text, "CPU 37% busy (average since boot)");
	report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runq_is_averaged),
		cmocka_unit_test(runq_is_timed),
		cmocka_unit_test(runq_carried),
		cmocka_unit_test(boundaries),
		cmocka_unit_test(unknowns),
		cmocka_unit_test(cpu_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
