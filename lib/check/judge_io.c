/* The disk I/O checks, judged once: see judge_io.h. */
#include "judge_io.h"
#include "owner.h"
#include "root.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t io_figures(const struct io_snap *cur, const struct io_snap *prev, double *seconds,
		  const char **why, struct io_figs **out)
{
	static char buf[400];
	size_t n;

	*why = NULL;
	*seconds = prev ? cur->when - prev->when : cur->uptime;
	if (!prev && cur->uptime <= 0) {
		snprintf(buf, sizeof(buf), "%s: no rates since boot", cur->up_err.msg);
		*why = buf;
	} else if (*seconds <= 0) {
		*why = "no time passed between the readings";
	}
	n = iostat_all(&cur->ds, prev ? &prev->ds : NULL, *seconds > 0 ? *seconds : 0, out);
	/* Since boot, a device cannot have been busy longer than the node
	 * was up: counters that say so are not this uptime's (a saved tree
	 * whose uptime was changed, a device of another boot). */
	for (size_t i = 0; !prev && !*why && i < n; i++) {
		struct io_figs *f = &(*out)[i];

		if (f->ok && f->has[IO_UTIL] && f->v[IO_UTIL] > 101) {
			f->ok = false;
			memset(f->has, 0, sizeof(f->has));
			snprintf(f->why, sizeof(f->why),
				 "busy %.0f%% of the time since boot: the counters are not this uptime's",
				 f->v[IO_UTIL]);
		}
	}
	return n;
}

static void add_who(struct sbx_finding *f, const struct pio_rates *procs)
{
	size_t named = 0;

	for (size_t i = 0; procs && i < procs->n && named < IO_WHO_MAX; i++) {
		const struct pio_rate *p = &procs->v[i];
		struct proc_owner o;

		if (!p->rd_bytes && !p->wr_bytes)
			break;
		proc_owner(p->pid, &o);
		finding_who(f, "process", p->comm, p->pid, o.has_cgroup ? o.cgroup : NULL,
			    o.has_pod ? o.pod : NULL, true, p->rd + p->wr, "B/s");
		named++;
	}
}

static void blame(struct sbx_finding *f, const struct io_dev *d, double v, const char *unit,
		  const struct pio_rates *procs)
{
	if (f->state == ST_OK)
		return;
	finding_who(f, "device", d->name, 0, NULL, NULL, true, v, unit);
	add_who(f, procs);
}

/* The worst of a check over the devices, for its OK line. */
struct worst {
	double v;
	const char *at;
	size_t judged, flagged;
};

static void note_worst(struct worst *w, double v, const char *at, enum sbx_state st)
{
	w->judged++;
	w->flagged += st != ST_OK;
	if (isnan(w->v) || v > w->v) {
		w->v = v;
		w->at = at;
	}
}

static void ok_line(struct sbx_report *rep, enum sbx_check_id id, const struct worst *w,
		    const char *what, const char *unit, const char *unjudged, const char *tail)
{
	char v[32];

	if (w->flagged)
		return;
	if (!w->judged) {
		check_rule(rep, id, ST_OK, NULL, "%s: no device with %s%s%s", what, tail,
			   unjudged[0] ? "; " : "", unjudged);
		return;
	}
	if (!strcmp(unit, "%"))
		fmt_pct(v, sizeof(v), w->v);
	else
		snprintf(v, sizeof(v), "%.1f%s", w->v, unit);
	check_value(rep, id, NULL, w->v, "%s: %zu device%s, the highest %s on %s%s%s", what,
		    w->judged, w->judged == 1 ? "" : "s", v, w->at, unjudged[0] ? "; " : "",
		    unjudged);
}

struct err_arg {
	struct sbx_report *rep;
	const struct io_judge_in *in;
	size_t found;
	/* folded by disk */
	struct {
		char dev[DISK_NAME_MAX];
		size_t count;
		double newest;
	} v[64];
	size_t n;
};

static void on_err(void *arg, const char *dev, size_t count, double newest)
{
	struct err_arg *a = arg;
	const struct io_dev *d = io_dev_find(a->in->cur, dev);
	const char *disk = d && d->partition && d->parent[0] ? d->parent : dev;
	size_t i;

	for (i = 0; i < a->n && strcmp(a->v[i].dev, disk); i++)
		;
	if (i == a->n) {
		if (a->n == ARRAY_SIZE(a->v))
			return;
		snprintf(a->v[i].dev, sizeof(a->v[i].dev), "%s", disk);
		a->v[i].newest = newest;
		a->n++;
	}
	a->v[i].count += count;
	if (newest < a->v[i].newest)
		a->v[i].newest = newest;
}

