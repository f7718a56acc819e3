/* srebox capture: the node in one file.  Runs every probe applet of the
 * registry twice, SECONDS apart, with the root layer recording what each
 * read (lib/host/root.h): the capture holds exactly what the probes read,
 * with no second list of sources to keep.  The applets replay it with
 * --root FILE, rates between the two snapshots by their own clocks. */
#include "applet.h"
#include "capfile.h"
#include "capture.h"
#include "owner.h"
#include "root.h"
#include "sample.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* the registry: every probe applet is captured */
#define APPLET(n) extern const struct sbx_applet applet_##n;
#include "applets.def"
#undef APPLET
static const struct sbx_applet *const registry[] = {
#define APPLET(n) &applet_##n,
#include "applets.def"
#undef APPLET
};

#define CAPTURE_DEFAULT 2.0

static const char *o_out;
static bool o_cmdline;

static const struct sbx_opt capture_opts[] = {
	{ 'o', "output", OPT_STRING, &o_out, "FILE",
	  "write the capture to FILE (default srebox-capture-HOST-TIME.tar.gz here)", "files",
	  NULL },
	{ 0, "include-cmdline", OPT_FLAG, &o_cmdline, NULL,
	  "also record the processes' command lines (left out by default: they can hold secrets)",
	  NULL, NULL },
	OPT_END,
};

/* The applets whose reads are captured: every probe applet but this one
 * (and a live view, which reads what the others read). */
static bool captured(const struct sbx_applet *a)
{
	return (a->flags & AP_PROBE) && strcmp(a->name, "capture") && strcmp(a->name, "top");
}

struct snap_info {
	double uptime, time;
	struct root_rec_entry *v;
	size_t n;
	size_t bytes;
};

static void snap_free(struct snap_info *si)
{
	for (size_t i = 0; i < si->n; i++) {
		free(si->v[i].path);
		free(si->v[i].data);
	}
	free(si->v);
	si->v = NULL;
	si->n = 0;
}

static bool progress_on;

static void progress(const char *fmt, ...) SBX_PRINTF(1, 2);
static void progress(const char *fmt, ...)
{
	va_list ap;

	if (!progress_on)
		return;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

static void read_text(const char *path, char *out, size_t n)
{
	struct sbx_err err;

	if (root_read_line(path, out, n, &err) < 0)
		out[0] = '\0';
}

/* --include-cmdline: no probe reads command lines, so read them here. */
static void record_cmdlines(void)
{
	struct sbx_err err;
	DIR *d = root_opendir("/proc", &err);
	struct dirent *de;
	struct buf b = { 0 };

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		(void)root_readf(&b, &err, "/proc/%s/cmdline", de->d_name);
	}
	closedir(d);
	buf_free(&b);
}

/* One snapshot: every captured applet once, since boot, printing nothing. */
static int take(struct sbx_ctx *ctx, unsigned k, struct snap_info *si, json_t *unreadable,
		struct sbx_err *err)
{
	char line[128];
	size_t nf, dropped;
	const struct root_failure *f;

	root_record("");
	proc_owner_reset();	/* each snapshot records the user and pod names it uses */
	si->time = now_realtime();
	read_text("/proc/uptime", line, sizeof(line));
	si->uptime = line[0] ? strtod(line, NULL) : -1;
	for (size_t i = 0; i < ARRAY_SIZE(registry); i++) {
		const struct sbx_applet *a = registry[i];
		struct sbx_ctx c = { .applet = a, .format = FMT_JSON, .interval = 0,
				     .interval_given = true, .count = 1, .stop = ctx->stop,
				     .discard = true };

		if (!captured(a))
			continue;
		progress("capture: snapshot %u of 2: %s", k + 1, a->name);
		/* this applet's own clock in the snapshot (root_clock_key) */
		{
			char path[128], up[128];
			int fd = open(rooted("/proc/uptime"), O_RDONLY | O_CLOEXEC);
			ssize_t got = fd >= 0 ? read(fd, up, sizeof(up) - 1) : -1;

			if (fd >= 0)
				close(fd);
			if (got > 0) {
				snprintf(path, sizeof(path), "/.srebox/clock/%s", a->name);
				root_record_file(path, up, (size_t)got);
			}
		}
		sbx_watchdog_extend(0);
		a->run(&c);
		if (root_record_error())
			break;
	}
	if (o_cmdline)
		record_cmdlines();
	f = root_record_failures(&nf, &dropped);
	for (size_t i = 0; i < nf; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "snapshot", json_integer(k + 1));
		json_object_set_new(o, "path", json_string(f[i].path));
		json_object_set_new(o, "why", json_string(sbx_errno_word(f[i].errnum)));
		json_array_append_new(unreadable, o);
	}
	if (dropped) {
		json_t *o = json_object();

		json_object_set_new(o, "snapshot", json_integer(k + 1));
		json_object_set_new(o, "more", json_integer((json_int_t)dropped));
		json_array_append_new(unreadable, o);
	}
	root_record(NULL);
	si->v = root_record_take(&si->n);
	for (size_t i = 0; i < si->n; i++)
		si->bytes += si->v[i].len;
	(void)err;
	return 0;
}

