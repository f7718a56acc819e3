#include "judge_kmsg.h"
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct group {
	enum sbx_check_id id;
	const char *label;	/* "kernel lockups" */
	const char *none;	/* "no soft or hard lockups or RCU stalls" */
	enum kmsg_class cls[3];
	size_t ncls;
	double window;
	const char *wname;
} groups[] = {
	{ CHK_KERNEL_LOCKUP, "kernel lockups", "no soft or hard lockups or RCU stalls",
	  { KC_SOFT_LOCKUP, KC_HARD_LOCKUP, KC_RCU_STALL }, 3, KMSG_RECENT, "15m" },
	{ CHK_KERNEL_MCE, "uncorrected hardware errors", "no uncorrected machine checks or memory errors",
	  { KC_MCE_FATAL, KC_EDAC_UE }, 2, KMSG_RECENT, "15m" },
	{ CHK_KERNEL_MCE_CORRECTED, "corrected hardware errors", "no corrected machine checks or memory errors",
	  { KC_MCE, KC_EDAC_CE }, 2, KMSG_CE_WINDOW, "24h" },
	{ CHK_KERNEL_NET, "NIC errors", "no NIC transmit timeouts or links down",
	  { KC_TX_TIMEOUT, KC_LINK_DOWN }, 2, KMSG_RECENT, "15m" },
	{ CHK_KERNEL_CONNTRACK, "conntrack table full", "no 'nf_conntrack: table full'",
	  { KC_CONNTRACK_FULL }, 1, KMSG_RECENT, "15m" },
	{ CHK_KERNEL_SYNFLOOD, "SYN floods", "no SYN flooding", { KC_SYN_FLOOD }, 1, KMSG_RECENT, "15m" },
	{ CHK_KERNEL_SEGFAULT, "segfaults", "no processes killed by segfaults or traps", { KC_SEGFAULT }, 1,
	  KMSG_RECENT, "15m" },
};

static const char *class_word(enum kmsg_class c)
{
	switch (c) {
	case KC_SOFT_LOCKUP: return "soft lockup";
	case KC_HARD_LOCKUP: return "hard lockup";
	case KC_RCU_STALL: return "RCU stall";
	case KC_MCE: return "corrected machine check";
	case KC_MCE_FATAL: return "uncorrected machine check";
	case KC_EDAC_CE: return "corrected memory error (EDAC)";
	case KC_EDAC_UE: return "uncorrected memory error (EDAC)";
	case KC_TX_TIMEOUT: return "transmit timeout";
	case KC_LINK_DOWN: return "link down";
	case KC_CONNTRACK_FULL: return "table full";
	case KC_SYN_FLOOD: return "SYN flood";
	case KC_SEGFAULT: return "segfault";
	case KC_IO_ERROR: return "I/O error";
	default: return "";
	}
}

/* How far back the log goes: "since boot" or "back to 3h ago". */
static void span(const struct kmsg_classes *k, double uptime, char *out, size_t n)
{
	char a[32];

	if (k->oldest_usec == UINT64_MAX || uptime <= 0) {
		snprintf(out, n, "%llu record%s", (unsigned long long)k->records, plural(k->records, "s"));
	} else if (k->oldest_usec < 5000000) {
		snprintf(out, n, "%llu record%s since boot", (unsigned long long)k->records,
			 plural(k->records, "s"));
	} else {
		fmt_duration(a, sizeof(a), uptime - (double)k->oldest_usec / 1e6);
		snprintf(out, n, "%llu record%s back to %s ago (older ones rotated out or cleared)",
			 (unsigned long long)k->records, plural(k->records, "s"), a);
	}
}

