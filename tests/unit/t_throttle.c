/* The throttle probe's parsers (cgroup cpu.stat and limits, kubelet
 * cgroup names, /proc/cpuinfo, mountinfo) over real shapes and every bad
 * one, and its analysis (per-core dedup, interval deltas, ranking, steal,
 * frequency caps) over snapshots built by hand. */
#include "unit.h"
#include "cgroup.h"
#include "mountinfo.h"
#include "procfs.h"
#include "throttle.h"

#include <math.h>

/* Every prefix of `text` parses or fails cleanly (ASan watches). */
#define EVERY_PREFIX(text, call)                                                              \
	do {                                                                                  \
		size_t len_ = strlen(text);                                                   \
		for (size_t n_ = 0; n_ <= len_; n_++) {                                       \
			char *c_ = xstrndup(text, n_);                                        \
			const char *t_ = c_;                                                  \
			size_t l_ = n_;                                                       \
			(void)t_;                                                             \
			(void)l_;                                                             \
			call;                                                                 \
			free(c_);                                                             \
		}                                                                             \
	} while (0)

static const char v1_stat[] = "nr_periods 40000\nnr_throttled 14000\nthrottled_time 2800000000000\n"
			      "nr_bursts 0\nburst_time 0\n";
static const char v2_stat[] = "usage_usec 9800000000\nuser_usec 6533333333\nsystem_usec 3266666667\n"
			      "core_sched.force_idle_usec 0\nnr_periods 20000\nnr_throttled 8400\n"
			      "throttled_usec 1260000000\nnr_bursts 0\nburst_usec 0\n";

static void cpu_stat_units(void **state)
{
	struct cg_cpu_stat st;
	struct sbx_err err;

	(void)state;
	/* v1 throttled_time is nanoseconds */
	assert_int_equal(parse_cg_cpu_stat(v1_stat, strlen(v1_stat), "cpu.stat", 1, &st, &err), 0);
	assert_true(st.has_periods && st.has_throttled_time && !st.has_usage);
	assert_int_equal(st.nr_periods, 40000);
	assert_int_equal(st.nr_throttled, 14000);
	assert_true(fabs(st.throttled_s - 2800) < 1e-9);
	/* v2 throttled_usec is microseconds, usage_usec too */
	assert_int_equal(parse_cg_cpu_stat(v2_stat, strlen(v2_stat), "cpu.stat", 2, &st, &err), 0);
	assert_int_equal(st.nr_throttled, 8400);
	assert_true(fabs(st.throttled_s - 1260) < 1e-9);
	assert_true(st.has_usage && fabs(st.usage_s - 9800) < 1e-9);
	/* the name of the other version's field is not taken */
	assert_int_equal(parse_cg_cpu_stat(v1_stat, strlen(v1_stat), "cpu.stat", 2, &st, &err), 0);
	assert_false(st.has_throttled_time);
}

static void cpu_stat_shapes(void **state)
{
	static const char root_v2[] = "usage_usec 1\nuser_usec 1\nsystem_usec 0\n";
	static const char *const bad[] = {
		"", "\n", "nr_periods\n", "nr_periods -5\n", "nr_periods 1 2\n", "garbage here\n",
		"nr_periods 99999999999999999999999\n", "nr_periods 5\nnr_throttled 6\n",
	};
	struct cg_cpu_stat st;
	struct sbx_err err;

	(void)state;
	/* a v2 cgroup without the cpu controller has no bandwidth counters */
	assert_int_equal(parse_cg_cpu_stat(root_v2, strlen(root_v2), "f", 2, &st, &err), 0);
	assert_false(st.has_periods);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_cg_cpu_stat(bad[i], strlen(bad[i]), "/x/cpu.stat", 2, &st, &err),
				 -1);
		assert_non_null(strstr(err.msg, "/x/cpu.stat"));
	}
	EVERY_PREFIX(v2_stat, parse_cg_cpu_stat(t_, l_, "f", 2, &st, &err));
}

