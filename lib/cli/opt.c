/* Option tables -> getopt_long, --help text and threshold ranges. */
#include "applet.h"
#include "capfile.h"
#include "hung.h"

#include "root.h"

#include <getopt.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *o_output, *o_color = "auto", *o_textfile, *o_root;
static struct opt_list o_roots;
static int set_snapshots(const char *const *v, size_t n);
static double o_interval = -1, o_deadline = SBX_DEADLINE_DEFAULT;
static unsigned o_count = 1;
static bool o_count_given, o_verbose;
static struct sbx_kube_opts o_kube;
static const struct sbx_applet *cur_applet;

static int set_threshold(const char *arg, bool crit);

/* The terminal's width for the table view: TIOCGWINSZ, then $COLUMNS;
 * 0 for a pipe or a file, which get full rows. */
static int term_width(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	uint64_t v;

	if (!isatty(1))
		return 0;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (env && parse_u64(env, &v) && v > 0 && v < 10000)
		return (int)v;
	return 80;
}
static int cb_warning(const char *arg)
{
	return set_threshold(arg, false);
}
static int cb_critical(const char *arg)
{
	return set_threshold(arg, true);
}
static int cb_count(const char *arg)
{
	uint64_t v;

	if (!parse_u64(arg, &v) || v > 1000000000)
		return 1;
	o_count = (unsigned)v;
	o_count_given = true;
	return 0;
}

const struct sbx_opt sbx_common_output_opts[] = {
	{ 'o', "output", OPT_CHOICE, &o_output, "FORMAT",
	  "table, wide, json, prom, check or name (default table)",
	  "table wide json prom check name", NULL },
	{ 0, "color", OPT_CHOICE, &o_color, "WHEN",
	  "colour the state words: auto (a terminal, NO_COLOR unset), always, never",
	  "auto always never", NULL },
	{ 0, "textfile", OPT_STRING, &o_textfile, "DIR",
	  "also write DIR/srebox_APPLET.prom atomically for node_exporter's textfile collector",
	  "dirs", NULL },
	OPT_END,
};

const struct sbx_opt sbx_common_probe_opts[] = {
	{ 0, "root", OPT_LIST, &o_roots, "DIR",
	  "read /proc and /sys under DIR (a host mounted in a pod, a saved tree), or replay a "
	  "capture file (srebox capture); twice: two snapshots, rates between them; also "
	  "SREBOX_ROOT",
	  "files", NULL },
	{ 'i', "interval", OPT_SECONDS, &o_interval, "SECONDS",
	  "sample twice, SECONDS apart, and report rates (default 0.5; 0: since boot)", NULL,
	  NULL },
	{ 'n', "count", OPT_CALL, NULL, "N",
	  "with -i, print N reports (default 1; 0 = until interrupted)", NULL, cb_count },
	{ 'v', "verbose", OPT_FLAG, &o_verbose, NULL,
	  "on a terminal, list every check, the OK ones too (a pipe always gets them all)", NULL,
	  NULL },
	{ 0, "deadline", OPT_SECONDS, &o_deadline, "SECONDS",
	  "give up with exit 3 when one report's work (the interval aside) takes longer "
	  "(default 10, plus the applet's own -t and --top-timeout)", NULL, NULL },
	OPT_END,
};

const struct sbx_opt sbx_common_check_opts[] = {
	{ 'w', "warning", OPT_CALL, NULL, "[ID=]RANGE",
	  "warning threshold (monitoring-plugins range) for check ID, or the first check", NULL,
	  cb_warning },
	{ 'c', "critical", OPT_CALL, NULL, "[ID=]RANGE", "critical threshold, as -w", NULL,
	  cb_critical },
	OPT_END,
};

/* srebox never waits forever: kubectl's "0" (no timeout) is refused. */
static int cb_request_timeout(const char *arg)
{
	if (!parse_seconds(arg, &o_kube.request_timeout) || o_kube.request_timeout <= 0) {
		warnx_("--request-timeout %s: give a duration above 0 (1.5, 500ms, 1m)", arg);
		return 2;
	}
	return 0;
}