/* The culprit a message names. */
static void who(struct sbx_finding *f, const struct kmsg_hit *h)
{
	char name[80];

	switch (h->cls) {
	case KC_SOFT_LOCKUP:
	case KC_SEGFAULT:
		if (h->name[0]) {
			finding_who(f, "process", h->name, (long)h->pid, NULL, NULL, false, 0, NULL);
			return;
		}
		break;
	case KC_EDAC_CE:
	case KC_EDAC_UE:
		snprintf(name, sizeof(name), "%s%s%s", h->name, h->detail[0] ? " " : "", h->detail);
		finding_who(f, "device", name, 0, NULL, NULL, false, 0, NULL);
		return;
	case KC_TX_TIMEOUT:
	case KC_LINK_DOWN:
		if (h->name[0])
			finding_who(f, "interface", h->name, 0, NULL, NULL, false, 0, NULL);
		return;
	case KC_SYN_FLOOD:
		if (h->name[0]) {
			snprintf(name, sizeof(name), "port %s", h->name);
			finding_who(f, "socket", name, 0, NULL, NULL, false, 0, NULL);
		}
		return;
	default:
		break;
	}
	if (h->cpu >= 0) {
		snprintf(name, sizeof(name), "CPU%d", (int)h->cpu);
		finding_who(f, "cpu", name, 0, NULL, NULL, false, 0, NULL);
	}
}

static void judge_group(struct sbx_report *rep, const struct group *g, const struct kmsg_classes *k,
			double uptime, const char *spantext)
{
	uint64_t recent = 0, total = 0;
	bool exact = true;
	const struct kmsg_class_stat *newest = NULL;
	struct buf b = { 0 };
	struct sbx_finding *f;

	for (size_t i = 0; i < g->ncls; i++) {
		const struct kmsg_class_stat *s = &k->c[g->cls[i]];
		bool all;

		if (!s->records)
			continue;
		/* no uptime, no ages: every one counts, when unknown, as recent */
		recent += kmsg_stat_recent(s, uptime > 0 ? uptime : 0, uptime > 0 ? g->window : INFINITY,
					   &all);
		exact &= all;
		total += s->events;
		/* the newest: untimed ones count as newest (when unknown) */
		if (!newest || s->last_usec == UINT64_MAX ||
		    (newest->last_usec != UINT64_MAX && s->last_usec > newest->last_usec))
			newest = s;
	}
	if (!newest) {
		check_value(rep, g->id, NULL, 0, "%s in the kernel log (%s)", g->none, spantext);
		return;
	}
	buf_addf(&b, "%s: %llu%s in the last %s, %llu in the log", g->label, (unsigned long long)recent,
		 exact ? "" : "+", g->wname, (unsigned long long)total);
	if (g->ncls > 1) {
		const char *sep = " (";

		for (size_t i = 0; i < g->ncls; i++) {
			const struct kmsg_class_stat *s = &k->c[g->cls[i]];

			if (!s->records)
				continue;
			buf_addf(&b, "%s%s %llu", sep, class_word(g->cls[i]), (unsigned long long)s->events);
			sep = ", ";
		}
		buf_addf(&b, ")");
	}
	{
		char d[200], a[32];
		double age = kmsg_stat_age(newest, uptime);

		kmsg_hit_describe(&newest->last, d, sizeof(d));
		if (age >= 0) {
			fmt_duration(a, sizeof(a), age);
			buf_addf(&b, "; last %s ago: %s", a, d);
		} else {
			buf_addf(&b, "; last when unknown (%s; counted as recent): %s",
				 uptime > 0 ? "no printk timestamp" : "uptime unknown", d);
		}
	}
	f = check_value(rep, g->id, NULL, (double)recent, "%s", b.s);
	if (f && f->state != ST_OK)
		for (size_t i = 0; i < g->ncls; i++)
			if (k->c[g->cls[i]].records)
				who(f, &k->c[g->cls[i]].last);
	buf_free(&b);
}

