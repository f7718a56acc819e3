#include "node.h"
#include "kmsg.h"
#include "root.h"
#include "rundir.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read and parse one file with a parser of the parse_kv shape. */
#define READ_PARSE(path, parser, out, err)                                                    \
	({                                                                                    \
		struct buf b_ = { 0 };                                                        \
		int rc_ = root_read(path, &b_, err);                                          \
		if (rc_ == 0)                                                                 \
			rc_ = parser(b_.s, b_.len, rooted(path), out, err);                  \
		buf_free(&b_);                                                                \
		rc_;                                                                          \
	})

int node_meminfo(struct mem_info *m, struct sbx_err *err)
{
	struct kv_list kv;
	int rc = READ_PARSE("/proc/meminfo", parse_kv, &kv, err);

	memset(m, 0, sizeof(*m));
	if (rc < 0)
		return -1;
	if (!kv_get(&kv, "MemTotal", &m->total) || !kv_get(&kv, "MemFree", &m->free)) {
		sbx_err_set(err, 0, "%s: no MemTotal/MemFree", rooted("/proc/meminfo"));
		kv_free(&kv);
		return -1;
	}
	m->has_available = kv_get(&kv, "MemAvailable", &m->available);
	kv_get(&kv, "SwapTotal", &m->swap_total);
	kv_get(&kv, "SwapFree", &m->swap_free);
	kv_free(&kv);
	return 0;
}

int node_kubelet_memory_available(uint64_t mem_total, uint64_t *avail, char *how, size_t n,
				  struct sbx_err *err)
{
	struct sbx_err e2;
	struct kv_list kv;
	uint64_t usage = 0, inactive = 0, anon = 0, file = 0, ws;

	/* cgroup v1: the memory controller's root */
	if (root_read_u64("/sys/fs/cgroup/memory/memory.usage_in_bytes", &usage, &e2) == 0) {
		if (READ_PARSE("/sys/fs/cgroup/memory/memory.stat", parse_kv, &kv, err) < 0)
			return -1;
		if (!kv_get(&kv, "total_inactive_file", &inactive))
			kv_get(&kv, "inactive_file", &inactive);
		kv_free(&kv);
		snprintf(how, n, "memory.usage_in_bytes - total_inactive_file (cgroup v1)");
	} else if (READ_PARSE("/sys/fs/cgroup/memory.stat", parse_kv, &kv, &e2) == 0) {
		/* cgroup v2: the root has no memory.current; its memory.stat
		 * has the node's anon and file pages */
		kv_get(&kv, "anon", &anon);
		kv_get(&kv, "file", &file);
		kv_get(&kv, "inactive_file", &inactive);
		kv_free(&kv);
		usage = anon + file;
		snprintf(how, n, "memory.stat anon + file - inactive_file (cgroup v2)");
	} else {
		sbx_err_set(err, e2.errnum, "no root memory cgroup (%s)", e2.msg);
		return -1;
	}
	ws = usage > inactive ? usage - inactive : 0;
	*avail = mem_total > ws ? mem_total - ws : 0;
	return 0;
}

int node_psi(const char *res, struct psi *out, struct sbx_err *err)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/pressure/%s", res);
	return READ_PARSE(path, parse_psi, out, err);
}

int node_vmstat(struct kv_list *out, struct sbx_err *err)
{
	return READ_PARSE("/proc/vmstat", parse_kv, out, err);
}

int node_stat(struct proc_stat *out, struct sbx_err *err)
{
	return READ_PARSE("/proc/stat", parse_stat, out, err);
}

int node_loadavg(struct loadavg *out, struct sbx_err *err)
{
	return READ_PARSE("/proc/loadavg", parse_loadavg, out, err);
}

int node_uptime(double *up, struct sbx_err *err)
{
	return READ_PARSE("/proc/uptime", parse_uptime, up, err);
}

static int read_numbers(const char *path, uint64_t *out, size_t want, struct sbx_err *err)
{
	struct buf b = { 0 };
	int rc = root_read(path, &b, err);

	if (rc == 0)
		rc = parse_numbers(b.s, b.len, rooted(path), out, want, err);
	buf_free(&b);
	return rc;
}

int node_file_nr(uint64_t *allocated, uint64_t *max, struct sbx_err *err)
{
	uint64_t v[3];

	if (read_numbers("/proc/sys/fs/file-nr", v, 3, err) < 0)
		return -1;
	*allocated = v[0] - v[1];	/* the free field is 0 since 2.6 */
	*max = v[2];
	return 0;
}

int node_pid_limit(uint64_t *limit, struct sbx_err *err)
{
	uint64_t pid_max, threads_max;

	if (read_numbers("/proc/sys/kernel/pid_max", &pid_max, 1, err) < 0 ||
	    read_numbers("/proc/sys/kernel/threads-max", &threads_max, 1, err) < 0)
		return -1;
	*limit = pid_max < threads_max ? pid_max : threads_max;
	return 0;
}

