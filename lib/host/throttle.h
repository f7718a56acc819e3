/* The throttle probe: every way a CPU gets held back, each with its
 * evidence.  Reads (under the root) the CFS bandwidth counters of every
 * cgroup with a CPU limit (v1 and v2), the x86 thermal throttle counters,
 * cpufreq (or /proc/cpuinfo's "cpu MHz"), thermal zones and hwmon
 * temperatures, and /proc/stat for steal; turns two snapshots (or one,
 * since boot or creation) into the figures `throttle` shows.  The checks
 * made of them are judged in lib/check/judge_throttle.c. */
#ifndef SREBOX_THROTTLE_H
#define SREBOX_THROTTLE_H

#include "cgroup.h"
#include "procfs.h"

/* What to read: a caller that only wants steal skips the cgroup walk. */
enum {
	THR_CGROUPS = 0x01,
	THR_THERMAL = 0x02,	/* thermal_throttle counters */
	THR_FREQ = 0x04,	/* cpufreq, /proc/cpuinfo */
	THR_TEMPS = 0x08,	/* thermal zones, hwmon */
	THR_STEAL = 0x10,	/* /proc/stat */
	THR_ALL = 0x1f,
};

/* One cgroup with a CPU limit or CFS bandwidth periods. */
struct thr_cgroup {
	char *path;		/* within its hierarchy: "/kubepods/burstable/pod.../abc" */
	uint64_t ino;		/* tells a re-created cgroup from the old one */
	struct cg_cpu_stat st;
	bool has_limit;
	struct cg_cpu_limit limit;
	struct k8s_cgroup k8s;
};

/* A cgroup hierarchy with the cpu controller. */
struct thr_hier {
	char *dir;		/* as the user sees it, with the root: "/sys/fs/cgroup/cpu" */
	unsigned version;	/* 1 or 2 */
};

/* One CPU's view of thermal throttling and frequency.  Every value has a
 * has_ flag: a file the kernel does not have is not a zero. */
struct thr_cpu {
	unsigned cpu;
	bool offline;		/* thermal_throttle files read empty */
	bool has_topo;
	int64_t package, core;
	bool has_core_count, has_pkg_count;
	uint64_t core_count, pkg_count;
	bool has_core_max_ms, has_core_total_ms, has_pkg_max_ms, has_pkg_total_ms;
	uint64_t core_max_ms, core_total_ms, pkg_max_ms, pkg_total_ms;
	char *thermal_why;	/* counters unreadable for another reason than absence */

	bool has_cpufreq;	/* a cpufreq policy covers this CPU */
	char *freq_why;		/* why not, or why a file failed */
	bool has_cur, has_max, has_min, has_hw_max, has_hw_min, has_bios, has_hw_cur;
	uint64_t cur_khz, max_khz, min_khz, hw_max_khz, hw_min_khz, bios_khz, hw_cur_khz;
	char *hw_cur_why;	/* cpuinfo_cur_freq is mode 0400 */
	char governor[32], driver[32];
	bool has_mhz;		/* /proc/cpuinfo, when there is no cpufreq */
	double mhz;
};

/* A temperature: a thermal zone or one hwmon temp input. */
struct thr_sensor {
	char *name;		/* "thermal_zone0", "hwmon1/temp2" */
	char *type;		/* zone type, or "coretemp Core 0" */
	bool has_temp;
	double temp_c;
	char *why;
	/* The lowest trip point at which the kernel or firmware acts
	 * (zone: passive or hot; hwmon: max) and the critical one. */
	bool has_warn_trip, has_crit_trip, crit_alarm;
	double warn_trip_c, crit_trip_c;
	char warn_trip_kind[16];	/* "passive", "hot", "max" */
};

struct thr_snap {
	unsigned what;		/* THR_* read */
	double when;		/* monotonic */
	double uptime;		/* <0 unknown */

