/* /proc/PID/mountinfo: a pure parser (text in, table out, no I/O) and the
 * pure decisions made on the table: which mounts are pseudo filesystems,
 * which can hang (network, FUSE, or below one of those), which are the
 * same filesystem seen twice (bind mounts, a mount hidden under another
 * at the same place), and which mount holds a path. */
#ifndef SREBOX_MOUNTINFO_H
#define SREBOX_MOUNTINFO_H

#include "util.h"

enum mnt_kind {
	MNT_LOCAL,		/* a block device or memory: statfs cannot wait on a server */
	MNT_PSEUDO,		/* proc, sysfs, cgroup...: no space to report */
	MNT_REMOTE,		/* nfs, cifs, fuse.*, ...: statfs may never return */
};

/* Why a mount is left out of the default report (MNT_SHOWN: it is not). */
enum mnt_hide {
	MNT_SHOWN,
	MNT_HIDE_PSEUDO,	/* a pseudo filesystem */
	MNT_HIDE_OVER,		/* another mount sits on the same mount point */
	MNT_HIDE_BIND,		/* the same device is reported at another mount point */
	MNT_HIDE_OVERLAY,	/* an overlay: its space is that of its upper dir's filesystem */
};

struct mnt {
	unsigned id, parent;
	unsigned major, minor;
	char *root;		/* the part of the filesystem mounted here ("/" for a whole one) */
	char *point;		/* mount point, unescaped */
	char *opts;		/* per-mount options: "rw,relatime" */
	char *fstype;		/* "ext4", "fuse.sshfs" */
	char *source;		/* "/dev/sda1", "server:/export" */
	char *super;		/* superblock options */
	bool ro;		/* mounted read-only */
	bool super_ro;		/* the filesystem itself is read-only (an error remount shows here) */
	enum mnt_kind kind;
	bool suspect;		/* statfs may hang: remote, or below a remote mount */
	enum mnt_hide hide;
	long same_as;		/* MNT_HIDE_BIND/OVER: index of the mount reported instead */
};

struct mnt_table {
	struct mnt *m;
	size_t n;
	char *arena;		/* all strings */
	size_t arena_len;	/* its bytes */
};

/* Parse mountinfo.  Lines that do not parse are errors naming the line:
 * the kernel writes this file, so garbage means a wrong file. */
int parse_mountinfo(const char *text, size_t len, const char *fname, struct mnt_table *out,
		    struct sbx_err *err);
void mnt_table_free(struct mnt_table *t);
/* A deep copy of `src` (parsed, and classified if it was) into `dst`. */
void mnt_table_copy(struct mnt_table *dst, const struct mnt_table *src);

/* "\040" -> " " (the kernel escapes space, tab, newline and backslash). */
void mnt_unescape(char *s);

enum mnt_kind mnt_kind_of(const char *fstype);

/* Is `word` ("cpu") one of the comma-separated options in `opts`? */
bool mnt_has_option(const char *opts, const char *word);

/* Set kind, suspect, hide and same_as for every mount.  Size does not
 * enter (GNU df also hides filesystems of 0 blocks; that needs statfs). */
void mnt_classify(struct mnt_table *t);

/* Index of the visible mount that holds `path` (an absolute, normalised
 * path: the longest mount point that is a prefix of it), or -1. */
long mnt_find_path(const struct mnt_table *t, const char *path);

/* Index of the mount reported for device major:minor, or -1. */
long mnt_find_dev(const struct mnt_table *t, unsigned major, unsigned minor);

/* Is `path` a mount point in the table (any mount, hidden ones too)? */
bool mnt_is_point(const struct mnt_table *t, const char *path);

#endif