/* kubectl's own flags, so that a kubectl command line carries over. */
const struct sbx_opt sbx_common_k8s_opts[] = {
	{ 0, "kubeconfig", OPT_STRING, &o_kube.kubeconfig, "FILE",
	  "the kubeconfig to use (default: $KUBECONFIG, ~/.kube/config, in-cluster, this node's)",
	  "files", NULL },
	{ 0, "context", OPT_STRING, &o_kube.context, "NAME", "the kubeconfig context to use",
	  "k8s:contexts", NULL },
	{ 0, "cluster", OPT_STRING, &o_kube.cluster, "NAME", "the kubeconfig cluster to use", NULL,
	  NULL },
	{ 0, "user", OPT_STRING, &o_kube.user, "NAME", "the kubeconfig user to use", NULL, NULL },
	{ 'n', "namespace", OPT_STRING, &o_kube.ns, "NS",
	  "namespace (default: the context's, else default)", "k8s:namespaces", NULL },
	{ 0, "request-timeout", OPT_CALL, NULL, "SECONDS",
	  "give up on a request after SECONDS (default 5; 1.5, 500ms, 1m)", NULL,
	  cb_request_timeout },
	OPT_END,
};

static const struct sbx_opt help_opts[] = {
	{ 'h', "help", OPT_FLAG, NULL, NULL, "show this help and exit", NULL, NULL },
	{ 'V', "version", OPT_FLAG, NULL, NULL, "show the version and exit", NULL, NULL },
	OPT_END,
};

static void list_checks(struct buf *ids, const struct sbx_applet *a, bool ranged)
{
	for (const enum sbx_check_id *c = a->checks; c && *c != CHK_N; c++)
		if (!ranged || check_has_value(*c))
			buf_addf(ids, "%s%s", ids->len ? ", " : "", sbx_checks[*c].id);
}

static int set_threshold(const char *arg, bool crit)
{
	const char *eq = strchr(arg, '=');
	const char *range = arg;
	enum sbx_check_id id;

	if (!cur_applet->checks || *cur_applet->checks == CHK_N) {
		warnx_("this applet has no thresholds");
		return 2;
	}
	id = cur_applet->checks[0];
	if (eq) {
		char *name = xstrndup(arg, (size_t)(eq - arg));

		id = check_find(name);
		if (id == CHK_N || !sbx_has_check(cur_applet, id) || !check_has_value(id)) {
			struct buf ids = { 0 };

			list_checks(&ids, cur_applet, true);
			warnx_("unknown check '%s' in -%c %s (checks with values: %s)", name,
			       crit ? 'c' : 'w', arg, ids.s);
			buf_free(&ids);
			free(name);
			return 2;
		}
		if (check_alias(name))
			warnx_("note: check '%s' is now called '%s'", name, sbx_checks[id].id);
		free(name);
		range = eq + 1;
	}
	if (!check_set(id, crit, range)) {
		warnx_("bad range '%s' for -%c %s: use N, N:, ~:N, N:M or @N:M", range,
		       crit ? 'c' : 'w', sbx_checks[id].id);
		return 2;
	}
	return 0;
}

size_t opt_tables(const struct sbx_applet *a, const struct sbx_opt **out)
{
	size_t n = 0;

	if (a->opts)
		out[n++] = a->opts;
	if (a->flags & AP_PROBE)
		out[n++] = sbx_common_probe_opts;
	if (a->flags & AP_K8S)
		out[n++] = sbx_common_k8s_opts;
	if (a->checks)
		out[n++] = sbx_common_check_opts;
	if (a->flags & AP_OUTPUT)
		out[n++] = sbx_common_output_opts;
	out[n++] = help_opts;
	return n;
}

bool opt_offered(const struct sbx_applet *a, const struct sbx_opt *o)
{
	return !(o->cb == cb_count && a->count_refused);
}