static void cpu_max(void **state)
{
	static const struct {
		const char *text;
		int rc;
		int64_t quota;
		uint64_t period;
	} cases[] = {
		{ "max 100000\n", 0, -1, 100000 },   { "50000 100000\n", 0, 50000, 100000 },
		{ "1000 10000", 0, 1000, 10000 },    { "250000\n", 0, 250000, 100000 },
		{ "max\n", 0, -1, 100000 },	     { "", -1, 0, 0 },
		{ "\n", -1, 0, 0 },		     { "maxi 100000\n", -1, 0, 0 },
		{ "50000 0\n", -1, 0, 0 },	     { "50000 100000 7\n", -1, 0, 0 },
		{ "-1 100000\n", -1, 0, 0 },	     { "50000 abc\n", -1, 0, 0 },
		{ "99999999999999999999 1\n", -1, 0, 0 },
	};
	struct cg_cpu_limit l;
	struct sbx_err err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = parse_cpu_max(cases[i].text, strlen(cases[i].text), "cpu.max", &l, &err);

		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d", cases[i].text, rc);
		if (rc == 0) {
			assert_int_equal(l.quota_us, cases[i].quota);
			assert_int_equal(l.period_us, cases[i].period);
		} else {
			assert_non_null(strstr(err.msg, "cpu.max"));
		}
	}
	EVERY_PREFIX("50000 100000\n", parse_cpu_max(t_, l_, "f", &l, &err));
}

static void cfs_quota(void **state)
{
	struct cg_cpu_limit l;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_cfs_quota("-1\n", 3, "100000\n", 7, "d", &l, &err), 0);
	assert_int_equal(l.quota_us, -1);
	assert_int_equal(parse_cfs_quota("150000\n", 7, "100000\n", 7, "d", &l, &err), 0);
	assert_int_equal(l.quota_us, 150000);
	assert_int_equal(l.period_us, 100000);
	assert_int_equal(parse_cfs_quota("-2\n", 3, "100000\n", 7, "d", &l, &err), -1);
	assert_non_null(strstr(err.msg, "cfs_quota_us"));
	assert_int_equal(parse_cfs_quota("", 0, "100000\n", 7, "d", &l, &err), -1);
	assert_int_equal(parse_cfs_quota("1000\n", 5, "0\n", 2, "d", &l, &err), -1);
	assert_non_null(strstr(err.msg, "cfs_period_us"));
	assert_int_equal(parse_cfs_quota("1000\n", 5, "", 0, "d", &l, &err), -1);
	assert_int_equal(parse_cfs_quota("1000 2\n", 7, "100000", 6, "d", &l, &err), -1);
}

