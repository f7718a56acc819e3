/* The throttle probe.  See throttle.h.  Everything is read under the root;
 * a file the kernel does not have is absent (has_ false), never zero, and
 * a file it has but would not give is kept with the reason. */
#include "throttle.h"
#include "hung.h"
#include "owner.h"
#include "cpu_share.h"
#include "mountinfo.h"
#include "root.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CPU_DIR "/sys/devices/system/cpu"
#define MAX_DEPTH 64

/* --- sysfs attributes ---------------------------------------------------- */

enum attr { A_OK, A_MISSING, A_EMPTY, A_BAD, A_ERR };

/* A one-line attribute.  Offline CPUs give empty thermal_throttle files;
 * scaling_setspeed says "<unsupported>"; cpuinfo_cur_freq is root-only. */
static enum attr attr_line(const char *path, char *out, size_t n, struct sbx_err *err)
{
	if (root_read_line(path, out, n, err) < 0)
		return err->errnum == ENOENT || err->errnum == ENOTDIR ? A_MISSING : A_ERR;
	str_trim(out);
	return *out ? A_OK : A_EMPTY;
}

static enum attr attr_u64(const char *path, uint64_t *v, struct sbx_err *err)
{
	char line[64];
	enum attr a = attr_line(path, line, sizeof(line), err);

	if (a != A_OK)
		return a;
	if (!parse_u64(line, v)) {
		sbx_err_set(err, 0, "%s: not a number: '%.20s'", rooted(path), line);
		return A_BAD;
	}
	return A_OK;
}

static enum attr attr_i64(const char *path, int64_t *v, struct sbx_err *err)
{
	char line[64];
	enum attr a = attr_line(path, line, sizeof(line), err);

