#include "root.h"
#include "capture.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char root_dir[4096];

/* the pair of trees, and the one in force */
static char roots[2][4096];
static size_t nroots = 1, cur_root;
static double clock_of[2];
static bool clock_read[2];
static struct root_capture cap;
static char clock_key[64];
static int root_readf_line(char *out, size_t n, const char *fmt, ...) SBX_PRINTF(3, 4);
static bool have_cap;

/* the recording */
static bool rec_on, rec_cmdline;
static char rec_err[600];
static struct root_failure *fails;
static size_t nfails, afails, fails_dropped;

static void set_dir(char *dst, size_t cap_, const char *dir);

void root_set(const char *dir)
{
	nroots = 1;
	cur_root = 0;
	clock_read[0] = clock_read[1] = false;
	set_dir(root_dir, sizeof(root_dir), dir);
	memcpy(roots[0], root_dir, sizeof(roots[0]));
}

void root_set_pair(const char *first, const char *second)
{
	set_dir(roots[0], sizeof(roots[0]), first);
	set_dir(roots[1], sizeof(roots[1]), second);
	nroots = 2;
	clock_read[0] = clock_read[1] = false;
	root_select(0);
}

size_t root_count(void)
{
	return nroots;
}

void root_select(size_t k)
{
	if (k >= nroots)
		k = nroots - 1;
	cur_root = k;
	memcpy(root_dir, roots[k], sizeof(root_dir));
}

const char *root_snapshot_dir(size_t k)
{
	return k < nroots ? roots[k] : "";
}

double root_clock(void)
{
	if (nroots < 2)
		return now_monotonic();
	if (!clock_read[cur_root]) {
		char line[128];
		struct sbx_err err;
		double up = -1;

		/* the tree's own clock: when the applet started its readings
		 * in a capture (.srebox/clock/APPLET), else /proc/uptime */
		if ((clock_key[0] &&
		     root_readf_line(line, sizeof(line), "/.srebox/clock/%s", clock_key) == 0) ||
		    root_read_line("/proc/uptime", line, sizeof(line), &err) == 0) {
			char *end;

			up = strtod(line, &end);
			if (end == line || up < 0)
				up = -1;
		}
		clock_of[cur_root] = up;
		clock_read[cur_root] = true;
	}
	return clock_of[cur_root];
}

static int root_readf_line(char *out, size_t n, const char *fmt, ...)
{
	char path[256];
	struct sbx_err err;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return root_read_line(path, out, n, &err);
}

void root_clock_key(const char *applet)
{
	snprintf(clock_key, sizeof(clock_key), "%s", applet && !strchr(applet, '/') ? applet : "");
	clock_read[0] = clock_read[1] = false;
}

void root_set_capture(const struct root_capture *c)
{
	have_cap = c != NULL;
	if (c)
		cap = *c;
}

const struct root_capture *root_capture(void)
{
	return have_cap ? &cap : NULL;
}

const char *root_other_machine(void)
{
	static char why[320], for_root[4096];
	static bool known;
	char theirs[64], ours[64];
	struct sbx_err e;
	FILE *f;

	if (root_is_live())
		return NULL;
	if (have_cap) {
		snprintf(why, sizeof(why), "a capture of %s", cap.host[0] ? cap.host : "another node");
		return why;
	}
	if (known && !strcmp(for_root, root_get()))
		return why[0] ? why : NULL;
	known = true;
	snprintf(for_root, sizeof(for_root), "%s", root_get());
	why[0] = '\0';
	ours[0] = '\0';
	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (f) {
		if (!fgets(ours, sizeof(ours), f))
			ours[0] = '\0';
		fclose(f);
	}
	if (root_read_line("/proc/sys/kernel/random/boot_id", theirs, sizeof(theirs), &e) == 0 &&
	    theirs[0] && ours[0] && strcmp(str_trim(theirs), str_trim(ours)))
		snprintf(why, sizeof(why), "another machine's tree (its boot id is not this kernel's)");
	return why[0] ? why : NULL;
}

