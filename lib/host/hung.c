#include "hung.h"

#include "capture.h"
#include "child.h"
#include "root.h"
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

/* --- the registry file --------------------------------------------------- */

void stuck_add(struct stuck_set *s, const struct stuck_rec *r)
{
	ALLOC_GROW(s->v, s->n + 1, s->alloc);
	s->v[s->n] = *r;
	s->v[s->n++].point = xstrdup(r->point);
}

void stuck_del(struct stuck_set *s, size_t i)
{
	free(s->v[i].point);
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(s->v[0]));
	s->n--;
}

void stuck_free(struct stuck_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].point);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static bool num(const char **p, const char *end, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*out = v;
	return true;
}

static bool expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

/* "PID START SINCE[.FRAC] MAJ:MIN POINT" without its newline */
static bool parse_line(const char *p, const char *end, struct stuck_rec *r, char *point,
		       size_t plen)
{
	uint64_t pid, start, sec, frac = 0, maj, min;
	double scale = 1;
	size_t o = 0;

	if (!num(&p, end, INT32_MAX, &pid) || pid < 2 || !expect(&p, end, ' ') ||
	    !num(&p, end, UINT64_MAX, &start) || !expect(&p, end, ' ') ||
	    !num(&p, end, UINT32_MAX, &sec))
		return false;
	if (p < end && *p == '.') {
		const char *f = ++p;

		if (!num(&p, end, 999999999, &frac))
			return false;
		for (; f < p; f++)
			scale *= 10;
	}
	if (!expect(&p, end, ' ') || !num(&p, end, UINT32_MAX, &maj) ||
	    !expect(&p, end, ':') || !num(&p, end, UINT32_MAX, &min) ||
	    !expect(&p, end, ' ') || p >= end || *p != '/')
		return false;
	for (; p < end; p++) {
		char c = *p;

		if ((unsigned char)c <= ' ' || c == 0x7f)
			return false;
		if (c == '\\') {
			if (end - p < 4 || p[1] < '0' || p[1] > '3' || p[2] < '0' || p[2] > '7' ||
			    p[3] < '0' || p[3] > '7')
				return false;
			c = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			if (!c)
				return false;
			p += 3;
		}
		if (o + 1 >= plen)
			return false;
		point[o++] = c;
	}
	point[o] = '\0';
	r->pid = (pid_t)pid;
	r->start = start;
	r->since = (double)sec + (double)frac / scale;
	r->major = (unsigned)maj;
	r->minor = (unsigned)min;
	r->point = point;
	return true;
}

size_t stuck_parse(const char *text, size_t len, struct stuck_set *out)
{
	const char *p = text, *end = text + len;
	char point[4096];
	size_t got = 0;

	while (p < end && out->n < STUCK_MAX) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct stuck_rec r;

		if (!nl)
			break;	/* a line cut short: its point may be too */
		if (parse_line(p, nl, &r, point, sizeof(point))) {
			stuck_add(out, &r);
			got++;
		}
		p = nl + 1;
	}
	return got;
}

void stuck_format(const struct stuck_set *s, struct buf *out)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct stuck_rec *r = &s->v[i];

		buf_addf(out, "%d %" PRIu64 " %.3f %u:%u ", (int)r->pid, r->start,
			 r->since >= 0 ? r->since : 0, r->major, r->minor);
		for (const char *c = r->point; *c; c++)
			if ((unsigned char)*c <= ' ' || *c == '\\' || *c == 0x7f)
				buf_addf(out, "\\%03o", (unsigned char)*c);
			else
				buf_addc(out, *c);
		buf_addc(out, '\n');
	}
}

/* --- the registry: in memory, kept in the runtime dir --------------------- */

static struct {
	bool loaded, have_dir, dirty;
	struct stuck_set s;
	char dir[4096];
	struct sbx_err err;
} reg;

