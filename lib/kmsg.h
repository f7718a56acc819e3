/* The kernel log (/dev/kmsg records, Documentation/ABI/testing/dev-kmsg):
 * a pure parser of one record, and the filesystem messages an on-call
 * engineer looks for (node-problem-detector's kernel and read-only
 * monitors): ext4/xfs/btrfs errors, buffer and block I/O errors, and
 * "Remounting filesystem read-only". */
#ifndef SREBOX_KMSG_H
#define SREBOX_KMSG_H

#include "util.h"

struct kmsg_rec {
	unsigned prio;		/* facility << 3 | level */
	uint64_t seq, usec;	/* usec: since boot */
	const char *text;	/* not NUL-terminated: text_len bytes */
	size_t text_len;
};

/* "6,339,5140900,-;text" (continuation lines after a newline ignored).
 * Returns false for anything else. */
bool kmsg_parse(const char *rec, size_t len, struct kmsg_rec *out);

/* A line of the syslog(2) buffer (klogctl READ_ALL, what dmesg -r prints):
 * "<3>[ 5140.900000] text"; the timestamp is optional (printk.time=0). */
bool kmsg_parse_syslog(const char *line, size_t len, struct kmsg_rec *out);

enum kmsg_fs { KFS_NONE, KFS_ERROR, KFS_REMOUNT_RO, KFS_IO_ERROR };

/* Is this a filesystem or I/O error message, and about which device?
 * dev gets the kernel name ("sda1", "dm-0", "loop3"). */
enum kmsg_fs kmsg_fs_match(const char *text, size_t len, char *dev, size_t devlen);

#endif
