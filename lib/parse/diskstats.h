/* /proc/diskstats: bytes in, struct out, no I/O (procfs.h's rules).
 *
 * A line is "major minor name" and then the counters of the kernel's
 * Documentation/admin-guide/iostats.rst, by kernel:
 *   11 counters (2.6 .. 4.17): reads, merged, sectors, ms; writes, merged,
 *      sectors, ms; I/Os in flight, ms doing I/O, weighted ms;
 *   15 (4.18+): and discards completed, merged, sectors, ms;
 *   17 (5.5+): and flushes completed, ms;
 *   4 (partitions on some 2.6 kernels): reads, sectors read, writes,
 *      sectors written, nothing else (flagged: short_form).
 * More than 17 counters (a future kernel) are accepted and the extra ones
 * ignored; any other count is an error.  Sectors are 512 bytes whatever
 * the device's block size.  An empty file is valid (no block devices, as
 * in some containers); a last line without a newline was cut short and is
 * refused, since a counter on it could have lost digits. */
#ifndef SREBOX_DISKSTATS_H
#define SREBOX_DISKSTATS_H

#include "util.h"

enum {
	DS_RD_IOS, DS_RD_MERGES, DS_RD_SECTORS, DS_RD_TICKS,
	DS_WR_IOS, DS_WR_MERGES, DS_WR_SECTORS, DS_WR_TICKS,
	DS_IN_FLIGHT, DS_IO_TICKS, DS_TIME_IN_QUEUE,
	DS_DC_IOS, DS_DC_MERGES, DS_DC_SECTORS, DS_DC_TICKS,
	DS_FL_IOS, DS_FL_TICKS,
	DS_NFIELDS
};

/* The kernel's names are at most 31 bytes (DISK_NAME_LEN); room to spare. */
#define DISK_NAME_MAX 64

struct disk_stat {
	unsigned major, minor;
	char name[DISK_NAME_MAX];
	unsigned ncounters;	/* as read: 4, 11, 15, 17 or more */
	bool short_form;	/* 4 counters: only DS_RD_IOS, DS_RD_SECTORS,
				 * DS_WR_IOS, DS_WR_SECTORS are set */
	bool has_discard;	/* DS_DC_* (4.18+) */
	bool has_flush;		/* DS_FL_* (5.5+) */
	uint64_t v[DS_NFIELDS];	/* absent counters are 0: check the flags */
};

struct diskstats {
	struct disk_stat *dev;
	size_t n;
};

int parse_diskstats(const char *text, size_t len, const char *fname, struct diskstats *out,
		    struct sbx_err *err);
void diskstats_free(struct diskstats *s);
/* The device called name, or NULL. */
const struct disk_stat *diskstats_find(const struct diskstats *s, const char *name);

#endif
