/* The IRQ probe: read /proc/interrupts and /proc/softirqs (under the
 * root), turn two snapshots (or one and the uptime) into rates, and find
 * devices whose interrupts all land on one CPU.  Used by `irq` and by
 * `health`'s summary. */
#ifndef SREBOX_IRQ_H
#define SREBOX_IRQ_H

#include "procfs.h"

struct irq_snap {
	struct irq_table hard, soft;
	bool have_soft;
	struct sbx_err soft_err;
	double uptime;		/* seconds since boot; <0 if unknown */
	double when;		/* monotonic time of the read */
};

/* /proc/interrupts is required; softirqs and uptime are optional. */
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

/* "virtio2-input.0" -> "virtio2-input", "nvme0q3" -> "nvme0q",
 * "eth0-TxRx-7" -> "eth0-TxRx": the queues of one device share a key. */
void irq_device_key(const char *devices, char *out, size_t n);

/* Interrupt load of a device (its IRQs grouped by device key) or of one
 * softirq row, spread over CPUs. */
struct irq_load {
	char key[96];
	size_t nirqs;
	double rate;		/* interrupts/s on all CPUs */
	double *cpu_rate;	/* per column of the table */
	size_t top_col;		/* column with the most */
	double top_share;	/* 0..1 */
};

enum irq_group { IRQ_BY_DEVICE, IRQ_BY_ROW };

/* Loads over `seconds` (the interval, or the uptime with prev NULL),
 * busiest first.  Rows without an honest delta are left out. */
struct irq_load *irq_loads(const struct irq_table *cur, const struct irq_table *prev,
			   double seconds, enum irq_group g, size_t *n);
void irq_loads_free(struct irq_load *l, size_t n);

/* Is irqbalance running?  Returns its pid, 0 if not, -1 if unknown. */
long irqbalance_pid(void);

#endif