	if (a != A_OK)
		return a;
	if (!parse_i64(line, v)) {
		sbx_err_set(err, 0, "%s: not a number: '%.20s'", rooted(path), line);
		return A_BAD;
	}
	return A_OK;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return root_stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "cpu12" -> 12; "cpufreq", "cpuidle" -> false */
static bool name_num(const char *name, const char *prefix, unsigned *id)
{
	uint64_t v;

	if (!str_starts(name, prefix) || !parse_u64(name + strlen(prefix), &v) || v > 1u << 22)
		return false;
	*id = (unsigned)v;
	return true;
}

static void keep_why(char **dst, const struct sbx_err *e)
{
	if (!*dst)
		*dst = xstrdup(e->msg);
}

/* --- CPUs: thermal_throttle and cpufreq ----------------------------------- */

static int cmp_cpu(const void *a, const void *b)
{
	const struct thr_cpu *x = a, *y = b;

	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

static struct thr_cpu *find_cpu(struct thr_snap *s, unsigned id)
{
	for (size_t i = 0; i < s->ncpus; i++)
		if (s->cpus[i].cpu == id)
			return &s->cpus[i];
	return NULL;
}

static void read_thermal(struct thr_cpu *c)
{
	static const struct {
		const char *file;
		size_t has, val;
	} f[] = {
#define F(name, field) { name, offsetof(struct thr_cpu, has_##field), offsetof(struct thr_cpu, field) }
		F("core_throttle_count", core_count),
		F("package_throttle_count", pkg_count),
		F("core_throttle_max_time_ms", core_max_ms),
		F("core_throttle_total_time_ms", core_total_ms),
		F("package_throttle_max_time_ms", pkg_max_ms),
		F("package_throttle_total_time_ms", pkg_total_ms),
#undef F
	};
	char path[128];
	struct sbx_err err;

	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		uint64_t v;

		snprintf(path, sizeof(path), CPU_DIR "/cpu%u/thermal_throttle/%s", c->cpu, f[i].file);
		switch (attr_u64(path, &v, &err)) {
		case A_OK:
			*(bool *)((char *)c + f[i].has) = true;
			*(uint64_t *)((char *)c + f[i].val) = v;
			break;
		case A_EMPTY:
			/* therm_throt.c prints nothing for an offline CPU */
			c->offline = true;
			return;
		case A_MISSING:
			/* no core counter: no thermal_throttle directory at all */
			if (i == 0)
				return;
			break;
		case A_BAD:
		case A_ERR:
			keep_why(&c->thermal_why, &err);
			break;
		}
	}
}

static void read_topology(struct thr_cpu *c)
{
	char path[128];
	struct sbx_err err;

	snprintf(path, sizeof(path), CPU_DIR "/cpu%u/topology/physical_package_id", c->cpu);
	if (attr_i64(path, &c->package, &err) != A_OK)
		return;
	snprintf(path, sizeof(path), CPU_DIR "/cpu%u/topology/core_id", c->cpu);
	c->has_topo = attr_i64(path, &c->core, &err) == A_OK;
}

/* The cpufreq directory of a CPU: its own cpuN/cpufreq (a symlink to the
 * policy), or the policy whose affected_cpus lists it. */
static bool cpufreq_dir(struct thr_cpu *c, bool policies, char *out, size_t n)
{
	unsigned cpu = c->cpu;
	struct sbx_err err;
	struct dirent *de;
	struct stat st;
	DIR *d;
	bool found = false;

	snprintf(out, n, CPU_DIR "/cpu%u/cpufreq", cpu);
	if (root_stat(out, &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	if (errno != ENOENT && errno != ENOTDIR) {
		/* there, but hidden from us: not "no cpufreq" */
		sbx_err_set(&err, errno, "%s: %s", rooted(out), sbx_errno_word(errno));
		keep_why(&c->freq_why, &err);
		return false;
	}
	if (!policies)
		return false;
	if (!(d = root_opendir(CPU_DIR "/cpufreq", &err))) {
		keep_why(&c->freq_why, &err);
		return false;
	}
	while (!found && (de = readdir(d))) {
		unsigned pol, ids[4096];
		char list[4096], path[400];
		long k;

		if (!name_num(de->d_name, "policy", &pol))
			continue;
		snprintf(path, sizeof(path), CPU_DIR "/cpufreq/%s/affected_cpus", de->d_name);
		if (attr_line(path, list, sizeof(list), &err) != A_OK)
			continue;
		/* affected_cpus is space separated; parse_cpulist wants commas */
		for (char *p = list; *p; p++)
			if (*p == ' ')
				*p = ',';
		k = parse_cpulist(list, ids, ARRAY_SIZE(ids));
		for (long i = 0; i < k && i < (long)ARRAY_SIZE(ids); i++)
			if (ids[i] == cpu) {
				snprintf(out, n, CPU_DIR "/cpufreq/%s", de->d_name);
				found = true;
			}
	}
	closedir(d);
	return found;
}

static void read_cpufreq(struct thr_cpu *c, bool policies)
{
	static const struct {
		const char *file;
		size_t has, val;
	} f[] = {
#define F(name, field) { name, offsetof(struct thr_cpu, has_##field), offsetof(struct thr_cpu, field##_khz) }
		F("scaling_cur_freq", cur),
		F("scaling_max_freq", max),
		F("scaling_min_freq", min),
		F("cpuinfo_max_freq", hw_max),
		F("cpuinfo_min_freq", hw_min),
		F("bios_limit", bios),
		F("cpuinfo_cur_freq", hw_cur),
#undef F
	};
	char dir[300], path[400];
	struct sbx_err err;

	if (!cpufreq_dir(c, policies, dir, sizeof(dir)))
		return;
	c->has_cpufreq = true;
	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		uint64_t v;

		snprintf(path, sizeof(path), "%s/%s", dir, f[i].file);
		switch (attr_u64(path, &v, &err)) {
		case A_OK:
			*(bool *)((char *)c + f[i].has) = true;
			*(uint64_t *)((char *)c + f[i].val) = v;
			break;
		case A_MISSING:
			break;
		case A_EMPTY:
			sbx_err_set(&err, 0, "%s: empty", rooted(path));
			SBX_FALLTHROUGH;
		case A_BAD:
		case A_ERR:
			/* cpuinfo_cur_freq is 0400: not readable is normal */
			if (!strcmp(f[i].file, "cpuinfo_cur_freq"))
				keep_why(&c->hw_cur_why, &err);
			else
				keep_why(&c->freq_why, &err);
			break;
		}
	}
	snprintf(path, sizeof(path), "%s/scaling_governor", dir);
	attr_line(path, c->governor, sizeof(c->governor), &err);
	snprintf(path, sizeof(path), "%s/scaling_driver", dir);
	attr_line(path, c->driver, sizeof(c->driver), &err);
}

static void read_cpuinfo(struct thr_snap *s)
{
	struct buf b = { 0 };
	struct sbx_err err;
	struct cpuinfo ci;
	size_t alloc = s->ncpus;

	if (root_read("/proc/cpuinfo", &b, &err) < 0 ||
	    parse_cpuinfo(b.s, b.len, rooted("/proc/cpuinfo"), &ci, &err) < 0) {
		buf_free(&b);
		return;
	}
	buf_free(&b);
	s->has_cpuinfo = true;
	for (size_t i = 0; i < ci.n; i++) {
		struct thr_cpu *c = find_cpu(s, ci.cpus[i].processor);

		if (!ci.cpus[i].has_mhz)
			continue;
		if (!c) {
			ALLOC_GROW(s->cpus, s->ncpus + 1, alloc);
			c = &s->cpus[s->ncpus++];
			memset(c, 0, sizeof(*c));
			c->cpu = ci.cpus[i].processor;
		}
		c->has_mhz = true;
		c->mhz = ci.cpus[i].mhz;
	}
	cpuinfo_free(&ci);
	if (s->ncpus)
		qsort(s->cpus, s->ncpus, sizeof(*s->cpus), cmp_cpu);
}

/* Which CPUs there are, their topology, which of them have thermal
 * counters and cpufreq, and /proc/cpuinfo's MHz where none has cpufreq,
 * hardly ever change, and a node of 256 CPUs has some 2,500 files of
 * them.  A live loop (top, throttle -i) keeps them from a full reading
 * while CPU_DIR/online reads the same, for up to LAYOUT_FOR seconds; the
 * counters and frequencies of the CPUs that have them are read every
 * time. */
#define LAYOUT_FOR 30.0
static struct {
	bool have;
	unsigned what;
	double when;
	char online[256];
	struct thr_cpu *cpus;	/* the full reading's, without its texts */
	size_t n;
	bool any_cpufreq, has_cpuinfo, policies;
} lay;

static bool cpus_online(char *out, size_t n)
{
	struct sbx_err err;

	return root_read_line(CPU_DIR "/online", out, n, &err) == 0;
}

static bool layout_kept(struct thr_snap *s, unsigned what, const char *online)
{
	if (!lay.have || lay.what != what || !root_live_unrecorded() ||
	    now_monotonic() - lay.when >= LAYOUT_FOR || strcmp(online, lay.online))
		return false;
	s->cpus = xcalloc(lay.n + 1, sizeof(*s->cpus));
	s->ncpus = lay.n;
	for (size_t i = 0; i < lay.n; i++) {
		const struct thr_cpu *k = &lay.cpus[i];
		struct thr_cpu *c = &s->cpus[i];

		c->cpu = k->cpu;
		c->has_topo = k->has_topo;
		c->package = k->package;
		c->core = k->core;
		if (k->has_mhz && !lay.any_cpufreq) {
			c->has_mhz = true;
			c->mhz = k->mhz;
		}
		/* a CPU without the thermal_throttle directory or cpufreq
		 * had nothing to read (read_thermal, cpufreq_dir) */
		if ((what & THR_THERMAL) && (k->offline || k->has_core_count || k->has_pkg_count ||
					     k->thermal_why)) {
			read_thermal(c);
			if (c->has_core_count || c->has_pkg_count || c->offline)
				s->any_thermal = true;
		}
		if ((what & THR_FREQ) && (k->has_cpufreq || k->freq_why)) {
			read_cpufreq(c, lay.policies);
			s->any_cpufreq |= c->has_cpufreq;
		}
	}
	s->has_cpuinfo = lay.has_cpuinfo && !s->any_cpufreq;
	return true;
}

static void layout_keep(const struct thr_snap *s, unsigned what, const char *online, bool policies)
{
	free(lay.cpus);
	memset(&lay, 0, sizeof(lay));
	if (!root_live_unrecorded() || s->cpu_error)
		return;
	lay.cpus = xcalloc(s->ncpus + 1, sizeof(*lay.cpus));
	for (size_t i = 0; i < s->ncpus; i++) {
		lay.cpus[i] = s->cpus[i];
		/* kept as flags: "had an error here, read it again" */
		lay.cpus[i].thermal_why = s->cpus[i].thermal_why ? (char *)"" : NULL;
		lay.cpus[i].freq_why = s->cpus[i].freq_why ? (char *)"" : NULL;
		lay.cpus[i].hw_cur_why = NULL;
	}
	lay.n = s->ncpus;
	lay.what = what;
	lay.when = now_monotonic();
	snprintf(lay.online, sizeof(lay.online), "%s", online);
	lay.any_cpufreq = s->any_cpufreq;
	lay.has_cpuinfo = s->has_cpuinfo;
	lay.policies = policies;
	lay.have = true;
}

static void read_cpus(struct thr_snap *s, unsigned what)
{
	struct sbx_err err;
	struct dirent *de;
	size_t alloc = 0;
	bool policies;
	char online[256] = "";
	DIR *d;

	if (root_live_unrecorded() && cpus_online(online, sizeof(online)) &&
	    layout_kept(s, what, online))
		return;
	d = root_opendir(CPU_DIR, &err);

	if (!d) {
		if (err.errnum != ENOENT)
			s->cpu_error = xstrdup(err.msg);
	} else {
		while ((de = readdir(d))) {
			unsigned id;

			if (!name_num(de->d_name, "cpu", &id))
				continue;
			ALLOC_GROW(s->cpus, s->ncpus + 1, alloc);
			memset(&s->cpus[s->ncpus], 0, sizeof(s->cpus[0]));
			s->cpus[s->ncpus++].cpu = id;
		}
		closedir(d);
		if (s->ncpus)
			qsort(s->cpus, s->ncpus, sizeof(*s->cpus), cmp_cpu);
	}
	/* without policy directories, cpuN/cpufreq is all there is to try */
	policies = s->ncpus && (what & THR_FREQ) && is_dir(CPU_DIR "/cpufreq");
	for (size_t i = 0; i < s->ncpus; i++) {
		struct thr_cpu *c = &s->cpus[i];

		if (what & THR_THERMAL) {
			read_thermal(c);
			if (c->has_core_count || c->has_pkg_count || c->offline)
				s->any_thermal = true;
			if (!c->offline)
				read_topology(c);
		}
		if (what & THR_FREQ) {
			read_cpufreq(c, policies);
			s->any_cpufreq |= c->has_cpufreq;
		}
	}
	/* the runbook's `grep -i mhz /proc/cpuinfo`, where cpufreq is absent */
	if ((what & THR_FREQ) && !s->any_cpufreq)
		read_cpuinfo(s);
	if (online[0])
		layout_keep(s, what, online, policies);
}

/* --- temperatures --------------------------------------------------------- */

static struct thr_sensor *add_sensor(struct thr_snap *s, size_t *alloc)
{
	struct thr_sensor *t;

	ALLOC_GROW(s->sensors, s->nsensors + 1, *alloc);
	t = &s->sensors[s->nsensors++];
	memset(t, 0, sizeof(*t));
	return t;
}

/* millidegrees Celsius, negative allowed (acpitz -44000) */
static enum attr attr_milli_c(const char *path, double *c, struct sbx_err *err)
{
	int64_t v;
	enum attr a = attr_i64(path, &v, err);

	if (a == A_OK)
		*c = (double)v / 1000.0;
	else if (a == A_EMPTY)
		sbx_err_set(err, 0, "%s: empty", rooted(path));
	return a;
}

static void read_zone(struct thr_snap *s, size_t *alloc, const char *name)
{
	struct thr_sensor *t = add_sensor(s, alloc);
	char path[300], type[64];
	struct sbx_err err;

	t->name = xstrdup(name);
	snprintf(path, sizeof(path), "/sys/class/thermal/%s/type", name);
	t->type = xstrdup(attr_line(path, type, sizeof(type), &err) == A_OK ? type : "");
	snprintf(path, sizeof(path), "/sys/class/thermal/%s/temp", name);
	if (attr_milli_c(path, &t->temp_c, &err) == A_OK)
		t->has_temp = true;
	else
		t->why = xstrdup(err.msg);
	for (unsigned i = 0; i < 64; i++) {
		char kind[32];
		double c;

		snprintf(path, sizeof(path), "/sys/class/thermal/%s/trip_point_%u_type", name, i);
		if (attr_line(path, kind, sizeof(kind), &err) != A_OK)
			break;
		snprintf(path, sizeof(path), "/sys/class/thermal/%s/trip_point_%u_temp", name, i);
		/* unused trip points read as 0 or absurd values: ignore them */
		if (attr_milli_c(path, &c, &err) != A_OK || c <= 0 || c >= 1000)
			continue;
		if (!strcmp(kind, "critical")) {
			if (!t->has_crit_trip || c < t->crit_trip_c)
				t->crit_trip_c = c;
			t->has_crit_trip = true;
		} else if (!strcmp(kind, "passive") || !strcmp(kind, "hot")) {
			if (!t->has_warn_trip || c < t->warn_trip_c) {
				t->warn_trip_c = c;
				snprintf(t->warn_trip_kind, sizeof(t->warn_trip_kind), "%.15s", kind);
			}
			t->has_warn_trip = true;
		}
	}
}

static void read_hwmon(struct thr_snap *s, size_t *alloc, const char *name)
{
	char base[300], path[400], chip[64] = "", label[64];
	struct sbx_err err;
	struct dirent *de;
	DIR *d;

	/* Before 3.x the attributes lived in hwmonN/device/. */
	snprintf(base, sizeof(base), "/sys/class/hwmon/%s", name);
	snprintf(path, sizeof(path), "%s/name", base);
	if (attr_line(path, chip, sizeof(chip), &err) == A_MISSING) {
		snprintf(path, sizeof(path), "/sys/class/hwmon/%s/device/name", name);
		if (attr_line(path, chip, sizeof(chip), &err) == A_OK)
			snprintf(base, sizeof(base), "/sys/class/hwmon/%s/device", name);
	}
	if (!(d = root_opendir(base, &err)))
		return;
	while ((de = readdir(d))) {
		struct thr_sensor *t;
		unsigned k;
		char num[16];
		uint64_t alarm;
		double c;

		if (!str_starts(de->d_name, "temp") || !str_ends(de->d_name, "_input"))
			continue;
		snprintf(num, sizeof(num), "%.*s", (int)(strlen(de->d_name) - 10), de->d_name + 4);
		if (!name_num(num, "", &k))
			continue;
		t = add_sensor(s, alloc);
		t->name = xasprintf("%s/temp%u", name, k);
		snprintf(path, sizeof(path), "%s/temp%u_label", base, k);
		if (attr_line(path, label, sizeof(label), &err) == A_OK)
			t->type = xasprintf("%s%s%s", chip, *chip ? " " : "", label);
		else
			t->type = xstrdup(chip);
		snprintf(path, sizeof(path), "%s/temp%u_input", base, k);
		if (attr_milli_c(path, &t->temp_c, &err) == A_OK)
			t->has_temp = true;
		else
			t->why = xstrdup(err.msg);
		snprintf(path, sizeof(path), "%s/temp%u_max", base, k);
		if (attr_milli_c(path, &c, &err) == A_OK && c > 0 && c < 1000) {
			t->has_warn_trip = true;
			t->warn_trip_c = c;
			snprintf(t->warn_trip_kind, sizeof(t->warn_trip_kind), "max");
		}
		snprintf(path, sizeof(path), "%s/temp%u_crit", base, k);
		if (attr_milli_c(path, &c, &err) == A_OK && c > 0 && c < 1000) {
			t->has_crit_trip = true;
			t->crit_trip_c = c;
		}
		snprintf(path, sizeof(path), "%s/temp%u_crit_alarm", base, k);
		t->crit_alarm = attr_u64(path, &alarm, &err) == A_OK && alarm;
	}
	closedir(d);
}

static int cmp_sensor(const void *a, const void *b)
{
	const struct thr_sensor *x = a, *y = b;

	return strverscmp(x->name, y->name);
}

static void read_temps(struct thr_snap *s)
{
	static const struct {
		const char *dir, *prefix;
		void (*read)(struct thr_snap *, size_t *, const char *);
	} classes[] = { { "/sys/class/thermal", "thermal_zone", read_zone },
			{ "/sys/class/hwmon", "hwmon", read_hwmon } };
	size_t alloc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(classes); i++) {
		struct sbx_err err;
		struct dirent *de;
		DIR *d = root_opendir(classes[i].dir, &err);

		if (!d) {
			/* absent: a machine without sensors; there but unreadable: unknown */
			if (err.errnum != ENOENT && err.errnum != ENOTDIR && !s->temp_error)
				s->temp_error = xstrdup(err.msg);
			continue;
		}
		while ((de = readdir(d))) {
			unsigned id;

			if (name_num(de->d_name, classes[i].prefix, &id))
				classes[i].read(s, &alloc, de->d_name);
		}
		closedir(d);
	}
	if (s->nsensors)
		qsort(s->sensors, s->nsensors, sizeof(*s->sensors), cmp_sensor);
}

/* --- cgroups -------------------------------------------------------------- */

struct walk {
	struct thr_snap *s;
	const struct thr_hier *h;
	const char *prefix;	/* the mount's root within the hierarchy ("/" mostly) */
	size_t alloc;
	struct buf path;	/* relative to the hierarchy's directory: "" or "/a/b" */
};

static void cg_error(struct thr_snap *s, const struct sbx_err *e)
{
	if (!s->cg_error)
		s->cg_error = xstrdup(e->msg);
}

/* The full path of a file of the cgroup being visited, for messages. */
static const char *cg_file(const struct walk *w, const char *name)
{
	return rootedf("%s%s/%s", w->h->dir, w->path.len ? w->path.s : "", name);
}

/* A small file of the cgroup whose directory is open as dfd.  Opening
 * relative to the directory saves the kernel a walk of the whole path for
 * every file of every cgroup. */
static int read_at(const struct walk *w, int dfd, const char *name, char *buf, size_t n,
		   size_t *len, struct sbx_err *err)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t got;