void judge_kmsg(struct sbx_report *rep, const struct kmsg_classes *k, double uptime, const char *why)
{
	char sp[160];
	struct buf b = { 0 };

	if (!k) {
		check_unknown(rep, CHK_KERNEL_LOG, NULL,
			      "kernel log: %s; lockups, hardware errors, NIC errors, conntrack, SYN floods "
			      "and segfaults not judged", why && why[0] ? why : "not read");
		return;
	}
	span(k, uptime, sp, sizeof(sp));
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
		judge_group(rep, &groups[i], k, uptime, sp);
	buf_addf(&b, "kernel log read: %s, %llu at level err or worse", sp, (unsigned long long)k->errors);
	if (k->user_records)
		buf_addf(&b, ", %llu written by user space (not classified)",
			 (unsigned long long)k->user_records);
	if (k->nio || k->io_untracked) {
		buf_addf(&b, "; block I/O errors (judged by io_errors):");
		for (size_t i = 0; i < k->nio && i < KMSG_IODEVS; i++) {
			char a[32];
			double age = kmsg_stat_age(&k->io[i].s, uptime);

			if (age >= 0)
				fmt_duration(a, sizeof(a), age);
			buf_addf(&b, "%s %s %llu (last %s%s)", i ? "," : "", k->io[i].dev,
				 (unsigned long long)k->io[i].s.records, age >= 0 ? a : "when unknown",
				 age >= 0 ? " ago" : "");
		}
		if (k->io_untracked)
			buf_addf(&b, " and %llu on other devices", (unsigned long long)k->io_untracked);
	}
	check_rule(rep, CHK_KERNEL_LOG, ST_OK, NULL, "%s", b.s);
	buf_free(&b);
}

static const char *level_name(unsigned l)
{
	static const char *const n[8] = { "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug" };

	return n[l & 7];
}

enum { KE_AGE, KE_LEVEL, KE_CLASS, KE_MESSAGE, KE_N };
static const struct sbx_col kernel_error_cols[KE_N] = {
	[KE_AGE] = { "AGE", "age_seconds", CT_SECONDS, 0, NULL, "How long ago the kernel logged it." },
	[KE_LEVEL] = { "LEVEL", "level", CT_STR, 0, NULL, "The message's level (emerg .. debug)." },
	[KE_CLASS] = { "CLASS", "class", CT_STR, 0, NULL, "Its class, when srebox knows it." },
	[KE_MESSAGE] = { "MESSAGE", "message", CT_STR, 0, NULL, "The message, cut to 200 bytes." },
};

void kmsg_newest_table(struct sbx_report *rep, const struct kmsg_classes *k, double uptime)
{
	struct sbx_table *t;

	if (!k || !k->nnewest)
		return;
	t = report_table(rep, "kernel_errors", kernel_error_cols, KE_N);
	table_title(t, "newest kernel errors and classified messages");
	for (size_t i = 0; i < KMSG_NEWEST; i++) {
		const struct kmsg_line *l = kmsg_newest(k, i);
		struct sbx_cell *row;

		if (!l)
			break;
		row = table_row(t);
		if (l->usec != UINT64_MAX && uptime > 0) {
			double a = uptime - (double)l->usec / 1e6;

			cell_num(&row[KE_AGE], a < 0 ? 0 : a);
		} else {
			cell_unknown(&row[KE_AGE], uptime > 0 ? "no printk timestamp" : "uptime unknown");
		}
		cell_str(&row[KE_LEVEL], level_name(l->level));
		cell_str(&row[KE_CLASS], kmsg_class_name((enum kmsg_class)l->cls));
		cell_str(&row[KE_MESSAGE], l->text);
	}
}

enum { KC_COL_CLASS, KC_COL_CHECK, KC_COL_DEVICE, KC_COL_SUBJECT, KC_COL_RECENT, KC_COL_WINDOW, KC_COL_TOTAL,
       KC_COL_AGE, KC_COL_PID, KC_COL_CPU, KC_COL_DETAIL, KC_COL_N };