static void judge_errors(struct sbx_report *rep, const struct io_judge_in *in)
{
	struct err_arg a = { .rep = rep, .in = in };
	struct sbx_err err;
	double up = in->cur->uptime;

	if (in->kmsg_cls) {
		/* the shared scan: every disk the log names, with its recent count */
		for (uint32_t i = 0; i < in->kmsg_cls->nio; i++) {
			const struct kmsg_iodev *d = &in->kmsg_cls->io[i];
			bool exact;
			uint64_t recent = kmsg_stat_recent(&d->s, up, IO_RECENT, &exact);
			double age = kmsg_stat_age(&d->s, up);

			if (recent)
				on_err(&a, d->dev, (size_t)recent, age < 0 ? 0 : age);
		}
	} else if (in->kmsg_why || io_kmsg_errors(up, IO_RECENT, on_err, &a, &err) < 0) {
		if (in->kmsg_why)
			snprintf(err.msg, sizeof(err.msg), "%s", in->kmsg_why);
		/* as srebox disk does: said, not an UNKNOWN that every
		 * unprivileged run (dmesg_restrict) would carry */
		char *n = xasprintf("%s%skernel log not read, I/O errors not judged: %s",
				    rep->note ? rep->note : "", rep->note ? "; " : "", err.msg);

		report_note(rep, "%s", n);
		free(n);
		return;
	}
	for (size_t i = 0; i < a.n; i++) {
		const struct io_dev *d = io_dev_find(in->cur, a.v[i].dev);
		const char *name = d ? d->name : a.v[i].dev;
		char age[32];
		struct sbx_finding *f;

		fmt_duration(age, sizeof(age), a.v[i].newest);
		f = check_value(rep, CHK_IO_ERRORS, name, (double)a.v[i].count,
				"%s: %zu block I/O error%s in the kernel log in the last 15m, the last %s ago",
				name, a.v[i].count, a.v[i].count == 1 ? "" : "s", age);
		if (f->state != ST_OK)
			finding_who(f, "device", name, 0, NULL, NULL, true, (double)a.v[i].count, "");
	}
	if (!a.n)
		check_value(rep, CHK_IO_ERRORS, NULL, 0,
			    "no block I/O errors in the kernel log in the last 15m");
}

