/* What every applet run shares after option parsing: printing each report,
 * folding states into the exit status, waiting between samples. */
#include "applet.h"
#include "child.h"
#include "hung.h"
#include "root.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

static bool prints(const struct sbx_ctx *ctx)
{
	/* With --textfile alone the file is the output (cron jobs). */
	return !ctx->discard && (!ctx->textfile || ctx->format_given);
}

/* The table view on a pipe of a kubectl-like applet (AP_K8S) or one that
 * asks for it: rows on stdout for awk, the summary and findings on stderr
 * for the person; the exit status is the verdict's all the same. */
static bool verdict_split(const struct sbx_ctx *ctx)
{
	if (ctx->format != FMT_TABLE && ctx->format != FMT_WIDE)
		return false;
	return ctx->verdict_stderr || ((ctx->applet->flags & AP_K8S) && !isatty(1));
}

static struct render_opts view(const struct sbx_ctx *ctx)
{
	bool probe = ctx->applet->flags & AP_PROBE;

	/* only probe applets have -v: nothing is collapsed elsewhere */
	return (struct render_opts){ .format = ctx->format, .color = ctx->color,
				     .prom_too = ctx->textfile != NULL, .width = ctx->width,
				     .verbose = ctx->verbose || !probe, .probe = probe,
				     .no_headers = ctx->no_headers,
				     .verdict = verdict_split(ctx) ? stderr : NULL };
}

/* -o wide where no table has a wide column would print -o table under
 * another name: refused, before anything is written, and the run ends. */
static bool refuse(struct sbx_ctx *ctx, const struct sbx_report *r)
{
	if (ctx->refused)
		return true;
	if (ctx->format != FMT_WIDE || ctx->emitted || r->error || r->streaming)
		return false;
	for (size_t i = 0; i < r->ntables; i++)
		for (size_t j = 0; j < r->tables[i]->ncols; j++)
			if (r->tables[i]->cols[j].flags & COL_WIDE)
				return false;
	warnx_("-o wide: this applet has no wide columns; -o table shows every column, "
	       "-o json every field");
	ctx->refused = true;
	if (ctx->stop && !*ctx->stop)
		*ctx->stop = SIGPIPE;
	return true;
}

/* -i S -n N in the table view, as vmstat: a line per interval where the
 * applet has one natural row (-v: the whole report each time). */
static bool compact(const struct sbx_ctx *ctx, const struct sbx_report *r)
{
	if (ctx->format != FMT_TABLE || ctx->count == 1 || !ctx->interval_given || ctx->verbose ||
	    r->error)
		return false;
	for (size_t i = 0; i < r->ntables; i++)
		if (r->tables[i]->compact && r->tables[i]->nrows >= 1)
			return true;
	return false;
}

/* The header of the line per interval: first, and again each screenful
 * on a terminal, as vmstat repeats it (TIOCGWINSZ, then $LINES). */
static bool compact_head(const struct sbx_ctx *ctx)
{
	struct winsize ws;
	const char *env = getenv("LINES");
	uint64_t rows = 0;

	if (ctx->emitted == 1)
		return true;
	if (!isatty(1))
		return false;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		rows = ws.ws_row;
	else if (!env || !parse_u64(env, &rows))
		rows = 24;
	/* a header and rows-2 lines a screen, the prompt's line left free */
	return rows > 3 && (ctx->emitted - 1) % (rows - 2) == 0;
}

static char *capture_text(const char *s, void *arg)
{
	(void)arg;
	return root_capture_text(s);
}

void sbx_flush(struct sbx_ctx *ctx, struct sbx_report *r)
{
	struct render_opts o = view(ctx);

	/* a replayed capture's paths as on its node, not in the unpacked copy */
	if (root_capture())
		report_rewrite(r, capture_text, NULL);

	if (refuse(ctx, r)) {
		for (size_t i = 0; i < r->ntables; i++)
			table_drop_rows(r->tables[i]);
		return;
	}
	if (!prints(ctx))
		o.format = FMT_CHECK;	/* renders nothing in parts */
	if (!r->streaming && ctx->emitted && prints(ctx) &&
	    (ctx->format == FMT_TABLE || ctx->format == FMT_WIDE))
		fputc('\n', stdout);
	render_part(stdout, r, &o);
	if (fflush(stdout) != 0 && errno != EPIPE)
		ctx->write_failed = true;
}

/* --textfile is written by a child: a directory on a hung NFS or FUSE
 * mount blocks mkstemp() or write() in the kernel, where no signal frees
 * the thread, and the run would never end.  The parent waits
 * TEXTFILE_TIMEOUT seconds, then reports the directory (exit 3) and walks
 * away from the child (killed, never waited for: lib/host/child.h). */
#define TEXTFILE_TIMEOUT 5.0

struct textfile_job {
	const char *dir;
	const struct sbx_report *r;
};

static void textfile_child(int fd, void *arg)
{
	const struct textfile_job *j = arg;
	struct sbx_err err;

	/* for ps and pgrep: what a hung directory leaves behind */
	prctl(PR_SET_NAME, "srebox-textfile", 0, 0, 0);

	if (render_textfile(j->dir, j->r, &err) < 0)
		child_write(fd, err.msg, strlen(err.msg));
	else
		child_write(fd, "ok", 2);
}