/* A process's state letter and start time (clock ticks after boot). */
static bool proc_state(pid_t pid, char *state, uint64_t *start)
{
	char path[64], b[1024];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n <= 0)
		return false;
	b[n] = '\0';
	/* the name may hold anything, ')' too: the fields follow the last */
	p = strrchr(b, ')');
	return p && sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			   "%*d %*d %*d %*d %" SCNu64, state, start) == 2;
}

/* A thread of pid's that has not exited: a run left on a dead --root
 * has a zombie main thread and its reader thread stuck. */
static bool some_thread_live(pid_t pid)
{
	char path[64], tp[128], b[512];
	struct dirent *de;
	bool live = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (!(d = opendir(path)))
		return false;
	while (!live && (de = readdir(d))) {
		const char *p;
		ssize_t n;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(tp, sizeof(tp), "%s/%.20s/stat", path, de->d_name);
		if ((fd = open(tp, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = read(fd, b, sizeof(b) - 1);
		close(fd);
		if (n <= 0)
			continue;
		b[n] = '\0';
		p = strrchr(b, ')');
		live = p && p[1] == ' ' && p[2] && p[2] != 'Z' && p[2] != 'X' && p[2] != 'x';
	}
	closedir(d);
	return live;
}

static bool state_live(pid_t pid, char state)
{
	return (state != 'Z' && state != 'X' && state != 'x') || some_thread_live(pid);
}

/* Is the recorded helper still there and stuck: not exited, not a
 * zombie, not another process that got its pid? */
static bool helper_alive(pid_t pid, uint64_t start)
{
	char state;
	uint64_t st;
	char path[64];

	if (!proc_state(pid, &state, &st)) {
		/* there but unreadable: assume it is stuck rather than pile
		 * up another */
		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		return access(path, F_OK) == 0;
	}
	return st == start && state_live(pid, state);
}

static void read_file_into(const char *path, struct stuck_set *s)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct buf b = { 0 };

	if (fd < 0)
		return;
	/* only a file this user wrote, that no one else could have */
	if (rundir_file_ok(fd, STUCK_FILE_MAX)) {
		for (;;) {
			ssize_t n;

			buf_grow(&b, 65536);
			n = read(fd, b.s + b.len, b.alloc - b.len - 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0 || b.len + (size_t)n > STUCK_FILE_MAX)
				break;
			b.len += (size_t)n;
		}
		if (b.len)
			stuck_parse(b.s, b.len, s);
	}
	close(fd);
	buf_free(&b);
}

static void reg_load(void)
{
	char path[4200];

	if (reg.loaded)
		return;
	reg.loaded = true;
	reg.have_dir = rundir_get(reg.dir, sizeof(reg.dir), &reg.err);
	if (!reg.have_dir)
		return;
	snprintf(path, sizeof(path), "%s/stuck", reg.dir);
	read_file_into(path, &reg.s);
}

/* The live record for a mount, dropping those whose helper is gone. */
static const struct stuck_rec *reg_find(const char *point, unsigned major, unsigned minor)
{
	for (size_t i = 0; i < reg.s.n;) {
		const struct stuck_rec *r = &reg.s.v[i];

		if (strcmp(r->point, point) || r->major != major || r->minor != minor) {
			i++;
			continue;
		}
		if (helper_alive(r->pid, r->start))
			return r;
		stuck_del(&reg.s, i);
		reg.dirty = true;
	}
	return NULL;
}

/* Write the registry back, merged with what another srebox wrote since
 * (health and disk from two cron jobs): records whose helper lives are
 * kept, from either. */
static void reg_save(void)
{
	char path[4200], lock[4200], tmp[4200];
	struct stuck_set disk = { 0 };
	struct buf b = { 0 };
	int lfd, fd;

	if (!reg.dirty || !reg.have_dir)
		return;
	reg.dirty = false;
	snprintf(path, sizeof(path), "%s/stuck", reg.dir);
	snprintf(lock, sizeof(lock), "%s/stuck.lock", reg.dir);
	snprintf(tmp, sizeof(tmp), "%s/stuck.%d", reg.dir, (int)getpid());
	lfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lfd < 0)
		return;
	/* a bounded wait: the holder only reads and writes a small file */
	for (int i = 0; flock(lfd, LOCK_EX | LOCK_NB) < 0; i++) {
		struct timespec ts = { 0, 10 * 1000000L };

		if (i == 50) {
			close(lfd);
			return;
		}
		nanosleep(&ts, NULL);
	}
	read_file_into(path, &disk);
	for (size_t i = 0; i < disk.n; i++) {
		bool have = false;

		for (size_t j = 0; j < reg.s.n && !have; j++)
			have = reg.s.v[j].pid == disk.v[i].pid && reg.s.v[j].start == disk.v[i].start;
		if (!have && reg.s.n < STUCK_MAX && helper_alive(disk.v[i].pid, disk.v[i].start))
			stuck_add(&reg.s, &disk.v[i]);
	}
	stuck_free(&disk);
	if (!reg.s.n) {
		unlink(path);
	} else {
		stuck_format(&reg.s, &b);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			if (!child_write(fd, b.s, b.len) || close(fd) < 0 || rename(tmp, path) < 0)
				unlink(tmp);
		}
		buf_free(&b);
	}
	close(lfd);
}

