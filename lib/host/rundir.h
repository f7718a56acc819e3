/* The private directory srebox keeps state in between runs (the kernel
 * log's scan, the helpers stuck on hung mounts): $XDG_RUNTIME_DIR/srebox
 * when that is the user's own directory, /run/srebox for root, else
 * /tmp/srebox-UID.  Whatever sits there is checked without following a
 * symlink: a symlink or a file in its place is removed and the directory
 * made anew, a directory of someone else's is refused, and one of ours
 * that others could write is closed to them (0700). */
#ifndef SREBOX_RUNDIR_H
#define SREBOX_RUNDIR_H

#include "util.h"

/* The directory's path, created if need be.  False with err set when
 * there is none that is safe to use. */
bool rundir_get(char *out, size_t n, struct sbx_err *err);

/* Is the open fd a file this user wrote and no one else could have:
 * regular, ours, not writable by group or others, at most max bytes? */
bool rundir_file_ok(int fd, size_t max);

#endif
