/* srebox: the multi-call entry point.  `srebox APPLET ARGS`, or a link
 * named APPLET or srebox-APPLET, runs the applet; the applet builds
 * reports, and this file owns everything around it: option parsing,
 * signals, and the final check that the report really reached stdout. */
#include "applet.h"

#include <errno.h>
#include <poll.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define APPLET(n) extern const struct sbx_applet applet_##n;
#include "applets.def"
#undef APPLET

static const struct sbx_applet *const applets[] = {
#define APPLET(n) &applet_##n,
#include "applets.def"
#undef APPLET
};

static volatile int stop_flag;	/* the signal that asked to stop */

static void on_signal(int sig)
{
	stop_flag = sig;
	sleep_wake();
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	}
	return "a signal";
}

static const struct sbx_applet *find_applet(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++)
		if (!strcmp(applets[i]->name, name))
			return applets[i];
	return NULL;
}

/* "  name       summary", the summary folded at 79 columns under itself. */
static void help_applet(FILE *f, const struct sbx_applet *a)
{
	const int indent = 13, width = 79;
	const char *p = a->summary;
	int col = fprintf(f, "  %-10s", a->name);

	while (*p) {
		size_t word = strcspn(p, " ");

		if (col > indent && col + 1 + (int)word > width) {
			fprintf(f, "\n%*s", indent - 1, "");
			col = indent - 1;
		}
		col += fprintf(f, " %.*s", (int)word, p);
		p += word;
		p += strspn(p, " ");
	}
	fputc('\n', f);
}

static void usage(FILE *f)
{
	fputs("Usage: srebox APPLET [OPTIONS] [ARGS]\n"
	      "       srebox --list | --install [-s] DIR | --completions bash|zsh|fish\n"
	      "       srebox --checks [APPLET [--mdoc]]\n"
	      "       srebox --help | --version\n\n"
	      "What is wrong with this node, in one command.\n\n"
	      "Examples:\n"
	      "  # a node goes NotReady or slow: what is wrong, and who is doing it\n"
	      "  srebox health\n\n"
	      "  # DiskPressure: which filesystem, and what is filling it\n"
	      "  srebox disk --top /var/log\n\n"
	      "  # the cluster's nodes, then drain the sick one, the plan shown first\n"
	      "  srebox nodes\n"
	      "  srebox drain NODE --ignore-daemonsets --dry-run\n\n"
	      "Applets:\n",
	      f);
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++)
		help_applet(f, applets[i]);
	fputs("\nEvery applet takes --help.  Probe applets share -o table|wide|json|prom|check|\n"
	      "name, --root DIR, -i SECONDS, -n N, -v, -w/-c [CHECK=]RANGE, and exit 0 OK,\n"
	      "1 WARNING, 2 CRITICAL, 3 UNKNOWN; the Kubernetes applets take kubectl's flags.\n"
	      "Short flags per family: man srebox (Short options).\n"
	      "Full documentation: man srebox\n",
	      f);
}

/* stdout is a pipe whose reader has gone: poll says POLLERR of its
 * write end.  An error flag left by an earlier write has lost its errno
 * (the last flush, with nothing left to write, succeeds). */
static bool reader_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

/* Like git's run_builtin: a report that did not reach its destination
 * (full disk, I/O error) must not look like success.  A reader that went
 * away (srebox ... | head) is not an error. */
static int close_stdout(void)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);
	int e = errno;
	bool gone = bad && e != EPIPE && reader_gone();

	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (bad && e != EPIPE && !gone) {
		fprintf(stderr, "srebox: write error: %s\n", strerror(e));
		return -1;
	}
	return 0;
}

static int install_links(const char *dir, bool sym)
{
	char exe[PATH_MAX], dst[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int rc = 0;

	if (n <= 0)
		die(3, "--install: cannot find my own executable: %s", strerror(errno));
	exe[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++) {
		snprintf(dst, sizeof(dst), "%s/srebox-%s", dir, applets[i]->name);
		if (unlink(dst) != 0 && errno != ENOENT) {
			warnx_("--install: %s: %s", dst, strerror(errno));
			rc = 3;
			continue;
		}
		if ((sym ? symlink(exe, dst) : link(exe, dst)) != 0) {
			warnx_("--install: %s: %s%s", dst, strerror(errno),
			       errno == EXDEV ? " (use -s across filesystems)" : "");
			rc = 3;
		}
	}
	return rc;
}

/* An unknown applet: exit 127, as busybox does, with the closest names
 * (at most two edits away, or a unique prefix) like git's "did you mean". */
static int not_an_applet(const char *name)
{
	size_t best = 3, n = 0;
	const char *match[ARRAY_SIZE(applets)];

	for (size_t i = 0; i < ARRAY_SIZE(applets); i++) {
		size_t d = edit_distance(name, applets[i]->name);

		if (*name && str_starts(applets[i]->name, name) && d > 1)
			d = 2;
		if (d < best) {
			best = d;
			n = 0;
		}
		if (d == best && d < 3)
			match[n++] = applets[i]->name;
	}
	fprintf(stderr, "srebox: '%s' is not a srebox applet; 'srebox --list' lists them\n", name);
	if (n) {
		fprintf(stderr, "\nThe most similar applet%s:\n", n == 1 ? " is" : "s are");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "\t%s\n", match[i]);
	}
	return 127;
}