const char *hung_registry_problem(void)
{
	return reg.loaded && !reg.have_dir ? reg.err.msg : NULL;
}

/* --- srebox's own writers ------------------------------------------------
 *
 * The --textfile writer is a child too, and one stuck in a hung directory
 * is left behind like a statfs helper, and so is a run whose --root
 * stopped answering.  Each is recorded under a point of its own
 * (DIR/srebox-WHO, device 0:0, which no mount has), so that the next run
 * (a cron job every minute) finds it and does not leave one more stuck
 * process there. */
static void writer_point(const char *dir, const char *who, char *out, size_t n)
{
	char cwd[2048];

	/* records are absolute paths: a relative DIR is the cwd's */
	if (dir[0] != '/' && getcwd(cwd, sizeof(cwd)))
		snprintf(out, n, "%s/%.1900s/srebox-%s", cwd, dir, who);
	else
		snprintf(out, n, "%.4000s/srebox-%s", dir, who);
}

bool hung_own_stuck(const char *dir, const char *who, pid_t *pid, double *since)
{
	char point[4200];
	const struct stuck_rec *r;

	writer_point(dir, who, point, sizeof(point));
	reg_load();
	r = reg_find(point, 0, 0);
	if (r) {
		*pid = r->pid;
		*since = r->since;
	}
	reg_save();	/* records of writers now gone are dropped */
	return r != NULL;
}

void hung_own_left(const char *dir, const char *who, pid_t pid, double since)
{
	char point[4200], state;
	uint64_t start;

	/* killed before the kernel held it: nothing is stuck */
	if (!proc_state(pid, &state, &start) || !state_live(pid, state))
		return;
	writer_point(dir, who, point, sizeof(point));
	reg_load();
	if (reg.s.n < STUCK_MAX) {
		struct stuck_rec r = { pid, start, since, 0, 0, point };

		stuck_add(&reg.s, &r);
		reg.dirty = true;
	}
	reg_save();
}

/* --- which questions may hang -------------------------------------------- */

/* The live mount table, kept while the kernel says it has not
 * changed: an fd on /proc/self/mountinfo polls POLLPRI after a mount,
 * an unmount or a remount in the namespace (proc(5)).  A node with
 * hundreds of pods has hundreds of mounts, and srebox top and disk -i
 * read the table every sample. */
static struct {
	int fd;
	bool have;
	struct mnt_table t;	/* parsed and classified: copied out */
	unsigned long reads;	/* of the file, since the start (mnt_reads()) */
} mi = { .fd = -1 };

