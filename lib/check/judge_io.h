/* The disk I/O judgment, made once for `srebox io` and `srebox health`:
 * the same two readings give the same findings in both.
 *
 *   io_util   %util of devices that serve one request at a time
 *             (io_dev_serial: rotational or one hardware queue);
 *   io_queue  aqu-sz of the others (multi-queue, dm, md), where %util
 *             means nothing (iostat(1));
 *   io_await  the worse of r_await and w_await;
 *   io_errors block I/O errors in the kernel log, last 15 minutes.
 * Whole disks are judged, not their partitions (a disk's counters hold its
 * partitions').  A figure is judged only with min_ios I/Os of its kind in
 * the interval.  A device whose figures are unknown (it appeared or went
 * away between the readings, a counter went backwards) is not judged, and
 * the OK line says so.  Each finding that is not OK names the device and
 * the processes that did the most I/O over the interval (the kernel does
 * not say which device a process's bytes went to: they are the node's
 * top I/O processes). */
#ifndef SREBOX_JUDGE_IO_H
#define SREBOX_JUDGE_IO_H

#include "check.h"
#include "kmsgclass.h"
#include "io.h"
#include "iostat.h"
#include "procio_host.h"

#define IO_MIN_IOS 20.0		/* default --min-ios */
#define IO_RECENT 900.0		/* io_errors: the last 15 minutes */
#define IO_WHO_MAX 3		/* processes named per finding */

struct io_judge_in {
	const struct io_snap *cur, *prev;	/* prev NULL: since boot */
	const struct pio_rates *procs;		/* NULL: not read */
	double min_ios;
	bool kmsg;				/* look for I/O errors in the kernel log */
	/* with kmsg: the classified kernel log (node_kmsg_scan_keyed's, which
	 * health and io share, kept while the log stands still); NULL: read
	 * the log here; kmsg_why: why it could not be read (then unjudged) */
	const struct kmsg_classes *kmsg_cls;
	const char *kmsg_why;
};

/* The figures of cur against prev, in cur's order, then the devices that
 * went away; the interval's seconds in *seconds (<=0 with *why when there
 * is none).  Free with free(). */
size_t io_figures(const struct io_snap *cur, const struct io_snap *prev, double *seconds,
		  const char **why, struct io_figs **out);

void judge_io(struct sbx_report *rep, const struct io_judge_in *in);

/* Whether a finding that the top I/O processes explain is not OK:
 * psi_io, blocked, io_util, io_queue, io_await. */
bool io_culprits_wanted(const struct sbx_report *rep);
/* Name the top I/O processes on those findings (that name none yet). */
void io_name_culprits(struct sbx_report *rep, const struct pio_rates *procs);

#endif