	*len = 0;
	if (fd < 0)
		goto fail;
	while ((got = read(fd, buf + *len, n - 1 - *len)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			close(fd);
			goto fail;
		}
		*len += (size_t)got;
		if (*len == n - 1) {
			close(fd);
			sbx_err_set(err, EFBIG, "%s: larger than %zu bytes", cg_file(w, name), n - 1);
			return -1;
		}
	}
	close(fd);
	buf[*len] = '\0';
	if (root_recording()) {
		char *path = xasprintf("%s%s/%s", w->h->dir, w->path.len ? w->path.s : "", name);

		root_record_file(path, buf, *len);
		free(path);
	}
	return 0;
fail:
	sbx_err_set(err, errno, "%s: %s", cg_file(w, name), sbx_errno_word(errno));
	return -1;
}

/* Reads one cgroup; keeps it when it has a CPU limit or has counted
 * bandwidth periods (a limit removed since). */
static void cg_visit(struct walk *w, int dfd, uint64_t ino)
{
	struct thr_cgroup c = { .ino = ino };
	char b[4096], b2[256];
	size_t n, n2;
	struct sbx_err err;
	unsigned v = w->h->version;
	uint64_t ns;

	w->s->cg_seen++;
	if (read_at(w, dfd, "cpu.stat", b, sizeof(b), &n, &err) < 0) {
		/* a cgroup removed while we walk is not an error */
		if (err.errnum != ENOENT)
			cg_error(w->s, &err);
		return;
	}
	if (parse_cg_cpu_stat(b, n, cg_file(w, "cpu.stat"), v, &c.st, &err) < 0) {
		cg_error(w->s, &err);
		return;
	}
	if (v == 2)
		c.has_limit = read_at(w, dfd, "cpu.max", b, sizeof(b), &n, &err) == 0 &&
			      parse_cpu_max(b, n, cg_file(w, "cpu.max"), &c.limit, &err) == 0;
	else
		c.has_limit = read_at(w, dfd, "cpu.cfs_quota_us", b, sizeof(b), &n, &err) == 0 &&
			      read_at(w, dfd, "cpu.cfs_period_us", b2, sizeof(b2), &n2, &err) == 0 &&
			      parse_cfs_quota(b, n, b2, n2, cg_file(w, ""), &c.limit, &err) == 0;
	if (!(c.has_limit && c.limit.quota_us >= 0) && !(c.st.has_periods && c.st.nr_periods))
		return;
	/* cpuacct.usage is here when cpu and cpuacct share a v1 mount */
	if (v == 1 && read_at(w, dfd, "cpuacct.usage", b, sizeof(b), &n, &err) == 0 &&
	    parse_u64(str_trim(b), &ns)) {
		c.st.has_usage = true;
		c.st.usage_s = (double)ns / 1e9;
	}
	if (strcmp(w->prefix, "/") && *w->prefix)
		c.path = xasprintf("%s%s", w->prefix, w->path.len ? w->path.s : "");
	else
		c.path = xstrdup(w->path.len ? w->path.s : "/");
	k8s_cgroup_parse(c.path, &c.k8s);
	ALLOC_GROW(w->s->cg, w->s->ncg + 1, w->alloc);
	w->s->cg[w->s->ncg++] = c;
}