static bool mounts_unchanged(void)
{
	struct pollfd p;

	if (!root_live_unrecorded())
		return false;
	if (mi.fd < 0) {
		mi.fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
		mi.have = false;	/* the fd sees changes from its open on */
		return false;
	}
	p = (struct pollfd){ .fd = mi.fd, .events = POLLPRI };
	if (poll(&p, 1, 0) != 0 && p.revents & (POLLERR | POLLPRI | POLLNVAL))
		return false;
	return mi.have;
}

int mnt_read(struct mnt_table *t, char *source, size_t n, struct sbx_err *err)
{
	struct buf b = { 0 };
	const char *file = "/proc/self/mountinfo";
	int rc;

	if (!root_is_live() && access(rooted("/proc/1/mountinfo"), R_OK) == 0)
		file = "/proc/1/mountinfo";
	if (source)
		snprintf(source, n, "%s", rooted(file));
	if (mounts_unchanged()) {
		mnt_table_copy(t, &mi.t);
		return 0;
	}
	rc = root_read(file, &b, err);
	if (rc == 0)
		rc = parse_mountinfo(b.s, b.len, rooted(file), t, err);
	buf_free(&b);
	if (rc < 0)
		return -1;
	mnt_classify(t);
	if (mi.fd >= 0 && root_live_unrecorded()) {
		mnt_table_free(&mi.t);
		mnt_table_copy(&mi.t, t);
		mi.have = true;
	}
	mi.reads++;
	return 0;
}

unsigned long mnt_reads(void)
{
	return mi.reads;
}

/* The mount table for questions about paths, read again when a second
 * old (disk -i runs for hours while mounts come and go). */
static struct {
	struct mnt_table t;
	bool ok, any_suspect;
	double when;
	bool tried;
} tab;

static void tab_load(void)
{
	double now = now_monotonic();
	struct sbx_err err;

	if (tab.tried && now - tab.when < 1)
		return;
	if (tab.ok)
		mnt_table_free(&tab.t);
	memset(&tab, 0, sizeof(tab));
	tab.tried = true;
	tab.when = now;
	tab.ok = mnt_read(&tab.t, NULL, 0, &err) == 0;
	for (size_t i = 0; tab.ok && i < tab.t.n; i++)
		tab.any_suspect |= tab.t.m[i].suspect;
}

