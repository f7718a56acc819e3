#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int read_file(const char *path, struct buf *out, size_t max, struct sbx_err *err)
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

	sbx_doing("reading", full);
	/* O_NONBLOCK: a FIFO in a saved tree must not block the open */
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (n)
		out[0] = '\0';
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

	sbx_doing("listing", full);
	d = opendir(full);

	if (!d)
		sbx_err_set(err, errno, "%s: %s", full, sbx_errno_word(errno));
	return d;
}
