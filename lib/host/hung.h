/* Hung mounts: every stat and statfs of a path that may sit on a network
 * or FUSE mount goes through fs_ask, with a deadline, and a helper that is
 * stuck is remembered so that the next ask (this run or a later one, from
 * cron every minute) does not leave one more stuck process behind.
 *
 * A question about a local filesystem is answered in-process (it cannot
 * wait on a server); one that may reach a network or FUSE mount (the
 * mount is one, is below one, or the path goes through a symlink while
 * such mounts exist) is asked by a helper process (child.h) named
 * "srebox-fsprobe".  A helper still unanswered at the deadline is stuck
 * in the kernel: it is recorded in the registry (the file "stuck" in the
 * runtime dir, rundir.h) with its pid, its start time (so that a reused
 * pid is not mistaken for it) and when it asked, keyed by mount point
 * and device, as node_exporter's stuckMounts does.  While that helper
 * lives, the mount is not asked again: it is reported hung at once, the
 * helper named.  Once it is gone (the server answered, the mount was
 * aborted) the record is dropped and the mount is asked again. */
#ifndef SREBOX_HUNG_H
#define SREBOX_HUNG_H

#include "mountinfo.h"

#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

struct hung_info {
	bool earlier;		/* not asked: the helper of an earlier ask is still stuck */
	pid_t pid;		/* the stuck helper; 0 if it died when abandoned */
	double since;		/* when it asked, Unix time */
	double waited;		/* !earlier: the deadline that passed */
	char point[512];	/* the mount point (or the path, on no suspect mount) */
	unsigned major, minor;	/* its device (0:0 for a path) */
	char fstype[64], source[256];
};

enum fsq_op { FSQ_STATFS, FSQ_STAT };

struct fsq {
	enum fsq_op op;
	const char *path;	/* under the root (rooted here) */
	const struct mnt *m;	/* the mount asked about; NULL: the path's, from the mount table */
	/* the answer */
	int err;		/* 0, the call's errno, or ETIMEDOUT: hung, see hung */
	char why[160];		/* err set but the call was not made (fork failed...) */
	struct statfs sfs;
	struct stat st;
	struct hung_info hung;
	bool forked;		/* a helper was started for it */
};

/* Ask every question, the slow ones in parallel helpers, each given
 * `timeout` seconds. */
void fs_ask(struct fsq *q, size_t n, double timeout);

/* One question.  0, or -1 with err set: errnum is the call's errno, or
 * ETIMEDOUT with the message naming the mount, its type and source, how
 * long, and the stuck helper. */
int sbx_statfs_deadline(const char *path, struct statfs *out, double timeout,
			struct sbx_err *err);
int sbx_stat_deadline(const char *path, struct stat *out, double timeout, struct sbx_err *err);

/* The existence checks of the probes (is this a directory, does that
 * socket or file exist, whose is /proc/PID): stat(2) of `path` under the
 * root, within ROOT_STAT_TIMEOUT, recorded by srebox capture and answered
 * from the capture's table in replay, so that a replay sees what the
 * probe saw live (a socket, an owner, a file not captured).  0, or -1
 * with errno set. */
#define ROOT_STAT_TIMEOUT 2.0
int root_stat(const char *path, struct stat *out);

/* May a read of `path` (under the root) wait on a server: it is on a
 * network or FUSE mount, below one, or may lead to one through a symlink
 * (true, too, when the mount table cannot be read). */
bool path_may_wait(const char *path);

/* "/mnt/x (fuse.hangfs from hangfs) did not answer statfs within 1s; ..." */
void hung_text(const struct hung_info *h, enum fsq_op op, char *out, size_t n);

/* Why stuck helpers are not remembered between runs (no safe runtime
 * dir), or NULL when they are. */
const char *hung_registry_problem(void);

/* The mount table srebox judges: /proc/self/mountinfo on the live
 * machine; under --root, ROOT/proc/1/mountinfo (the host's init sees the
 * host's mounts, /proc/self would be the pod's), else ROOT/proc/self/
 * mountinfo.  `source` gets the file read, as the user sees it. */
int mnt_read(struct mnt_table *t, char *source, size_t n, struct sbx_err *err);

/* How many times mnt_read has read the file (not a kept copy): on the
 * live node, unchanged from one mnt_read to the next means the mount
 * table did not change between them, for what is worked out from it. */
unsigned long mnt_reads(void);

/* A process of srebox's own left stuck in directory dir (who: the
 * "textfile-writer" child, a "root-reader" run over a dead --root): is
 * one still there (its pid, and since when in Unix time), and record one
 * just abandoned. */
bool hung_own_stuck(const char *dir, const char *who, pid_t *pid, double *since);
void hung_own_left(const char *dir, const char *who, pid_t pid, double since);

/* The registry file, a pure parser and its writer.  One record a line:
 * "PID START SINCE MAJ:MIN POINT\n", START the helper's start time in
 * clock ticks after boot (/proc/PID/stat field 22), SINCE Unix seconds,
 * POINT escaped as in mountinfo ("\040").  Lines that do not parse, a
 * last line without its newline and records past STUCK_MAX are skipped. */
#define STUCK_MAX 256
#define STUCK_FILE_MAX (1u << 20)

struct stuck_rec {
	pid_t pid;
	uint64_t start;
	double since;
	unsigned major, minor;
	char *point;
};

struct stuck_set {
	struct stuck_rec *v;
	size_t n, alloc;
};

size_t stuck_parse(const char *text, size_t len, struct stuck_set *out);
void stuck_format(const struct stuck_set *s, struct buf *out);
void stuck_add(struct stuck_set *s, const struct stuck_rec *r);
void stuck_del(struct stuck_set *s, size_t i);
void stuck_free(struct stuck_set *s);

#endif