int node_conntrack(uint64_t *count, uint64_t *max, struct sbx_err *err)
{
	struct sbx_err e2;

	if (read_numbers("/proc/sys/net/netfilter/nf_conntrack_count", count, 1, &e2) == 0)
		return read_numbers("/proc/sys/net/netfilter/nf_conntrack_max", max, 1, err);
	if (e2.errnum == ENOENT &&
	    read_numbers("/proc/sys/net/ipv4/netfilter/ip_conntrack_count", count, 1, err) == 0)
		return read_numbers("/proc/sys/net/ipv4/netfilter/ip_conntrack_max", max, 1, err);
	*err = e2;
	return -1;
}

struct scan_arg {
	struct kmsg_scan *s;
	double uptime;
};

static void kmsg_record(void *arg, const struct kmsg_rec *rec, bool timed)
{
	struct kmsg_scan *s = ((struct scan_arg *)arg)->s;
	double uptime = ((struct scan_arg *)arg)->uptime;
	const struct kmsg_rec r = *rec;
	struct oom_kill k;
	char memcg[256], task[64];
	int64_t pid;
	double age;

	s->records++;
	kmsg_classes_add(&s->cls, rec, timed);
	/* the kernel's own messages only: anyone who can write /dev/kmsg could
	 * log "Killed process", and the kernel gives those LOG_USER */
	if (rec->prio >> 3)
		return;
	age = uptime > 0 && timed ? uptime - (double)r.usec / 1e6 : -1;
	if (match_oom_memcg(r.text, r.tlen, memcg, sizeof(memcg), &pid)) {
		snprintf(s->pending_memcg, sizeof(s->pending_memcg), "%s", memcg);
		s->pending_pid = pid;
		return;
	}
	if (match_oom_kill(r.text, r.tlen, &k)) {
		size_t i;

		s->ooms++;
		if (s->nvictims == KMSG_MAX_VICTIMS) {	/* keep the newest */
			memmove(&s->victim[0], &s->victim[1],
				(KMSG_MAX_VICTIMS - 1) * sizeof(s->victim[0]));
			s->nvictims--;
		}
		i = s->nvictims++;
		memset(&s->victim[i], 0, sizeof(s->victim[i]));
		s->victim[i].kill = k;
		s->victim[i].age = age;
		if (s->pending_pid == k.pid)
			snprintf(s->victim[i].memcg, sizeof(s->victim[i].memcg), "%s",
				 s->pending_memcg);
		s->pending_memcg[0] = '\0';
		s->pending_pid = -1;
		s->newest_oom_age = age;
		return;
	}
	if (match_hung_task(r.text, r.tlen, task, sizeof(task), &pid)) {
		s->hung++;
		snprintf(s->hung_task, sizeof(s->hung_task), "%s", task);
		s->hung_pid = pid;
		s->hung_age = age;
	}
}

int node_kmsg_scan(double uptime, struct kmsg_scan *s, struct sbx_err *err)
{
	struct scan_arg a = { s, uptime };

	memset(s, 0, sizeof(*s));
	s->newest_oom_age = s->hung_age = -1;
	s->pending_pid = -1;
	kmsg_classes_init(&s->cls);
	return kmsg_read_each(kmsg_record, &a, err);
}

struct kmsg_cache {
	char magic[8];
	uint32_t size;
	char boot_id[40];
	uint64_t ooms, hung, tail;
	double uptime;
	struct kmsg_scan scan;
};

#define KMSG_CACHE_MAGIC "sbxkmsg2"

static bool kmsg_cache_path(char *out, size_t n)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	char dir[4096];
	struct sbx_err err;

	if (x && x[0] == '/')
		return (size_t)snprintf(out, n, "%s/srebox-kmsg.cache", x) < n;
	/* /run/srebox for root, else the user's own dir in /tmp: made and
	 * checked where the stuck-helper registry is */
	if (!rundir_get(dir, sizeof(dir), &err))
		return false;
	return (size_t)snprintf(out, n, "%s/kmsg.cache", dir) < n;
}

#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

/* Every field of a loaded cache, checked before any is used: a file cut,
 * corrupted or written by something else is a miss (scanned again and
 * rewritten), never an index out of range or a string without its end. */
static bool kmsg_cache_valid(const struct kmsg_cache *c)
{
	const struct kmsg_scan *k = &c->scan;

	if (!TERMINATED(c->boot_id) || !isfinite(c->uptime) || c->uptime < 0 ||
	    k->nvictims > KMSG_MAX_VICTIMS || k->nvictims > k->ooms || !TERMINATED(k->hung_task) ||
	    !TERMINATED(k->pending_memcg) || !isfinite(k->hung_age) || !isfinite(k->newest_oom_age) ||
	    !kmsg_classes_valid(&k->cls))
		return false;
	for (size_t i = 0; i < k->nvictims; i++)
		if (!TERMINATED(k->victim[i].kill.comm) || !TERMINATED(k->victim[i].memcg) ||
		    !isfinite(k->victim[i].age))
			return false;
	return true;
}