static int toplevel(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 3;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("srebox %s\n", SREBOX_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < ARRAY_SIZE(applets); i++)
			printf("%s\n", applets[i]->name);
		return 0;
	}
	if (!strcmp(argv[1], "--install")) {
		bool sym = argc > 2 && !strcmp(argv[2], "-s");
		const char *dir = argv[sym ? 3 : 2];

		if (!dir || argc > (sym ? 4 : 3))
			die(3, "usage: srebox --install [-s] DIR");
		return install_links(dir, sym);
	}
	if (!strcmp(argv[1], "--completions")) {
		if (argc != 3 || (strcmp(argv[2], "bash") && strcmp(argv[2], "zsh") &&
				  strcmp(argv[2], "fish")))
			die(3, "usage: srebox --completions bash|zsh|fish");
		completions_print(stdout, argv[2], applets, ARRAY_SIZE(applets));
		return 0;
	}
	if (!strcmp(argv[1], "--complete")) {	/* hidden: the shells' completions call it */
		const struct sbx_applet *a = NULL;

		for (size_t i = 0; argc > 3 && i < ARRAY_SIZE(applets); i++)
			if (!strcmp(applets[i]->name, argv[3]))
				a = applets[i];
		if (argc < 3)
			die(3, "usage: srebox --complete nodes|contexts|namespaces|pods [APPLET WORDS...]");
		return completions_cluster(argv[2], a, argc > 4 ? argc - 4 : 0, argv + 4);
	}
	if (!strcmp(argv[1], "--checks")) {
		const struct sbx_applet *a = NULL;
		bool mdoc = argc == 4 && !strcmp(argv[3], "--mdoc");

		for (size_t i = 0; argc > 2 && i < ARRAY_SIZE(applets); i++)
			if (!strcmp(applets[i]->name, argv[2]))
				a = applets[i];
		if (argc < 2 || argc > 4 || (argc > 2 && !a) || (argc == 4 && !mdoc))
			die(3, "usage: srebox --checks [APPLET [--mdoc]]");
		checks_print(stdout, a, mdoc);
		return 0;
	}
	if (argv[1][0] == '-') {
		warnx_("unknown option %s", argv[1]);
		fputs("Try 'srebox --help' for more information.\n", stderr);
		return 3;
	}
	return not_an_applet(argv[1]);
}

static int run_applet(const struct sbx_applet *a, int argc, char **argv)
{
	struct sbx_ctx ctx = { .applet = a, .stop = &stop_flag };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = (int)SA_RESETHAND };
	int rc;

	/* A second Ctrl-C kills at once; the first ends the sampling loop. */
	sleep_wakeable();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);	/* the SSH session went away */
	rc = opt_parse(a, &ctx, argc, argv);
	if (rc == 0)
		rc = a->run(&ctx);
	free(ctx.compact_width);
	ctx.compact_width = NULL;
	/* Interrupted is never OK: with no report there is no state to give,
	 * and a script must not read silence as health.  After some reports
	 * their worst state stands. */
	if (ctx.refused)
		rc = 3;
	if (rc == 0 && stop_flag && !ctx.emitted) {
		warnx_("interrupted by %s before the first report", signal_name(stop_flag));
		rc = 3;
	}
	if (rc == 0)
		rc = (int)ctx.worst;
	if (ctx.write_failed)
		rc = 3;
	free(ctx.args);
	return rc;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const struct sbx_applet *a = NULL;
	int rc;

	/* Reports to a closed pipe end as EPIPE, handled quietly above;
	 * libcurl needs SIGPIPE ignored too. */
	signal(SIGPIPE, SIG_IGN);
	if (str_starts(base, "srebox-")) {
		a = find_applet(base + 7);
		if (!a) {
			return not_an_applet(base + 7);
		}
	} else if (str_starts(base, "srebox")) {
		if (argc > 1 && argv[1][0] != '-') {
			a = find_applet(argv[1]);
			if (a) {
				argv++;
				argc--;
			}
		}
	} else if (!(a = find_applet(base))) {
		fprintf(stderr, "srebox: applet not found: %s\n", base);
		return 127;
	}
	if (a) {
		static char progname[64];

		/* messages and usage lines name the applet as it was invoked */
		if (str_starts(base, "srebox-"))
			snprintf(progname, sizeof(progname), "%s", base);
		else
			snprintf(progname, sizeof(progname), "srebox %s", a->name);
		sbx_progname = progname;
		rc = run_applet(a, argc, argv);
	} else {
		rc = toplevel(argc, argv);
	}
	if (close_stdout() != 0)
		return 3;
	return rc;
}