static void k8s_paths(void **state)
{
	static const char uid[] = "8f2b5c1e-7d4a-4e0b-9c3f-2a6d1e8b4f70";
	static const char id[] = "e798174fdf957e50bf6a359de160152d916217aa69b98108678fc3f03e4a099c";
	static const struct {
		const char *path;
		enum k8s_level level;
		enum k8s_qos qos;
		enum k8s_driver driver;
		const char *runtime;
		bool has_uid, has_id;
	} cases[] = {
		/* cgroupfs driver */
		{ "/kubepods", K8S_NODE, QOS_NONE, DRIVER_CGROUPFS, "", false, false },
		{ "/kubepods/burstable", K8S_QOS, QOS_BURSTABLE, DRIVER_CGROUPFS, "", false, false },
		{ "/kubepods/besteffort/pod%U", K8S_POD, QOS_BESTEFFORT, DRIVER_CGROUPFS, "", true,
		  false },
		{ "/kubepods/pod%U", K8S_POD, QOS_GUARANTEED, DRIVER_CGROUPFS, "", true, false },
		{ "/kubepods/burstable/pod%U/%I", K8S_CONTAINER, QOS_BURSTABLE, DRIVER_CGROUPFS, "",
		  true, true },
		{ "/kubepods/pod%U/crio-%I", K8S_CONTAINER, QOS_GUARANTEED, DRIVER_CGROUPFS, "crio",
		  true, true },
		/* kind, k3d: the node is itself a container */
		{ "/docker/abc/kubepods/burstable/pod%U/%I", K8S_CONTAINER, QOS_BURSTABLE,
		  DRIVER_CGROUPFS, "", true, true },
		/* systemd driver */
		{ "/kubepods.slice", K8S_NODE, QOS_NONE, DRIVER_SYSTEMD, "", false, false },
		{ "/kubepods.slice/kubepods-besteffort.slice", K8S_QOS, QOS_BESTEFFORT, DRIVER_SYSTEMD,
		  "", false, false },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%S.slice/"
		  "cri-containerd-%I.scope",
		  K8S_CONTAINER, QOS_BURSTABLE, DRIVER_SYSTEMD, "cri-containerd", true, true },
		{ "/kubepods.slice/kubepods-pod%S.slice/crio-%I.scope", K8S_CONTAINER, QOS_GUARANTEED,
		  DRIVER_SYSTEMD, "crio", true, true },
		{ "/kubepods.slice/kubepods-pod%S.slice/crio-conmon-%I.scope", K8S_CONTAINER,
		  QOS_GUARANTEED, DRIVER_SYSTEMD, "crio-conmon", true, true },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%S.slice/"
		  "docker-%I.scope/init.scope",
		  K8S_CONTAINER, QOS_BESTEFFORT, DRIVER_SYSTEMD, "docker", true, true },
		/* --cgroup-root=/kubelet with the systemd driver */
		{ "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
		  "kubelet-kubepods-burstable-pod%S.slice",
		  K8S_POD, QOS_BURSTABLE, DRIVER_SYSTEMD, "", true, false },
		/* not the kubelet's */
		{ "/", K8S_NONE, QOS_NONE, DRIVER_NONE, "", false, false },
		{ "/system.slice/kubelet.service", K8S_NONE, QOS_NONE, DRIVER_NONE, "", false, false },
		{ "/kubepods-extra", K8S_NONE, QOS_NONE, DRIVER_NONE, "", false, false },
		{ "/mykubepods.slice", K8S_NONE, QOS_NONE, DRIVER_NONE, "", false, false },
		{ "/kubepods/guaranteed/pod%U", K8S_NONE, QOS_NONE, DRIVER_NONE, "", false, false },
		{ "/kubepods/burstable/%U", K8S_NONE, QOS_NONE, DRIVER_NONE, "", false, false },
		{ "/kubepods/burstable/pod", K8S_NONE, QOS_NONE, DRIVER_NONE, "", false, false },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-besteffort-pod%S.slice",
		  K8S_NONE, QOS_NONE, DRIVER_NONE, "", false, false },
		{ "/kubepods/pod a/b", K8S_NONE, QOS_NONE, DRIVER_NONE, "", false, false },
	};
	char uid_[sizeof(uid)];

	(void)state;
	for (size_t i = 0; i < sizeof(uid); i++)
		uid_[i] = uid[i] == '-' ? '_' : uid[i];
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf p = { 0 };
		struct k8s_cgroup k;
		bool ok;

		for (const char *s = cases[i].path; *s; s++) {
			if (s[0] == '%' && s[1]) {
				buf_adds(&p, s[1] == 'U' ? uid : s[1] == 'S' ? uid_ : id);
				s++;
			} else {
				buf_addc(&p, *s);
			}
		}
		ok = k8s_cgroup_parse(p.s, &k);
		if (ok != (cases[i].level != K8S_NONE) || k.level != cases[i].level ||
		    k.qos != cases[i].qos || k.driver != cases[i].driver ||
		    strcmp(k.runtime, cases[i].runtime))
			fail_msg("%s: level %d qos %d driver %d runtime '%s'", p.s, k.level, k.qos,
				 k.driver, k.runtime);
		assert_string_equal(k.pod_uid, cases[i].has_uid ? uid : "");
		assert_string_equal(k.container_id, cases[i].has_id ? id : "");
		buf_free(&p);
	}
	assert_string_equal(k8s_qos_name(QOS_BESTEFFORT), "BestEffort");
}