/* "/a//b/./c/" -> "/a/b/c"; false for "..", which only a lookup resolves. */
static bool normalise(const char *in, char *out, size_t n)
{
	size_t o = 0;

	if (in[0] != '/' || n < 2)
		return false;
	for (const char *p = in; *p;) {
		const char *e;
		size_t l;

		while (*p == '/')
			p++;
		e = strchrnul(p, '/');
		l = (size_t)(e - p);
		if (l == 2 && p[0] == '.' && p[1] == '.')
			return false;
		if (l && !(l == 1 && p[0] == '.')) {
			if (o + 1 + l + 1 > n)
				return false;
			out[o++] = '/';
			memcpy(out + o, p, l);
			o += l;
		}
		p = e;
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
	return true;
}

/* May a question about `path` wait on a server?  *m: the suspect mount it
 * is on (the registry's key), or NULL when it is the path itself (a
 * symlink on a local filesystem may lead anywhere). */
static bool path_may_hang(const char *path, const struct mnt **m)
{
	char abs[4096], norm[4096], pre[4096];
	long i;

	*m = NULL;
	if (path[0] != '/') {
		char cwd[4096];

		/* relative: the live cwd's (under a root, who knows) */
		if (!root_is_live() || !getcwd(cwd, sizeof(cwd)) ||
		    (size_t)snprintf(abs, sizeof(abs), "%s/%s", cwd, path) >= sizeof(abs))
			return true;
		path = abs;
	}
	tab_load();
	if (!tab.ok || !normalise(path, norm, sizeof(norm)))
		return true;
	i = mnt_find_path(&tab.t, norm);
	if (i >= 0 && tab.t.m[i].suspect) {
		*m = &tab.t.m[i];
		return true;
	}
	if (!tab.any_suspect)
		return false;
	/* Every mount holding a prefix of the path is local (a mount below
	 * a suspect one is suspect): lstat cannot wait, and finds a symlink
	 * that could lead onto a suspect mount. */
	for (char *s = strchr(norm + 1, '/');; s = strchr(s + 1, '/')) {
		struct stat st;
		size_t l = s ? (size_t)(s - norm) : strlen(norm);

		memcpy(pre, norm, l);
		pre[l] = '\0';
		if (l > 1 && lstat(rooted(pre), &st) == 0 && S_ISLNK(st.st_mode))
			return true;
		if (!s)
			return false;
	}
}

bool path_may_wait(const char *path)
{
	const struct mnt *m;

	return path_may_hang(path, &m);
}

/* --- asking -------------------------------------------------------------- */

struct answer {
	int err;
	struct statfs sfs;
	struct stat st;
};

struct job {
	enum fsq_op op;
	char path[4096];
};

static void ask_child(int fd, void *arg)
{
	const struct job *j = arg;
	struct answer a;

	memset(&a, 0, sizeof(a));
	/* for ps and pgrep: this is what a stuck mount leaves behind */
	prctl(PR_SET_NAME, "srebox-fsprobe", 0, 0, 0);
	if ((j->op == FSQ_STATFS ? statfs(j->path, &a.sfs) : stat(j->path, &a.st)) < 0)
		a.err = errno;
	child_write(fd, &a, sizeof(a));
}

static void ask_here(struct fsq *q, const char *full)
{
	sbx_doing(q->op == FSQ_STATFS ? "statfs of" : "stat of", full);
	if ((q->op == FSQ_STATFS ? statfs(full, &q->sfs) : stat(full, &q->st)) < 0)
		q->err = errno;
}

static void set_key(struct hung_info *h, const struct mnt *m, const char *full)
{
	h->major = m ? m->major : 0;
	h->minor = m ? m->minor : 0;
	snprintf(h->point, sizeof(h->point), "%.500s", m ? rooted(m->point) : full);
	snprintf(h->fstype, sizeof(h->fstype), "%.60s", m ? m->fstype : "");
	snprintf(h->source, sizeof(h->source), "%.250s", m ? m->source : "");
}

static void fs_ask_here(struct fsq *q, size_t n, double timeout);

/* --- a capture: the answers recorded, and replayed ---------------------- */

/* The table of the tree in force (.srebox/fs), loaded once per tree. */
static struct capfs_set replay_tab[2];
static char replay_root[2][4096];
static bool replay_has[2];

static const struct capfs_set *replay_table(void)
{
	const char *r = root_get();
	struct buf b = { 0 };
	struct sbx_err err;
	size_t k;

	if (root_is_live())
		return NULL;
	for (k = 0; k < 2; k++)
		if (replay_root[k][0] && !strcmp(replay_root[k], r))
			return replay_has[k] ? &replay_tab[k] : NULL;
	k = replay_root[0][0] ? 1 : 0;
	if (replay_root[k][0]) {
		capfs_free(&replay_tab[k]);
		replay_has[k] = false;
	}
	snprintf(replay_root[k], sizeof(replay_root[k]), "%s", r);
	/* a tree without the table (a saved /proc, a fixture) asks its own
	 * filesystem, as before */
	if (read_file(rooted("/.srebox/fs"), &b, 64u << 20, &err) == 0) {
		capfs_parse(b.s, b.len, &replay_tab[k], NULL);
		replay_has[k] = true;
	}
	buf_free(&b);
	return replay_has[k] ? &replay_tab[k] : NULL;
}

static void replay_one(const struct capfs_set *t, struct fsq *q)
{
	const struct capfs_rec *r = capfs_find(t, q->op == FSQ_STAT, q->path);

	memset(&q->sfs, 0, sizeof(q->sfs));
	memset(&q->st, 0, sizeof(q->st));
	memset(&q->hung, 0, sizeof(q->hung));
	q->forked = false;
	q->why[0] = '\0';
	if (!r) {
		q->err = ENOENT;
		snprintf(q->why, sizeof(q->why), "not in the capture (not asked when it was taken)");
		return;
	}
	q->err = r->err;
	if (r->is_stat) {
		q->st.st_mode = (mode_t)r->a[0];
		q->st.st_ino = (ino_t)r->a[1];
		q->st.st_dev = (dev_t)r->a[2];
		q->st.st_nlink = (nlink_t)r->a[3];
		q->st.st_uid = (uid_t)r->a[4];
		q->st.st_gid = (gid_t)r->a[5];
		q->st.st_size = (off_t)r->a[6];
		q->st.st_blocks = (blkcnt_t)r->a[7];
		q->st.st_mtime = (time_t)r->a[8];
		q->st.st_rdev = (dev_t)r->a[9];
	} else {
		q->sfs.f_type = (__fsword_t)r->a[0];
		q->sfs.f_bsize = (__fsword_t)r->a[1];
		q->sfs.f_blocks = (fsblkcnt_t)r->a[2];
		q->sfs.f_bfree = (fsblkcnt_t)r->a[3];
		q->sfs.f_bavail = (fsblkcnt_t)r->a[4];
		q->sfs.f_files = (fsfilcnt_t)r->a[5];
		q->sfs.f_ffree = (fsfilcnt_t)r->a[6];
		q->sfs.f_namelen = (__fsword_t)r->a[7];
		q->sfs.f_frsize = (__fsword_t)r->a[8];
		q->sfs.f_flags = (__fsword_t)r->a[9];
	}
	if (r->err == ETIMEDOUT) {
		/* hung when it was taken: said as it was then */
		snprintf(q->hung.point, sizeof(q->hung.point), "%s", r->point ? r->point : q->path);
		snprintf(q->hung.fstype, sizeof(q->hung.fstype), "%s", r->fstype ? r->fstype : "");
		snprintf(q->hung.source, sizeof(q->hung.source), "%s", r->source ? r->source : "");
		q->hung.waited = r->waited;
	}
}

/* Without the root prefix: the capture names the node's paths. */
static const char *unrooted(const char *p)
{
	size_t l = strlen(root_get());

	return l && !strncmp(p, root_get(), l) && (p[l] == '/' || !p[l]) ? p + l : p;
}

static void record_answers(const struct fsq *q, size_t n)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		struct capfs_rec r = { .is_stat = q[i].op == FSQ_STAT, .path = (char *)q[i].path,
				       .err = q[i].err };

		if (q[i].why[0] && q[i].err != ETIMEDOUT)
			continue;	/* not asked (fork failed): nothing to say */
		if (r.is_stat) {
			const struct stat *st = &q[i].st;
			uint64_t a[10] = { st->st_mode, st->st_ino, st->st_dev, st->st_nlink,
					   st->st_uid, st->st_gid, (uint64_t)st->st_size,
					   (uint64_t)st->st_blocks, (uint64_t)st->st_mtime,
					   st->st_rdev };

			memcpy(r.a, a, sizeof(a));
		} else {
			const struct statfs *f = &q[i].sfs;
			uint64_t a[10] = { (uint64_t)f->f_type, (uint64_t)f->f_bsize, f->f_blocks,
					   f->f_bfree, f->f_bavail, f->f_files, f->f_ffree,
					   (uint64_t)f->f_namelen, (uint64_t)f->f_frsize,
					   (uint64_t)f->f_flags };

			memcpy(r.a, a, sizeof(a));
		}
		if (q[i].err) {
			memset(r.a, 0, sizeof(r.a));
		}
		if (q[i].err == ETIMEDOUT) {
			r.point = (char *)unrooted(q[i].hung.point);
			r.fstype = (char *)q[i].hung.fstype;
			r.source = (char *)q[i].hung.source;
			r.waited = q[i].hung.waited;
		}
		capfs_format(&r, &b);
	}
	if (b.len)
		root_record_append("/.srebox/fs", b.s, b.len);
	buf_free(&b);
}

