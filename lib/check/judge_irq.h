/* The IRQ judgment, made once for `srebox irq` and `srebox health`: the
 * same two readings give the same findings, texts and perfdata in both.
 *
 * What is judged is what hurts, not where a vector happens to land (a
 * single MSI or IO-APIC vector always lands on one CPU on x86, and
 * irqbalance cannot change that):
 *   irq         the busiest CPU's time in hardirq+softirq (/proc/stat),
 *               while another CPU is at least half idle;
 *   irq_queues  multi-queue devices (2+ queues each at IRQ_QUEUE_RATE/s or
 *               more, the device at min_rate/s or more) with 90%+ of their
 *               interrupts on one CPU of several, unless their
 *               smp_affinity_list pins them there;
 *   irq_net     NET_RX or NET_TX at min_rate/s or more with 90%+ on one
 *               CPU, judged by that CPU's time in softirq.
 * The devices on the CPU are named as evidence.  A check that cannot be
 * judged (no second reading of a row, a counter that went backwards, an
 * unreadable source) is UNKNOWN with the reason. */
#ifndef SREBOX_JUDGE_IRQ_H
#define SREBOX_JUDGE_IRQ_H

#include "irq.h"
#include "report.h"

#define IRQ_MIN_RATE 100.0	/* default --min-rate: interrupts/s */
#define IRQ_QUEUE_RATE 1.0	/* a queue vector this busy counts as used */
#define IRQ_ONE_CPU 0.9		/* "on one CPU": this share of the interrupts */
#define IRQ_IDLE_PCT 50.0	/* "an idle CPU": at least this % idle */

/* Judges cur against prev (NULL: since boot, over cur->uptime).  cur->ok
 * false: every check UNKNOWN with cur->err. */
void judge_irq(struct sbx_report *rep, const struct irq_snap *cur, const struct irq_snap *prev,
	       double min_rate);

#endif