static int apply(const struct sbx_opt *o, const char *arg)
{
	uint64_t u;

	switch (o->type) {
	case OPT_FLAG:
		if (o->dest)
			*(bool *)o->dest = true;
		return 0;
	case OPT_STRING:
		*(const char **)o->dest = arg;
		return 0;
	case OPT_LIST: {
		struct opt_list *l = o->dest;

		ALLOC_GROW(l->v, l->n + 1, l->alloc);
		l->v[l->n++] = arg;
		return 0;
	}
	case OPT_UINT:
		if (!parse_u64(arg, &u) || u > 0x7fffffff)
			break;
		*(unsigned *)o->dest = (unsigned)u;
		return 0;
	case OPT_DOUBLE:
		if (!parse_double(arg, (double *)o->dest))
			break;
		return 0;
	case OPT_SECONDS:
		if (!parse_seconds(arg, (double *)o->dest))
			break;
		return 0;
	case OPT_CHOICE: {
		size_t n = strlen(arg);

		for (const char *p = o->complete; p && *p;) {
			size_t l = strcspn(p, " ");

			if (l == n && !strncmp(p, arg, n)) {
				*(const char **)o->dest = arg;
				return 0;
			}
			p += l;
			p += strspn(p, " ");
		}
		{
			const char *best = NULL;
			size_t bd = 3;

			for (const char *p = o->complete; p && *p;) {
				size_t l = strcspn(p, " ");
				char word[40];

				if (l < sizeof(word)) {
					memcpy(word, p, l);
					word[l] = '\0';
					if (edit_distance(arg, word) < bd) {
						bd = edit_distance(arg, word);
						best = p;
					}
				}
				p += l;
				p += strspn(p, " ");
			}
			if (best)
				warnx_("--%s: '%s' is not one of: %s; did you mean %.*s?", o->longopt, arg,
				       o->complete, (int)strcspn(best, " "), best);
			else
				warnx_("--%s: '%s' is not one of: %s", o->longopt, arg, o->complete);
		}
		return 3;
	}
	case OPT_CALL: {
		int rc = o->cb(arg);

		if (rc == 2)
			return 3;	/* the callback said why */
		if (rc)
			break;
		return 0;
	}
	}
	warnx_("--%s: bad value '%s'", o->longopt, arg);
	return 3;
}

/* Whether `word` is one of the space-separated words of `list`. */
static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t l = strcspn(p, " ");

		if (l == n && !strncmp(p, word, n))
			return true;
		p += l;
		p += strspn(p, " ");
	}
	return false;
}

const char *applet_formats(const struct sbx_applet *a)
{
	return a->formats ? a->formats : "table wide json prom check name";
}

static void usage_hint(const struct sbx_applet *a)
{
	(void)a;
	fprintf(stderr, "Try '%s --help' for more information.\n", sbx_progname);
}

/* The closest long option to an unknown one (git's and kubectl's "did you
 * mean"): at most two edits away, or the only one it starts. */
static const char *closest_option(const struct option *lopts, size_t n, const char *arg)
{
	char name[40];
	size_t len = strcspn(arg, "="), best = 3, prefixed = 0;
	const char *match = NULL, *prefix = NULL;

	if (len >= sizeof(name))
		return NULL;
	memcpy(name, arg, len);
	name[len] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(name, lopts[i].name);

		if (d < best) {
			best = d;
			match = lopts[i].name;
		}
		if (len >= 2 && str_starts(lopts[i].name, name)) {
			prefix = lopts[i].name;
			prefixed++;
		}
	}
	return match ? match : prefixed == 1 ? prefix : NULL;
}