#define WAVE 64

void fs_ask(struct fsq *q, size_t n, double timeout)
{
	const struct capfs_set *rtab = replay_table();

	if (rtab) {
		for (size_t i = 0; i < n; i++)
			replay_one(rtab, &q[i]);
		return;
	}
	fs_ask_here(q, n, timeout);
	if (root_recording())
		record_answers(q, n);
}

static void fs_ask_here(struct fsq *q, size_t n, double timeout)
{
	size_t *slow = xcalloc(n + 1, sizeof(size_t)), nslow = 0;
	struct job *jobs = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct mnt *m = q[i].m;
		char full[4096];
		bool hang;
		const struct stuck_rec *r;

		q[i].err = 0;
		q[i].why[0] = '\0';
		q[i].forked = false;
		memset(&q[i].hung, 0, sizeof(q[i].hung));
		snprintf(full, sizeof(full), "%s", rooted(q[i].path));
		hang = m ? m->suspect : path_may_hang(q[i].path, &m);
		if (!hang) {
			ask_here(&q[i], full);
			continue;
		}
		set_key(&q[i].hung, m, full);
		reg_load();
		r = reg_find(q[i].hung.point, q[i].hung.major, q[i].hung.minor);
		if (r) {
			q[i].err = ETIMEDOUT;
			q[i].hung.earlier = true;
			q[i].hung.pid = r->pid;
			q[i].hung.since = r->since;
			continue;
		}
		slow[nslow++] = i;
	}
	/* WAVE at a time: the common case (no network mount) forks nothing,
	 * and one dead server costs the deadline once, not once per mount. */
	if (nslow)
		jobs = xcalloc(nslow < WAVE ? nslow : WAVE, sizeof(*jobs));
	for (size_t w = 0; w < nslow; w += WAVE) {
		size_t k, cnt = nslow - w < WAVE ? nslow - w : WAVE;
		struct child cs[WAVE];
		struct sbx_err err;
		double t0 = now_realtime(), m0 = now_monotonic();

		for (k = 0; k < cnt; k++) {
			struct fsq *x = &q[slow[w + k]];

			jobs[k].op = x->op;
			snprintf(jobs[k].path, sizeof(jobs[k].path), "%s", rooted(x->path));
			if (child_start(&cs[k], ask_child, &jobs[k], &err) < 0) {
				x->err = err.errnum ? err.errnum : EAGAIN;
				snprintf(x->why, sizeof(x->why), "not asked: %.140s", err.msg);
				cs[k].done = true;
				cs[k].fd = -1;
			} else {
				x->forked = true;
			}
		}
		child_collect(cs, cnt, timeout, NULL);
		for (k = 0; k < cnt; k++) {
			size_t i = slow[w + k];
			struct fsq *x = &q[i];
			struct answer a;

			if (!x->forked) {
				child_free(&cs[k]);
				continue;
			}
			if (cs[k].abandoned) {
				char state;
				uint64_t st;

				x->err = ETIMEDOUT;
				x->hung.waited = timeout;
				x->hung.since = t0 + (cs[k].started - m0);
				/* killed at once when the server had not taken the
				 * request yet: nothing is stuck then */
				if (proc_state(cs[k].pid, &state, &st) && state != 'Z' && state != 'X') {
					struct stuck_rec r = { cs[k].pid, st, x->hung.since,
							       x->hung.major, x->hung.minor,
							       x->hung.point };

					x->hung.pid = cs[k].pid;
					stuck_add(&reg.s, &r);
					reg.dirty = true;
				}
			} else if (cs[k].out.len == sizeof(a)) {
				memcpy(&a, cs[k].out.s, sizeof(a));
				x->err = a.err;
				x->sfs = a.sfs;
				x->st = a.st;
			} else {
				x->err = EIO;
				snprintf(x->why, sizeof(x->why), "the helper process died");
			}
			child_free(&cs[k]);
		}
	}
	reg_save();
	free(jobs);
	free(slow);
}