/* Whether s starts with the directory dir (then '/' or a path's end). */
static size_t dir_prefix(const char *s, const char *dir)
{
	size_t n = strlen(dir);

	if (!n || strncmp(s, dir, n))
		return 0;
	return s[n] == '\0' || s[n] == '/' || !(s[n] == '-' || s[n] == '_' || s[n] == '.' ||
						   (s[n] >= '0' && s[n] <= '9') ||
						   ((s[n] | 0x20) >= 'a' && (s[n] | 0x20) <= 'z'))
		       ? n
		       : 0;
}

char *root_capture_text(const char *s)
{
	char base[4096];
	const char *slash;
	struct buf b = { 0 };
	const char *p = s, *hit;

	if (!have_cap || !roots[0][0] || !(slash = strrchr(roots[0], '/')) || slash == roots[0])
		return NULL;
	/* the unpacked directory holds the snapshots 0/ and 1/ */
	snprintf(base, sizeof(base), "%.*s", (int)(slash - roots[0]), roots[0]);
	if (!strstr(s, base))
		return NULL;
	while ((hit = strstr(p, base))) {
		size_t n = 0;

		buf_add(&b, p, (size_t)(hit - p));
		for (size_t k = 0; k < nroots && !n; k++)
			n = dir_prefix(hit, roots[k]);
		if (n) {
			/* a snapshot's tree: its paths as on the node */
			buf_addf(&b, "%s:%s", cap.file, hit[n] == '/' ? "" : "/");
		} else if ((n = dir_prefix(hit, base))) {
			buf_adds(&b, cap.file);
		} else {
			n = strlen(base);
			buf_add(&b, hit, n);
		}
		p = hit + n;
	}
	buf_adds(&b, p);
	return b.s;
}

static void set_dir(char *dst, size_t cap_, const char *dir)
{
	size_t n;

	if (!dir || !*dir) {
		dst[0] = '\0';
		return;
	}
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		n = 0;
	if (n >= cap_)
		n = cap_ - 1;
	memcpy(dst, dir, n);
	dst[n] = '\0';
}

int root_check(const char *dir, const char *what, bool need_proc, struct sbx_err *err)
{
	struct stat st;
	char proc[4096 + 8];

	sbx_doing("checking", dir);
	if (stat(dir, &st) != 0) {
		sbx_err_set(err, errno, "%s: %s", what,
			    errno == ENOENT ? "no such directory" : strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		sbx_err_set(err, ENOTDIR, "%s: not a directory", what);
		return -1;
	}
	if (!need_proc)
		return 0;
	/* Every probe starts with /proc: without it each would fail in its
	 * own words.  Say it once, before any of them runs. */
	snprintf(proc, sizeof(proc), "%s/proc", dir);
	if (stat(proc, &st) != 0 || !S_ISDIR(st.st_mode)) {
		sbx_err_set(err, ENOENT,
			    "%s: no proc/ in it: give the directory that holds proc/ and sys/ "
			    "(the host's / mounted at /host, a saved tree)",
			    what);
		return -1;
	}
	return 0;
}

const char *root_get(void)
{
	return root_dir;
}

bool root_is_live(void)
{
	return root_dir[0] == '\0';
}

#define RING 8
static char ring[RING][8192 + 16];
static unsigned ring_next;

const char *rooted(const char *path)
{
	char *out = ring[ring_next++ % RING];
	size_t n = sizeof(ring[0]) - 1, lr = strlen(root_dir), lp = strlen(path);

	/* a few hundred times a sample: no printf */
	if (lr > n)
		lr = n;
	memcpy(out, root_dir, lr);
	if (lp > n - lr)
		lp = n - lr;
	memcpy(out + lr, path, lp);
	out[lr + lp] = '\0';
	return out;
}

const char *rootedf(const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return rooted(tmp);
}

/* --- guarded reads, for a root on a mount that may stop answering -------
 *
 * A read on a FUSE or NFS mount whose server stopped answering never
 * returns, and nothing can end it.  With the guard on (root_guard(), for a
 * --root on such a mount) every read of a file under the root is made by
 * a reader thread while the caller waits at most `guard_timeout`: one that
 * does not come back is an error naming the path, the thread is left
 * where it is, and every later read under the root fails at once naming
 * that path.  So the report still comes, each value the root did not give
 * UNKNOWN with the reason, instead of the whole run ending at --deadline. */
static double guard_timeout;	/* 0: off */
static char stuck_path[4200];	/* the read that did not come back */
static double stuck_after;

struct guarded {
	char path[4200];
	size_t max;
	struct buf out;
	struct sbx_err err;
	int rc;
	bool done, abandoned;
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;	/* the reader has work */
static pthread_cond_t g_done;				/* a read came back */
static struct guarded *g_job;
static bool g_started;

static int read_file_here(const char *path, struct buf *out, size_t max, struct sbx_err *err);

static void *reader(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&g_mu);
	for (;;) {
		struct guarded *j;

		while (!g_job)
			pthread_cond_wait(&g_cv, &g_mu);
		j = g_job;
		pthread_mutex_unlock(&g_mu);
		j->rc = read_file_here(j->path, &j->out, j->max, &j->err);
		pthread_mutex_lock(&g_mu);
		g_job = NULL;
		if (j->abandoned) {
			/* the caller went on long ago */
			buf_free(&j->out);
			free(j);
			continue;
		}
		j->done = true;
		pthread_cond_broadcast(&g_done);
	}
	return NULL;
}

void root_guard(double timeout)
{
	pthread_condattr_t ca;

	if (timeout <= 0 || g_started)
		return;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g_done, &ca);
	pthread_condattr_destroy(&ca);
	guard_timeout = timeout;
}