int opt_parse(const struct sbx_applet *a, struct sbx_ctx *ctx, int argc, char **argv)
{
	const struct sbx_opt *tables[8], *byval[512] = { 0 };
	size_t nt = opt_tables(a, tables), nl = 0;
	struct option lopts[128];
	char sopts[128] = "+";
	size_t sl = 1;
	int c, rc;

	cur_applet = a;
	check_reset();
	for (size_t i = 0; i < nt; i++)
		for (const struct sbx_opt *o = tables[i]; o->longopt; o++) {
			int val = o->shortopt ? o->shortopt : 256 + (int)nl;
			bool arg = o->type != OPT_FLAG;
			int has = !arg ? no_argument : o->bare ? optional_argument : required_argument;

			if (nl + 1 >= ARRAY_SIZE(lopts) || sl + 8 >= sizeof(sopts))
				die(3, "too many options");
			lopts[nl++] = (struct option){ o->longopt, has, NULL, val };
			byval[val] = o;
			for (int k = 0, letter = o->shortopt; k < 2; k++, letter = o->oldshort) {
				if (!letter)
					continue;
				byval[letter] = o;
				sopts[sl++] = (char)letter;
				if (arg)
					sopts[sl++] = ':';
				if (arg && o->bare)
					sopts[sl++] = ':';
			}
		}
	lopts[nl] = (struct option){ 0 };
	sopts[sl] = '\0';
	/* Applets take options after operands too ("srebox disk /var -o json"),
	 * but a command's options are its own ("srebox retry -- curl -s URL"). */
	sopts[0] = a->flags & AP_COMMAND ? '+' : '-';
	optind = 1;
	opterr = 0;
	ctx->args = xcalloc((size_t)argc + 1, sizeof(char *));
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		const struct sbx_opt *o;

		if (c == 1) {
			ctx->args[ctx->nargs++] = optarg;
			continue;
		}
		if (c == '?' || c == ':') {
			if (optopt && optopt < 256 && byval[optopt])
				warnx_("option -%c needs an argument", optopt);
			else if (optopt >= 256 && byval[optopt])
				warnx_("option --%s needs an argument", byval[optopt]->longopt);
			else if (optopt)
				warnx_("unknown option -%c", optopt);
			else if (str_starts(argv[optind - 1], "--") &&
				 closest_option(lopts, nl, argv[optind - 1] + 2))
				warnx_("unknown option %s; did you mean --%s?", argv[optind - 1],
				       closest_option(lopts, nl, argv[optind - 1] + 2));
			else
				warnx_("unknown option %s", argv[optind - 1]);
			usage_hint(a);
			return 3;
		}
		o = byval[c];
		if (c < 256 && c == o->oldshort && o->shortopt)
			warnx_("note: -%c is deprecated here: use -%c (--%s), as the other node-local "
			       "applets do", c, o->shortopt, o->longopt);
		else if (c < 256 && c == o->oldshort)
			warnx_("note: -%c is deprecated here: use --%s, as the other node-local applets do",
			       c, o->longopt);
		if (!optarg && o->bare)
			optarg = (char *)o->bare;
		if (o == &help_opts[0]) {
			opt_help(stdout, a);
			exit(fflush(stdout) ? 3 : 0);
		}
		if (o == &help_opts[1]) {
			printf("srebox %s\n", SREBOX_VERSION);
			exit(fflush(stdout) ? 3 : 0);
		}
		if (!opt_offered(a, o)) {
			warnx_("-n: %s", a->count_refused);
			usage_hint(a);
			return 3;
		}
		if ((rc = apply(o, optarg)) != 0) {
			usage_hint(a);
			return rc;
		}
	}
	while (optind < argc)
		ctx->args[ctx->nargs++] = argv[optind++];

	ctx->format = FMT_TABLE;
	if (o_output) {
		if (!word_in(applet_formats(a), o_output)) {
			warnx_("-o %s: not a format of %s%s; it takes %s", o_output, a->name,
			       !strcmp(o_output, "wide") ? ", which has no wide columns" : "",
			       applet_formats(a));
			usage_hint(a);
			return 3;
		}
		format_parse(o_output, &ctx->format);
		ctx->format_given = true;
	}
	ctx->textfile = o_textfile;
	if (!strcmp(o_color, "always"))
		ctx->color = true;
	else if (!strcmp(o_color, "auto")) {
		const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

		ctx->color = isatty(1) && !(nc && *nc) && !(term && !strcmp(term, "dumb"));
	}
	if (ctx->format != FMT_TABLE && ctx->format != FMT_WIDE)
		ctx->color = false;
	ctx->width = term_width();
	ctx->verbose = o_verbose;
	if (a->flags & AP_PROBE) {
		const char *root;

		if (o_roots.n > 2) {
			warnx_("--root: at most two (the snapshots to take rates between)");
			return 3;
		}
		o_root = o_roots.n ? o_roots.v[0] : NULL;
		root = o_root ? o_root : getenv("SREBOX_ROOT");

		if (o_deadline <= 0) {
			warnx_("--deadline: give a duration above 0 (srebox never waits forever)");
			return 3;
		}
		/* from here on: a --root on a dead mount hangs its first stat.
		 * One on a network or FUSE mount is read by a child srebox can
		 * walk away from (a FUSE read cannot be killed). */
		if (root && *root && path_may_wait(root)) {
			double g = o_deadline / 4;

			sbx_supervise(a->name, root);
			/* each read a share of the deadline: one that does not come
			 * back leaves time for the report of the rest */
			root_guard(g < 0.25 ? 0.25 : g > 2.5 ? 2.5 : g);
		}
		sbx_watchdog_start(a->name, o_deadline);
		root_clock_key(a->name);
		if (root && *root && (o_roots.n == 2 || capfile_is_file(root))) {
			if (set_snapshots(o_roots.n == 2 ? o_roots.v : &root, o_roots.n == 2 ? 2 : 1) < 0)
				return 3;
		} else {
			if (root && *root) {
				char what[4200];
				struct sbx_err err;

				snprintf(what, sizeof(what), o_root ? "--root %s" : "SREBOX_ROOT=%s", root);
				if (root_check(root, what, true, &err) < 0) {
					warnx_("%s", err.msg);
					return 3;
				}
			}
			root_set(root);
		}
		ctx->interval_given = o_interval >= 0;
		ctx->interval = o_interval > 0 ? o_interval : 0;
		if (o_count_given && !ctx->interval_given) {
			warnx_("-n needs -i SECONDS");
			usage_hint(a);
			return 3;
		}
	}
	if (a->flags & AP_K8S) {
		/* No --root (kubectl's flags only), but this node's files are
		 * under SREBOX_ROOT in a DaemonSet pod all the same. */
		const char *root = getenv("SREBOX_ROOT");

		if (!(a->flags & AP_PROBE) && root && *root) {
			char what[4200];
			struct sbx_err err;

			/* the node's kubeconfig is all it reads there: no proc/ needed */
			snprintf(what, sizeof(what), "SREBOX_ROOT=%s", root);
			if (root_check(root, what, false, &err) < 0) {
				warnx_("%s", err.msg);
				return 3;
			}
			root_set(root);
		}
		ctx->kube = o_kube;
	}
	ctx->count = o_count;
	return 0;
}

