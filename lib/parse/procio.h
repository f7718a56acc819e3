/* /proc/PID/io and the I/O fields of /proc/PID/stat: bytes in, struct
 * out, no I/O (procfs.h's rules).
 *
 * /proc/PID/io (Documentation/filesystems/proc.rst, "3.3 /proc/<pid>/io"):
 * "key: value" lines, rchar wchar syscr syscw read_bytes write_bytes
 * cancelled_write_bytes.  Only the last three are disk I/O: read_bytes is
 * what the process caused to be fetched from storage, write_bytes what it
 * sent (dirtied) towards storage, cancelled_write_bytes what it dirtied
 * and then truncated away before writeback.  rchar/wchar count read(2)
 * and write(2) bytes, page cache hits and pipes included: not disk I/O.
 * pidstat -d and iotop use read_bytes and write_bytes, as srebox does.
 * The three are required; unknown keys are ignored.
 *
 * /proc/PID/stat: the comm, field 22 (starttime, clock ticks after boot:
 * tells a reused pid) and field 42 (delayacct_blkio_ticks, clock ticks
 * spent waiting for block I/O: pidstat -d's iodelay).  Field 42 arrived in
 * 2.6.18; a shorter line has no iodelay (has_blkio false), and it is 0
 * unless the kernel runs with delay accounting (delayacct, or
 * kernel.task_delayacct=1 since 5.14). */
#ifndef SREBOX_PROCIO_H
#define SREBOX_PROCIO_H

#include "util.h"

struct proc_io_counts {
	uint64_t read_bytes, write_bytes, cancelled_write_bytes;
	bool has_rchar;
	uint64_t rchar, wchar;
};

int parse_proc_io(const char *text, size_t len, const char *fname, struct proc_io_counts *out,
		  struct sbx_err *err);

struct proc_io_stat {
	char comm[64];
	uint64_t starttime;
	bool has_blkio;
	uint64_t blkio_ticks;
};

int parse_proc_io_stat(const char *text, size_t len, const char *fname,
		       struct proc_io_stat *out, struct sbx_err *err);

#endif