const char *root_stuck(double *after)
{
	if (after)
		*after = stuck_after;
	return stuck_path[0] ? stuck_path : NULL;
}

static bool under_root(const char *path)
{
	size_t n = strlen(root_dir);

	return n && !strncmp(path, root_dir, n) && (path[n] == '/' || !path[n]);
}

static int read_guarded(const char *path, struct buf *out, size_t max, struct sbx_err *err)
{
	struct guarded *j;
	double until;
	struct timespec ts;
	int rc;

	if (stuck_path[0]) {
		buf_reset(out);
		buf_add(out, NULL, 0);
		sbx_err_set(err, ETIMEDOUT, "%s: not read: the root stopped answering (%s gave "
			    "no answer within %gs)", path, stuck_path, stuck_after);
		return -1;
	}
	if (!g_started) {
		pthread_attr_t ta;
		pthread_t th;
		sigset_t all, old;

		pthread_attr_init(&ta);
		pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&ta, 256 * 1024);
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		g_started = pthread_create(&th, &ta, reader, NULL) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		pthread_attr_destroy(&ta);
		if (!g_started) {
			guard_timeout = 0;
			return read_file_here(path, out, max, err);
		}
	}
	j = xcalloc(1, sizeof(*j));
	snprintf(j->path, sizeof(j->path), "%s", path);
	j->max = max;
	sbx_doing("reading", path);
	until = now_monotonic() + guard_timeout;
	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
	pthread_mutex_lock(&g_mu);
	g_job = j;
	pthread_cond_signal(&g_cv);
	while (!j->done && pthread_cond_timedwait(&g_done, &g_mu, &ts) != ETIMEDOUT)
		;
	if (!j->done) {
		j->abandoned = true;	/* the reader frees it, if it ever returns */
		pthread_mutex_unlock(&g_mu);
		snprintf(stuck_path, sizeof(stuck_path), "%s", path);
		stuck_after = guard_timeout;
		buf_reset(out);
		buf_add(out, NULL, 0);
		sbx_err_set(err, ETIMEDOUT, "%s: no answer within %gs (the root's server stopped "
			    "answering?)", path, guard_timeout);
		return -1;
	}
	pthread_mutex_unlock(&g_mu);
	rc = j->rc;
	*err = j->err;
	buf_free(out);
	*out = j->out;
	free(j);
	return rc;
}

int read_file(const char *path, struct buf *out, size_t max, struct sbx_err *err)
{
	if (guard_timeout > 0 && under_root(path))
		return read_guarded(path, out, max, err);
	return read_file_here(path, out, max, err);
}

