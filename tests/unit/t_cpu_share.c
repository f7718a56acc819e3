/* CPU time shares: mpstat's arithmetic, hot-plug, counters going backwards. */
#include "unit.h"
#include "cpu_share.h"

static void stat_of(const char *text, struct proc_stat *s)
{
	struct sbx_err e;

	assert_int_equal(parse_stat(text, strlen(text), "stat", s, &e), 0);
}

static void guest_is_inside_user(void **state)
{
	struct proc_stat a, b;
	struct cpu_share all, *per;
	size_t n;

	(void)state;
	stat_of("cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\nintr 0\nctxt 0\n", &a);
	/* 100 ticks: user 40 of which guest 30, nice 10 of which gnice 5,
	 * system 10, idle 20, iowait 5, irq 5, softirq 5, steal 5 */
	stat_of("cpu  40 10 10 20 5 5 5 5 30 5\ncpu0 40 10 10 20 5 5 5 5 30 5\nintr 0\nctxt 0\n", &b);
	cpu_shares(&b, &a, &all, &per, &n);
	assert_true(all.ok);
	assert_int_equal(n, 1);
	assert_true(per[0].ok);
	assert_float_equal(all.pct[SH_USR], 10, 1e-9);
	assert_float_equal(all.pct[SH_NICE], 5, 1e-9);
	assert_float_equal(all.pct[SH_GUEST], 30, 1e-9);
	assert_float_equal(all.pct[SH_IRQ] + all.pct[SH_SOFT], 10, 1e-9);
	assert_float_equal(all.busy, 75, 1e-9);
	free(per);
	proc_stat_free(&a);
	proc_stat_free(&b);
}

static void hotplugged_cpu_is_not_credited(void **state)
{
	struct proc_stat a, b;
	struct cpu_share all, *per;
	size_t n;

	(void)state;
	/* CPU1 comes online with a big since-boot count, all of it busy */
	stat_of("cpu  0 0 0 100 0 0 0 0\ncpu0 0 0 0 100 0 0 0 0\nintr 0\nctxt 0\n", &a);
	stat_of("cpu  900000 0 0 200 0 0 0 0\ncpu0 0 0 0 200 0 0 0 0\n"
		"cpu1 900000 0 0 0 0 0 0 0\nintr 0\nctxt 0\n", &b);
	cpu_shares(&b, &a, &all, &per, &n);
	assert_true(all.ok);
	assert_float_equal(all.busy, 0, 1e-9);
	assert_false(per[1].ok);
	assert_non_null(strstr(per[1].why, "came online"));
	assert_non_null(strstr(all.why, "1 of 2 CPUs left out"));
	free(per);
	proc_stat_free(&a);
	proc_stat_free(&b);
}

static void backwards_is_unknown_not_zero(void **state)
{
	struct proc_stat a, b;
	struct cpu_share all, *per;
	size_t n;

	(void)state;
	stat_of("cpu  10 0 0 100 7 0 0 0\ncpu0 10 0 0 100 7 0 0 0\nintr 0\nctxt 0\n", &a);
	stat_of("cpu  20 0 0 150 3 0 0 0\ncpu0 20 0 0 150 3 0 0 0\nintr 0\nctxt 0\n", &b);
	cpu_shares(&b, &a, &all, &per, &n);
	assert_false(per[0].ok);
	assert_non_null(strstr(per[0].why, "iowait counter went backwards"));
	assert_false(all.ok);
	assert_non_null(strstr(all.why, "CPU0"));
	free(per);
	proc_stat_free(&a);
	proc_stat_free(&b);
}

static void old_kernel_and_since_boot(void **state)
{
	struct proc_stat b;
	struct cpu_share all;

	(void)state;
	/* 2.4-era: four fields, no per-CPU lines */
	stat_of("cpu  30 0 20 50\nintr 0\nctxt 0\n", &b);
	cpu_shares(&b, NULL, &all, NULL, NULL);
	assert_true(all.ok);
	assert_false(all.has[SH_STEAL]);
	assert_float_equal(all.busy, 50, 1e-9);
	proc_stat_free(&b);
	/* no time at all */
	stat_of("cpu  0 0 0 0\nintr 0\nctxt 0\n", &b);
	cpu_shares(&b, NULL, &all, NULL, NULL);
	assert_false(all.ok);
	proc_stat_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guest_is_inside_user),
		cmocka_unit_test(hotplugged_cpu_is_not_credited),
		cmocka_unit_test(backwards_is_unknown_not_zero),
		cmocka_unit_test(old_kernel_and_since_boot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