static uint64_t path_key(const struct walk *w)
{
	uint64_t h = 1469598103934665603ULL;
	const char *p = w->h->dir;

	for (int pass = 0; pass < 2; pass++, p = w->path.len ? w->path.s : "")
		for (; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

/* dfd: the open directory of the cgroup at w->path; closed here. */
static void cg_walk(struct walk *w, int dfd, unsigned depth)
{
	size_t len = w->path.len;
	struct sbx_err err;
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (fstat(dfd, &st) < 0) {
		close(dfd);
		return;
	}
	/* two snapshot trees: each a tree of its own, so the cgroup is
	 * known by its path in both, not by the inode of its copy */
	cg_visit(w, dfd, root_count() == 2 ? path_key(w) : (uint64_t)st.st_ino);
	if (depth >= MAX_DEPTH)
		goto out;
	if (!(d = fdopendir(dfd))) {
		sbx_err_set(&err, errno, "%s: %s", cg_file(w, ""), sbx_errno_word(errno));
		cg_error(w->s, &err);
		goto out;
	}
	while ((de = readdir(d))) {
		int cfd;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cfd < 0) {
			/* not a directory (DT_UNKNOWN), or removed meanwhile */
			if (errno != ENOTDIR && errno != ENOENT) {
				sbx_err_set(&err, errno, "%s: %s", cg_file(w, de->d_name),
					    sbx_errno_word(errno));
				cg_error(w->s, &err);
			}
			continue;
		}
		buf_addf(&w->path, "/%s", de->d_name);
		cg_walk(w, cfd, depth + 1);
		w->path.len = len;
		w->path.s[len] = '\0';
	}
	closedir(d);
	return;
out:
	close(dfd);
}

/* Walks the subtree of w->path in the hierarchy; false if it is not there. */
static bool cg_walk_from(struct walk *w)
{
	const char *dir = rootedf("%s%s", w->h->dir, w->path.len ? w->path.s : "");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct sbx_err err;

	if (dfd < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			sbx_err_set(&err, errno, "%s: %s", dir, sbx_errno_word(errno));
			cg_error(w->s, &err);
		}
		return false;
	}
	cg_walk(w, dfd, 0);
	return true;
}