/* --- held files (root_hold) ----------------------------------------------
 * A sampler reads the same few dozen kernel files every sample: /proc/stat
 * a few times an interval, the IRQs' affinities, the pressure files, each
 * interface's sysfs state.  On the live node, once root_hold() is asked,
 * each stays open and is read again from offset 0 (a procfs or sysfs file
 * makes its text afresh for each read at 0): one system call where the
 * open, read and close made three, and no path walk.  A held file that
 * fails (its device or process went away) is closed and opened again by
 * its path, which says whether it is gone; one not read for two samples
 * (root_hold_sweep) is closed.  At most HELD_MAX are held. */
#define HELD_MAX 256
static struct held {
	char *path;
	uint64_t h;
	int fd;
	unsigned used;		/* the sample that last read it */
} *held;
static size_t nheld, held_max;
static unsigned held_sample = 1;
static bool hold_on;

static uint64_t memo_hash(const char *s);

size_t root_fd_budget(void)
{
	static size_t budget;
	struct rlimit rl;

	if (budget)
		return budget;
	budget = 256;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return budget;
	/* often 1024 of 524288: raised (for this process and what it
	 * starts), as Go's runtime and systemd do */
	if (rl.rlim_cur < 2048 && rl.rlim_max > rl.rlim_cur) {
		rl.rlim_cur = rl.rlim_max < 2048 ? rl.rlim_max : 2048;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur > 256)
		budget = rl.rlim_cur > 1u << 20 ? 1u << 20 : (size_t)rl.rlim_cur;
	return budget;
}

void root_hold(void)
{
	if (hold_on || !root_is_live())
		return;
	hold_on = true;
	held_max = root_fd_budget() / 8;
	if (held_max > HELD_MAX)
		held_max = HELD_MAX;
	held = xreallocarray(NULL, held_max, sizeof(*held));
}

void root_hold_sweep(void)
{
	size_t j = 0;

	for (size_t i = 0; i < nheld; i++) {
		if (held_sample - held[i].used >= 2) {
			close(held[i].fd);
			free(held[i].path);
			continue;
		}
		held[j++] = held[i];
	}
	nheld = j;
	held_sample++;
}

bool root_holding(void)
{
	return hold_on && !rec_on && root_is_live();
}

/* The kernel's own files: a saved tree is not held, nor what may be a
 * device or a FIFO. */
static bool holds(const char *path)
{
	return root_holding() && (!strncmp(path, "/proc/", 6) || !strncmp(path, "/sys/", 5));
}

static struct held *held_find(const char *path, uint64_t h)
{
	for (size_t i = 0; i < nheld; i++)
		if (held[i].h == h && !strcmp(held[i].path, path))
			return &held[i];
	return NULL;
}

static void held_drop(struct held *e)
{
	close(e->fd);
	free(e->path);
	*e = held[--nheld];
}

/* Read fd to its end into out (from offset 0 when again).  A held file
 * is sought to its start and read on, not read with pread: a seq_file
 * read at an offset other than where the last read ended makes all of
 * the text again to find that offset, so the read that finds the end
 * would cost as much as the file; read on from where it stopped, it
 * costs nothing. */
static int read_fd(int fd, bool again, const char *path, struct buf *out, size_t max,
		   struct sbx_err *err)
{
	/* room for a /proc file's usual size at once: a first read into the
	 * 64 bytes of a new buffer made two reads of nearly every file */
	if (out->alloc - out->len < 4096)
		buf_grow(out, 4096);
	if (again && lseek(fd, 0, SEEK_SET) < 0) {
		sbx_err_set(err, errno, "%s: %s", path, sbx_errno_word(errno));
		return -1;
	}
	for (;;) {
		ssize_t n;

		if (out->alloc - out->len < 2)
			buf_grow(out, out->len < 16384 ? 16384 : out->len);
		n = read(fd, out->s + out->len, out->alloc - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sbx_err_set(err, errno, "%s: %s", path, sbx_errno_word(errno));
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len > max) {
			sbx_err_set(err, EFBIG, "%s: larger than %zu bytes", path, max);
			return -1;
		}
	}
	out->s[out->len] = '\0';
	return 0;
}