/* The clock of tree k of the pair in force, with its error. */
static int pair_clock(size_t k, const char *what, double *up)
{
	root_select(k);
	*up = root_clock();
	if (*up < 0) {
		warnx_("%s: no readable proc/uptime: the time between the snapshots cannot be "
		       "told, so no rates", what);
		return -1;
	}
	return 0;
}

/* --root FILE (a capture) or --root DIR1 --root DIR2: two snapshots. */
static int set_snapshots(const char *const *v, size_t n)
{
	struct sbx_err err;
	char what[2][4200], dir[4096];
	double up0, up1;

	if (n == 1) {
		struct capman m;
		struct root_capture c = { 0 };
		char d0[4200], d1[4200];
		time_t t;
		struct tm tm;

		/* unpacking is bounded work (CAPFILE_MAX_BYTES), slower on a
		 * TMPDIR on disk: more time than one report's */
		sbx_watchdog_extend(30);
		if (capfile_open(v[0], dir, sizeof(dir), &m, &err) < 0) {
			warnx_("--root %s", err.msg);
			return -1;
		}
		snprintf(d0, sizeof(d0), "%s/%s", dir, m.snap[0].dir);
		snprintf(d1, sizeof(d1), "%s/%s", dir, m.snap[m.nsnap - 1].dir);
		for (unsigned k = 0; k < m.nsnap; k++) {
			snprintf(what[0], sizeof(what[0]), "--root %s: snapshot %u", v[0], k + 1);
			if (root_check(k ? d1 : d0, what[0], true, &err) < 0) {
				warnx_("%s (the capture is incomplete)", err.msg);
				return -1;
			}
		}
		if (m.nsnap == 2)
			root_set_pair(d0, d1);
		else
			root_set(d0);
		snprintf(c.host, sizeof(c.host), "%s", m.host[0] ? m.host : "(host unknown)");
		t = (time_t)m.snap[0].time;
		if (m.snap[0].time > 0 && gmtime_r(&t, &tm))
			strftime(c.taken, sizeof(c.taken), "%Y-%m-%dT%H:%M:%SZ", &tm);
		else
			snprintf(c.taken, sizeof(c.taken), "(time unknown)");
		snprintf(c.file, sizeof(c.file), "%s", v[0]);
		root_set_capture(&c);
		warnx_filter(root_capture_text);
		if (m.nsnap == 1)
			return 0;
		snprintf(what[0], sizeof(what[0]), "--root %s: snapshot 1", v[0]);
		snprintf(what[1], sizeof(what[1]), "--root %s: snapshot 2", v[0]);
	} else {
		for (size_t k = 0; k < 2; k++) {
			snprintf(what[k], sizeof(what[k]), "--root %s", v[k]);
			if (root_check(v[k], what[k], true, &err) < 0) {
				warnx_("%s", err.msg);
				return -1;
			}
		}
		root_set_pair(v[0], v[1]);
	}
	if (pair_clock(0, what[0], &up0) < 0 || pair_clock(1, what[1], &up1) < 0)
		return -1;
	if (up1 <= up0) {
		warnx_("%s: its uptime (%.2fs) is not after the first snapshot's (%.2fs): give the "
		       "earlier one first, both from one boot of one node", what[1], up1, up0);
		return -1;
	}
	root_select(0);
	return 0;
}

