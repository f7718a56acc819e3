/* The disk probe: the mount table, statfs of every filesystem with a
 * deadline (a dead NFS or FUSE server cannot hang srebox), the kubelet's
 * disk eviction signals computed as the kubelet computes them, space held
 * by deleted files that are still open, and filesystem errors (the ext4
 * error counters, the kernel log).  Used by `disk` and by `health`'s
 * disk-pressure summary. */
#ifndef SREBOX_DISK_H
#define SREBOX_DISK_H

#include "hung.h"
#include "mountinfo.h"

/* FS_HUNG: no answer within the deadline, or the helper of an earlier
 * ask (this run's or another's) is still stuck: a node fault. */
enum fs_status { FS_NOT_PROBED, FS_OK, FS_ERROR, FS_HUNG };

struct disk_fs {
	enum fs_status status;
	char *why;		/* FS_ERROR, FS_HUNG: why (heap), else NULL */
	uint64_t bsize;		/* f_frsize */
	uint64_t blocks, bfree, bavail, files, ffree;
};

/* Derived figures, in bytes and inodes; df's and the kubelet's formulas. */
static inline uint64_t fs_size(const struct disk_fs *f)
{
	return f->blocks * f->bsize;
}
static inline uint64_t fs_avail(const struct disk_fs *f)
{
	return f->bavail * f->bsize;
}
static inline uint64_t fs_used(const struct disk_fs *f)
{
	return (f->blocks - (f->bfree < f->blocks ? f->bfree : f->blocks)) * f->bsize;
}
/* Used share as df's Use% computes it: used / (used + available), the
 * blocks reserved for root left out.  NaN for a filesystem of no size. */
double fs_used_ratio(const struct disk_fs *f);
double fs_inodes_used_ratio(const struct disk_fs *f);	/* NaN without an inode limit */

struct disk_snap {
	struct mnt_table mt;
	char source[96];	/* the mountinfo file read, as the user sees it */
	struct disk_fs *fs;	/* one per mount of mt */
	double when;		/* monotonic */
	double probe_seconds;	/* time the statfs calls took */
	size_t nchildren;	/* helper processes forked for suspect mounts */
};

/* Why a filesystem has no figures ("" when it has them). */
static inline const char *fs_why(const struct disk_fs *f)
{
	return f->why ? f->why : "";
}
/* Free n readings' texts, and the array. */
void disk_fs_free(struct disk_fs *fs, size_t n);

/* The mount table (mnt_read). */
int disk_read_mounts(struct disk_snap *s, struct sbx_err *err);

/* statfs every mount with want[i] set (want NULL: every visible one) at
 * ROOT + mount point, through fs_ask: local filesystems in-process,
 * network, FUSE and unknown types (and anything mounted below them) in
 * helpers given `timeout`; one whose earlier helper is still stuck is
 * not asked again (hung.h). */
void disk_probe(struct disk_snap *s, const bool *want, double timeout);
void disk_snap_free(struct disk_snap *s);

/* Index of the reported mount holding `path` (ROOT is prefixed): stat
 * (sbx_stat_deadline) finds its device; a bind mount maps to the mount
 * reported for its device.
 * Returns -1 with err set when the path does not exist or did not answer. */
long disk_mount_of(const struct disk_snap *s, const char *path, double timeout,
		   struct sbx_err *err);

/* The kubelet's disk eviction signals (pkg/kubelet/eviction; defaults from
 * defaults_linux.go): nodefs for the kubelet root dir, imagefs for the
 * container runtime's dir. */
enum { SIG_NODEFS_AVAIL, SIG_NODEFS_INODES, SIG_IMAGEFS_AVAIL, SIG_IMAGEFS_INODES, SIG_N };

struct disk_signal {
	const char *name;	/* "nodefs.available" */
	const char *dir;	/* the directory it is about */
	double hard_pct;	/* the kubelet's default hard threshold, % */
	long mount;		/* -1: unknown, see why */
	char why[400];
	bool inodes;
	uint64_t avail, capacity;	/* bytes, or inodes */
	double pct;		/* avail / capacity * 100; NaN without an inode limit */
};

/* The runtime's root: the first of containerd's, CRI-O's and docker's that
 * exists under ROOT (each asked within `timeout`), or NULL. */
const char *disk_runtime_dir(double timeout);

void disk_signals(const struct disk_snap *s, const char *kubelet_dir, const char *runtime_dir,
		  double timeout, struct disk_signal out[SIG_N]);

/* Deleted files still open: one record per process and file. */
struct disk_deleted {
	long pid;
	char comm[64];
	char *path;		/* as /proc/PID/fd shows it, " (deleted)" removed */
	long mount;		/* reported mount index, -1 if on none of them */
	uint64_t size, alloc;	/* apparent, allocated (st_blocks * 512) */
	uint64_t dev, ino;
	unsigned nfds;		/* descriptors of this process on the file */
};

struct disk_deleted_set {
	struct disk_deleted *v;
	size_t n, alloc;
	size_t denied;		/* processes whose fds could not be read */
	bool complete;		/* false: the scan did not finish in time */
	char why[400];
	void *job;		/* the child process while it runs */
};

/* Scan ROOT/proc/PID/fd in a child with a deadline: start it, do other
 * work while it runs, collect it (or both at once with _scan). */
void disk_deleted_start(struct disk_deleted_set *out);
void disk_deleted_collect(const struct disk_snap *s, double timeout, struct disk_deleted_set *out);
void disk_deleted_scan(const struct disk_snap *s, double timeout, struct disk_deleted_set *out);
void disk_deleted_free(struct disk_deleted_set *d);

/* Filesystem errors: the ext4 error counter of each mount and the kernel
 * log's filesystem messages, matched to mounts by device. */
struct disk_fserr {
	long mount;
	char dev[64];		/* kernel device name, "loop0" */
	unsigned count;		/* messages in the kernel log */
	char last[256];		/* the first error message (the cause) */
	bool first_is_ro;	/* last[] is a read-only message, not an error */
	double last_age;	/* seconds since the latest message, <0 unknown */
	bool remount_ro;	/* "Remounting filesystem read-only" seen */
	int64_t ext4_errors;	/* /sys/fs/ext4/DEV/errors_count, -1 unknown */
};

struct disk_fserrs {
	struct disk_fserr *v;
	size_t n, alloc;
	bool kmsg_read;
	char kmsg_why[400];	/* why the kernel log was not read */
};

void disk_fserrs_read(const struct disk_snap *s, struct disk_fserrs *out);
void disk_fserrs_free(struct disk_fserrs *e);

/* Kernel name of a block device: /sys/dev/block/MAJ:MIN -> "dm-2". */
bool disk_dev_name(unsigned major, unsigned minor, char *out, size_t n);

#endif