static int write_textfile(const char *dir, const struct sbx_report *r, struct sbx_err *err)
{
	struct textfile_job j = { dir, r };
	struct child c;
	int rc = 0;
	pid_t pid;
	double since, t0 = now_realtime();

	if (hung_own_stuck(dir, "textfile-writer", &pid, &since)) {
		char age[32];

		fmt_duration(age, sizeof(age), t0 - since);
		sbx_err_set(err, ETIMEDOUT, "%s: not written: an earlier srebox's writer (pid %d) "
			    "has been stuck there for %s (a hung mount?); not tried again until it "
			    "is gone", dir, (int)pid, age);
		return -1;
	}
	fflush(NULL);	/* the child must not write srebox's buffered output again */
	if (child_start(&c, textfile_child, &j, err) < 0)
		return render_textfile(dir, r, err);	/* no fork: do it here */
	child_collect(&c, 1, TEXTFILE_TIMEOUT, NULL);
	if (c.abandoned) {
		sbx_err_set(err, ETIMEDOUT, "%s: not written within %gs (a hung mount?); "
			    "the writer (pid %d) was left behind, and later runs will not start "
			    "another while it is stuck", dir, TEXTFILE_TIMEOUT, (int)c.pid);
		hung_own_left(dir, "textfile-writer", c.pid, t0);
		rc = -1;
	} else if (c.out.len != 2 || memcmp(c.out.s, "ok", 2)) {
		sbx_err_set(err, 0, "%.*s", (int)(c.out.len < 300 ? c.out.len : 300),
			    c.out.len ? c.out.s : "the writer died");
		rc = -1;
	}
	child_free(&c);
	return rc;
}

void sbx_emit(struct sbx_ctx *ctx, struct sbx_report *r)
{
	struct render_opts o = view(ctx);
	struct sbx_err err;
	bool streamed = r->streaming;
	const struct root_capture *cap = root_capture();

	if (ctx->discard) {
		/* srebox capture runs the applets for what they read */
		if (streamed)
			sbx_flush(ctx, r);
		report_free(r);
		return;
	}
	if (cap) {
		char *n;

		report_rewrite(r, capture_text, NULL);
		n = xasprintf("%s%sa capture of %s taken %s (%s)", r->note ? r->note : "",
			      r->note ? "; " : "", cap->host, cap->taken, cap->file);
		free(r->note);
		r->note = n;
		r->capture_host = cap->host;
		r->capture_taken = cap->taken;
	} else if (root_count() == 2) {
		char *n = xasprintf("%s%ssnapshots %s then %s", r->note ? r->note : "",
				    r->note ? "; " : "", root_snapshot_dir(0), root_snapshot_dir(1));

		free(r->note);
		r->note = n;
	}
	if (refuse(ctx, r)) {
		report_free(r);
		return;
	}
	/* only the renderer in parts puts the verdict apart from the rows */
	if (!streamed && verdict_split(ctx) && !r->error && prints(ctx) && !compact(ctx, r))
		streamed = true;
	if (streamed)
		sbx_flush(ctx, r);	/* the rows still held */
	ctx->worst = ctx->emitted ? state_worst(ctx->worst, report_state(r)) : report_state(r);
	ctx->emitted++;
	if (ctx->textfile) {
		if (write_textfile(ctx->textfile, r, &err) < 0) {
			/* a cron job must notice: exit 3 whatever the verdict */
			warnx_("--textfile: %s", err.msg);
			ctx->write_failed = true;
		}
		if (!prints(ctx)) {
			if (r->error)
				fprintf(stderr, "srebox %s: %s\n", ctx->applet->name, r->error);
			report_free(r);
			return;
		}
	}
	if (streamed) {
		render_end(stdout, r, &o);
	} else if (compact(ctx, r)) {
		if (!ctx->compact_width) {
			size_t n = 2;

			for (size_t i = 0; i < r->ntables; i++)
				n += r->tables[i]->ncols;
			ctx->compact_width = xcalloc(n, sizeof(size_t));
		}
		render_compact(stdout, r, &o, ctx->compact_width, compact_head(ctx));
	} else {
		if (ctx->emitted > 1 && (ctx->format == FMT_TABLE || ctx->format == FMT_WIDE))
			fputc('\n', stdout);
		render(stdout, r, &o);
	}
	/* Prometheus text has no place for the reason srebox_up is 0: say it
	 * on stderr, as the table view does. */
	if (r->error && (ctx->format == FMT_PROM || ctx->format == FMT_NAME))
		fprintf(stderr, "srebox %s: %s\n", ctx->applet->name, r->error);
	/* Streamed reports reach a pipe as they happen (-n 0 | grep).  A
	 * reader that went away (| head -1) ends the run, quietly, as SIGPIPE
	 * would: the reports it read stand. */
	if (fflush(stdout) != 0) {
		if (errno != EPIPE)
			ctx->write_failed = true;
		else if (ctx->stop && !*ctx->stop)
			*ctx->stop = SIGPIPE;
	}
	report_free(r);
}

bool sbx_has_check(const struct sbx_applet *a, enum sbx_check_id id)
{
	for (const enum sbx_check_id *c = a->checks; c && *c != CHK_N; c++)
		if (*c == id)
			return true;
	return false;
}

bool sbx_wait(struct sbx_ctx *ctx, double seconds)
{
	sbx_watchdog_pause(true);
	sleep_seconds(seconds, ctx->stop);
	sbx_watchdog_pause(false);
	return !(ctx->stop && *ctx->stop);
}

bool sbx_wants_tables(const struct sbx_ctx *ctx)
{
	return ctx->format != FMT_CHECK || ctx->textfile;
}