static int read_file_here(const char *path, struct buf *out, size_t max, struct sbx_err *err)
{
	/* O_NONBLOCK: a FIFO where a file is expected (a saved tree, a
	 * kubeconfig's tokenFile) must not block the open for ever */
	int fd;
	struct stat st;
	bool hold = holds(path);
	uint64_t h = hold ? memo_hash(path) : 0;
	struct held *e = hold ? held_find(path, h) : NULL;

	sbx_doing("reading", path);
	buf_reuse(out);
	buf_reset(out);
	buf_add(out, NULL, 0);
	if (e) {
		e->used = held_sample;
		if (read_fd(e->fd, true, path, out, max, err) == 0)
			return 0;
		/* gone, or failing: opened again below, which says which */
		held_drop(e);
		buf_reset(out);
		buf_add(out, NULL, 0);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		sbx_err_set(err, errno, "%s: %s", path, sbx_errno_word(errno));
		return -1;
	}
	/* The live kernel's /proc and /sys hold no FIFO or device, and their
	 * files say size 0: no fstat for them (one in ten of srebox top's
	 * system calls was this one) */
	if ((!root_dir[0] && (!strncmp(path, "/proc/", 6) || !strncmp(path, "/sys/", 5))) ||
	    fstat(fd, &st) != 0) {
		st.st_mode = S_IFREG;	/* as if regular, of unknown size */
		st.st_size = 0;
	}
	if (!S_ISREG(st.st_mode)) {
		sbx_err_set(err, EINVAL, "%s: not a regular file (%s)", path,
			    S_ISFIFO(st.st_mode)  ? "a FIFO"
			    : S_ISDIR(st.st_mode) ? "a directory"
			    : S_ISSOCK(st.st_mode) ? "a socket"
						   : "a device");
		close(fd);
		return -1;
	}
	/* Saved files know their size; /proc files say 0 and are read in steps. */
	if (st.st_size > 0 && (size_t)st.st_size <= max && (size_t)st.st_size + 1 > out->alloc) {
		free(out->s);
		out->alloc = (size_t)st.st_size + 4096;
		out->s = xmalloc_big(out->alloc);
		out->s[0] = '\0';
	}
	if (read_fd(fd, false, path, out, max, err) < 0) {
		close(fd);
		return -1;
	}
	if (hold && nheld < held_max) {
		held[nheld++] = (struct held){ xstrdup(path), h, fd, held_sample };
		return 0;
	}
	close(fd);
	return 0;
}

/* --- one reading of a file per sample (root_memo_begin) ------------------ */

#define MEMO_MAX 512		/* files a sample keeps; more are read as ever */

struct memo {
	char *path;
	uint64_t h;
	int rc;
	struct sbx_err err;
	char *data;
	size_t len;
};
static struct memo *memo;
static size_t nmemo;
static bool memo_on;

static uint64_t memo_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

void root_memo_begin(void)
{
	root_memo_end();
	memo_on = true;
}

void root_memo_end(void)
{
	for (size_t i = 0; i < nmemo; i++) {
		free(memo[i].path);
		free(memo[i].data);
	}
	/* the array stays: a sample begins and ends several sessions */
	nmemo = 0;
	memo_on = false;
}

/* A process's own files are read by one walk of the table already, and
 * kept would make the memo grow with the processes: not kept. */
static bool memo_keeps(const char *path)
{
	return memo_on && !rec_on && !(strncmp(path, "/proc/", 6) == 0 && path[6] >= '0' &&
				      path[6] <= '9');
}

static struct memo *memo_find(const char *path)
{
	uint64_t h = memo_hash(path);

	for (size_t i = 0; i < nmemo; i++)
		if (memo[i].h == h && !strcmp(memo[i].path, path))
			return &memo[i];
	return NULL;
}