void judge_io(struct sbx_report *rep, const struct io_judge_in *in)
{
	const struct io_snap *cur = in->cur, *prev = in->prev;
	struct io_figs *figs = NULL;
	size_t n;
	double seconds;
	const char *why;
	struct worst wu = { NAN, NULL, 0, 0 }, wq = wu, wa = wu;
	struct buf unj = { 0 };
	size_t nunj = 0;

	if (!cur->ok || (prev && !prev->ok)) {
		const char *msg = !cur->ok ? cur->err.msg : prev->err.msg;

		check_unknown(rep, CHK_IO_UTIL, NULL, "disk busy (%%util): %s", msg);
		check_unknown(rep, CHK_IO_AWAIT, NULL, "disk latency (await): %s", msg);
		return;
	}
	n = io_figures(cur, prev, &seconds, &why, &figs);
	if (why) {
		check_unknown(rep, CHK_IO_UTIL, NULL, "disk busy (%%util): %s", why);
		check_unknown(rep, CHK_IO_AWAIT, NULL, "disk latency (await): %s", why);
		goto errors;
	}
	for (size_t i = 0; i < n; i++) {
		const struct io_figs *f = &figs[i];
		/* figs follows cur's order, then the devices that went away */
		const struct io_dev *d = i < cur->ds.n ? &cur->dev[i] : NULL;
		struct io_dev gone;
		double nr, nw;

		if (!d) {	/* went away: the previous reading's */
			d = prev ? io_dev_find(prev, f->name) : NULL;
			if (!d) {
				memset(&gone, 0, sizeof(gone));
				snprintf(gone.name, sizeof(gone.name), "%s", f->name);
				d = &gone;
			}
		}
		if (d->partition)
			continue;
		if (!f->ok) {
			/* a device never used is nothing to say */
			if (nunj++ < 3)
				buf_addf(&unj, "%s%s not judged: %s", unj.len ? ", " : "", d->name, f->why);
			continue;
		}
		nr = f->v[IO_RS] * seconds;
		nw = f->v[IO_WS] * seconds;
		if (nr + nw < in->min_ios)
			continue;
		if (io_dev_serial(d) && f->has[IO_UTIL]) {
			struct sbx_finding *x = NULL;
			double u = f->v[IO_UTIL];

			if (check_judge(CHK_IO_UTIL, u) != ST_OK) {
				x = check_value(rep, CHK_IO_UTIL, d->name, u,
						"%s: %.0f%% busy (%%util), %.0f r/s %.0f w/s, aqu-sz %.2f, r_await %.1f ms, w_await %.1f ms",
						d->name, u, f->v[IO_RS], f->v[IO_WS], f->v[IO_AQU_SZ],
						f->v[IO_R_AWAIT], f->v[IO_W_AWAIT]);
				blame(x, d, u, "%", in->procs);
			}
			note_worst(&wu, u, d->name, x ? x->state : ST_OK);
		} else if (f->has[IO_AQU_SZ]) {
			struct sbx_finding *x = NULL;
			double q = f->v[IO_AQU_SZ];

			if (check_judge(CHK_IO_QUEUE, q) != ST_OK) {
				x = check_value(rep, CHK_IO_QUEUE, d->name, q,
						"%s: aqu-sz %.1f, %.0f r/s %.0f w/s, r_await %.1f ms, w_await %.1f ms (%%util %.0f%% is not saturation on this device)",
						d->name, q, f->v[IO_RS], f->v[IO_WS], f->v[IO_R_AWAIT],
						f->v[IO_W_AWAIT], f->v[IO_UTIL]);
				blame(x, d, q, "", in->procs);
			}
			note_worst(&wq, q, d->name, x ? x->state : ST_OK);
		}
		if (f->has[IO_R_AWAIT] && (nr >= in->min_ios || nw >= in->min_ios)) {
			bool jr = nr >= in->min_ios, jw = nw >= in->min_ios;
			double a = fmax(jr ? f->v[IO_R_AWAIT] : 0, jw ? f->v[IO_W_AWAIT] : 0);
			struct sbx_finding *x = NULL;
			char r[64] = "", w[64] = "";

			if (jr)
				snprintf(r, sizeof(r), "r_await %.1f ms over %.0f reads", f->v[IO_R_AWAIT], nr);
			if (jw)
				snprintf(w, sizeof(w), "w_await %.1f ms over %.0f writes", f->v[IO_W_AWAIT], nw);
			if (check_judge(CHK_IO_AWAIT, a) != ST_OK) {
				x = check_value(rep, CHK_IO_AWAIT, d->name, a, "%s: %s%s%s, aqu-sz %.2f",
						d->name, r, jr && jw ? ", " : "", w, f->v[IO_AQU_SZ]);
				blame(x, d, a, "ms", in->procs);
			}
			note_worst(&wa, a, d->name, x ? x->state : ST_OK);
		}
	}
	if (nunj > 3)
		buf_addf(&unj, " and %zu more", nunj - 3);
	{
		char tail[64], tailu[160];

		snprintf(tail, sizeof(tail), "%.0f I/Os or more in the interval", in->min_ios);
		snprintf(tailu, sizeof(tailu), "one queue (rotational, or one hardware queue) and %s",
			 tail);
		ok_line(rep, CHK_IO_UTIL, &wu, "disk busy (%util, single-queue devices)", "%",
			unj.len ? unj.s : "", tailu);
		if (wq.judged)
			ok_line(rep, CHK_IO_QUEUE, &wq, "disk queue (aqu-sz, multi-queue devices)", "",
				"", tail);
		ok_line(rep, CHK_IO_AWAIT, &wa, "disk latency (await)", " ms", "", tail);
	}
errors:
	free(figs);
	buf_free(&unj);
	if (in->kmsg)
		judge_errors(rep, in);
}

static bool explained(const struct sbx_finding *f)
{
	static const char *const ids[] = { "psi_io", "blocked", "io_util", "io_queue", "io_await" };

	for (size_t i = 0; f->state != ST_OK && f->check && i < ARRAY_SIZE(ids); i++)
		if (!strcmp(f->check, ids[i]))
			return true;
	return false;
}

bool io_culprits_wanted(const struct sbx_report *rep)
{
	for (size_t k = 0; k < rep->nfind; k++)
		if (explained(&rep->findings[k]))
			return true;
	return false;
}

void io_name_culprits(struct sbx_report *rep, const struct pio_rates *procs)
{
	for (size_t k = 0; procs && k < rep->nfind; k++) {
		struct sbx_finding *f = &rep->findings[k];
		bool named = false;

		if (!explained(f))
			continue;
		for (size_t i = 0; i < f->nwho; i++)
			named |= !strcmp(f->who[i].kind, "process");
		if (!named)
			add_who(f, procs);
	}
}