static void cpuinfo_x86(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/cpuinfo", &len);
	struct cpuinfo ci;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_cpuinfo(s, len, "cpuinfo", &ci, &err), 0);
	assert_int_equal(ci.n, 8);
	/* node_exporter's node_cpu_frequency_hertz: 7.99998e+08 and 8.0003e+08 */
	assert_true(ci.cpus[0].has_mhz && fabs(ci.cpus[0].mhz - 799.998) < 1e-9);
	assert_int_equal(ci.cpus[7].processor, 7);
	assert_true(fabs(ci.cpus[7].mhz - 800.030) < 1e-9);
	cpuinfo_free(&ci);
	for (size_t n = 0; n <= len; n += 7) {
		char *c = xstrndup(s, n);

		if (parse_cpuinfo(c, n, "i", &ci, &err) == 0)
			cpuinfo_free(&ci);
		free(c);
	}
	free(s);
}

static void cpuinfo_shapes(void **state)
{
	static const char arm[] = "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\n\n"
				  "processor\t: 1\nBogoMIPS\t: 50.00\n";
	struct cpuinfo ci;
	struct sbx_err err;

	(void)state;
	/* arm64 prints no "cpu MHz": known absent, not zero */
	assert_int_equal(parse_cpuinfo(arm, strlen(arm), "f", &ci, &err), 0);
	assert_int_equal(ci.n, 2);
	assert_false(ci.cpus[1].has_mhz);
	cpuinfo_free(&ci);
	assert_int_equal(parse_cpuinfo("", 0, "/proc/cpuinfo", &ci, &err), -1);
	assert_non_null(strstr(err.msg, "empty"));
	assert_int_equal(parse_cpuinfo("processor : x\n", 14, "/proc/cpuinfo", &ci, &err), -1);
	assert_int_equal(parse_cpuinfo("processor : 0\ncpu MHz : fast\n", 29, "/proc/cpuinfo", &ci,
				       &err),
			 -1);
	assert_non_null(strstr(err.msg, "/proc/cpuinfo:2"));
	assert_int_equal(parse_cpuinfo("hello\n", 6, "f", &ci, &err), -1);
}

static void mountinfo(void **state)
{
	static const char mi[] =
		"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu\n"
		"33 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
		"41 31 0:38 /kubepods/x /sys/fs/cgroup rw shared:1 master:2 - cgroup2 cgroup2 rw,nsdelegate\n"
		"50 27 8:1 / /mnt/with\\040space rw - ext4 /dev/sda1 rw\n";
	struct mnt_table t;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_mountinfo(mi, strlen(mi), "mountinfo", &t, &err), 0);
	assert_int_equal(t.n, 5);
	assert_string_equal(t.m[1].point, "/sys/fs/cgroup/cpu");
	assert_string_equal(t.m[1].fstype, "cgroup");
	assert_true(mnt_has_option(t.m[1].super, "cpu"));
	assert_true(mnt_has_option(t.m[2].super, "cpu"));
	assert_false(mnt_has_option(t.m[0].super, "cpu"));
	assert_false(mnt_has_option("rw,cpuacct", "cpu"));
	assert_string_equal(t.m[3].root, "/kubepods/x");
	assert_string_equal(t.m[3].fstype, "cgroup2");
	assert_string_equal(t.m[4].point, "/mnt/with space");
	mnt_table_free(&t);
	assert_int_equal(parse_mountinfo("", 0, "mountinfo", &t, &err), -1);
	assert_int_equal(parse_mountinfo("1 2 3 / /x rw\n", 14, "mountinfo", &t, &err), -1);
	assert_non_null(strstr(err.msg, "mountinfo:1"));
	EVERY_PREFIX(mi, if (parse_mountinfo(t_, l_, "m", &t, &err) == 0) mnt_table_free(&t));
}

/* node_exporter's fixture topology: (package, core) of cpu0..3 and its
 * counters (EXPECTED.md section 4). */
static void fill_ne_cpus(struct thr_snap *s, const uint64_t *core, const uint64_t *pkg)
{
	static const int64_t topo[4][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } };

	memset(s, 0, sizeof(*s));
	s->ncpus = 4;
	s->cpus = xcalloc(4, sizeof(*s->cpus));
	s->any_thermal = true;
	for (unsigned c = 0; c < 4; c++) {
		s->cpus[c] = (struct thr_cpu){ .cpu = c, .has_topo = true, .package = topo[c][0],
					       .core = topo[c][1], .has_core_count = true,
					       .core_count = core[c], .has_pkg_count = true,
					       .pkg_count = pkg[c] };
	}
}

