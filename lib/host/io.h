/* The block I/O probe: /proc/diskstats and /proc/uptime read under the
 * root, and what /sys/block says of each device (its shown name, whether
 * it is a partition and of which disk, its queues), for `srebox io` and
 * `health` (judged by lib/check/judge_io.c).
 *
 *   names     dm-N: /sys/block/dm-N/dm/name ("vg0-root"); md devices keep
 *             their kernel name, with the RAID level (/sys/block/mdN/md/level);
 *   partitions  a directory /sys/block/DISK/PART holding a "partition"
 *             file: PART is a partition of DISK;
 *   queues    /sys/block/X/mq/ holds one directory per hardware queue
 *             (blk-mq); no mq/ is a bio-based device (dm, md, zram, and
 *             loop on old kernels) that queues nothing itself;
 *             /sys/block/X/queue/rotational: 1 a spinning disk.
 * Missing sysfs entries leave the kernel name and the queue type unknown:
 * nothing in sysfs is required.  Without /sys/block at all (a saved /proc)
 * partitions are told by the kernel's naming rule: the disk's name and a
 * number, with a "p" between them after a digit (sda1, nvme0n1p1). */
#ifndef SREBOX_IO_H
#define SREBOX_IO_H

#include "diskstats.h"

struct io_dev {
	char kname[DISK_NAME_MAX];	/* the kernel's: "dm-0", "sda1" */
	char name[160];			/* shown: "vg0-root", else the kernel's */
	char kind[16];			/* "dm", "md", "loop", "" */
	char level[16];			/* md: "raid1"; "" */
	bool partition;
	char parent[DISK_NAME_MAX];	/* a partition's disk; "" */
	int hw_queues;			/* entries of mq/; 0: no mq/ (bio-based); -1: no sysfs */
	int rotational;			/* 1, 0; -1 unknown */
};

struct io_snap {
	bool ok;			/* /proc/diskstats was read */
	struct sbx_err err;
	struct diskstats ds;
	struct io_dev *dev;		/* one per ds.dev, same order */
	double uptime;			/* <0 unknown */
	struct sbx_err up_err;
	double when;			/* monotonic time of the read */
};

/* Read /proc/diskstats (required), /proc/uptime and sysfs.  -1 with err
 * (also in s->err) when diskstats cannot be read or parsed. */
int io_snap_read(struct io_snap *s, struct sbx_err *err);
void io_snap_free(struct io_snap *s);
/* The entry of kernel name kname in s, or NULL. */
const struct io_dev *io_dev_find(const struct io_snap *s, const char *kname);

/* Whether %util means saturation for d: a device that serves one request
 * at a time, as iostat(1) says %util assumes: rotational, or a single
 * hardware queue.  False for multi-queue (NVMe), bio-based (dm, md) and
 * unknown devices, whose %util is reported, not judged. */
bool io_dev_serial(const struct io_dev *d);
/* "hdd", "ssd 1q", "mq 8q", "bio" (no queue of its own), "?": for a table. */
void io_dev_queue_type(const struct io_dev *d, char *out, size_t n);

/* Block I/O errors in the kernel log per device, the last `window`
 * seconds (relative to uptime).  The one place srebox io asks the kernel
 * log: fn gets each kernel device name and its count.  Returns -1 with
 * err when the log cannot be read. */
typedef void (*io_err_fn)(void *arg, const char *dev, size_t count, double newest_age);
int io_kmsg_errors(double uptime, double window, io_err_fn fn, void *arg, struct sbx_err *err);

#endif