static void memo_keep(const char *path, int rc, const struct buf *b, const struct sbx_err *err)
{
	struct memo *m;

	if (nmemo == MEMO_MAX)
		return;
	if (!memo)
		memo = xreallocarray(NULL, MEMO_MAX, sizeof(*memo));
	m = &memo[nmemo++];
	m->path = xstrdup(path);
	m->h = memo_hash(path);
	m->rc = rc;
	m->err = rc < 0 ? *err : (struct sbx_err){ 0 };
	m->len = rc == 0 ? b->len : 0;
	m->data = xmalloc(m->len + 1);
	if (m->len)
		memcpy(m->data, b->s, m->len);
	m->data[m->len] = '\0';
}

static int memo_give(const struct memo *m, struct buf *out, struct sbx_err *err)
{
	buf_reuse(out);
	buf_reset(out);
	buf_add(out, m->data, m->len);
	if (m->rc < 0)
		*err = m->err;
	return m->rc;
}

int root_read(const char *path, struct buf *out, struct sbx_err *err)
{
	int rc;

	if (memo_keeps(path)) {
		const struct memo *m = memo_find(path);

		if (m)
			return memo_give(m, out, err);
		rc = read_file(rooted(path), out, ROOT_READ_MAX, err);
		memo_keep(path, rc, out, err);
		return rc;
	}
	rc = read_file(rooted(path), out, ROOT_READ_MAX, err);

	if (rec_on) {
		if (rc == 0)
			root_record_file(path, out->s, out->len);
		else
			root_record_failure(path, err->errnum);
	}
	return rc;
}

int root_readf(struct buf *out, struct sbx_err *err, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return root_read(tmp, out, err);
}

/* A whole file's first line into out[n], as root_read_line reads it. */
static void first_line(const struct buf *b, char *out, size_t n)
{
	size_t l;

	if (!n)
		return;
	l = b->len < n - 1 ? b->len : n - 1;
	memcpy(out, b->s, l);
	out[l] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/* A line of the live kernel's, from a held file (see HELD_MAX): one pread
 * at offset 0 makes its text afresh, where openat, read and close were
 * three calls and a sysfs file's setup and teardown, for each of an
 * interface's three or four attributes every sample.  0 read, -1 failed
 * (err says why, as root_read_line would), 1 not held (the table is
 * full, or the file went: root_read_line then says what it is now). */
static int read_line_held(const char *path, char *out, size_t n, struct sbx_err *err)
{
	uint64_t h = memo_hash(path);
	struct held *e = held_find(path, h);
	ssize_t got;

	if (!e) {
		int fd;

		if (nheld >= held_max)
			return 1;
		sbx_doing("reading", path);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			sbx_err_set(err, errno, "%s: %s", path, sbx_errno_word(errno));
			return -1;
		}
		held[nheld] = (struct held){ xstrdup(path), h, fd, held_sample };
		e = &held[nheld++];
	}
	e->used = held_sample;
	do
		got = pread(e->fd, out, n - 1, 0);
	while (got < 0 && errno == EINTR);
	if (got < 0 && errno != ENODEV && errno != ESRCH && errno != ENOENT) {
		/* there, and failing (a virtual link's speed: EINVAL) */
		sbx_err_set(err, errno, "%s: %s", path, sbx_errno_word(errno));
		return -1;
	}
	if (got < 0) {
		/* gone (its device or process): opened again, which says so */
		held_drop(e);
		return 1;
	}
	out[got] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

int root_read_attr(const char *path, char *out, size_t n, struct sbx_err *err)
{
	const char *full = rooted(path);

	if (n > 1 && holds(full)) {
		int rc = read_line_held(full, out, n, err);

		if (rc <= 0)
			return rc;
	}
	return root_read_line(path, out, n, err);
}

int root_read_line(const char *path, char *out, size_t n, struct sbx_err *err)
{
	const char *full = rooted(path);
	int fd;
	ssize_t got;
	struct stat st;

	if (n)
		out[0] = '\0';
	if (memo_keeps(path)) {
		/* the whole file, kept for the sample's other readers */
		struct buf b = { 0 };
		int rc = root_read(path, &b, err);

		if (rc == 0)
			first_line(&b, out, n);
		buf_free(&b);
		return rc;
	}
	if (guard_timeout > 0 && under_root(full)) {
		struct buf b = { 0 };
		int rc = read_guarded(full, &b, 1u << 20, err);

		if (rc == 0)
			first_line(&b, out, n);
		buf_free(&b);
		return rc;
	}
	sbx_doing("reading", full);
	/* O_NONBLOCK: a FIFO in a saved tree must not block the open */
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		sbx_err_set(err, errno, "%s: %s", full, sbx_errno_word(errno));
		if (rec_on)
			root_record_failure(path, errno);
		return -1;
	}
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		sbx_err_set(err, EINVAL, "%s: not a regular file", full);
		close(fd);
		return -1;
	}
	do
		got = read(fd, out, n - 1);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		sbx_err_set(err, errno, "%s: %s", full, sbx_errno_word(errno));
		if (rec_on)
			root_record_failure(path, errno);
		close(fd);
		return -1;
	}
	close(fd);
	if (rec_on)
		root_record_file(path, out, (size_t)got);
	out[got] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

