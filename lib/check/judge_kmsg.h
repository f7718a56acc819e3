/* The kernel log's classified messages judged, once for health (and any
 * applet that reads the log): lockups, hardware errors, NIC timeouts and
 * links down, conntrack table full, SYN floods, segfaults.  Each finding:
 * how many in the window (15 minutes; corrected hardware errors 24 hours),
 * how many in the log, the newest one's age and subject, and its culprit
 * (finding_who: the process, CPU, interface, memory controller or port).
 * Messages older than the window are OK with their history in the text. */
#ifndef SREBOX_JUDGE_KMSG_H
#define SREBOX_JUDGE_KMSG_H

#include "kmsgclass.h"
#include "report.h"

#define KMSG_RECENT 900.0		/* the last 15 minutes, as oom and hung_tasks */
#define KMSG_CE_WINDOW 86400.0		/* mcelog's memory-ce-threshold: per 24 hours */

/* k NULL: the log could not be read (why): one UNKNOWN kernel_log finding.
 * uptime: seconds since boot (<= 0 unknown: every message "when unknown"). */
void judge_kmsg(struct sbx_report *rep, const struct kmsg_classes *k, double uptime,
		const char *why);

/* The newest kernel errors (level err or worse) and classified messages,
 * newest first, as a table "kernel_errors" (AGE, LEVEL, CLASS, MESSAGE);
 * nothing when there are none. */
void kmsg_newest_table(struct sbx_report *rep, const struct kmsg_classes *k, double uptime);

/* Every class's figures as fields (hidden in the table view; json's
 * "kernel_log", prom's srebox_health_kernel_log_*{class=...}): recent
 * within its check's window, total in the log, the newest one's age and
 * subject; block I/O errors one row per device. */
void kmsg_class_table(struct sbx_report *rep, const struct kmsg_classes *k, double uptime);

#endif