/* Whether w is one of the space-separated words of s (cgroup.controllers). */
static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = s; *p;) {
		size_t l;

		p += strspn(p, " \t");
		l = strcspn(p, " \t");
		if (l == n && !memcmp(p, w, n))
			return true;
		p += l;
	}
	return false;
}

/* A candidate hierarchy: `dir` under the root. */
struct cand {
	char *dir, *prefix;
	unsigned version;
	dev_t dev;
	ino_t ino;
};

static void add_cand(struct cand **c, size_t *n, size_t *alloc, const char *dir,
		     const char *prefix, unsigned version)
{
	struct stat st;

	if (root_stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return;
	for (size_t i = 0; i < *n; i++)
		if ((*c)[i].dev == st.st_dev && (*c)[i].ino == st.st_ino)
			return;
	ALLOC_GROW(*c, *n + 1, *alloc);
	(*c)[(*n)++] = (struct cand){ xstrdup(dir), xstrdup(prefix), version, st.st_dev,
				      st.st_ino };
}

static void note(struct thr_snap *s, const char *fmt, ...) SBX_PRINTF(2, 3);
static void note(struct thr_snap *s, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	if (s->cg_note)
		buf_addf(&b, "%s; ", s->cg_note);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(s->cg_note);
	s->cg_note = b.s;
}

/* Whether candidate c has the cpu controller (v2) or CFS bandwidth
 * control (v1); if not, why, in s. */
static bool hier_usable(struct thr_snap *s, const struct cand *c)
{
	char line[512], path[4200];
	struct sbx_err err;
	struct stat st_;

	if (c->version == 2) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", c->dir);
		if (attr_line(path, line, sizeof(line), &err) == A_ERR) {
			cg_error(s, &err);
			return false;
		}
		if (!has_word(line, "cpu")) {
			note(s, "cgroup v2 at %s has no cpu controller", rooted(c->dir));
			return false;
		}
	} else if (snprintf(path, sizeof(path), "%s/cpu.cfs_period_us", c->dir),
		   root_stat(path, &st_)) {
		if (errno != ENOENT) {
			sbx_err_set(&err, errno, "%s: %s",
				    rootedf("%s/cpu.cfs_period_us", c->dir),
				    sbx_errno_word(errno));
			cg_error(s, &err);
		} else {
			note(s, "%s: kernel without CFS bandwidth control (no "
				"cpu.cfs_period_us)", rooted(c->dir));
		}
		return false;
	}
	return true;
}

/* The hierarchies with the cpu controller (and, for v1, CFS bandwidth
 * control) to walk, into *out; what is wrong or missing, into s's
 * cg_note and cg_error.  On the live node mt is its mount table (NULL
 * elsewhere): where they are mounted, however unusual. */
