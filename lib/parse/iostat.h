/* sysstat's `iostat -x` figures from two /proc/diskstats readings and the
 * seconds between them (or since boot from one reading and /proc/uptime).
 * Pure arithmetic on parsed counters, with exactly sysstat's definitions
 * (sysstat iostat.c write_ext_stat / write_json_ext_stat and
 * rd_stats.c / common.c compute_ext_disk_stats):
 *   r/s = Δreads/T, rkB/s = Δsectors_read/2/T, rrqm/s = Δreads_merged/T,
 *   %rrqm = Δmerged/(Δmerged+Δreads)*100, r_await = Δms_reading/Δreads,
 *   rareq-sz = Δsectors_read/Δreads/2 (kB); the same for writes and
 *   discards; f/s = Δflushes/T, f_await = Δms_flushing/Δflushes;
 *   aqu-sz = Δweighted_ms/T/1000; %util = Δio_ms/T/10.
 * As in sysstat, a ratio whose denominator did not move (no reads: r_await,
 * %rrqm, rareq-sz) is 0, and %util is not capped at 100.
 *
 * Where srebox differs from sysstat, on purpose:
 *   - A counter that went backwards makes the device's figures unknown,
 *     with the reason (sysstat prints 0 or a huge figure).  That includes
 *     the 32-bit wrap of old kernels (the ms counters were `unsigned int`
 *     even on 64-bit kernels before 5.x, and every counter is 32-bit on
 *     32-bit kernels): a wrap cannot be told from a device re-created
 *     under the same name, so it costs one interval of unknown (every ~50
 *     days for a busy ms counter) rather than risk a made-up figure.
 *   - A device in only one reading, or whose major:minor changed (re-created
 *     under the same name), has no figures.
 *   - A figure the kernel does not count (discards before 4.18, flushes
 *     before 5.5, all but four counters on a 2.6 partition line) is
 *     absent (has[] false), not 0. */
#ifndef SREBOX_IOSTAT_H
#define SREBOX_IOSTAT_H

#include "diskstats.h"

enum {
	IO_RS, IO_WS, IO_DS, IO_FS,
	IO_RKBS, IO_WKBS, IO_DKBS,
	IO_RRQMS, IO_WRQMS, IO_DRQMS,
	IO_RRQM_PCT, IO_WRQM_PCT, IO_DRQM_PCT,
	IO_R_AWAIT, IO_W_AWAIT, IO_D_AWAIT, IO_F_AWAIT,
	IO_AQU_SZ,
	IO_RAREQ_SZ, IO_WAREQ_SZ, IO_DAREQ_SZ,
	IO_UTIL,
	IO_N
};

struct io_figs {
	char name[DISK_NAME_MAX];
	unsigned major, minor;
	bool ok;		/* false: no figure is known, why says why */
	char why[160];
	bool has[IO_N];		/* the kernel counts what the figure needs */
	double v[IO_N];
};

/* Figures of one device over `seconds`.  prev NULL: since boot, with
 * seconds the uptime. */
void iostat_dev(const struct disk_stat *cur, const struct disk_stat *prev, double seconds,
		struct io_figs *out);

/* One entry per device of cur (in cur's order, matched to prev by name),
 * then one per device of prev that cur lacks (unknown: it went away), in a
 * malloc'ed array.  prev NULL: since boot.  Returns the count. */
size_t iostat_all(const struct diskstats *cur, const struct diskstats *prev, double seconds,
		  struct io_figs **out);

/* Column names as iostat -x prints them ("r/s", "%util"). */
extern const char *const io_fig_name[IO_N];

#endif
