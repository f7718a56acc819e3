/* The CPU-throttling judges (lib/check/judge_throttle.c) over snapshots
 * built by hand: every threshold boundary, zero periods, counters going
 * backwards, unreadable sources, and the worst finding being the same
 * whether one or all are listed (health and throttle). */
#include "unit.h"
#include "check.h"
#include "judge_throttle.h"
#include "procfs.h"

#include <math.h>

static void add_cg(struct thr_snap *s, const char *path, uint64_t ino, uint64_t periods,
		   uint64_t thr)
{
	struct thr_cgroup *c;

	s->nhier = 1;
	s->cg = xreallocarray(s->cg, s->ncg + 1, sizeof(*s->cg));
	c = &s->cg[s->ncg++];
	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	c->ino = ino;
	c->st.has_periods = true;
	c->st.nr_periods = periods;
	c->st.nr_throttled = thr;
	c->has_limit = true;
	c->limit = (struct cg_cpu_limit){ 50000, 100000 };
	k8s_cgroup_parse(c->path, &c->k8s);
	s->cg_seen = s->ncg;
}

/* Findings of one check, in the order the judge made them. */
static size_t of(const struct sbx_report *r, const char *check, const struct sbx_finding **out,
		 size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nfind && n < max; i++)
		if (!strcmp(r->findings[i].check, check))
			out[n++] = &r->findings[i];
	return n;
}

static const struct sbx_finding *one(const struct sbx_report *r, const char *check)
{
	const struct sbx_finding *f[8];

	assert_int_equal(of(r, check, f, 8), 1);
	return f[0];
}

static void free_snap(struct thr_snap *s)
{
	/* the hierarchy list is not filled by hand */
	s->nhier = 0;
	throttle_snap_free(s);
}

static void cfs_boundaries(void **state)
{
	static const struct {
		uint64_t thr;
		enum sbx_state st;
		const char *text;
	} b[] = {
		{ 249, ST_OK, "CFS quota: most throttled cgroup /a at 24.9% of 1000 periods since creation" },
		{ 250, ST_OK, "CFS quota: most throttled cgroup /a at 25% of 1000 periods since creation" },
		{ 251, ST_WARNING, "cgroup /a: throttled in 25.1% of 1000 periods since creation" },
	};

	(void)state;
	check_reset();
	for (size_t i = 0; i < ARRAY_SIZE(b); i++) {
		struct thr_snap s = { 0 };
		struct sbx_report *r = report_new("t");
		const struct sbx_finding *f;

		add_cg(&s, "/a", 1, 1000, b[i].thr);
		judge_cfs(r, &s, NULL, JUDGE_CFS_MIN_PERIODS, 10);
		f = one(r, "cfs");
		assert_int_equal(f->state, b[i].st);
		assert_string_equal(f->text, b[i].text);
		assert_true(f->has_value && fabs(f->value - (double)b[i].thr / 10) < 1e-9);
		/* perfdata label: the catalogue's id, with the cgroup when it is flagged */
		assert_string_equal(f->label, b[i].st == ST_OK ? "cfs" : "cfs:/a");
		assert_string_equal(f->metric, "cfs_throttled_ratio");
		report_free(r);
		free_snap(&s);
	}
	/* -w cfs=10 -c cfs=24: the thresholds in force, not the defaults */
	{
		struct thr_snap s = { 0 };
		struct sbx_report *r = report_new("t");

		assert_true(check_set(CHK_CFS, false, "10"));
		assert_true(check_set(CHK_CFS, true, "24"));
		add_cg(&s, "/a", 1, 1000, 249);
		judge_cfs(r, &s, NULL, JUDGE_CFS_MIN_PERIODS, 10);
		assert_int_equal(one(r, "cfs")->state, ST_CRITICAL);
		report_free(r);
		free_snap(&s);
		check_reset();
	}
}