static void find_hiers(struct thr_snap *s, const struct mnt_table *mt, struct cand **out, size_t *nout)
{
	static const struct {
		const char *dir;
		unsigned version;
	} usual[] = {
		{ "/sys/fs/cgroup", 2 },		/* unified */
		{ "/sys/fs/cgroup/unified", 2 },	/* hybrid */
		{ "/sys/fs/cgroup/cpu,cpuacct", 1 },	{ "/sys/fs/cgroup/cpu", 1 },
		{ "/sys/fs/cgroup/cpuacct,cpu", 1 },
	};
	struct cand *c = NULL;
	size_t nc = 0, ac = 0, kept = 0;
	struct sbx_err err;

	/* where the live machine mounts them, however unusual; then where
	 * distributions put them (all a tree under --root is looked for) */
	for (size_t i = 0; mt && i < mt->n; i++) {
		if (!strcmp(mt->m[i].fstype, "cgroup2"))
			add_cand(&c, &nc, &ac, mt->m[i].point, mt->m[i].root, 2);
		else if (!strcmp(mt->m[i].fstype, "cgroup") && mnt_has_option(mt->m[i].super, "cpu"))
			add_cand(&c, &nc, &ac, mt->m[i].point, mt->m[i].root, 1);
	}
	for (size_t i = 0; i < ARRAY_SIZE(usual); i++) {
		const char *f = rootedf("%s/%s", usual[i].dir,
					usual[i].version == 2 ? "cgroup.controllers" : "cpu.shares");
		struct stat st;
		char rel[256];

		/* recorded by a capture, so that its replay finds the hierarchy */
		snprintf(rel, sizeof(rel), "%s/%s", usual[i].dir,
			 usual[i].version == 2 ? "cgroup.controllers" : "cpu.shares");
		if (!root_stat(rel, &st)) {
			if (root_recording()) {
				/* what marks the hierarchy, for the replay to find it */
				char mark[256], l[64];
				struct sbx_err e2;

				snprintf(mark, sizeof(mark), "%s/%s", usual[i].dir,
					 usual[i].version == 2 ? "cgroup.controllers" : "cpu.shares");
				(void)root_read_line(mark, l, sizeof(l), &e2);
			}
			add_cand(&c, &nc, &ac, usual[i].dir, "/", usual[i].version);
		} else if (errno != ENOENT && errno != ENOTDIR) {
			/* a tree we may not look into is not a machine without cgroups */
			sbx_err_set(&err, errno, "%s: %s", f, sbx_errno_word(errno));
			cg_error(s, &err);
		}
	}
	for (size_t i = 0; i < nc; i++) {
		if (hier_usable(s, &c[i])) {
			c[kept++] = c[i];
		} else {
			free(c[i].dir);
			free(c[i].prefix);
		}
	}
	*out = c;
	*nout = kept;
}

/* What find_hiers found last; on the live node, kept while its mount
 * table stands (have): a view reading the cgroups each sample need not stat the
 * usual places and check each hierarchy's controllers again.  Where the
 * hierarchies are, and whether they have the cpu controller, change only
 * with a mount (a v1 hierarchy takes its controllers from v2 when
 * mounted).  Not kept for a tree or a capture, nor when something
 * could not be read (it may be read next time). */
static struct {
	bool have;
	unsigned long reads;	/* mnt_reads() when found */
	struct cand *c;
	size_t n;
	char *note;
} hiers;

static void hiers_forget(void)
{
	for (size_t i = 0; i < hiers.n; i++) {
		free(hiers.c[i].dir);
		free(hiers.c[i].prefix);
	}
	free(hiers.c);
	free(hiers.note);
	memset(&hiers, 0, sizeof(hiers));
}

/* The hierarchies to walk, into hiers.c: the kept ones, or found
 * afresh (and kept, on the live node, while the mount table stands). */
static void hiers_get(struct thr_snap *s)
{
	struct mnt_table mt;
	struct sbx_err err;
	bool live = root_is_live(), has_mt = live && mnt_read(&mt, NULL, 0, &err) == 0;
	bool keep = has_mt && root_live_unrecorded();

	if (keep && hiers.have && hiers.reads == mnt_reads()) {
		s->cg_note = hiers.note ? xstrdup(hiers.note) : NULL;
		mnt_table_free(&mt);
		return;
	}
	hiers_forget();
	find_hiers(s, has_mt ? &mt : NULL, &hiers.c, &hiers.n);
	if (has_mt)
		mnt_table_free(&mt);
	if (keep && !s->cg_error) {	/* an error may pass: looked for again */
		hiers.have = true;
		hiers.reads = mnt_reads();
		hiers.note = s->cg_note ? xstrdup(s->cg_note) : NULL;
	}
}

static void read_cgroups(struct thr_snap *s, const char *const *paths, size_t npaths)
{
	const struct cand *c;
	size_t ah = 0;
	bool *found = xcalloc(npaths + 1, sizeof(bool));

	hiers_get(s);
	c = hiers.c;
	for (size_t i = 0; i < hiers.n; i++) {
		struct thr_hier *h;
		struct walk w = { .s = s };

		ALLOC_GROW(s->hier, s->nhier + 1, ah);
		h = &s->hier[s->nhier++];
		h->dir = xstrdup(c[i].dir);
		h->version = c[i].version;
		w.h = h;
		w.prefix = c[i].prefix;
		for (size_t p = 0; p < (npaths ? npaths : 1); p++) {
			buf_reset(&w.path);
			if (npaths && *paths[p]) {
				if (*paths[p] != '/')
					buf_addc(&w.path, '/');
				buf_adds(&w.path, paths[p]);
				while (w.path.len > 1 && w.path.s[w.path.len - 1] == '/')
					w.path.s[--w.path.len] = '\0';
				if (!strcmp(w.path.s, "/"))
					buf_reset(&w.path);
			}
			found[p] |= cg_walk_from(&w);
		}
		buf_free(&w.path);
	}
	if (!s->nhier && !s->cg_note && !s->cg_error) {
		double t;
		const char *stuck = root_stuck(&t);

		/* a root that stopped answering hides the hierarchy: that is
		 * not "none here" */
		if (stuck) {
			struct sbx_err e;

			sbx_err_set(&e, ETIMEDOUT, "%s: not looked at: the root stopped answering "
				    "(%s gave no answer within %gs)", rooted("/sys/fs/cgroup"), stuck, t);
			cg_error(s, &e);
		} else {
			note(s, "no cgroup hierarchy with the cpu controller under %s",
			     rooted("/sys/fs/cgroup"));
		}
	}
	for (size_t p = 0; p < npaths && s->nhier; p++)
		if (!found[p] && !s->cg_missing)
			s->cg_missing = xstrdup(paths[p]);
	free(found);
}

/* --- the snapshot --------------------------------------------------------- */

int throttle_read(struct thr_snap *s, unsigned what, const char *const *paths, size_t npaths)
{
	struct buf b = { 0 };
	struct sbx_err err;

	memset(s, 0, sizeof(*s));
	s->what = what;
	s->uptime = -1;
	s->when = root_clock();	/* a capture: its own clock */
	if (what & THR_STEAL) {
		if (root_read("/proc/stat", &b, &s->stat_err) == 0 &&
		    parse_stat(b.s, b.len, rooted("/proc/stat"), &s->stat, &s->stat_err) == 0)
			s->has_stat = true;
	}
	if (root_read("/proc/uptime", &b, &err) == 0 &&
	    parse_uptime(b.s, b.len, rooted("/proc/uptime"), &s->uptime, &err) < 0)
		s->uptime = -1;
	buf_free(&b);
	if (what & (THR_THERMAL | THR_FREQ))
		read_cpus(s, what);
	if (what & THR_TEMPS)
		read_temps(s);
	if (what & THR_CGROUPS)
		read_cgroups(s, paths, npaths);
	return 0;
}