static const struct thr_thermal_row *trow(const struct thr_thermal_row *r, size_t n,
					  enum thr_level lv, int64_t pkg, int64_t core)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].level == lv && r[i].package == pkg && r[i].core == core)
			return &r[i];
	fail_msg("no row %d %lld %lld", lv, (long long)pkg, (long long)core);
	return NULL;
}

static void thermal_dedup(void **state)
{
	static const uint64_t core[] = { 5, 0, 0, 9 }, pkg[] = { 30, 30, 6, 6 };
	static const uint64_t core2[] = { 7, 0, 1, 9 }, pkg2[] = { 31, 31, 6, 6 };
	struct thr_snap a, b;
	struct thr_thermal_row *r;
	size_t n;

	(void)state;
	fill_ne_cpus(&a, core, pkg);
	r = throttle_thermal_rows(&a, NULL, &n);
	/* node_cpu_core_throttles_total and node_cpu_package_throttles_total */
	assert_int_equal(n, 6);
	assert_int_equal(trow(r, n, THR_CORE, 0, 0)->events, 5);
	assert_int_equal(trow(r, n, THR_CORE, 1, 1)->events, 9);
	assert_int_equal(trow(r, n, THR_PACKAGE, 0, -1)->events, 30);
	assert_int_equal(trow(r, n, THR_PACKAGE, 1, -1)->events, 6);
	free(r);
	/* SMT siblings: the first CPU of a core is read, not the sum */
	a.cpus = xreallocarray(a.cpus, 5, sizeof(*a.cpus));
	a.cpus[4] = a.cpus[0];
	a.cpus[4].cpu = 4;
	a.cpus[4].core_count = 6;
	a.ncpus = 5;
	r = throttle_thermal_rows(&a, NULL, &n);
	assert_int_equal(n, 6);
	assert_int_equal(trow(r, n, THR_CORE, 0, 0)->events, 5);
	assert_int_equal(trow(r, n, THR_CORE, 0, 0)->cpu, 0);
	free(r);
	/* an interval: events are the increase; an offline CPU is left out */
	fill_ne_cpus(&b, core2, pkg2);
	b.cpus[3].offline = true;
	a.ncpus = 4;
	r = throttle_thermal_rows(&b, &a, &n);
	assert_int_equal(n, 5);
	assert_int_equal(trow(r, n, THR_CORE, 0, 0)->events, 2);
	assert_int_equal(trow(r, n, THR_CORE, 0, 0)->total, 7);
	assert_int_equal(trow(r, n, THR_CORE, 1, 0)->events, 1);
	assert_int_equal(trow(r, n, THR_PACKAGE, 0, -1)->events, 1);
	/* package 1 is still read from cpu2 */
	assert_int_equal(trow(r, n, THR_PACKAGE, 1, -1)->events, 0);
	free(r);
	/* a counter going backwards (hotplug reset) is unknown, not huge */
	r = throttle_thermal_rows(&a, &b, &n);
	assert_false(trow(r, n, THR_CORE, 0, 0)->ok);
	assert_non_null(strstr(trow(r, n, THR_CORE, 0, 0)->why, "backwards"));
	/* core (1,1) came online */
	assert_false(trow(r, n, THR_CORE, 1, 1)->ok);
	free(r);
	throttle_snap_free(&a);
	throttle_snap_free(&b);
}

static void add_cg(struct thr_snap *s, const char *path, uint64_t ino, uint64_t periods,
		   uint64_t thr, double secs, int64_t quota)
{
	struct thr_cgroup *c;

	s->cg = xreallocarray(s->cg, s->ncg + 1, sizeof(*s->cg));
	c = &s->cg[s->ncg++];
	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	c->ino = ino;
	c->st.has_periods = c->st.has_throttled_time = true;
	c->st.nr_periods = periods;
	c->st.nr_throttled = thr;
	c->st.throttled_s = secs;
	c->has_limit = true;
	c->limit = (struct cg_cpu_limit){ quota, 100000 };
	k8s_cgroup_parse(c->path, &c->k8s);
}