static void cfs_periods(void **state)
{
	struct thr_snap s = { 0 };
	struct sbx_report *r;
	const struct sbx_finding *f;

	(void)state;
	/* a limited cgroup that never ran: not throttled, 0 */
	add_cg(&s, "/idle", 1, 0, 0);
	r = report_new("t");
	judge_cfs(r, &s, NULL, JUDGE_CFS_MIN_PERIODS, 10);
	f = one(r, "cfs");
	assert_int_equal(f->state, ST_OK);
	assert_true(f->has_value && f->value == 0);
	assert_non_null(strstr(f->text, "no throttling in 1 cgroup with a CPU limit"));
	report_free(r);
	/* 4 of 4 periods throttled: too few to judge, and no 0 made up */
	s.cg[0].st.nr_periods = s.cg[0].st.nr_throttled = 4;
	r = report_new("t");
	judge_cfs(r, &s, NULL, JUDGE_CFS_MIN_PERIODS, 10);
	f = one(r, "cfs");
	assert_int_equal(f->state, ST_OK);
	assert_null(f->label);
	assert_non_null(strstr(f->text, "fewer than 5 periods"));
	report_free(r);
	/* with 5 it is judged */
	s.cg[0].st.nr_periods = s.cg[0].st.nr_throttled = 5;
	r = report_new("t");
	judge_cfs(r, &s, NULL, JUDGE_CFS_MIN_PERIODS, 10);
	assert_int_equal(one(r, "cfs")->state, ST_WARNING);
	report_free(r);
	free_snap(&s);
}

static void cfs_interval(void **state)
{
	struct thr_snap a = { 0 }, b = { 0 };
	struct sbx_report *r;
	const struct sbx_finding *f[8];
	size_t n;

	(void)state;
	a.when = 100;
	b.when = 101;
	add_cg(&a, "/back", 1, 100, 50);
	add_cg(&a, "/ok", 2, 100, 0);
	add_cg(&b, "/back", 1, 50, 50);		/* nr_periods went backwards */
	add_cg(&b, "/ok", 2, 110, 0);		/* 10 periods, none throttled */
	add_cg(&b, "/new", 3, 20, 10);		/* created in the interval */
	r = report_new("t");
	judge_cfs(r, &b, &a, JUDGE_CFS_MIN_PERIODS, 10);
	n = of(r, "cfs", f, 8);
	assert_int_equal(n, 2);
	assert_int_equal(f[0]->state, ST_WARNING);
	assert_string_equal(f[0]->subject, "/new");
	assert_string_equal(f[0]->text,
			    "cgroup /new: throttled in 50% of 20 periods (created during the interval)");
	assert_int_equal(f[1]->state, ST_UNKNOWN);
	assert_string_equal(f[1]->subject, "/back");
	assert_non_null(strstr(f[1]->text, "nr_periods went backwards (100 to 50)"));
	assert_false(f[1]->has_value);
	report_free(r);
	/* nothing flagged: the unknown one, and the all-clear of the rest */
	b.cg[2].st.nr_throttled = 0;
	r = report_new("t");
	judge_cfs(r, &b, &a, JUDGE_CFS_MIN_PERIODS, 10);
	n = of(r, "cfs", f, 8);
	assert_int_equal(n, 2);
	assert_int_equal(f[0]->state, ST_UNKNOWN);
	assert_int_equal(f[1]->state, ST_OK);
	assert_null(f[1]->subject);
	assert_true(f[1]->has_value && f[1]->value == 0);
	report_free(r);
	/* nr_throttled backwards */
	b.cg[0].st.nr_periods = 200;
	b.cg[0].st.nr_throttled = 10;
	r = report_new("t");
	judge_cfs(r, &b, &a, JUDGE_CFS_MIN_PERIODS, 10);
	n = of(r, "cfs", f, 8);
	assert_non_null(strstr(f[0]->text, "nr_throttled went backwards (50 to 10)"));
	report_free(r);
	free_snap(&a);
	free_snap(&b);
}