static bool kmsg_cache_load(const char *path, struct kmsg_cache *c)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	bool ok;

	if (fd < 0)
		return false;
	/* only a file this user wrote, that no one else could have */
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	     !(st.st_mode & 022) && st.st_size == (off_t)sizeof(*c) &&
	     read(fd, c, sizeof(*c)) == (ssize_t)sizeof(*c);
	close(fd);
	return ok && !memcmp(c->magic, KMSG_CACHE_MAGIC, 8) && c->size == sizeof(*c) &&
	       kmsg_cache_valid(c);
}

static void kmsg_cache_store(const char *path, const struct kmsg_cache *c)
{
	char tmp[4200];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return;
	fd = mkstemp(tmp);
	if (fd < 0)
		return;
	if (write(fd, c, sizeof(*c)) != (ssize_t)sizeof(*c) || close(fd) < 0 ||
	    rename(tmp, path) < 0)
		unlink(tmp);
}

#define KEY_EQ(a, b) ((a) == (b) || (a) == UINT64_MAX || (b) == UINT64_MAX)

/* A kept scan moved on by the time since it was taken. */
static void scan_aged(struct kmsg_scan *out, const struct kmsg_scan *kept, double d)
{
	*out = *kept;
	for (size_t i = 0; i < out->nvictims && i < KMSG_MAX_VICTIMS; i++)
		if (out->victim[i].age >= 0)
			out->victim[i].age += d;
	if (out->hung_age >= 0)
		out->hung_age += d;
	if (out->newest_oom_age >= 0)
		out->newest_oom_age += d;
}

int node_kmsg_scan_keyed(double uptime, uint64_t ooms, uint64_t hung, struct kmsg_scan *out,
			 bool *cached, struct sbx_err *err)
{
	/* this process's last scan, while kmsg_follow_changed() says no
	 * record has come since: in top and health -n every sample after the
	 * first costs one read(2) of /dev/kmsg, not a walk of the ring */
	static struct {
		bool have;
		uint64_t ooms, hung;
		double uptime;
		struct kmsg_scan scan;
	} memo;
	int follow = kmsg_follow_changed();
	struct kmsg_cache c;
	char path[4096], boot[40];
	struct sbx_err e;
	uint64_t tail;
	int rc;

	*cached = false;
	if (follow == 0 && memo.have && KEY_EQ(memo.ooms, ooms) && KEY_EQ(memo.hung, hung) &&
	    uptime >= memo.uptime) {
		scan_aged(out, &memo.scan, uptime - memo.uptime);
		*cached = true;
		return 0;
	}
	memo.have = false;
	/* without the log's own key a kept scan could miss a new message; the
	 * key is read before the scan (and the follower has read to the end),
	 * so a record that arrives between the two makes the next run scan
	 * again, never the other way round */
	if (!root_is_live() || uptime <= 0 || kmsg_tail_key(&tail, &e) < 0 ||
	    root_read_line("/proc/sys/kernel/random/boot_id", boot, sizeof(boot), &e) < 0 ||
	    !kmsg_cache_path(path, sizeof(path))) {
		rc = node_kmsg_scan(uptime, out, err);
		goto out;
	}
	/* UINT64_MAX: a counter the caller (or the writer) did not read, which
	 * matches any; else health and io, run in turn as top does, would
	 * each find the other's scan and scan again */
	if (kmsg_cache_load(path, &c) && !strcmp(c.boot_id, boot) && KEY_EQ(c.ooms, ooms) &&
	    KEY_EQ(c.hung, hung) && c.tail == tail && uptime >= c.uptime) {
		scan_aged(out, &c.scan, uptime - c.uptime);
		*cached = true;
		rc = 0;
		goto out;
	}
	rc = node_kmsg_scan(uptime, out, err);
	if (rc == 0 && kmsg_cache_path(path, sizeof(path))) {
		memset(&c, 0, sizeof(c));
		memcpy(c.magic, KMSG_CACHE_MAGIC, 8);
		c.size = sizeof(c);
		snprintf(c.boot_id, sizeof(c.boot_id), "%s", boot);
		c.ooms = ooms;
		c.hung = hung;
		c.tail = tail;
		c.uptime = uptime;
		c.scan = *out;
		kmsg_cache_store(path, &c);
	}
out:
	if (rc == 0 && follow >= 0 && uptime > 0) {
		memo.have = true;
		memo.ooms = ooms;
		memo.hung = hung;
		memo.uptime = uptime;
		memo.scan = *out;
	}
	return rc;
}