int root_read_u64(const char *path, uint64_t *v, struct sbx_err *err)
{
	char line[64];

	if (root_read_line(path, line, sizeof(line), err) < 0)
		return -1;
	if (!parse_u64(str_trim(line), v)) {
		sbx_err_set(err, 0, "%s: not a number: '%.20s'", rooted(path), line);
		return -1;
	}
	return 0;
}

DIR *root_opendir(const char *path, struct sbx_err *err)
{
	const char *full = rooted(path);
	DIR *d;

	if (stuck_path[0] && under_root(full)) {
		sbx_err_set(err, ETIMEDOUT, "%s: not listed: the root stopped answering (%s gave "
			    "no answer within %gs)", full, stuck_path, stuck_after);
		return NULL;
	}
	sbx_doing("listing", full);
	d = opendir(full);

	if (!d)
		sbx_err_set(err, errno, "%s: %s", full, sbx_errno_word(errno));
	else if (rec_on)
		root_record_dir(path);
	if (!d && rec_on)
		root_record_failure(path, err->errnum);
	return d;
}

/* --- recording ------------------------------------------------------------ */

/* In memory, a hash of paths to their first copy: creating thousands of
 * small files costs more than the probes' reads (a quarter of a
 * millisecond each on ext4), and a full disk then cannot stop a snapshot
 * half way; the archive is written from here at the end. */
static struct root_rec_entry *rents;
static size_t nrents, arents;
static size_t *rhash, rhash_n;	/* index + 1; 0 empty */

static uint64_t path_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void rec_clear(void)
{
	for (size_t i = 0; i < nrents; i++) {
		free(rents[i].path);
		free(rents[i].data);
	}
	free(rents);
	free(rhash);
	rents = NULL;
	rhash = NULL;
	nrents = arents = rhash_n = 0;
}

static void rehash(void)
{
	size_t n = rhash_n ? rhash_n * 2 : 4096;

	free(rhash);
	rhash = xcalloc(n, sizeof(*rhash));
	rhash_n = n;
	for (size_t i = 0; i < nrents; i++) {
		size_t h = (size_t)path_hash(rents[i].path) & (n - 1);

		while (rhash[h])
			h = (h + 1) & (n - 1);
		rhash[h] = i + 1;
	}
}

/* The entry of path, made when missing (*made true). */
static struct root_rec_entry *rec_entry(const char *path, bool dir, bool *made)
{
	size_t h;

	*made = false;
	if (2 * (nrents + 1) > rhash_n)
		rehash();
	h = (size_t)path_hash(path) & (rhash_n - 1);
	while (rhash[h]) {
		if (!strcmp(rents[rhash[h] - 1].path, path))
			return &rents[rhash[h] - 1];
		h = (h + 1) & (rhash_n - 1);
	}
	if (nrents == arents) {
		arents = arents ? 2 * arents : 1024;
		rents = xreallocarray(rents, arents, sizeof(*rents));
	}
	rents[nrents] = (struct root_rec_entry){ .path = xstrdup(path), .dir = dir };
	rhash[h] = ++nrents;
	*made = true;
	return &rents[nrents - 1];
}

void root_record(const char *dir)
{
	if (!dir) {
		rec_on = false;
		return;
	}
	for (size_t i = 0; i < nfails; i++)
		free(fails[i].path);
	nfails = fails_dropped = 0;
	rec_err[0] = '\0';
	rec_clear();
	rec_on = true;
}

