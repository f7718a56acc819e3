/* What every applet run shares after option parsing: printing each report,
 * folding states into the exit status, waiting between samples. */
#include "applet.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static bool prints(const struct sbx_ctx *ctx)
{
	/* With --textfile alone the file is the output (cron jobs). */
	return !ctx->textfile || ctx->format_given;
}

void sbx_flush(struct sbx_ctx *ctx, struct sbx_report *r)
{
	struct render_opts o = { .format = ctx->format, .color = ctx->color,
				 .prom_too = ctx->textfile != NULL };

	if (!prints(ctx))
		o.format = FMT_CHECK;	/* renders nothing in parts */
	if (!r->streaming && ctx->emitted && prints(ctx) &&
	    (ctx->format == FMT_TABLE || ctx->format == FMT_WIDE))
		fputc('\n', stdout);
	render_part(stdout, r, &o);
	if (fflush(stdout) != 0 && errno != EPIPE)
		ctx->write_failed = true;
}

void sbx_emit(struct sbx_ctx *ctx, struct sbx_report *r)
{
	struct render_opts o = { .format = ctx->format, .color = ctx->color };
	struct sbx_err err;
	bool streamed = r->streaming;

	if (streamed)
		sbx_flush(ctx, r);	/* the rows still held */
	ctx->worst = ctx->emitted ? state_worst(ctx->worst, report_state(r)) : report_state(r);
	ctx->emitted++;
	if (ctx->textfile) {
		if (render_textfile(ctx->textfile, r, &err) < 0) {
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
	sleep_seconds(seconds, ctx->stop);
	return !(ctx->stop && *ctx->stop);
}

bool sbx_wants_tables(const struct sbx_ctx *ctx)
{
	return ctx->format != FMT_CHECK || ctx->textfile;
}
