/* Per-process disk I/O: /proc/PID/io (read_bytes, write_bytes,
 * cancelled_write_bytes) and /proc/PID/stat (comm, starttime, field 42
 * delayacct_blkio_ticks) of every process under the root, as pidstat -d
 * and iotop read them.  /proc/PID/io needs ptrace access (the same user,
 * or CAP_SYS_PTRACE): a process whose io cannot be read is counted, with
 * the reason, never shown as 0.  Processes only (the io file of a process
 * sums its threads, the exited ones included). */
#ifndef SREBOX_PROCIO_H_HOST
#define SREBOX_PROCIO_H_HOST

#include "procio.h"

struct pio {
	int32_t pid;
	uint64_t start;		/* starttime: a pid reused during the interval differs */
	char comm[64];
	bool has_blkio;
	struct proc_io_counts io;
	uint64_t blkio_ticks;
};

struct pio_snap {
	bool ok;		/* /proc could be listed */
	struct sbx_err err;
	struct pio *v;		/* readable processes, sorted by pid */
	size_t n, alloc;
	size_t unreadable;	/* io refused (permission) */
	struct sbx_err unreadable_err;	/* the first refusal */
	size_t vanished;	/* exited while the table was read */
	size_t kernel;		/* kernel threads (no io of their own to read), left out */
	double when;
	unsigned long hz;
	/* kernel.task_delayacct (5.14+) reads 0: iodelay is not counted,
	 * and the 0s of field 42 mean nothing */
	bool delayacct_off;
};

/* -1 with err only when /proc cannot be listed. */
int pio_read(struct pio_snap *s, struct sbx_err *err);
void pio_free(struct pio_snap *s);

/* One process's I/O over the interval (bytes/s), or since boot. */
struct pio_rate {
	int32_t pid;
	char comm[64];
	double rd, wr, ccwr;	/* bytes per second: pidstat's kB_rd/s, kB_wr/s, kB_ccwr/s x 1024 */
	uint64_t rd_bytes, wr_bytes, ccwr_bytes;	/* over the interval */
	bool has_delay;		/* false: not counted (old kernel, or delay accounting off) */
	double iodelay;		/* clock ticks waiting for block I/O over the interval */
};

struct pio_rates {
	struct pio_rate *v;	/* by rd+wr, most first */
	size_t n;
	size_t exited;		/* in the first reading, not the second: their I/O is lost */
	size_t started;		/* new during the interval (counted from 0) */
	size_t unreadable;	/* of the second reading */
	const char *unreadable_why;
	bool delayacct_off;
};

/* Rates of cur against prev (NULL: since boot, over `seconds` = the
 * uptime, as pidstat's first report).  Only processes that did I/O
 * (or waited for it) are kept unless all. */
void pio_rates(const struct pio_snap *cur, const struct pio_snap *prev, double seconds, bool all,
	       struct pio_rates *out);
void pio_rates_free(struct pio_rates *r);

#endif