/* Print s from column `indent` (where the cursor is), words wrapped
 * before column `width`, continuation lines indented the same. */
static void wrap(FILE *f, const char *s, int indent, int width)
{
	int col = indent;

	while (*s) {
		size_t w = strcspn(s, " ");

		if (col > indent && col + 1 + (int)w > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, w, f);
		col += (int)w;
		s += w;
		while (*s == ' ')
			s++;
	}
	fputc('\n', f);
}

/* "# what\ncommand\n..." as kubectl prints its examples: indented, a
 * blank line between them. */
static void help_examples(FILE *f, const char *ex)
{
	fputs("\nExamples:\n", f);
	for (const char *p = ex; *p;) {
		size_t n = strcspn(p, "\n");

		if (*p == '#' && p != ex)
			fputc('\n', f);
		fprintf(f, "  %.*s\n", (int)n, p);
		p += n;
		p += *p == '\n';
	}
}

/* The description, its lines joined and folded again at 80 columns, a
 * blank line kept between paragraphs. */
static void help_paragraphs(FILE *f, const char *text)
{
	struct buf b = { 0 };

	for (const char *p = text;; p++) {
		if (*p && !(p[0] == '\n' && p[1] == '\n')) {
			buf_addc(&b, *p == '\n' ? ' ' : *p);
			continue;
		}
		fputc('\n', f);
		wrap(f, b.s ? b.s : "", 0, 80);
		buf_reset(&b);
		if (!*p)
			break;
		p++;
	}
	buf_free(&b);
}

/* The applet's checks as one aligned table, widths from the catalogue. */
static void help_checks(FILE *f, const struct sbx_applet *a)
{
	int wid = 5, ww = 7, wc = 8, indent;

	for (const enum sbx_check_id *c = a->checks; *c != CHK_N; c++) {
		const struct sbx_check *k = &sbx_checks[*c];
		int n;

		wid = (n = (int)strlen(k->id)) > wid ? n : wid;
		n = k->warn_default ? (int)strlen(k->warn_default) : 1;
		ww = n > ww ? n : ww;
		n = k->crit_default ? (int)strlen(k->crit_default) : 1;
		wc = n > wc ? n : wc;
	}
	indent = 4 + wid + 2 + ww + 2 + wc + 2;
	fprintf(f, "\nChecks (-w/-c ID=RANGE; ranges as monitoring-plugins):\n");
	fprintf(f, "    %-*s  %-*s  %-*s  %s\n", wid, "CHECK", ww, "WARNING", wc, "CRITICAL", "WHAT");
	for (const enum sbx_check_id *c = a->checks; *c != CHK_N; c++) {
		const struct sbx_check *k = &sbx_checks[*c];

		fprintf(f, "    %-*s  %-*s  %-*s  ", wid, k->id, ww,
			k->warn_default ? k->warn_default : "-", wc,
			k->crit_default ? k->crit_default : "-");
		wrap(f, k->what, indent, 80);
	}
}