static const struct thr_cg_row *cgrow(const struct thr_cg_row *r, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(r[i].cg->path, path))
			return &r[i];
	fail_msg("no row %s", path);
	return NULL;
}

static void cgroup_rows(void **state)
{
	struct thr_snap a = { 0 }, b = { 0 };
	struct thr_cg_row *r;
	size_t n;

	(void)state;
	add_cg(&a, "/a", 1, 100, 10, 1.0, 50000);
	add_cg(&a, "/b", 2, 100, 90, 9.0, 50000);
	add_cg(&a, "/c", 3, 1000, 900, 0.5, 50000);
	add_cg(&a, "/idle", 4, 0, 0, 0, 50000);
	add_cg(&a, "/gone", 5, 10, 10, 1, 50000);
	/* since creation: ratio first, throttled time breaks ties, no
	 * periods (no ratio) last */
	r = throttle_cg_rows(&a, NULL, THR_SORT_RATIO, &n);
	assert_int_equal(n, 5);
	assert_string_equal(r[0].cg->path, "/gone");
	assert_string_equal(r[1].cg->path, "/b");
	assert_string_equal(r[2].cg->path, "/c");
	assert_string_equal(r[3].cg->path, "/a");
	assert_string_equal(r[4].cg->path, "/idle");
	assert_true(isnan(r[4].ratio));
	assert_true(r[1].ratio == 0.9);
	free(r);
	r = throttle_cg_rows(&a, NULL, THR_SORT_TIME, &n);
	assert_string_equal(r[0].cg->path, "/b");
	free(r);

	add_cg(&b, "/a", 1, 200, 110, 11.0, 50000);	/* 100 of 100 periods */
	add_cg(&b, "/b", 2, 150, 90, 9.0, 50000);	/* none throttled */
	add_cg(&b, "/c", 33, 10, 5, 0.1, 50000);	/* removed and made again */
	add_cg(&b, "/idle", 4, 50, 40, 4, 50000);	/* backwards throttled time below */
	add_cg(&b, "/new", 6, 20, 2, 0.2, 50000);	/* created in the interval */
	b.cg[3].st.throttled_s = 4;
	r = throttle_cg_rows(&b, &a, THR_SORT_RATIO, &n);
	assert_int_equal(n, 5);
	assert_string_equal(r[0].cg->path, "/a");
	assert_true(r[0].ratio == 1.0);
	assert_int_equal(r[0].periods, 100);
	assert_true(fabs(r[0].throttled_s - 10) < 1e-9);
	assert_true(cgrow(r, n, "/c")->created);
	assert_int_equal(cgrow(r, n, "/c")->periods, 10);
	assert_true(cgrow(r, n, "/new")->created);
	assert_false(cgrow(r, n, "/b")->created);
	assert_true(cgrow(r, n, "/b")->ratio == 0);
	assert_true(cgrow(r, n, "/idle")->ok);
	free(r);
	/* counters that went backwards without a new inode */
	b.cg[1].st.nr_periods = 50;
	r = throttle_cg_rows(&b, &a, THR_SORT_RATIO, &n);
	assert_false(cgrow(r, n, "/b")->ok);
	assert_non_null(strstr(cgrow(r, n, "/b")->why, "backwards"));
	assert_string_equal(r[n - 1].cg->path, "/b");
	free(r);
	throttle_snap_free(&a);
	throttle_snap_free(&b);
}

static void stat_snap(struct thr_snap *s, const char *text)
{
	struct sbx_err err;

	memset(s, 0, sizeof(*s));
	if (parse_stat(text, strlen(text), "stat", &s->stat, &err) < 0)
		fail_msg("%s", err.msg);
	s->has_stat = true;
}

