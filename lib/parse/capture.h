/* srebox capture's own files, parsed: the manifest (manifest.json, the
 * first member of a capture archive) and the table of filesystem answers
 * (.srebox/fs in each snapshot: the statfs and stat results the probes
 * got, and the mounts that did not answer).  Pure: bytes in, struct out. */
#ifndef SREBOX_PARSE_CAPTURE_H
#define SREBOX_PARSE_CAPTURE_H

#include "util.h"

#include <stdint.h>

/* The manifest format this srebox writes and reads; a newer one is refused. */
#define CAPMAN_FORMAT "srebox-capture"
#define CAPMAN_VERSION 1
#define CAPMAN_MAX (1u << 20)

struct capman_snap {
	char dir[16];		/* "0", "1": the member prefix */
	double uptime;		/* /proc/uptime when it was taken; <0 unknown */
	double time;		/* Unix seconds */
};

struct capman {
	unsigned version;
	char srebox[64];	/* the version of srebox that wrote it */
	char host[256], kernel[128], boot_id[64];
	double interval;
	struct capman_snap snap[2];
	unsigned nsnap;
	bool cmdline;		/* --include-cmdline */
};

/* 0, or -1 with err: not JSON, not a capture manifest, a newer format
 * (the message names the srebox that wrote it), fields missing or bad. */
int capman_parse(const char *text, size_t len, struct capman *out, struct sbx_err *err);

/* One answer of the filesystem table.  One line each, tab-separated:
 *   OP PATH ERRNO a1 ... a10 [POINT FSTYPE SOURCE WAITED]
 * OP "statfs" (a1..a10: type bsize blocks bfree bavail files ffree
 * namelen frsize flags) or "stat" (mode ino dev nlink uid gid size blocks
 * mtime rdev); ERRNO 0 or the call's; ETIMEDOUT (110) carries the hung
 * mount's point, type, source and the deadline that passed.  Strings are
 * escaped as in mountinfo (\040 space, \011 tab, \012 newline, \134 \). */
struct capfs_rec {
	bool is_stat;
	char *path;
	int err;
	uint64_t a[10];
	char *point, *fstype, *source;
	double waited;
};

struct capfs_set {
	struct capfs_rec *v;
	size_t n, alloc;
	size_t *idx, nidx;	/* hash of (is_stat, path): index + 1, 0 empty */
};

#define CAPFS_MAX_LINES 100000

/* Lines that do not parse are skipped (their count is returned in *bad);
 * a path seen twice keeps its first answer.  Returns the count kept. */
size_t capfs_parse(const char *text, size_t len, struct capfs_set *out, size_t *bad);
/* The first answer for (is_stat, path), or NULL. */
const struct capfs_rec *capfs_find(const struct capfs_set *s, bool is_stat, const char *path);
void capfs_format(const struct capfs_rec *r, struct buf *out);
void capfs_free(struct capfs_set *s);

/* A config file (the kubelet's: YAML, or a key=value file) as a capture
 * may keep it: the value of every key named like a secret (token,
 * password, secret, credential, authorization, bearer, private key, api
 * key), and of the lines nested under one, and any value that looks like
 * a token itself (a bearer token, a JWT, a PEM private key's lines), is
 * replaced by CAPTURE_REDACTED; paths (a value starting with '/') stay,
 * they name a file and hold no secret.  Returns the count of values
 * replaced; out holds the text (all of it, changed or not). */
#define CAPTURE_REDACTED "<redacted by srebox capture>"
size_t capture_scrub_config(const char *text, size_t len, struct buf *out);

#endif
