#include "root.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char root_dir[4096];

void root_set(const char *dir)
{
	size_t n;

	if (!dir || !*dir) {
		root_dir[0] = '\0';
		return;
	}
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		n = 0;
	if (n >= sizeof(root_dir))
		n = sizeof(root_dir) - 1;
	memcpy(root_dir, dir, n);
	root_dir[n] = '\0';
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

	snprintf(out, sizeof(ring[0]), "%s%s", root_dir, path);
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

static int read_file_here(const char *path, struct buf *out, size_t max, struct sbx_err *err)
{
	/* O_NONBLOCK: a FIFO where a file is expected (a saved tree, a
	 * kubeconfig's tokenFile) must not block the open for ever */
	int fd;
	struct stat st;

	sbx_doing("reading", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	buf_reset(out);
	buf_add(out, NULL, 0);
	if (fd < 0) {
		sbx_err_set(err, errno, "%s: %s", path, sbx_errno_word(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
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
	for (;;) {
		ssize_t n;

		if (out->alloc - out->len < 2)
			buf_grow(out, out->len < 16384 ? 16384 : out->len);
		n = read(fd, out->s + out->len, out->alloc - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sbx_err_set(err, errno, "%s: %s", path, sbx_errno_word(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len > max) {
			sbx_err_set(err, EFBIG, "%s: larger than %zu bytes", path, max);
			close(fd);
			return -1;
		}
	}
	out->s[out->len] = '\0';
	close(fd);
	return 0;
}

int root_read(const char *path, struct buf *out, struct sbx_err *err)
{
	return read_file(rooted(path), out, ROOT_READ_MAX, err);
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

int root_read_line(const char *path, char *out, size_t n, struct sbx_err *err)
{
	const char *full = rooted(path);
	int fd;
	ssize_t got;
	struct stat st;

	if (n)
		out[0] = '\0';
	if (guard_timeout > 0 && under_root(full)) {
		struct buf b = { 0 };
		int rc = read_guarded(full, &b, 1u << 20, err);

		if (rc == 0 && n) {
			size_t l = b.len < n - 1 ? b.len : n - 1;

			memcpy(out, b.s, l);
			out[l] = '\0';
			out[strcspn(out, "\n")] = '\0';
		}
		buf_free(&b);
		return rc;
	}
	sbx_doing("reading", full);
	/* O_NONBLOCK: a FIFO in a saved tree must not block the open */
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		sbx_err_set(err, errno, "%s: %s", full, sbx_errno_word(errno));
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
		close(fd);
		return -1;
	}
	close(fd);
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
	return d;
}