static void steal(void **state)
{
	struct thr_snap a, b, old;
	struct thr_steal *r;
	size_t n;

	(void)state;
	/* guest (col 9) is inside user: not added to the total */
	stat_snap(&a, "cpu  100 0 100 600 100 0 0 100 50 0\ncpu0 50 0 50 300 50 0 0 50 25 0\n"
		      "cpu1 50 0 50 300 50 0 0 50 25 0\nintr 1\nctxt 1\n");
	r = throttle_steal_rows(&a, NULL, &n);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].cpu, -1);
	assert_true(r[0].has_steal && fabs(r[0].steal - 0.1) < 1e-9);
	assert_true(fabs(r[0].busy - 0.2) < 1e-9);
	free(r);
	/* an interval: cpu1 is all steal */
	stat_snap(&b, "cpu  200 0 100 600 100 0 0 300 50 0\ncpu0 150 0 50 300 50 0 0 150 25 0\n"
		      "cpu1 50 0 50 300 50 0 0 150 25 0\nintr 1\nctxt 1\n");
	r = throttle_steal_rows(&b, &a, &n);
	assert_true(fabs(r[0].steal - 200.0 / 300) < 1e-9);
	assert_true(fabs(r[1].steal - 0.5) < 1e-9);
	assert_true(fabs(r[1].busy - 0.5) < 1e-9);
	assert_true(r[2].has_steal && r[2].steal == 1.0);
	free(r);
	throttle_snap_free(&b);
	/* idle running backwards makes that CPU unknown, not 0% idle; the
	 * aggregate is of the CPUs known (cpu_shares) */
	stat_snap(&b, "cpu  200 0 100 590 100 0 0 300 50 0\ncpu0 150 0 50 290 50 0 0 150 25 0\n"
		      "cpu1 50 0 50 300 50 0 0 150 25 0\nintr 1\nctxt 1\n");
	r = throttle_steal_rows(&b, &a, &n);
	assert_false(r[1].ok);
	assert_false(r[1].has_steal);
	assert_non_null(strstr(r[1].steal_why, "idle counter went backwards"));
	assert_true(r[0].ok && r[0].steal == 1.0);
	assert_non_null(strstr(r[0].why, "1 of 2 CPUs left out"));
	free(r);
	/* 2.6.9: seven columns, no steal; busy still known */
	stat_snap(&old, "cpu  100 0 100 700 100 0 0\ncpu0 100 0 100 700 100 0 0\nintr 1\nctxt 1\n");
	r = throttle_steal_rows(&old, NULL, &n);
	assert_false(r[0].has_steal);
	assert_non_null(strstr(r[0].steal_why, "2.6.11"));
	assert_true(r[0].ok && fabs(r[0].busy - 0.2) < 1e-9);
	free(r);
	/* no time passed */
	r = throttle_steal_rows(&a, &a, &n);
	assert_false(r[0].ok);
	free(r);
	throttle_snap_free(&a);
	throttle_snap_free(&b);
	throttle_snap_free(&old);
}

static void freq_cap(void **state)
{
	struct thr_cpu c = { .has_hw_max = true, .hw_max_khz = 3500000, .has_max = true,
			     .max_khz = 3500000 };
	double r;
	uint64_t khz;
	const char *src;

	(void)state;
	assert_true(throttle_freq_cap(&c, &r, &khz, &src));
	assert_true(r == 1.0);
	c.has_bios = true;
	c.bios_khz = 2100000;
	assert_true(throttle_freq_cap(&c, &r, &khz, &src));
	assert_string_equal(src, "bios_limit");
	assert_true(fabs(r - 0.6) < 1e-9);
	c.max_khz = 1750000;
	assert_true(throttle_freq_cap(&c, &r, &khz, &src));
	assert_string_equal(src, "scaling_max_freq");
	assert_int_equal(khz, 1750000);
	/* node_exporter's fixture has no cpuinfo_max_freq: no honest cap */
	c.has_hw_max = false;
	assert_false(throttle_freq_cap(&c, &r, &khz, &src));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpu_stat_units), cmocka_unit_test(cpu_stat_shapes),
		cmocka_unit_test(cpu_max),	  cmocka_unit_test(cfs_quota),
		cmocka_unit_test(k8s_paths),	  cmocka_unit_test(cpuinfo_x86),
		cmocka_unit_test(cpuinfo_shapes), cmocka_unit_test(mountinfo),
		cmocka_unit_test(thermal_dedup),  cmocka_unit_test(cgroup_rows),
		cmocka_unit_test(steal),	  cmocka_unit_test(freq_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