const char *opt_text(const struct sbx_applet *a, const struct sbx_opt *o)
{
	if (a && a->interval_help && o->dest == &o_interval)
		return a->interval_help;
	return o->help;
}

static void help_line(FILE *f, const struct sbx_applet *a, const struct sbx_opt *o)
{
	char left[64];
	int n;

	if (o->shortopt)
		n = snprintf(left, sizeof(left), "  -%c, --%s", o->shortopt, o->longopt);
	else
		n = snprintf(left, sizeof(left), "      --%s", o->longopt);
	if (o->arg && (size_t)n < sizeof(left))
		snprintf(left + n, sizeof(left) - (size_t)n, o->bare ? "[=%s]" : " %s", o->arg);
	if (strlen(left) > 26)
		fprintf(f, "%s\n%28s", left, "");
	else
		fprintf(f, "%-26s  ", left);
	wrap(f, opt_text(a, o), 28, 80);
}

void opt_help(FILE *f, const struct sbx_applet *a)
{
	const struct sbx_opt *tables[8];
	size_t nt = opt_tables(a, tables);
	static const char *const titles[] = { "Options", "Probe options", "Thresholds",
					      "Output options", "", "Kubernetes options" };

	fprintf(f, "Usage: %s %s\n\n", sbx_progname, a->usage);
	wrap(f, a->summary, 0, 80);
	if (a->examples)
		help_examples(f, a->examples);
	if (a->description)
		help_paragraphs(f, a->description);
	for (size_t i = 0; i < nt; i++) {
		const char *title = titles[4];

		if (tables[i] == a->opts)
			title = titles[0];
		else if (tables[i] == sbx_common_probe_opts)
			title = titles[1];
		else if (tables[i] == sbx_common_check_opts)
			title = titles[2];
		else if (tables[i] == sbx_common_output_opts)
			title = titles[3];
		else if (tables[i] == sbx_common_k8s_opts)
			title = titles[5];
		fprintf(f, "\n%s%s", title, *title ? ":\n" : "");
		for (const struct sbx_opt *o = tables[i]; o->longopt; o++)
			if (opt_offered(a, o))
				help_line(f, a, o);
		if (tables[i] == sbx_common_check_opts)
			help_checks(f, a);
	}
	if (a->flags & AP_OUTPUT)
		fprintf(f, "\nExit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n");
	fprintf(f, "Full documentation: man srebox-%s\n", a->name);
}

static void mdoc_text(FILE *f, const char *s)
{
	/* a line must not start with a dot or quote; backslashes doubled */
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

void checks_print(FILE *f, const struct sbx_applet *a, bool mdoc)
{
	if (mdoc)
		fputs(".Bl -tag -width Ds\n", f);
	for (int i = 0; i < CHK_N; i++) {
		const struct sbx_check *k = &sbx_checks[i];

		if (a && !sbx_has_check(a, (enum sbx_check_id)i))
			continue;
		if (!mdoc) {
			fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\n", k->id, k->uom,
				k->warn_default ? k->warn_default : "-",
				k->crit_default ? k->crit_default : "-", k->what, k->source);
			continue;
		}
		fprintf(f, ".It %s\n", k->id);
		mdoc_text(f, k->what);
		fputs(".\n", f);
		if (k->warn_default || k->crit_default) {
			fputs("Default warning\n", f);
			fprintf(f, ".Li %s ,\n", k->warn_default ? k->warn_default : "none");
			fputs("critical\n", f);
			fprintf(f, ".Li %s :\n", k->crit_default ? k->crit_default : "none");
		}
		mdoc_text(f, k->source);
		fputs(".\n", f);
		/* the metric's name is part of the interface: say it here */
		if (k->metric)
			fprintf(f, "Prometheus:\n.Li srebox_check_%s Ns { Ns Li applet , subject Ns } ,\n"
				"and its state in\n.Li srebox_check_state .\n", k->metric);
	}
	if (mdoc)
		fputs(".El\n", f);
}
