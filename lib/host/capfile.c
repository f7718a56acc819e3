/* Capture archives; see capfile.h. */
#include "capfile.h"

#include "dl.h"
#include "root.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct {
	bool loaded;
	struct sbx_err err;
	struct archive *(*read_new)(void);
	int (*read_support_filter_all)(struct archive *);
	int (*read_support_format_tar)(struct archive *);
	int (*read_open_filename)(struct archive *, const char *, size_t);
	int (*read_next_header)(struct archive *, struct archive_entry **);
	la_ssize_t (*read_data)(struct archive *, void *, size_t);
	int (*read_free)(struct archive *);
	struct archive *(*write_new)(void);
	int (*write_add_filter_gzip)(struct archive *);
	int (*write_set_format_pax_restricted)(struct archive *);
	int (*write_open_fd)(struct archive *, int);
	int (*write_header)(struct archive *, struct archive_entry *);
	la_ssize_t (*write_data)(struct archive *, const void *, size_t);
	int (*write_close)(struct archive *);
	int (*write_free)(struct archive *);
	const char *(*error_string)(struct archive *);
	struct archive_entry *(*entry_new)(void);
	void (*entry_free)(struct archive_entry *);
	const char *(*entry_pathname)(struct archive_entry *);
	__LA_MODE_T (*entry_filetype)(struct archive_entry *);
	la_int64_t (*entry_size)(struct archive_entry *);
	void (*entry_set_pathname)(struct archive_entry *, const char *);
	void (*entry_set_size)(struct archive_entry *, la_int64_t);
	void (*entry_set_filetype)(struct archive_entry *, unsigned int);
	void (*entry_set_perm)(struct archive_entry *, __LA_MODE_T);
	void (*entry_set_mtime)(struct archive_entry *, time_t, long);
} la;

static int la_load(struct sbx_err *err)
{
	static const char *const sonames[] = { "libarchive.so.13", "libarchive.so", NULL };
	const struct dl_sym syms[] = {
		{ "archive_read_new", (void **)&la.read_new },
		{ "archive_read_support_filter_all", (void **)&la.read_support_filter_all },
		{ "archive_read_support_format_tar", (void **)&la.read_support_format_tar },
		{ "archive_read_open_filename", (void **)&la.read_open_filename },
		{ "archive_read_next_header", (void **)&la.read_next_header },
		{ "archive_read_data", (void **)&la.read_data },
		{ "archive_read_free", (void **)&la.read_free },
		{ "archive_write_new", (void **)&la.write_new },
		{ "archive_write_add_filter_gzip", (void **)&la.write_add_filter_gzip },
		{ "archive_write_set_format_pax_restricted",
		  (void **)&la.write_set_format_pax_restricted },
		{ "archive_write_open_fd", (void **)&la.write_open_fd },
		{ "archive_write_header", (void **)&la.write_header },
		{ "archive_write_data", (void **)&la.write_data },
		{ "archive_write_close", (void **)&la.write_close },
		{ "archive_write_free", (void **)&la.write_free },
		{ "archive_error_string", (void **)&la.error_string },
		{ "archive_entry_new", (void **)&la.entry_new },
		{ "archive_entry_free", (void **)&la.entry_free },
		{ "archive_entry_pathname", (void **)&la.entry_pathname },
		{ "archive_entry_filetype", (void **)&la.entry_filetype },
		{ "archive_entry_size", (void **)&la.entry_size },
		{ "archive_entry_set_pathname", (void **)&la.entry_set_pathname },
		{ "archive_entry_set_size", (void **)&la.entry_set_size },
		{ "archive_entry_set_filetype", (void **)&la.entry_set_filetype },
		{ "archive_entry_set_perm", (void **)&la.entry_set_perm },
		{ "archive_entry_set_mtime", (void **)&la.entry_set_mtime },
	};

	if (la.loaded)
		return 0;
	if (la.err.msg[0]) {
		*err = la.err;
		return -1;
	}
	if (!dl_load(sonames, syms, ARRAY_SIZE(syms), "libarchive13", &la.err)) {
		if (!la.err.msg[0])
			sbx_err_set(&la.err, 0, "cannot load libarchive");
		*err = la.err;
		return -1;
	}
	la.loaded = true;
	return 0;
}