static void cfs_worst_same(void **state)
{
	struct thr_snap s = { 0 };
	struct sbx_report *all = report_new("throttle"), *worst = report_new("health");
	const struct sbx_finding *fa[8], *fw[8];

	(void)state;
	add_cg(&s, "/b", 2, 100, 40);
	add_cg(&s, "/a", 1, 100, 90);
	add_cg(&s, "/c", 3, 100, 60);
	add_cg(&s, "/d", 4, 100, 1);
	judge_cfs(all, &s, NULL, JUDGE_CFS_MIN_PERIODS, 10);
	judge_cfs(worst, &s, NULL, JUDGE_CFS_MIN_PERIODS, 1);
	assert_int_equal(of(all, "cfs", fa, 8), 3);
	assert_int_equal(of(worst, "cfs", fw, 8), 2);
	/* the worst first, the same in both */
	assert_string_equal(fa[0]->subject, "/a");
	assert_string_equal(fw[0]->subject, fa[0]->subject);
	assert_string_equal(fw[0]->text, fa[0]->text);
	assert_string_equal(fw[0]->label, fa[0]->label);
	assert_true(fw[0]->value == fa[0]->value && fw[0]->state == fa[0]->state);
	assert_string_equal(fw[1]->subject, "others");
	assert_int_equal(fw[1]->state, ST_WARNING);
	assert_non_null(strstr(fw[1]->text, "2 more cgroups"));
	report_free(all);
	report_free(worst);
	/* a tree that could not be read is no all-clear */
	s.cg_error = xstrdup("/sys/fs/cgroup/x: permission denied");
	for (size_t i = 0; i < s.ncg; i++)
		s.cg[i].st.nr_throttled = 0;
	all = report_new("t");
	judge_cfs(all, &s, NULL, JUDGE_CFS_MIN_PERIODS, 10);
	assert_int_equal(one(all, "cfs")->state, ST_UNKNOWN);
	assert_non_null(strstr(one(all, "cfs")->text, "permission denied; of the cgroups read, no throttling"));
	report_free(all);
	free_snap(&s);
	/* no hierarchy: absent, said */
	memset(&s, 0, sizeof(s));
	s.cg_note = xstrdup("no cgroup hierarchy with the cpu controller under /sys/fs/cgroup");
	all = report_new("t");
	judge_cfs(all, &s, NULL, JUDGE_CFS_MIN_PERIODS, 10);
	assert_int_equal(one(all, "cfs")->state, ST_OK);
	report_free(all);
	throttle_snap_free(&s);
}

static void add_cpu(struct thr_snap *s, unsigned id, uint64_t max, uint64_t bios)
{
	struct thr_cpu *c;

	s->cpus = xreallocarray(s->cpus, s->ncpus + 1, sizeof(*s->cpus));
	c = &s->cpus[s->ncpus++];
	memset(c, 0, sizeof(*c));
	c->cpu = id;
	c->has_cpufreq = true;
	c->has_hw_max = true;
	c->hw_max_khz = 1000000;
	c->has_max = true;
	c->max_khz = max;
	c->has_bios = bios != 0;
	c->bios_khz = bios;
	s->any_cpufreq = true;
}

