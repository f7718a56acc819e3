/* The sampling loop of the probe applets; see sample.h. */
#include "sample.h"

#include <unistd.h>

#include "root.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

double sbx_interval(const struct sbx_ctx *ctx)
{
	return ctx->interval_given ? ctx->interval : SBX_SAMPLE_DEFAULT;
}

/* /proc/uptime and /proc/stat as read, to tell a saved tree: each the same
 * in two readings, or missing from both (a tree of /sys only); the
 * applet's own readings decide the rest.  Live, both move all the time. */
struct print {
	bool ok;
	struct buf up, stat;
};

static void print_read(struct print *p)
{
	struct sbx_err err;

	memset(p, 0, sizeof(*p));
	p->ok = true;
	if (root_read("/proc/stat", &p->stat, &err) < 0)
		buf_reset(&p->stat);
	if (root_read("/proc/uptime", &p->up, &err) < 0)
		buf_reset(&p->up);
}

static bool buf_same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->s, b->s, a->len));
}

static bool print_same(const struct print *a, const struct print *b)
{
	return a->ok && b->ok && buf_same(&a->up, &b->up) && buf_same(&a->stat, &b->stat);
}

static void print_free(struct print *p)
{
	buf_free(&p->up);
	buf_free(&p->stat);
}

/* Only a tree under --root can be a saved copy; the live /proc moves. */
static bool tree_moved(const struct print *first)
{
	struct buf b = { 0 };
	struct sbx_err err;
	struct buf s = { 0 };
	bool moved;

	if (root_read("/proc/uptime", &b, &err) < 0)
		buf_reset(&b);
	if (root_read("/proc/stat", &s, &err) < 0)
		buf_reset(&s);
	moved = !buf_same(&b, &first->up) || !buf_same(&s, &first->stat);
	buf_free(&s);
	buf_free(&b);
	return moved;
}

/* Wait one interval, taking the light readings on the way.  Without -i
 * over --root, a tree whose clock has not moved after 50 ms is a saved
 * copy: no use waiting out the rest.  False when interrupted. */
/* On a terminal (stdout and stderr both), a wait of 2 s or more shows
 * how far it is, once a second, on stderr, and clears it after; a pipe
 * gets nothing. */
static bool shows_progress(const struct sbx_ctx *ctx, double total)
{
	return total >= 2 && ctx->width > 0 && isatty(2) &&
	       (ctx->format == FMT_TABLE || ctx->format == FMT_WIDE);
}

static bool wait_shown(struct sbx_ctx *ctx, double seconds, double *done, double total)
{
	bool shown = shows_progress(ctx, total);

	while (seconds > 1e-9) {
		double step = shown && seconds > 1 ? 1 : seconds;

		if (shown)
			fprintf(stderr, "\r\033[K%s: sampling, %.0fs of %.0fs (Ctrl-C stops)", sbx_progname,
				*done, total);
		if (!sbx_wait(ctx, step))
			return false;
		*done += step;
		seconds -= step;
	}
	return true;
}

static bool wait_interval(struct sbx_ctx *ctx, const struct sbx_sampler *s, double interval,
			  const struct print *first, bool want_ticks)
{
	unsigned ticks = s->tick && want_ticks ? SBX_SAMPLE_TICKS : 1;
	double left = interval, done = 0;
	bool ok = true;

	if (!ctx->interval_given && !root_is_live() && first->ok && interval > 0.05) {
		if (!sbx_wait(ctx, 0.05))
			return false;
		if (!tree_moved(first))
			return true;	/* the reading after it decides */
		left -= 0.05;
	}
	for (unsigned k = 0; ok && k < ticks; k++) {
		ok = wait_shown(ctx, left / ticks, &done, interval);
		if (ok && s->tick)
			s->tick(s->arg);
	}
	if (shows_progress(ctx, interval))
		fputs("\r\033[K", stderr);
	return ok;
}

/* A report a stop signal cut short (during its reading, or its build:
 * disk's statfs) is not printed: a helper it abandoned would read as a
 * hung mount (child_collect).  False when it was not. */
static bool emit_unless_stopped(struct sbx_ctx *ctx, struct sbx_report *rep)
{
	if (ctx->stop && *ctx->stop) {
		report_free(rep);
		return false;
	}
	sbx_emit(ctx, rep);
	return true;
}