static const char *la_why(struct archive *a)
{
	const char *s = la.error_string(a);

	return s && *s ? s : "damaged or truncated";
}

bool capfile_is_file(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* --- removing trees ----------------------------------------------------- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

void capfile_rmtree(const char *dir)
{
	if (dir && *dir)
		nftw(dir, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static char unpacked[4096];

static void rm_unpacked(void)
{
	capfile_rmtree(unpacked);
}

void capfile_close(void)
{
	rm_unpacked();
	unpacked[0] = '\0';
}

/* --- reading -------------------------------------------------------------- */

/* A member name we accept: relative, no "." or ".." component, no empty
 * component, under one of the manifest's snapshot prefixes. */
static bool name_ok(const char *name, const struct capman *m)
{
	const char *p = name;
	size_t plen = strcspn(name, "/");
	bool prefix = false;

	if (!*name || name[0] == '/' || strlen(name) > 4000)
		return false;
	for (unsigned i = 0; i < m->nsnap; i++)
		if (strlen(m->snap[i].dir) == plen && !strncmp(name, m->snap[i].dir, plen))
			prefix = true;
	if (!prefix)
		return false;
	while (*p) {
		size_t l = strcspn(p, "/");

		if ((l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (l == 0 && p[l])
			return false;	/* "a//b" */
		p += l;
		if (*p == '/')
			p++;
	}
	return true;
}

static int make_dirs(char *full, size_t base)
{
	for (char *p = full + base + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(full, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Copy the member's data to fd, counting against the budget. */
static int copy_data(struct archive *a, int fd, unsigned long long *total, const char *file,
		     const char *name, struct sbx_err *err)
{
	char b[65536];

	for (;;) {
		la_ssize_t n = la.read_data(a, b, sizeof(b));

		if (n == 0)
			return 0;
		if (n < 0) {
			sbx_err_set(err, EINVAL, "%s: %s: %s", file, name, la_why(a));
			return -1;
		}
		*total += (unsigned long long)n;
		if (*total > CAPFILE_MAX_BYTES) {
			sbx_err_set(err, EFBIG,
				    "%s: more than %llu MiB once unpacked: not a capture (a capture "
				    "is a few MB), refused",
				    file, CAPFILE_MAX_BYTES >> 20);
			return -1;
		}
		if (fd >= 0 && write(fd, b, (size_t)n) != n) {
			sbx_err_set(err, errno ? errno : ENOSPC, "unpacking %s: %s", file,
				    sbx_errno_word(errno ? errno : ENOSPC));
			return -1;
		}
	}
}

static int read_manifest(struct archive *a, const char *file, struct capman *man,
			 struct sbx_err *err)
{
	struct archive_entry *e;
	struct buf b = { 0 };
	char chunk[8192];
	int rc;

	rc = la.read_next_header(a, &e);
	if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
		/* --root FILE: a directory was meant, or a capture */
		sbx_err_set(err, EINVAL, "%s: not a directory, nor a capture archive (%s)", file,
			    rc == ARCHIVE_EOF ? "empty" : la_why(a));
		return -1;
	}
	if (strcmp(la.entry_pathname(e) ? la.entry_pathname(e) : "", "manifest.json") ||
	    la.entry_filetype(e) != AE_IFREG) {
		sbx_err_set(err, EINVAL, "%s: not a capture archive (its first member is not "
			    "manifest.json)", file);
		return -1;
	}
	for (;;) {
		la_ssize_t n = la.read_data(a, chunk, sizeof(chunk));

		if (n == 0)
			break;
		if (n < 0) {
			sbx_err_set(err, EINVAL, "%s: manifest.json: %s", file, la_why(a));
			buf_free(&b);
			return -1;
		}
		buf_add(&b, chunk, (size_t)n);
		if (b.len > CAPMAN_MAX) {
			sbx_err_set(err, EFBIG, "%s: manifest.json larger than %u bytes", file,
				    CAPMAN_MAX);
			buf_free(&b);
			return -1;
		}
	}
	rc = capman_parse(b.s ? b.s : "", b.len, man, err);
	buf_free(&b);
	if (rc < 0) {
		struct sbx_err e2 = *err;

		sbx_err_set(err, e2.errnum, "%s: %s", file, e2.msg);
		return -1;
	}
	return 0;
}

static int unpack(struct archive *a, const char *file, const char *dir, const struct capman *man,
		  struct sbx_err *err)
{
	unsigned long long total = 0;
	unsigned entries = 0;
	size_t base = strlen(dir);

	for (;;) {
		struct archive_entry *e;
		const char *name;
		char full[8192];
		int rc = la.read_next_header(a, &e), fd;
		__LA_MODE_T type;

		if (rc == ARCHIVE_EOF)
			return 0;
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
			sbx_err_set(err, EINVAL, "%s: %s (a capture cut short, or not one)", file,
				    la_why(a));
			return -1;
		}
		if (++entries > CAPFILE_MAX_ENTRIES) {
			sbx_err_set(err, EFBIG, "%s: more than %u members: refused", file,
				    CAPFILE_MAX_ENTRIES);
			return -1;
		}
		name = la.entry_pathname(e);
		type = la.entry_filetype(e);
		if (!name || !name_ok(name, man)) {
			sbx_err_set(err, EINVAL, "%s: member '%.200s' is outside the snapshots: refused",
				    file, name ? name : "?");
			return -1;
		}
		if (type != AE_IFREG && type != AE_IFDIR) {
			sbx_err_set(err, EINVAL, "%s: member '%.200s' is not a file or directory: "
				    "refused", file, name);
			return -1;
		}
		snprintf(full, sizeof(full), "%s/%s", dir, name);
		{
			size_t l = strlen(full);

			while (l > base + 1 && full[l - 1] == '/')
				full[--l] = '\0';
		}
		if (make_dirs(full, base) < 0) {
			sbx_err_set(err, errno, "unpacking %s: %s: %s", file, name, sbx_errno_word(errno));
			return -1;
		}
		if (type == AE_IFDIR) {
			if (mkdir(full, 0700) < 0 && errno != EEXIST) {
				sbx_err_set(err, errno, "unpacking %s: %s: %s", file, name,
					    sbx_errno_word(errno));
				return -1;
			}
			continue;
		}
		if (la.entry_size(e) > (la_int64_t)CAPFILE_MAX_BYTES ||
		    total + (unsigned long long)la.entry_size(e) > CAPFILE_MAX_BYTES) {
			sbx_err_set(err, EFBIG,
				    "%s: more than %llu MiB once unpacked: not a capture (a capture "
				    "is a few MB), refused",
				    file, CAPFILE_MAX_BYTES >> 20);
			return -1;
		}
		fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno == EEXIST) {
			sbx_err_set(err, EINVAL, "%s: member '%.200s' twice: refused", file, name);
			return -1;
		}
		if (fd < 0) {
			sbx_err_set(err, errno, "unpacking %s: %s: %s", file, name, sbx_errno_word(errno));
			return -1;
		}
		rc = copy_data(a, fd, &total, file, name, err);
		if (close(fd) < 0 && rc == 0) {
			sbx_err_set(err, errno, "unpacking %s: %s", file, sbx_errno_word(errno));
			rc = -1;
		}
		if (rc < 0)
			return -1;
	}
}

int capfile_open(const char *file, char *dir, size_t n, struct capman *man, struct sbx_err *err)
{
	const char *tmp = getenv("TMPDIR");
	struct archive *a;
	int rc;

	if (la_load(err) < 0)
		return -1;
	if (unpacked[0]) {
		sbx_err_set(err, EINVAL, "%s: one capture at a time", file);
		return -1;
	}
	/* memory (tmpfs) unpacks a few thousand small files in a blink */
	if (!(tmp && *tmp))
		tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(unpacked, sizeof(unpacked), "%s/srebox-replay.XXXXXX", tmp);
	if (!mkdtemp(unpacked)) {
		sbx_err_set(err, errno, "cannot unpack %s: mkdtemp %s: %s", file, unpacked,
			    sbx_errno_word(errno));
		unpacked[0] = '\0';
		return -1;
	}
	{
		static bool registered;

		if (!registered)
			atexit(rm_unpacked);
		registered = true;
	}
	a = la.read_new();
	la.read_support_filter_all(a);
	la.read_support_format_tar(a);
	sbx_doing("unpacking", file);
	if (la.read_open_filename(a, file, 65536) != ARCHIVE_OK) {
		sbx_err_set(err, EINVAL, "%s: not a directory, nor a capture archive (%s)", file,
			    la_why(a));
		la.read_free(a);
		capfile_close();
		return -1;
	}
	rc = read_manifest(a, file, man, err);
	if (rc == 0)
		rc = unpack(a, file, unpacked, man, err);
	la.read_free(a);
	if (rc < 0) {
		capfile_close();
		return -1;
	}
	snprintf(dir, n, "%s", unpacked);
	return 0;
}

/* --- writing -------------------------------------------------------------- */

struct capfile_w {
	struct archive *a;
	int fd;
	char out[4096], tmp[4200], dir[4096];
	size_t members;
};

#define PARTIAL ".srebox-capture.partial."

/* Remove the hidden partial files of earlier captures whose writer is gone
 * (killed: SIGKILL runs no clean-up).  A live writer's file is left. */
static void stale_partials(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(de->d_name, PARTIAL, strlen(PARTIAL)))
			continue;
		pid = strtol(de->d_name + strlen(PARTIAL), &end, 10);
		if (end == de->d_name + strlen(PARTIAL) || *end != '.' || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/* Give the unnamed file of O_TMPFILE the name out: linked under a hidden
 * name first where out exists (linkat does not replace), then renamed. */
static int link_tmpfile(struct capfile_w *w, const char **what)
{
	char fdpath[64];

	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", w->fd);
	for (int tries = 0; tries < 100; tries++) {
		const char *name = w->out;

		if (access(w->out, F_OK) == 0 || errno != ENOENT) {
			snprintf(w->tmp, sizeof(w->tmp), "%s/" PARTIAL "%ld.%d", w->dir, (long)getpid(), tries);
			name = w->tmp;
		}
		if (linkat(AT_FDCWD, fdpath, AT_FDCWD, name, AT_SYMLINK_FOLLOW) < 0 &&
		    linkat(w->fd, "", AT_FDCWD, name, AT_EMPTY_PATH) < 0) {
			if (errno == EEXIST)
				continue;
			*what = "link";
			w->tmp[0] = '\0';
			return -1;
		}
		if (name == w->tmp && rename(w->tmp, w->out) < 0) {
			*what = "rename";
			return -1;
		}
		w->tmp[0] = '\0';
		return 0;
	}
	*what = "link";
	errno = EEXIST;
	w->tmp[0] = '\0';
	return -1;
}

struct capfile_w *capfile_create(const char *out, struct sbx_err *err)
{
	struct capfile_w *w;
	char *dcopy;

	if (la_load(err) < 0)
		return NULL;
	w = xcalloc(1, sizeof(*w));
	snprintf(w->out, sizeof(w->out), "%s", out);
	dcopy = xstrdup(out);
	snprintf(w->dir, sizeof(w->dir), "%s", dirname(dcopy));
	free(dcopy);
	/* An unnamed file in the target directory (O_TMPFILE), linked to its
	 * name only once complete: a capture killed or failed on the way
	 * leaves nothing.  Where the filesystem refuses O_TMPFILE, a hidden
	 * file named as unfinished and by its writer's pid, so that the next
	 * capture removes it when that writer is gone. */
	stale_partials(w->dir);
	/* SREBOX_TEST_NO_TMPFILE: the tests take the path of a filesystem
	 * without O_TMPFILE (some FUSE and network ones) on any */
	if (getenv("SREBOX_TEST_NO_TMPFILE"))
		w->fd = -1, errno = EOPNOTSUPP;
	else
		w->fd = open(w->dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		snprintf(w->tmp, sizeof(w->tmp), "%s/" PARTIAL "%ld.XXXXXX", w->dir, (long)getpid());
		w->fd = mkstemp(w->tmp);
	}
	if (w->fd < 0) {
		sbx_err_set(err, errno, "%s: cannot create a file in %s: %s", out, w->dir,
			    sbx_errno_word(errno));
		free(w);
		return NULL;
	}
	w->a = la.write_new();
	la.write_add_filter_gzip(w->a);
	la.write_set_format_pax_restricted(w->a);
	if (la.write_open_fd(w->a, w->fd) != ARCHIVE_OK) {
		sbx_err_set(err, EIO, "writing %s: %s (nothing written)", out, la_why(w->a));
		capfile_abort(w);
		return NULL;
	}
	return w;
}

int capfile_add(struct capfile_w *w, const char *name, const void *data, size_t len, bool dir,
		struct sbx_err *err)
{
	struct archive_entry *e = la.entry_new();
	int rc = 0;

	la.entry_set_pathname(e, name);
	la.entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
	la.entry_set_perm(e, dir ? 0755 : 0644);
	la.entry_set_mtime(e, time(NULL), 0);
	la.entry_set_size(e, dir ? 0 : (la_int64_t)len);
	if (la.write_header(w->a, e) < ARCHIVE_WARN ||
	    (!dir && len && la.write_data(w->a, data, len) != (la_ssize_t)len)) {
		sbx_err_set(err, errno ? errno : EIO, "writing %s: %s (nothing written)", w->out,
			    la_why(w->a));
		rc = -1;
	}
	la.entry_free(e);
	w->members++;
	return rc;
}

int capfile_commit(struct capfile_w *w, struct sbx_err *err)
{
	int dfd;
	const char *what = NULL;
	int e = 0;

	if (la.write_close(w->a) != ARCHIVE_OK) {
		sbx_err_set(err, errno ? errno : EIO, "writing %s: %s (nothing written)", w->out,
			    la_why(w->a));
		capfile_abort(w);
		return -1;
	}
	if (fsync(w->fd) < 0) {
		what = "fsync", e = errno;
	} else if (!w->tmp[0]) {
		/* the unnamed file: named while its descriptor is open */
		if (link_tmpfile(w, &what) < 0)
			e = errno;
		else if (close(w->fd) < 0)
			what = "close", e = errno;
		else
			w->fd = -1;
	} else if (close(w->fd) < 0) {
		what = "close", e = errno;
	} else {
		w->fd = -1;
		if (rename(w->tmp, w->out) < 0)
			what = "rename", e = errno;
	}
	if (what) {
		sbx_err_set(err, e, "writing %s: %s: %s (nothing written)", w->out, what,
			    sbx_errno_word(e));
		capfile_abort(w);
		return -1;
	}
	dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	la.write_free(w->a);
	free(w);
	return 0;
}

void capfile_abort(struct capfile_w *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp[0])
		unlink(w->tmp);
	/* the archive's own close would write to the closed descriptor */
	la.write_free(w->a);
	free(w);
}