static void freq_boundaries(void **state)
{
	static const struct {
		uint64_t khz;
		enum sbx_state st;
	} b[] = { { 890000, ST_WARNING }, { 900000, ST_OK }, { 1000000, ST_OK } };
	struct thr_snap s = { 0 };
	struct sbx_report *r;
	const struct sbx_finding *f[8];

	(void)state;
	check_reset();
	for (size_t i = 0; i < ARRAY_SIZE(b); i++) {
		memset(&s, 0, sizeof(s));
		add_cpu(&s, 0, b[i].khz, 0);
		add_cpu(&s, 1, b[i].khz, 0);
		r = report_new("t");
		judge_freq(r, &s, 10);
		assert_int_equal(one(r, "freq")->state, b[i].st);
		assert_true(fabs(one(r, "freq")->value - (double)b[i].khz / 10000) < 1e-9);
		if (b[i].st != ST_OK)
			assert_string_equal(one(r, "freq")->subject, "0-1");
		report_free(r);
		/* -c freq=95: */
		assert_true(check_set(CHK_FREQ, true, "95:"));
		r = report_new("t");
		judge_freq(r, &s, 10);
		assert_int_equal(one(r, "freq")->state, b[i].khz < 950000 ? ST_CRITICAL : ST_OK);
		report_free(r);
		check_reset();
		throttle_snap_free(&s);
	}
	/* groups worst first; bios_limit under scaling_max_freq wins */
	memset(&s, 0, sizeof(s));
	add_cpu(&s, 0, 800000, 0);
	add_cpu(&s, 1, 1000000, 600000);
	add_cpu(&s, 2, 800000, 0);
	add_cpu(&s, 3, 1000000, 0);
	r = report_new("t");
	judge_freq(r, &s, 10);
	assert_int_equal(of(r, "freq", f, 8), 2);
	assert_string_equal(f[0]->subject, "1");
	assert_non_null(strstr(f[0]->text, "CPU 1: bios_limit 600 MHz caps it at 60%"));
	assert_string_equal(f[1]->subject, "0,2");
	report_free(r);
	/* a cpufreq file there that would not be read */
	s.cpus[3].has_max = false;
	s.cpus[3].freq_why = xstrdup("/sys/x/scaling_max_freq: permission denied");
	r = report_new("t");
	judge_freq(r, &s, 1);
	assert_int_equal(of(r, "freq", f, 8), 2);
	assert_string_equal(f[0]->subject, "1");
	assert_string_equal(f[1]->subject, "others");
	assert_int_equal(f[1]->state, ST_WARNING);
	report_free(r);
	throttle_snap_free(&s);
	/* no cpuinfo_max_freq: absent, said; an unreadable cpu dir: unknown */
	memset(&s, 0, sizeof(s));
	add_cpu(&s, 0, 800000, 0);
	s.cpus[0].has_hw_max = false;
	r = report_new("t");
	judge_freq(r, &s, 10);
	assert_int_equal(one(r, "freq")->state, ST_OK);
	assert_false(one(r, "freq")->has_value);
	report_free(r);
	s.cpu_error = xstrdup("/sys/devices/system/cpu: permission denied");
	r = report_new("t");
	judge_freq(r, &s, 10);
	assert_int_equal(one(r, "freq")->state, ST_UNKNOWN);
	report_free(r);
	throttle_snap_free(&s);
}

static void thermal_cpus(struct thr_snap *s, double when, uint64_t core0, uint64_t pkg)
{
	memset(s, 0, sizeof(*s));
	s->when = when;
	s->uptime = 3600;
	s->any_thermal = true;
	s->ncpus = 2;
	s->cpus = xcalloc(2, sizeof(*s->cpus));
	for (unsigned c = 0; c < 2; c++)
		s->cpus[c] = (struct thr_cpu){ .cpu = c, .has_topo = true, .package = 0, .core = c,
					       .has_core_count = true, .core_count = c ? 7 : core0,
					       .has_pkg_count = true, .pkg_count = pkg };
}