void throttle_snap_free(struct thr_snap *s)
{
	for (size_t i = 0; i < s->nhier; i++)
		free(s->hier[i].dir);
	free(s->hier);
	for (size_t i = 0; i < s->ncg; i++)
		free(s->cg[i].path);
	free(s->cg);
	free(s->cg_note);
	free(s->cg_error);
	free(s->cg_missing);
	for (size_t i = 0; i < s->ncpus; i++) {
		free(s->cpus[i].thermal_why);
		free(s->cpus[i].freq_why);
		free(s->cpus[i].hw_cur_why);
	}
	free(s->cpus);
	free(s->cpu_error);
	for (size_t i = 0; i < s->nsensors; i++) {
		free(s->sensors[i].name);
		free(s->sensors[i].type);
		free(s->sensors[i].why);
	}
	free(s->sensors);
	free(s->temp_error);
	if (s->has_stat)
		proc_stat_free(&s->stat);
	memset(s, 0, sizeof(*s));
}

/* --- analysis ------------------------------------------------------------- */

static int cmp_cg_path(const void *a, const void *b)
{
	const struct thr_cgroup *const *x = a, *const *y = b;

	return strcmp((*x)->path, (*y)->path);
}

static enum thr_sort sort_key;

static int cmp_rows(const void *a, const void *b)
{
	const struct thr_cg_row *x = a, *y = b;
	double rx = x->ok && !isnan(x->ratio) ? x->ratio : -1;
	double ry = y->ok && !isnan(y->ratio) ? y->ratio : -1;
	double tx = x->ok && x->has_time ? x->throttled_s : -1;
	double ty = y->ok && y->has_time ? y->throttled_s : -1;

	if (sort_key == THR_SORT_TIME && tx != ty)
		return tx < ty ? 1 : -1;
	if (rx != ry)
		return rx < ry ? 1 : -1;
	if (tx != ty)
		return tx < ty ? 1 : -1;
	return strcmp(x->cg->path, y->cg->path);
}

struct thr_cg_row *throttle_cg_rows(const struct thr_snap *cur, const struct thr_snap *prev,
				    enum thr_sort sort, size_t *n)
{
	struct thr_cg_row *rows = xcalloc(cur->ncg + 1, sizeof(*rows));
	const struct thr_cgroup **idx = NULL;

	if (prev) {
		idx = xcalloc(prev->ncg + 1, sizeof(*idx));
		for (size_t i = 0; i < prev->ncg; i++)
			idx[i] = &prev->cg[i];
		qsort(idx, prev->ncg, sizeof(*idx), cmp_cg_path);
	}
	for (size_t i = 0; i < cur->ncg; i++) {
		const struct thr_cgroup *c = &cur->cg[i], *p = NULL, **hit;
		struct thr_cg_row *r = &rows[i];

		r->cg = c;
		r->ok = true;
		r->ratio = NAN;
		if (prev) {
			hit = bsearch(&c, idx, prev->ncg, sizeof(*idx), cmp_cg_path);
			p = hit && (*hit)->ino == c->ino ? *hit : NULL;
			/* new, or removed and made again under the same name:
			 * all its counts fall inside the interval */
			r->created = !p;
		}
		if (!c->st.has_periods) {
			r->ok = false;
			snprintf(r->why, sizeof(r->why), "no nr_periods in cpu.stat");
			continue;
		}
		if (p && !p->st.has_periods) {
			r->ok = false;
			snprintf(r->why, sizeof(r->why),
				 "nr_periods appeared in cpu.stat during the interval (the cpu "
				 "controller was enabled)");
			continue;
		}
		if (p && (c->st.nr_periods < p->st.nr_periods || c->st.nr_throttled < p->st.nr_throttled ||
			  (c->st.has_throttled_time && p->st.has_throttled_time &&
			   c->st.throttled_s < p->st.throttled_s))) {
			bool per = c->st.nr_periods < p->st.nr_periods;
			bool thr = !per && c->st.nr_throttled < p->st.nr_throttled;

			r->ok = false;
			if (per || thr)
				snprintf(r->why, sizeof(r->why),
					 "cpu.stat %s went backwards (%llu to %llu) in the same cgroup",
					 per ? "nr_periods" : "nr_throttled",
					 (unsigned long long)(per ? p->st.nr_periods : p->st.nr_throttled),
					 (unsigned long long)(per ? c->st.nr_periods : c->st.nr_throttled));
			else
				snprintf(r->why, sizeof(r->why),
					 "cpu.stat throttled time went backwards (%.3fs to %.3fs) in the "
					 "same cgroup",
					 p->st.throttled_s, c->st.throttled_s);
			continue;
		}
		r->periods = c->st.nr_periods - (p ? p->st.nr_periods : 0);
		r->throttled = c->st.nr_throttled - (p ? p->st.nr_throttled : 0);
		if ((r->has_time = c->st.has_throttled_time && (!p || p->st.has_throttled_time)))
			r->throttled_s = c->st.throttled_s - (p ? p->st.throttled_s : 0);
		if ((r->has_usage = c->st.has_usage && (!p || p->st.has_usage)) &&
		    c->st.usage_s >= (p ? p->st.usage_s : 0))
			r->usage_s = c->st.usage_s - (p ? p->st.usage_s : 0);
		else
			r->has_usage = false;
		if (r->periods)
			r->ratio = (double)r->throttled / (double)r->periods;
	}
	free(idx);
	sort_key = sort;
	qsort(rows, cur->ncg, sizeof(*rows), cmp_rows);
	*n = cur->ncg;
	return rows;
}

static const struct thr_thermal_row *find_thermal(const struct thr_thermal_row *r, size_t n,
						  enum thr_level lv, int64_t pkg, int64_t core)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].level == lv && r[i].package == pkg && r[i].core == core)
			return &r[i];
	return NULL;
}

/* Since-boot rows of one snapshot: first CPU seen of each core and package. */
static struct thr_thermal_row *thermal_totals(const struct thr_snap *s, size_t *n)
{
	struct thr_thermal_row *r = NULL;
	size_t nr = 0, alloc = 0;