static int add_snap(struct capfile_w *w, unsigned k, const struct snap_info *si,
		    struct sbx_err *err)
{
	char name[3200];

	if (capfile_add(w, k ? "1" : "0", NULL, 0, true, err) < 0)
		return -1;
	for (size_t i = 0; i < si->n; i++) {
		const struct root_rec_entry *e = &si->v[i];

		snprintf(name, sizeof(name), "%u%s", k, e->path);
		if (capfile_add(w, name, e->data, e->len, e->dir, err) < 0)
			return -1;
		if (progress_on && i % 1000 == 0)
			progress("capture: writing snapshot %u: %zu of %zu files", k + 1, i, si->n);
	}
	return 0;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static char *make_manifest(const struct snap_info si[2], double interval, const char *host,
			   const char *kernel, const char *boot, json_t *unreadable)
{
	json_t *m = json_object(), *snaps = json_array();
	char *text;

	json_object_set_new(m, "format", json_string(CAPMAN_FORMAT));
	json_object_set_new(m, "version", json_integer(CAPMAN_VERSION));
	json_object_set_new(m, "srebox", json_string(SREBOX_VERSION));
	json_object_set_new(m, "host", str_or_null(host));
	json_object_set_new(m, "kernel", str_or_null(kernel));
	json_object_set_new(m, "boot_id", str_or_null(boot));
	json_object_set_new(m, "root", json_string(root_is_live() ? "/" : root_get()));
	json_object_set_new(m, "interval_seconds", json_real(interval));
	json_object_set_new(m, "include_cmdline", json_boolean(o_cmdline));
	for (unsigned k = 0; k < 2; k++) {
		json_t *s = json_object();

		json_object_set_new(s, "dir", json_string(k ? "1" : "0"));
		json_object_set_new(s, "uptime_seconds",
				    si[k].uptime >= 0 ? json_real(si[k].uptime) : json_null());
		json_object_set_new(s, "time", json_real(si[k].time));
		json_object_set_new(s, "files", json_integer((json_int_t)si[k].n));
		json_object_set_new(s, "bytes", json_integer((json_int_t)si[k].bytes));
		json_array_append_new(snaps, s);
	}
	json_object_set_new(m, "snapshots", snaps);
	json_object_set_new(m, "unreadable", json_incref(unreadable));
	text = json_dumps(m, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(m);
	return text;
}

static int capture_run(struct sbx_ctx *ctx)
{
	double interval = ctx->interval_given ? ctx->interval : CAPTURE_DEFAULT;
	char host[256], kernel[128], boot[64], out[4096], *man = NULL;
	struct snap_info si[2] = { 0 };
	json_t *unreadable = json_array();
	struct capfile_w *w = NULL;
	struct sbx_err err;
	struct sbx_report *rep;
	struct stat st;
	int rc = 3;
	double t0;

	if (ctx->nargs) {
		warnx_("unexpected argument '%s'", ctx->args[0]);
		goto out;
	}
	if (root_count() > 1 || root_capture()) {
		warnx_("--root: capture reads a node (/, or its / mounted at --root DIR), not a "
		       "capture or a pair of snapshots");
		goto out;
	}
	if (interval <= 0 || interval > 600) {
		warnx_("-i: give the seconds between the snapshots, above 0 and at most 600");
		goto out;
	}
	read_text("/proc/sys/kernel/hostname", host, sizeof(host));
	read_text("/proc/sys/kernel/osrelease", kernel, sizeof(kernel));
	read_text("/proc/sys/kernel/random/boot_id", boot, sizeof(boot));
	if (o_out) {
		snprintf(out, sizeof(out), "%s", o_out);
	} else {
		time_t t = time(NULL);
		struct tm tm;
		char when[32] = "now", h[256];

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
		/* a host name is one DNS label or more: no '/' in it, but be sure */
		snprintf(h, sizeof(h), "%s", host[0] ? host : "node");
		for (char *p = h; *p; p++)
			if (*p == '/' || *p == ' ' || *p == '.')
				*p = '_';
		snprintf(out, sizeof(out), "srebox-capture-%s-%s.tar.gz", h, when);
	}
	if (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
		warnx_("-o %s: a directory; give the file to write", out);
		goto out;
	}
	/* before the snapshots: a directory we cannot write in is said at once */
	if (!(w = capfile_create(out, &err))) {
		warnx_("%s", err.msg);
		goto out;
	}
	progress_on = isatty(2);
	root_record_cmdline(o_cmdline);
	sbx_watchdog_extend(60);
	t0 = now_monotonic();
	for (unsigned k = 0; k < 2; k++) {
		if (k) {
			double left = interval - (now_monotonic() - t0);

			progress("capture: waiting %.1fs for the second snapshot", left > 0 ? left : 0);
			if (left > 0 && !sbx_wait(ctx, left)) {
				warnx_("interrupted: nothing written");
				goto out;
			}
		}
		if (take(ctx, k, &si[k], unreadable, &err) < 0) {
			warnx_("%s: nothing written", err.msg);
			goto out;
		}
		if (ctx->stop && *ctx->stop) {
			warnx_("interrupted: nothing written");
			goto out;
		}
	}
	/* a replay needs the time between the snapshots (opt.c's pair check):
	 * a saved tree does not move, and one without an uptime cannot say */
	if (si[0].uptime < 0 || si[1].uptime < 0) {
		warnx_("%s: no readable /proc/uptime, so a replay could not tell the time between the "
		       "snapshots: nothing written (give the tree itself to --root)", rooted("/proc/uptime"));
		goto out;
	}
	if (si[1].uptime <= si[0].uptime) {
		warnx_("%s stayed %.2fs between the snapshots (a saved tree, which does not move): a "
		       "capture of it could not be replayed; nothing written (give the tree itself to "
		       "--root)", rooted("/proc/uptime"), si[0].uptime);
		goto out;
	}
	man = make_manifest(si, si[1].uptime >= 0 && si[0].uptime >= 0 ?
				    si[1].uptime - si[0].uptime : interval,
			    host, kernel, boot, unreadable);
	if (!man) {
		warnx_("the manifest could not be made (out of memory?): nothing written");
		goto out;
	}
	if (capfile_add(w, "manifest.json", man, strlen(man), false, &err) < 0 ||
	    add_snap(w, 0, &si[0], &err) < 0 || add_snap(w, 1, &si[1], &err) < 0) {
		warnx_("%s", err.msg);
		goto out;
	}
	if (ctx->stop && *ctx->stop) {
		warnx_("interrupted: nothing written");
		goto out;
	}
	progress("capture: finishing %s", out);
	if (capfile_commit(w, &err) < 0) {
		w = NULL;
		warnx_("%s", err.msg);
		goto out;
	}
	w = NULL;
	if (progress_on)
		fputs("\r\033[K", stderr);
	progress_on = false;
	rep = report_new("capture");
	report_summary(rep, "wrote %s: %s, 2 snapshots %.2fs apart, %zu files, %.1f kB; replay "
		       "with srebox APPLET --root %s", out, host[0] ? host : "(host unknown)",
		       si[1].uptime - si[0].uptime, si[0].n + si[1].n,
		       stat(out, &st) == 0 ? (double)st.st_size / 1000 : 0.0, out);
	sbx_emit(ctx, rep);
	rc = 0;
out:
	if (progress_on)
		fputs("\r\033[K", stderr);
	capfile_abort(w);
	snap_free(&si[0]);
	snap_free(&si[1]);
	free(man);
	json_decref(unreadable);
	return rc ? rc : (int)ctx->worst;
}

const struct sbx_applet applet_capture = {
	.name = "capture",
	.examples =
		"# keep the sick node's state before it is rebooted\n"
		"srebox capture -i 5 -o /var/tmp/node.sbx\n"
		"# later, on a laptop: ask the capture what was wrong\n"
		"srebox health --root node.sbx\n",
	.summary = "the node in one file: two snapshots of what every probe reads, replayed by "
		   "every applet with --root FILE",
	.usage = "[OPTIONS]",
	.description =
		"Runs every probe applet (health, cpu, cswitch, disk, io, irq, net, throttle)\n"
		"twice, SECONDS apart (-i, default 2), and records every file, directory listing\n"
		"and statfs answer they read into one tar.gz with a manifest (host, kernel, boot\n"
		"id, each snapshot's uptime and time, what could not be read).  `srebox APPLET\n"
		"--root FILE` replays it: figures from the first snapshot, rates between the two\n"
		"by their own uptimes.  Environment and command lines are never recorded (the\n"
		"latter with --include-cmdline), nor tokens or kubeconfigs.  The file appears\n"
		"only once complete: a killed capture or a full disk leaves none.",
	.flags = AP_PROBE,
	.opts = capture_opts,
	.run = capture_run,
	/* -n N reports means nothing for one file: say so rather than ignore it */
	.count_refused = "capture takes one pair of snapshots, -i SECONDS apart, into one file; "
			 "for more, run it again (each capture is replayed on its own)",
	.interval_help = "the seconds between the two snapshots (default 2; above 0, at most 600)",
};