	struct thr_hier *hier;
	size_t nhier;
	struct thr_cgroup *cg;
	size_t ncg;
	size_t cg_seen;		/* cgroups walked, limited or not */
	char *cg_note;		/* why no hierarchy was walked, when none was */
	char *cg_error;		/* a hierarchy that could not be walked */
	char *cg_missing;	/* a path asked for that no hierarchy has */

	struct thr_cpu *cpus;	/* sorted by CPU id */
	size_t ncpus;
	bool any_thermal;	/* some CPU has thermal_throttle */
	bool any_cpufreq;
	bool has_cpuinfo;
	char *cpu_error;	/* /sys/devices/system/cpu unreadable */

	struct thr_sensor *sensors;
	size_t nsensors;
	char *temp_error;	/* /sys/class/thermal or hwmon there but unreadable */

	bool has_stat;
	struct proc_stat stat;
	struct sbx_err stat_err;
};

/* `paths`: restrict the cgroup walk to these subtrees (NULL: all). */
int throttle_read(struct thr_snap *s, unsigned what, const char *const *paths, size_t npaths);
void throttle_snap_free(struct thr_snap *s);

/* A cgroup's throttling over the interval (prev given) or since it was
 * created. */
struct thr_cg_row {
	const struct thr_cgroup *cg;
	bool ok;
	char why[128];		/* !ok: no honest figure for the interval */
	bool created;		/* appeared during the interval: counts since creation */
	uint64_t periods, throttled;
	bool has_time;
	double throttled_s;
	bool has_usage;
	double usage_s;
	double ratio;		/* throttled / periods; NAN with no periods */
};
enum thr_sort { THR_SORT_RATIO, THR_SORT_TIME };
/* Rows for every cgroup of cur, worst first. */
struct thr_cg_row *throttle_cg_rows(const struct thr_snap *cur, const struct thr_snap *prev,
				    enum thr_sort sort, size_t *n);

/* Thermal throttle events counted once per (package, core) for the core
 * counter and once per package for the package counter, as node_exporter
 * does (SMT siblings share a core's counter, every CPU of a package shows
 * the package's). */
enum thr_level { THR_CORE, THR_PACKAGE };
struct thr_thermal_row {
	enum thr_level level;
	int64_t package, core;	/* core -1 for a package row */
	unsigned cpu;		/* the CPU whose counter was read */
	bool ok;
	char why[128];
	uint64_t events;	/* in the interval, or since boot */
	uint64_t total;		/* since boot */
	bool has_max_ms, has_total_ms;
	uint64_t max_ms, total_ms;	/* longest episode since boot; time throttled (interval) */
};
struct thr_thermal_row *throttle_thermal_rows(const struct thr_snap *cur,
					      const struct thr_snap *prev, size_t *n);

/* Steal and busy share of one CPU (cpu -1: all) over the interval or
 * since boot, from cpu_shares(): busy is neither idle, iowait nor stolen. */
struct thr_steal {
	int cpu;
	bool ok;		/* busy is known */
	char why[192];
	bool has_steal;		/* kernels before 2.6.11 have no steal column */
	char steal_why[192];	/* why, or the missing column */
	double steal, busy;	/* 0..1 */
};
struct thr_steal *throttle_steal_rows(const struct thr_snap *cur, const struct thr_snap *prev,
				      size_t *n);

/* The lowest ceiling on a CPU's frequency, as a share of its hardware
 * maximum: scaling_max_freq (policy, admin, thermal governor) or
 * bios_limit (firmware, BMC power capping), whichever is lower. */
bool throttle_freq_cap(const struct thr_cpu *c, double *ratio, uint64_t *cap_khz,
		       const char **source);

/* How people know a cgroup: "pod <uid> (Burstable) container <id12>", or
 * its path when it is not the kubelet's. */
void throttle_cg_name(const char *path, const struct k8s_cgroup *k, char *out, size_t n);

#endif