	for (size_t i = 0; i < s->ncpus; i++) {
		const struct thr_cpu *c = &s->cpus[i];

		if (c->offline || !c->has_topo)
			continue;
		if (c->has_pkg_count && !find_thermal(r, nr, THR_PACKAGE, c->package, -1)) {
			ALLOC_GROW(r, nr + 1, alloc);
			r[nr++] = (struct thr_thermal_row){
				.level = THR_PACKAGE, .package = c->package, .core = -1,
				.cpu = c->cpu, .ok = true, .events = c->pkg_count,
				.total = c->pkg_count, .has_max_ms = c->has_pkg_max_ms,
				.max_ms = c->pkg_max_ms, .has_total_ms = c->has_pkg_total_ms,
				.total_ms = c->pkg_total_ms,
			};
		}
		if (c->has_core_count && !find_thermal(r, nr, THR_CORE, c->package, c->core)) {
			ALLOC_GROW(r, nr + 1, alloc);
			r[nr++] = (struct thr_thermal_row){
				.level = THR_CORE, .package = c->package, .core = c->core,
				.cpu = c->cpu, .ok = true, .events = c->core_count,
				.total = c->core_count, .has_max_ms = c->has_core_max_ms,
				.max_ms = c->core_max_ms, .has_total_ms = c->has_core_total_ms,
				.total_ms = c->core_total_ms,
			};
		}
	}
	*n = nr;
	return r;
}

static int cmp_thermal(const void *a, const void *b)
{
	const struct thr_thermal_row *x = a, *y = b;

	if (x->package != y->package)
		return x->package < y->package ? -1 : 1;
	if (x->level != y->level)
		return x->level == THR_PACKAGE ? -1 : 1;
	return x->core < y->core ? -1 : x->core > y->core;
}

struct thr_thermal_row *throttle_thermal_rows(const struct thr_snap *cur,
					      const struct thr_snap *prev, size_t *n)
{
	struct thr_thermal_row *r = thermal_totals(cur, n), *pr = NULL;
	size_t np = 0;

	if (prev) {
		pr = thermal_totals(prev, &np);
		for (size_t i = 0; i < *n; i++) {
			const struct thr_thermal_row *p =
				find_thermal(pr, np, r[i].level, r[i].package, r[i].core);

			if (!p) {
				r[i].ok = false;
				snprintf(r[i].why, sizeof(r[i].why),
					 "CPU%u's counters appeared during the interval (it came online)",
					 r[i].cpu);
			} else if (r[i].total < p->total) {
				r[i].ok = false;
				snprintf(r[i].why, sizeof(r[i].why),
					 "CPU%u's %s_throttle_count went backwards (%llu to %llu; CPU hotplug)",
					 r[i].cpu, r[i].level == THR_CORE ? "core" : "package",
					 (unsigned long long)p->total, (unsigned long long)r[i].total);
			} else if (r[i].has_total_ms && p->has_total_ms && r[i].total_ms < p->total_ms) {
				r[i].ok = false;
				snprintf(r[i].why, sizeof(r[i].why),
					 "CPU%u's %s_throttle_total_time_ms went backwards (CPU hotplug)",
					 r[i].cpu, r[i].level == THR_CORE ? "core" : "package");
			} else {
				r[i].events = r[i].total - p->total;
				if (r[i].has_total_ms && p->has_total_ms)
					r[i].total_ms -= p->total_ms;
				else
					r[i].has_total_ms = false;
			}
		}
		free(pr);
	}
	if (*n)
		qsort(r, *n, sizeof(*r), cmp_thermal);
	return r;
}

static void steal_of(const struct cpu_share *sh, struct thr_steal *out)
{
	out->cpu = sh->cpu;
	out->ok = sh->ok;
	snprintf(out->why, sizeof(out->why), "%s", sh->why);
	snprintf(out->steal_why, sizeof(out->steal_why), "%s", sh->why);
	if (!sh->ok)
		return;
	out->busy = (sh->busy - (sh->has[SH_STEAL] ? sh->pct[SH_STEAL] : 0)) / 100;
	if (out->busy < 0)
		out->busy = 0;
	if (!sh->has[SH_STEAL]) {
		snprintf(out->steal_why, sizeof(out->steal_why),
			 "no steal column in /proc/stat (kernel before 2.6.11)");
		return;
	}
	out->has_steal = true;
	out->steal = sh->pct[SH_STEAL] / 100;
}

struct thr_steal *throttle_steal_rows(const struct thr_snap *cur, const struct thr_snap *prev,
				      size_t *n)
{
	struct thr_steal *r;
	struct cpu_share all, *per;
	size_t nper;

	*n = 0;
	if (!cur->has_stat)
		return NULL;
	cpu_shares(&cur->stat, prev && prev->has_stat ? &prev->stat : NULL, &all, &per, &nper);
	r = xcalloc(nper + 2, sizeof(*r));
	steal_of(&all, &r[0]);
	for (size_t i = 0; i < nper; i++)
		steal_of(&per[i], &r[i + 1]);
	free(per);
	*n = nper + 1;
	return r;
}

bool throttle_freq_cap(const struct thr_cpu *c, double *ratio, uint64_t *cap_khz,
		       const char **source)
{
	if (!c->has_hw_max || !c->hw_max_khz || (!c->has_max && !c->has_bios))
		return false;
	if (c->has_bios && c->bios_khz && (!c->has_max || c->bios_khz < c->max_khz)) {
		*cap_khz = c->bios_khz;
		*source = "bios_limit";
	} else {
		*cap_khz = c->max_khz;
		*source = "scaling_max_freq";
	}
	*ratio = (double)*cap_khz / (double)c->hw_max_khz;
	return true;
}

void throttle_cg_name(const char *path, const struct k8s_cgroup *k, char *out, size_t n)
{
	char pod[160];

	/* its namespace/name when the kubelet's log directory says, as cpu
	 * names a process's pod */
	if (k->level >= K8S_POD && !owner_pod_name(k->pod_uid, pod, sizeof(pod)))
		snprintf(pod, sizeof(pod), "%s", k->pod_uid);
	switch (k->level) {
	case K8S_CONTAINER:
		snprintf(out, n, "pod %s (%s) container %.12s", pod, k8s_qos_name(k->qos),
			 k->container_id);
		break;
	case K8S_POD:
		snprintf(out, n, "pod %s (%s)", pod, k8s_qos_name(k->qos));
		break;
	default:
		snprintf(out, n, "cgroup %s", path);
		break;
	}
}