void hung_text(const struct hung_info *h, enum fsq_op op, char *out, size_t n)
{
	const char *what = op == FSQ_STATFS ? "statfs" : "stat";
	char mnt[400] = "";

	if (h->fstype[0])
		snprintf(mnt, sizeof(mnt), " (%s from %s)", h->fstype, h->source);
	if (h->earlier) {
		char age[32], when[32];
		time_t t = (time_t)h->since;
		struct tm tm;
		double d = now_realtime() - h->since;

		fmt_duration(age, sizeof(age), d > 0 ? d : 0);
		if (!gmtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
			snprintf(when, sizeof(when), "?");
		snprintf(out, n,
			 "%s%s has not answered for %s: the helper that asked at %s (pid %d) is "
			 "still stuck; not asked again until it is gone",
			 h->point, mnt, age, when, (int)h->pid);
	} else if (h->pid) {
		snprintf(out, n,
			 "%s%s did not answer %s within %gs; its helper (pid %d) is stuck in the "
			 "kernel",
			 h->point, mnt, what, h->waited, (int)h->pid);
	} else {
		snprintf(out, n, "%s%s did not answer %s within %gs", h->point, mnt, what,
			 h->waited);
	}
}

static int ask_one(enum fsq_op op, const char *path, struct fsq *q, double timeout,
		   struct sbx_err *err)
{
	memset(q, 0, sizeof(*q));
	q->op = op;
	q->path = path;
	fs_ask(q, 1, timeout);
	if (!q->err)
		return 0;
	if (q->err == ETIMEDOUT && !q->why[0]) {
		char t[700];

		hung_text(&q->hung, op, t, sizeof(t));
		if (!strcmp(q->hung.point, rooted(path)))
			sbx_err_set(err, ETIMEDOUT, "%s", t);
		else
			sbx_err_set(err, ETIMEDOUT, "%s: %s", rooted(path), t);
	} else if (q->why[0]) {
		sbx_err_set(err, q->err, "%s: %s", rooted(path), q->why);
	} else {
		sbx_err_set(err, q->err, "%s: %s", rooted(path), sbx_errno_word(q->err));
	}
	return -1;
}

int sbx_statfs_deadline(const char *path, struct statfs *out, double timeout,
			struct sbx_err *err)
{
	struct fsq q;
	int rc = ask_one(FSQ_STATFS, path, &q, timeout, err);

	if (rc == 0)
		*out = q.sfs;
	return rc;
}

int sbx_stat_deadline(const char *path, struct stat *out, double timeout, struct sbx_err *err)
{
	struct fsq q;
	int rc = ask_one(FSQ_STAT, path, &q, timeout, err);

	if (rc == 0)
		*out = q.st;
	return rc;
}

int root_stat(const char *path, struct stat *out)
{
	struct fsq q;

	const struct capfs_set *t = replay_table();

	memset(&q, 0, sizeof(q));
	q.op = FSQ_STAT;
	q.path = path;
	if (t) {
		replay_one(t, &q);
	} else if (str_starts(path, "/proc/") || str_starts(path, "/sys/")) {
		/* the kernel's own trees answer at once: no mount table, no
		 * helper (a fixture tree has no mountinfo to look a mount up) */
		ask_here(&q, rooted(path));
		if (root_recording())
			record_answers(&q, 1);
	} else {
		fs_ask(&q, 1, ROOT_STAT_TIMEOUT);
	}
	if (q.err) {
		errno = q.err;
		return -1;
	}
	*out = q.st;
	return 0;
}
