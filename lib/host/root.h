/* Every read of /proc and /sys goes through here, so that one prefix
 * (--root DIR, SREBOX_ROOT) moves them all: the live machine, a DaemonSet
 * pod with the host under /host, or a fixture tree in the tests. */
#ifndef SREBOX_ROOT_H
#define SREBOX_ROOT_H

#include "util.h"

#include <dirent.h>

/* DIR, or NULL/"" or "/" for the live machine. */
void root_set(const char *dir);
/* Whether DIR can be a root: a directory, with proc/ in it when need_proc.
 * The error names DIR (as `what` says it was given: "--root /x"). */
int root_check(const char *dir, const char *what, bool need_proc, struct sbx_err *err);
const char *root_get(void);	/* "" for the live machine, never "/" */
bool root_is_live(void);

/* Path under the root: rooted("/proc/stat") -> "/host/proc/stat".
 * Returns a pointer to a static ring of buffers: use it at once. */
const char *rooted(const char *path);
/* Same, printf-style. */
const char *rootedf(const char *fmt, ...) SBX_PRINTF(1, 2);

/* Read a whole file (procfs files report size 0, so read until EOF).
 * Files over `max` bytes fail with EFBIG rather than exhaust memory.
 * The error names the path as the user would see it (with the root). */
#define ROOT_READ_MAX (256u << 20)
int root_read(const char *path, struct buf *out, struct sbx_err *err);
int root_readf(struct buf *out, struct sbx_err *err, const char *fmt, ...) SBX_PRINTF(3, 4);

/* A one-line file (sysctl, sysfs attribute): trailing newline removed. */
int root_read_line(const char *path, char *out, size_t n, struct sbx_err *err);
/* A file holding one unsigned number. */
int root_read_u64(const char *path, uint64_t *out, struct sbx_err *err);

DIR *root_opendir(const char *path, struct sbx_err *err);

/* Guarded reads, for a root on a mount that may stop answering: each
 * read under the root waits at most `timeout` seconds; one that does not
 * come back fails naming its path, and every later one fails at once.
 * root_stuck() is that path (and the timeout), or NULL. */
void root_guard(double timeout);
const char *root_stuck(double *timeout);

/* Read a file given as a real path (not under the root), e.g. --input. */
int read_file(const char *path, struct buf *out, size_t max, struct sbx_err *err);

#endif
