/* The kernel log (/dev/kmsg records, Documentation/ABI/testing/dev-kmsg):
 * a pure parser of one record, and the filesystem messages an on-call
 * engineer looks for (node-problem-detector's kernel and read-only
 * monitors): ext4/xfs/btrfs errors, buffer and block I/O errors, and
 * "Remounting filesystem read-only". */
#ifndef SREBOX_KMSG_H
#define SREBOX_KMSG_H

#include "procfs.h"

/* A record's fields: struct kmsg_rec and its pure parsers
 * (parse_kmsg_record, parse_syslog_record) are in procfs.h. */

/* Each record of the kernel log; `timed`: r->usec is known (printk.time). */
typedef void (*kmsg_fn)(void *arg, const struct kmsg_rec *r, bool timed);

/* Read the kernel log and hand fn each record, continuation lines left
 * out.  The live machine: the whole ring in one syslog(2) call (the same
 * CAP_SYSLOG rule as /dev/kmsg), rather than one read(2) per record;
 * /dev/kmsg when that is refused.  Under --root, ROOT/dev/kmsg: a saved
 * log (one record per line) or the device.  -1 with err when it cannot
 * be read at all. */
int kmsg_read_each(kmsg_fn fn, void *arg, struct sbx_err *err);

/* A cheap key for "the log has not changed": a hash of its newest records
 * (syslog(2) SYSLOG_ACTION_READ_ALL of the last KMSG_TAIL bytes -- the
 * kernel picks the records that fit from the end, no whole-ring copy),
 * their length, and the ring's size.  A new record changes the tail (its
 * timestamp at least); `dmesg -C` changes what READ_ALL returns.  Live
 * machine only; -1 when syslog(2) is refused, or the newest record alone
 * is longer than the tail (then there is no key: the caller reads the
 * whole log).  *key is never 0 on success.
 *
 * It is not O(1): to find the records that fit, the kernel walks the
 * sizes of every record of the ring (about 0.3 us each; 1500 records of a
 * 128 KiB ring cost 0.4 ms) -- but it copies and we parse only the tail.
 * Nothing cheaper is exact: /dev/kmsg's lseek(SEEK_END) moves past the
 * newest record without saying its sequence number (lseek returns 0), and
 * SYSLOG_ACTION_SIZE_UNREAD counts from where /proc/kmsg's reader (rsyslog's
 * imklog) has got to, so it stays 0 on a node where that reader keeps up. */
#define KMSG_TAIL 4000	/* not a power of two: never the ring's own size */
int kmsg_tail_key(uint64_t *key, struct sbx_err *err);

/* Has the kernel log had a record since the last call?  A reader of
 * /dev/kmsg kept open for the life of the process (a long-running applet:
 * top, health -n), placed at the log's end when first opened, is read past
 * what came since: a read that finds nothing is one syscall, where
 * kmsg_tail_key() walks the whole ring.  1 yes (also the first call: what
 * came before is not known), 0 no, -1 cannot tell (not the live machine,
 * a capture being recorded, /dev/kmsg refused).  `dmesg -C` is not seen:
 * it clears what syslog(2) returns, not /dev/kmsg's records. */
int kmsg_follow_changed(void);

enum kmsg_fs { KFS_NONE, KFS_ERROR, KFS_REMOUNT_RO, KFS_IO_ERROR };

/* Is this a filesystem or I/O error message, and about which device?
 * dev gets the kernel name ("sda1", "dm-0", "loop3"). */
enum kmsg_fs kmsg_fs_match(const char *text, size_t len, char *dev, size_t devlen);

#endif