static void thermal(void **state)
{
	struct thr_snap a, b;
	struct sbx_report *r;
	const struct sbx_finding *f;

	(void)state;
	thermal_cpus(&a, 10, 5, 3);
	/* since boot: shown, not judged */
	r = report_new("t");
	judge_thermal(r, &a, NULL, 10);
	f = one(r, "thermal");
	assert_int_equal(f->state, ST_OK);
	assert_false(f->has_value);
	assert_non_null(strstr(f->text, "12 core and 3 package throttle events since boot (up 1h0m)"));
	report_free(r);
	/* an interval without events: 0 */
	thermal_cpus(&b, 12, 5, 3);
	r = report_new("t");
	judge_thermal(r, &b, &a, 10);
	f = one(r, "thermal");
	assert_int_equal(f->state, ST_OK);
	assert_true(f->has_value && f->value == 0);
	assert_string_equal(f->label, "thermal");
	report_free(r);
	throttle_snap_free(&b);
	/* one event: over the default 0 */
	thermal_cpus(&b, 12, 6, 3);
	r = report_new("t");
	judge_thermal(r, &b, &a, 10);
	f = one(r, "thermal");
	assert_int_equal(f->state, ST_WARNING);
	assert_string_equal(f->text,
			    "CPU clock throttled for heat: 1 thermal throttle events in 2.0s (1 core, 0 package)");
	report_free(r);
	throttle_snap_free(&b);
	/* a core counter that went backwards: no event seen is not no event */
	thermal_cpus(&b, 12, 2, 3);
	r = report_new("t");
	judge_thermal(r, &b, &a, 10);
	f = one(r, "thermal");
	assert_int_equal(f->state, ST_UNKNOWN);
	assert_non_null(strstr(f->text, "core_throttle_count went backwards (5 to 2"));
	report_free(r);
	throttle_snap_free(&b);
	/* an unreadable counter with events elsewhere: the events count */
	thermal_cpus(&b, 12, 5, 4);
	b.cpus[1].thermal_why = xstrdup("core_throttle_count: permission denied");
	r = report_new("t");
	judge_thermal(r, &b, &a, 10);
	f = one(r, "thermal");
	assert_int_equal(f->state, ST_WARNING);
	assert_non_null(strstr(f->text, "unknown for some: core_throttle_count: permission denied"));
	report_free(r);
	throttle_snap_free(&b);
	throttle_snap_free(&a);
	/* no counters: absent, said; /sys/devices/system/cpu unreadable: unknown */
	memset(&a, 0, sizeof(a));
	r = report_new("t");
	judge_thermal(r, &a, NULL, 10);
	assert_int_equal(one(r, "thermal")->state, ST_OK);
	assert_int_equal(one(r, "trip")->state, ST_OK);
	report_free(r);
	a.cpu_error = xstrdup("/sys/devices/system/cpu: permission denied");
	a.temp_error = xstrdup("/sys/class/thermal: permission denied");
	r = report_new("t");
	judge_thermal(r, &a, NULL, 10);
	assert_int_equal(one(r, "thermal")->state, ST_UNKNOWN);
	assert_int_equal(one(r, "trip")->state, ST_UNKNOWN);
	report_free(r);
	throttle_snap_free(&a);
}

static void trip(void **state)
{
	struct thr_snap s = { 0 };
	struct sbx_report *r;
	const struct sbx_finding *f[8];

	(void)state;
	s.nsensors = 3;
	s.sensors = xcalloc(3, sizeof(*s.sensors));
	s.sensors[0] = (struct thr_sensor){ .name = xstrdup("thermal_zone0"), .type = xstrdup("x86"),
					    .has_temp = true, .temp_c = 94.9, .has_warn_trip = true,
					    .warn_trip_c = 95, .warn_trip_kind = "passive" };
	s.sensors[1] = (struct thr_sensor){ .name = xstrdup("hwmon0/temp1"), .type = xstrdup(""),
					    .has_temp = true, .temp_c = 100, .has_crit_trip = true,
					    .crit_trip_c = 100 };
	s.sensors[2] = (struct thr_sensor){ .name = xstrdup("hwmon0/temp2"), .type = xstrdup(""),
					    .has_temp = true, .temp_c = 50 };
	r = report_new("t");
	judge_thermal(r, &s, NULL, 10);
	assert_int_equal(of(r, "trip", f, 8), 1);
	assert_int_equal(f[0]->state, ST_CRITICAL);
	assert_string_equal(f[0]->subject, "hwmon0/temp1");
	report_free(r);
	/* at the passive trip point: WARNING, listed after the critical one */
	s.sensors[0].temp_c = 95;
	r = report_new("t");
	judge_thermal(r, &s, NULL, 10);
	assert_int_equal(of(r, "trip", f, 8), 2);
	assert_int_equal(f[1]->state, ST_WARNING);
	report_free(r);
	r = report_new("t");
	judge_thermal(r, &s, NULL, 1);
	assert_int_equal(of(r, "trip", f, 8), 2);
	assert_string_equal(f[0]->subject, "hwmon0/temp1");
	assert_string_equal(f[1]->subject, "others");
	report_free(r);
	/* all below */
	s.sensors[0].temp_c = 40;
	s.sensors[1].temp_c = 40;
	r = report_new("t");
	judge_thermal(r, &s, NULL, 10);
	assert_int_equal(of(r, "trip", f, 8), 1);
	assert_int_equal(f[0]->state, ST_OK);
	assert_non_null(strstr(f[0]->text, "hottest hwmon0/temp2"));
	report_free(r);
	throttle_snap_free(&s);
}