struct root_rec_entry *root_record_take(size_t *n)
{
	struct root_rec_entry *v = rents;

	*n = nrents;
	free(rhash);
	rents = NULL;
	rhash = NULL;
	nrents = arents = rhash_n = 0;
	return v;
}

bool root_recording(void)
{
	return rec_on;
}

bool root_live_unrecorded(void)
{
	return root_is_live() && !rec_on;
}

void root_record_cmdline(bool yes)
{
	rec_cmdline = yes;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

bool root_record_allowed(const char *path)
{
	const char *b = base_name(path);

	if (path[0] != '/' || strstr(path, "/../") || str_ends(path, "/..") || strstr(path, "//") ||
	    strstr(path, "/./") || strlen(path) > 3000)
		return false;
	/* a process's environment holds secrets; its command line often */
	if (!strcmp(b, "environ") || (!rec_cmdline && !strcmp(b, "cmdline")))
		return false;
	if (strstr(b, "token") || strstr(b, "kubeconfig") || str_ends(b, ".key") ||
	    str_ends(b, ".pem") || !strcmp(b, "kcore") || !strcmp(b, "mem"))
		return false;
	return true;
}

/* The directories above path, so that each listing holds it. */
static void rec_parents(const char *path)
{
	char tmp[3100];
	bool made;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = strrchr(tmp, '/'); p && p > tmp; p = strrchr(tmp, '/')) {
		*p = '\0';
		rec_entry(tmp, true, &made);
		if (!made)
			break;	/* its parents are there already */
	}
}

void root_record_dir(const char *path)
{
	bool made;

	if (!rec_on || !root_record_allowed(path) || !strcmp(path, "/"))
		return;
	rec_entry(path, true, &made);
	if (made)
		rec_parents(path);
}

/* A config file (the kubelet's), not the kernel's answer: kept with its
 * token-like values replaced (capture_scrub_config). */
static bool is_config(const char *path)
{
	return !str_starts(path, "/proc/") && !str_starts(path, "/sys/") &&
	       !str_starts(path, "/dev/") && !str_starts(path, "/.srebox/") &&
	       strcmp(path, "/etc/passwd");
}

void root_record_file(const char *path, const void *data, size_t len)
{
	struct root_rec_entry *e;
	bool made;

	if (!rec_on || !root_record_allowed(path))
		return;
	e = rec_entry(path, false, &made);
	if (!made)
		return;		/* read already in this snapshot: the first copy stays */
	if (is_config(path)) {
		struct buf b = { 0 };

		capture_scrub_config(data, len, &b);
		e->data = b.s;
		e->len = b.len;
	} else {
		e->data = xmalloc(len + 1);
		memcpy(e->data, data, len);
		e->len = len;
	}
	rec_parents(path);
}

void root_record_failure(const char *path, int errnum)
{
	if (!rec_on || errnum == ENOENT || errnum == ESRCH || errnum == 0)
		return;
	for (size_t i = 0; i < nfails; i++)
		if (!strcmp(fails[i].path, path))
			return;
	if (nfails >= 256) {
		fails_dropped++;
		return;
	}
	if (nfails == afails) {
		afails = afails ? 2 * afails : 32;
		fails = xrealloc(fails, afails * sizeof(*fails));
	}
	fails[nfails].path = xstrdup(path);
	fails[nfails++].errnum = errnum;
}

const struct root_failure *root_record_failures(size_t *n, size_t *dropped)
{
	*n = nfails;
	*dropped = fails_dropped;
	return fails;
}

const char *root_record_error(void)
{
	return rec_err[0] ? rec_err : NULL;
}

void root_record_append(const char *path, const void *data, size_t len)
{
	struct root_rec_entry *e;
	bool made;

	if (!rec_on)
		return;
	e = rec_entry(path, false, &made);
	if (e->dir)
		return;
	e->data = xrealloc(e->data, e->len + len + 1);
	memcpy(e->data + e->len, data, len);
	e->len += len;
	if (made)
		rec_parents(path);
}
