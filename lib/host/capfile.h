/* Capture archives: a tar.gz written by srebox capture, read back for
 * --root FILE.  libarchive does the tar and the compression; it is loaded
 * with dlopen (like libcurl and libproc2) so that no applet that does not
 * touch an archive pays for loading it at start.
 *
 * Layout: manifest.json first, then the snapshots' trees under "0/" and
 * "1/" (regular files and directories only: no links, no devices).
 *
 * Reading is bounded: at most CAPFILE_MAX_BYTES of file contents and
 * CAPFILE_MAX_ENTRIES members in all, every member name checked (no "..",
 * no absolute path, only the manifest's snapshot prefixes), so that a
 * bomb of zeros or a crafted name is refused with a clear error before
 * it fills the disk or escapes the private directory it is unpacked in. */
#ifndef SREBOX_CAPFILE_H
#define SREBOX_CAPFILE_H

#include "capture.h"
#include "util.h"

#define CAPFILE_MAX_BYTES (256ull << 20)
#define CAPFILE_MAX_ENTRIES 2000000u

/* Whether path is a regular file (a capture given to --root). */
bool capfile_is_file(const char *path);

/* Unpack FILE into a new private directory (under $TMPDIR or /tmp),
 * removed at exit.  Fills dir (the directory holding 0/ and 1/) and man.
 * -1 with err naming the file and what is wrong with it. */
int capfile_open(const char *file, char *dir, size_t n, struct capman *man,
		 struct sbx_err *err);

/* Remove the unpacked directory now (a second capfile_open may follow). */
void capfile_close(void);

/* Write the archive `out`: to a temporary file in out's directory,
 * hidden and named .srebox-capture.partial.*, fsync'd and renamed by
 * capfile_commit; capfile_abort (and any failure) removes it and leaves
 * out untouched.  Members are added in order: manifest.json first. */
struct capfile_w;
struct capfile_w *capfile_create(const char *out, struct sbx_err *err);
int capfile_add(struct capfile_w *w, const char *name, const void *data, size_t len, bool dir,
		struct sbx_err *err);
int capfile_commit(struct capfile_w *w, struct sbx_err *err);
void capfile_abort(struct capfile_w *w);

/* Remove a directory tree (the staging or unpacking directory). */
void capfile_rmtree(const char *dir);

#endif
