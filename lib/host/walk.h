/* What is eating the space: a parallel directory walk (du -x semantics:
 * one filesystem, symlinks not followed, each inode counted once) that runs
 * in a child process with a deadline, so a hung filesystem or a tree too
 * big for the time allowed gives a partial answer that says how far it
 * got, never a hang.  Pod log directories (.../pods/NS_POD_UID/CONTAINER)
 * are named by namespace, pod and container. */
#ifndef SREBOX_WALK_H
#define SREBOX_WALK_H

#include "mountinfo.h"

struct walk_opts {
	const char *const *roots;	/* paths as the user gave them (ROOT is prefixed) */
	size_t nroots;
	const struct mnt_table *mt;	/* mount points: never stat'ed, never entered */
	double seconds;			/* the walk stops itself after this long */
	unsigned threads;		/* 0: one per online CPU, at most 8 */
	size_t nfiles;			/* largest files to keep */
	double stat_timeout;		/* deadline of each root's stat (0: 5s), see hung.h */
	const char *const *unwalked;	/* walk_run's own: why a root is not walked, or NULL */
	/* called about twice a second while the walk runs, with the files
	 * and bytes counted so far (a terminal's progress line), or NULL */
	void (*progress)(uint64_t files, uint64_t alloc, double elapsed, void *arg);
	void *progress_arg;
};

struct walk_item {
	unsigned root;
	bool dir;
	char *path;		/* full path, as the user gave the root */
	uint64_t alloc;		/* st_blocks * 512, what du counts */
	uint64_t apparent;	/* st_size, du --apparent-size */
	uint64_t files;		/* inodes counted below (1 for a file) */
};

struct walk_root {
	char *path;
	bool walked;		/* the root itself could be read */
	bool complete;		/* every directory was read before the deadline */
	uint64_t alloc, apparent, files, dirs;
	uint64_t errors;	/* entries that could not be read */
	char error[400];	/* the first such error, or why the root failed */
};

struct walk_result {
	struct walk_root *roots;
	size_t nroots;
	struct walk_item *children;	/* the entries directly in each root */
	size_t nchildren;
	struct walk_item *pods;		/* pod log container directories */
	size_t npods;
	struct walk_item *files;	/* the largest files, largest first */
	size_t nfiles;
	bool answered;		/* the helper finished (perhaps stopped by its deadline) */
	uint64_t seen;		/* progress: inodes counted when last heard of */
	uint64_t seen_alloc;
	double seconds;
	unsigned threads;
	double deadline;	/* the seconds the walk was given (o->seconds; a capture's own) */
	bool replayed;		/* from a capture: the walk made when it was taken */
	char why[400];		/* !answered: what happened */
};

/* Walk in a child process; gives up on it `grace` seconds after
 * o->seconds.  Each root is first stat'ed by sbx_stat_deadline: one on a
 * hung mount (or whose earlier helper is still stuck) is not walked, so
 * the walk adds no stuck process.  Never fails: problems are in r->why and each root's error. */
void walk_run(const struct walk_opts *o, double grace, struct walk_result *r);

/* srebox capture records the result (.srebox/walk in each snapshot: the
 * sizes and counts, no file contents; walked once, at the first snapshot,
 * and kept for the second), and walk_run on a replayed capture gives it
 * back for the roots it walked; a root it did not walk is not walked in
 * the unpacked copy (whose sizes are the capture's, not the node's), but
 * said to be not in the capture.  The text, one line each, tab-separated
 * and escaped (\t \n \\):
 *   walk DEADLINE ANSWERED THREADS SECONDS SEEN SEEN_ALLOC WHY
 *   root WALKED COMPLETE ALLOC APPARENT FILES DIRS ERRORS PATH ERROR
 *   C|K|F ROOT DIR ALLOC APPARENT FILES PATH   (children, pod logs, files)
 * walk_format and walk_parse are pure; parse -1 on a line it cannot read. */
void walk_format(const struct walk_result *r, struct buf *out);
int walk_parse(const char *text, size_t len, struct walk_result *r);
void walk_result_free(struct walk_result *r);

/* "kube-system_coredns-abc12_7f1e...": namespace, pod and uid of a pod
 * log directory name.  False for anything else. */
bool pod_dir_parse(const char *name, char *ns, size_t nsl, char *pod, size_t podl);

#endif
