/* The IRQ probe: read /proc/interrupts, /proc/softirqs and /proc/stat
 * (under the root), turn two snapshots (or one and the uptime) into
 * honest per-row deltas, and name the queues of multi-queue devices.
 * Judged by lib/check/judge_irq.c for `irq` and `health`. */
#ifndef SREBOX_IRQ_H
#define SREBOX_IRQ_H

#include "procfs.h"

struct irq_snap {
	bool ok;		/* /proc/interrupts was read; else err says why */
	struct sbx_err err;
	struct irq_table hard, soft;
	bool have_soft;
	struct sbx_err soft_err;
	/* /proc/stat: the per-CPU time in hardirq and softirq */
	bool have_stat;
	struct proc_stat stat;
	struct sbx_err stat_err;
	double uptime;		/* seconds since boot; <0 if unknown */
	double when;		/* monotonic time of the read */
};

/* /proc/interrupts is required; softirqs, stat and uptime are optional.
 * On failure s->ok is false and s->err says why (as does err). */
int irq_snap_read(struct irq_snap *s, struct sbx_err *err);
void irq_snap_free(struct irq_snap *s);

/* Per-CPU increase of row i of cur since prev (rows matched by name,
 * columns by CPU id).  prev NULL: the counts since boot.  Returns false
 * and a reason when there is no honest answer (the row is new, a counter
 * went backwards after CPU hotplug or IRQ reuse). */
bool irq_row_delta(const struct irq_table *cur, size_t i, const struct irq_table *prev,
		   uint64_t *delta, const char **why);

/* Increase of a row's total (ERR and MIS have nothing else). */
bool irq_row_total_delta(const struct irq_table *cur, size_t i, const struct irq_table *prev,
			 uint64_t *delta, const char **why);

/* Whether row i counts towards totals.  On s390x the class rows EXT, I/O
 * and AIO are the sums of their detail rows ("CLK: ... [EXT] Clock
 * Comparator"): a detail row whose class row is present is not counted
 * again (sysstat#421). */
bool irq_row_counted(const struct irq_table *t, size_t i);

/* The device and queue number of a queue vector: "virtio0-input.3" and
 * "virtio0-output.3" -> "virtio0" queue 3, "eth0-TxRx-7" -> "eth0" 7,
 * "nvme0q2" -> "nvme0" 2, "mlx5_comp5@pci:0000:3b:00.0" ->
 * "mlx5_comp@pci:0000:3b:00.0" 5, "eth0-q1-rx" (Xen) -> "eth0" 1,
 * "iwlwifi: queue 2" -> "iwlwifi" 2.  False for anything else: "rtc0",
 * "virtio0-config", "ehci_hcd:usb1", a shared line "ehci_hcd:usb1, mmc0". */
bool irq_queue_of(const char *devices, char *dev, size_t n, unsigned *queue);

/* /proc/irq/IRQ/FILE (smp_affinity_list, effective_affinity_list). */
int irq_affinity(const char *irq, const char *file, char *out, size_t n, struct sbx_err *err);

/* Is irqbalance running?  Returns its pid, 0 if not, -1 if unknown. */
long irqbalance_pid(void);

#endif