static void stat_of(struct proc_stat *s, const char *text)
{
	struct sbx_err err;

	if (parse_stat(text, strlen(text), "stat", s, &err) < 0)
		fail_msg("%s", err.msg);
}

static void steal(void **state)
{
	struct proc_stat a, b;
	struct sbx_report *r;
	const struct sbx_finding *f;
	double v = -1;

	(void)state;
	check_reset();
	/* 100 of 1000 ticks stolen: 10%, not over 10 */
	stat_of(&a, "cpu  400 0 100 400 0 0 0 100 0 0\ncpu0 200 0 50 200 0 0 0 50 0 0\n"
		    "cpu1 200 0 50 200 0 0 0 50 0 0\nintr 1\nctxt 1\n");
	r = report_new("t");
	assert_true(judge_steal(r, &a, NULL, NULL, &v));
	f = one(r, "steal");
	assert_true(fabs(v - 10) < 1e-9);
	assert_int_equal(f->state, ST_OK);
	assert_string_equal(f->text, "steal: 10.0% of CPU time stolen by the hypervisor (average since "
				     "boot); most on CPU0 (10.0%)");
	report_free(r);
	/* over an interval, cpu1 steals: 105 of 1000 */
	stat_of(&b, "cpu  800 0 200 795 0 0 0 205 0 0\ncpu0 400 0 100 400 0 0 0 100 0 0\n"
		    "cpu1 400 0 100 395 0 0 0 105 0 0\nintr 1\nctxt 1\n");
	r = report_new("t");
	assert_true(judge_steal(r, &b, &a, NULL, &v));
	f = one(r, "steal");
	assert_true(fabs(v - 10.5) < 1e-9);
	assert_int_equal(f->state, ST_WARNING);
	assert_string_equal(f->text, "noisy neighbour: 10.5% of CPU time stolen by the hypervisor; most "
				     "on CPU1 (11.0%)");
	report_free(r);
	proc_stat_free(&b);
	/* cpu1's idle went backwards: left out with the reason, not 0 */
	stat_of(&b, "cpu  800 0 200 700 0 0 0 200 0 0\ncpu0 400 0 100 400 0 0 0 100 0 0\n"
		    "cpu1 400 0 100 100 0 0 0 100 0 0\nintr 1\nctxt 1\n");
	r = report_new("t");
	assert_true(judge_steal(r, &b, &a, NULL, &v));
	f = one(r, "steal");
	assert_non_null(strstr(f->text, "1 of 2 CPUs left out (CPU1: its idle counter went backwards"));
	report_free(r);
	/* the same reading twice: no time passed, unknown */
	r = report_new("t");
	assert_false(judge_steal(r, &a, &a, NULL, &v));
	assert_int_equal(one(r, "steal")->state, ST_UNKNOWN);
	report_free(r);
	/* unreadable /proc/stat */
	r = report_new("t");
	assert_false(judge_steal(r, NULL, NULL, "/proc/stat: permission denied", &v));
	f = one(r, "steal");
	assert_int_equal(f->state, ST_UNKNOWN);
	assert_string_equal(f->text, "steal: /proc/stat: permission denied");
	report_free(r);
	proc_stat_free(&a);
	proc_stat_free(&b);
	/* 2.6.9: no steal column, OK and said */
	stat_of(&a, "cpu  100 0 100 700 100 0 0\ncpu0 100 0 100 700 100 0 0\nintr 1\nctxt 1\n");
	r = report_new("t");
	assert_false(judge_steal(r, &a, NULL, NULL, &v));
	assert_int_equal(one(r, "steal")->state, ST_OK);
	assert_non_null(strstr(one(r, "steal")->text, "2.6.11"));
	report_free(r);
	proc_stat_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cfs_boundaries), cmocka_unit_test(cfs_periods),
		cmocka_unit_test(cfs_interval),	  cmocka_unit_test(cfs_worst_same),
		cmocka_unit_test(freq_boundaries), cmocka_unit_test(thermal),
		cmocka_unit_test(trip),		  cmocka_unit_test(steal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