static void fail(struct sbx_ctx *ctx, const struct sbx_sampler *s, const struct sbx_err *err)
{
	struct sbx_report *rep = report_new(s->name);

	report_fail(rep, "%s", err->msg);
	sbx_emit(ctx, rep);
}

/* Two snapshots (a capture, --root DIR1 --root DIR2): the first reading
 * from the first tree, the second from the second, no waiting; the time
 * between them is the trees' own (root_clock).  -i 0, and an applet that
 * reads once by default, take the first tree alone: since boot. */
static int sample_pair(struct sbx_ctx *ctx, const struct sbx_sampler *s, double interval)
{
	void *prev = xcalloc(1, s->size), *cur = xcalloc(1, s->size);
	struct sbx_err err;

	root_select(0);
	if (s->read(prev, &err, s->arg) < 0) {
		fail(ctx, s, &err);
		goto out_free;
	}
	if (interval <= 0) {
		emit_unless_stopped(ctx, s->build(ctx, NULL, prev, s->arg));
		goto out;
	}
	if (s->tick)
		s->tick(s->arg);
	root_select(1);
	if (s->tick)
		s->tick(s->arg);
	if (s->read(cur, &err, s->arg) < 0) {
		fail(ctx, s, &err);
		goto out;
	}
	sbx_emit(ctx, s->build(ctx, prev, cur, s->arg));
	s->free(cur, s->arg);
out:
	s->free(prev, s->arg);
out_free:
	free(prev);
	free(cur);
	return 0;
}

int sbx_sample(struct sbx_ctx *ctx, const struct sbx_sampler *s)
{
	double interval = s->once_by_default && !ctx->interval_given ? 0 : sbx_interval(ctx);
	void *prev = xcalloc(1, s->size), *cur = xcalloc(1, s->size);
	struct print p0 = { 0 }, p1 = { 0 };
	struct sbx_err err;
	bool want_ticks = true;

	if (root_count() == 2) {
		free(prev);
		free(cur);
		return sample_pair(ctx, s, interval);
	}
	if (interval > 0)
		print_read(&p0);
	if (s->read(prev, &err, s->arg) < 0) {
		fail(ctx, s, &err);
		goto out_prev_free;
	}
	if (interval <= 0) {
		emit_unless_stopped(ctx, s->build(ctx, NULL, prev, s->arg));
		goto out;
	}
	if (s->tick)
		want_ticks = s->tick(s->arg);
	for (unsigned i = 0; ctx->count == 0 || i < ctx->count; i++) {
		bool saved;

		if (!wait_interval(ctx, s, interval, &p0, want_ticks))
			break;
		memset(cur, 0, s->size);
		if (s->read(cur, &err, s->arg) < 0) {
			fail(ctx, s, &err);
			break;
		}
		if (ctx->stop && *ctx->stop) {
			s->free(cur, s->arg);
			break;
		}
		print_read(&p1);
		saved = !root_is_live() && print_same(&p0, &p1) &&
			(!s->same || s->same(prev, cur, s->arg));
		if (saved) {
			struct sbx_report *rep = s->build(ctx, NULL, cur, s->arg);

			report_note(rep, "%s%s%s did not change in %.2gs (a saved copy?): figures since "
				    "boot, not over the interval", rep->note ? rep->note : "",
				    rep->note ? "; " : "", root_get(),
				    interval);
			s->free(cur, s->arg);
			print_free(&p1);
			sbx_emit(ctx, rep);
			break;
		}
		if (!emit_unless_stopped(ctx, s->build(ctx, prev, cur, s->arg))) {
			s->free(cur, s->arg);
			break;
		}
		s->free(prev, s->arg);
		memcpy(prev, cur, s->size);
		print_free(&p0);
		p0 = p1;
		memset(&p1, 0, sizeof(p1));
		if (s->tick && (ctx->count == 0 || i + 1 < ctx->count))
			want_ticks = s->tick(s->arg);
	}
out:
	s->free(prev, s->arg);
out_prev_free:
	free(prev);
	free(cur);
	print_free(&p0);
	print_free(&p1);
	return 0;
}