#define H(h, k, t, f, m, help) { h, k, t, COL_HIDE | (f), m, help, NULL }
static const struct sbx_col class_cols[KC_COL_N] = {
	[KC_COL_CLASS] = H("CLASS", "class", CT_STR, COL_LABEL, NULL, "The message class."),
	[KC_COL_CHECK] = H("CHECK", "check", CT_STR, COL_LABEL, NULL, "The check that judges it."),
	[KC_COL_DEVICE] = H("DEVICE", "device", CT_STR, COL_LABEL, NULL,
			    "io_error rows: the block device (one row each); '' for the other classes."),
	[KC_COL_SUBJECT] = H("SUBJECT", "subject", CT_STR, 0, NULL,
			     "What the newest one names: process, interface, device, port ('' none)."),
	[KC_COL_RECENT] = H("RECENT", "recent", CT_COUNT, 0, "health_kernel_log_recent",
			    "Messages (EDAC: errors) within the check's window; a lower bound past 32."),
	[KC_COL_WINDOW] = H("WINDOW", "window_seconds", CT_SECONDS, 0, NULL, "The check's window."),
	[KC_COL_TOTAL] = H("TOTAL", "total", CT_COUNT, COL_COUNTER, "health_kernel_log_messages_total",
			   "Messages (EDAC: errors) in the kernel log, since boot or its last clear."),
	[KC_COL_AGE] = H("AGE", "last_age_seconds", CT_SECONDS, 0, "health_kernel_log_last_age_seconds",
			 "Age of the newest one."),
	[KC_COL_PID] = H("PID", "pid", CT_INT, 0, NULL, "The process it names."),
	[KC_COL_CPU] = H("CPU", "cpu", CT_INT, 0, NULL, "The CPU it names."),
	[KC_COL_DETAIL] = H("DETAIL", "detail", CT_STR, 0, NULL, "More of what it says."),
};
#undef H

static void class_row(struct sbx_table *t, enum kmsg_class c, const char *check, double window,
		      const struct kmsg_class_stat *s, const char *subject, double uptime)
{
	struct sbx_cell *row = table_row(t);
	double age = kmsg_stat_age(s, uptime);

	cell_str(&row[KC_COL_DEVICE], c == KC_IO_ERROR ? subject : "");
	cell_str(&row[KC_COL_CLASS], kmsg_class_name(c));
	cell_str(&row[KC_COL_CHECK], check);
	cell_str(&row[KC_COL_SUBJECT], subject);
	cell_u64(&row[KC_COL_RECENT], s->records ? kmsg_stat_recent(s, uptime > 0 ? uptime : 0,
								   uptime > 0 ? window : INFINITY, NULL) : 0);
	if (window > 0)
		cell_num(&row[KC_COL_WINDOW], window);
	cell_u64(&row[KC_COL_TOTAL], s->events);
	if (age >= 0)
		cell_num(&row[KC_COL_AGE], age);
	else if (s->records)
		cell_unknown(&row[KC_COL_AGE], uptime > 0 ? "no printk timestamp" : "uptime unknown");
	if (s->records && s->last.pid > 0)
		cell_i64(&row[KC_COL_PID], s->last.pid);
	if (s->records && s->last.cpu >= 0)
		cell_i64(&row[KC_COL_CPU], s->last.cpu);
	if (s->records && s->last.detail[0])
		cell_str(&row[KC_COL_DETAIL], s->last.detail);
}

void kmsg_class_table(struct sbx_report *rep, const struct kmsg_classes *k, double uptime)
{
	struct sbx_table *t;

	if (!k)
		return;
	t = report_table(rep, "kernel_log", class_cols, KC_COL_N);
	for (size_t g = 0; g < ARRAY_SIZE(groups); g++)
		for (size_t i = 0; i < groups[g].ncls; i++) {
			enum kmsg_class c = groups[g].cls[i];
			const struct kmsg_class_stat *s = &k->c[c];

			class_row(t, c, sbx_checks[groups[g].id].id, groups[g].window, s,
				  s->records ? s->last.name : "", uptime);
		}
	/* block I/O errors, one row a device: io_errors judges them */
	for (size_t i = 0; i < k->nio && i < KMSG_IODEVS; i++)
		class_row(t, KC_IO_ERROR, "io_errors", KMSG_RECENT, &k->io[i].s, k->io[i].dev, uptime);
}
