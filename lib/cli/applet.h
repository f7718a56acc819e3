/* What an applet is, and what the dispatcher hands it.  The option table is
 * the one description of each option: getopt_long, --help, the shell
 * completions and the man-page drift test all read it. */
#ifndef SREBOX_APPLET_H
#define SREBOX_APPLET_H

#include "check.h"
#include "k8s_config.h"
#include "render.h"
#include "report.h"

enum opt_type {
	OPT_FLAG,		/* bool *dest = true */
	OPT_STRING,		/* const char **dest */
	OPT_UINT,		/* unsigned *dest */
	OPT_DOUBLE,		/* double *dest */
	OPT_SECONDS,		/* double *dest, "1.5", "500ms", "2m" */
	OPT_CHOICE,		/* const char **dest, one of `choices` */
	OPT_CALL,		/* cb(arg) */
	OPT_LIST,		/* append to struct opt_list *dest (repeatable) */
};

struct opt_list {
	const char **v;
	size_t n, alloc;
};

struct sbx_opt {
	int shortopt;		/* 0: long only */
	const char *longopt;
	enum opt_type type;
	void *dest;
	const char *arg;	/* argument name for help, "SECONDS" */
	const char *help;
	/* Completion of the argument: "files", "dirs", "nodes", or for
	 * OPT_CHOICE the choices, space separated. */
	const char *complete;
	int (*cb)(const char *arg);	/* OPT_CALL; nonzero = bad argument */
	/* The value of the option given bare (--dry-run for --dry-run=client,
	 * as kubectl takes it): the argument is then optional and only
	 * --opt=VALUE gives one.  NULL: the argument is required. */
	const char *bare;
	/* A short letter it used to have, still accepted with a note on
	 * stderr for runbooks that spell it so; 0: none. */
	int oldshort;
};
#define OPT_END { 0, NULL, OPT_FLAG, NULL, NULL, NULL, NULL, NULL }

/* Applet flags */
#define AP_PROBE 0x01		/* --root, -i, -n: reads /proc and /sys */
#define AP_OUTPUT 0x02		/* -o FORMAT, --color, --textfile */
#define AP_K8S 0x04		/* --kubeconfig, --context, ... */
#define AP_COMMAND 0x08		/* options end at the first operand: retry [OPTS] -- CMD ARGS */

struct sbx_ctx;

struct sbx_applet {
	const char *name;
	const char *summary;	/* one line: --list, man NAME */
	const char *usage;	/* after "srebox NAME ": "[OPTIONS] [PATH...]" */
	const char *description;	/* --help paragraph */
	/* --help starts with these, kubectl's way: "# what it answers\n"
	 * then the command line(s), each pair from a real incident; NULL: none */
	const char *examples;
	/* The -o formats it renders, space separated; NULL: all six.  An
	 * applet with no wide column leaves out "wide": -o wide is then
	 * refused, and the completions do not offer it. */
	const char *formats;
	unsigned flags;
	const struct sbx_opt *opts;
	/* The checks of the catalogue it judges, CHK_N-terminated, or NULL;
	 * -w/-c RANGE without an id sets the first one. */
	const enum sbx_check_id *checks;
	const char *args_complete;	/* completion of positional arguments ("files", "dirs",
					 * "commands", "cmd:ARGS", or the words) */
	int (*run)(struct sbx_ctx *ctx);
	/* An AP_PROBE applet that has no use for -n (capture: always one
	 * pair of snapshots): why, said when -n is given (exit 3); -n is then
	 * left out of its --help and completions.  NULL: it takes -n. */
	const char *count_refused;
	/* -i's text in its --help and completions, where its default or its
	 * meaning is not the shared one (0.5 s; 0: since boot); NULL: that. */
	const char *interval_help;
};

struct sbx_ctx {
	const struct sbx_applet *applet;
	enum sbx_format format;
	bool format_given;
	bool color;
	int width;		/* the table view's terminal width; 0: a pipe, full rows */
	bool verbose;		/* -v: every check on a terminal, the OK ones too */
	const char *textfile;
	double interval;	/* 0: one snapshot since boot */
	bool interval_given;
	unsigned count;		/* reports to print; 0 = until interrupted */
	char **args;		/* positional arguments */
	int nargs;
	volatile int *stop;	/* set by SIGINT/SIGTERM */
	struct sbx_kube_opts kube;	/* AP_K8S */
	enum sbx_state worst;
	unsigned emitted;
	bool write_failed;
	/* set by an applet before its first report (nodes) */
	bool no_headers;	/* --no-headers: table rows alone */
	bool verdict_stderr;	/* summary and findings of parts on stderr (stdout a pipe) */
	bool discard;		/* srebox capture: run for the reads, print nothing */
	bool refused;		/* the format does not apply: nothing printed, exit 3 */
	size_t *compact_width;	/* -i -n: the widths of the line per interval so far */
	/* srebox top keeps this many rows of a table, by its sort column (0:
	 * all): a builder may leave out of the others what costs a read */
	size_t rows_kept;
};

/* Render a report in the chosen format (and to --textfile), fold its state
 * into the exit status, free it. */
void sbx_emit(struct sbx_ctx *ctx, struct sbx_report *r);

/* Render the rows the report's tables hold now and free them, for lists
 * too long to hold (every chunk of a chunked Kubernetes list): memory then
 * holds one chunk whatever the cluster size.  sbx_emit() renders the rest
 * and must follow.  Works in every format (render_part in report.h). */
void sbx_flush(struct sbx_ctx *ctx, struct sbx_report *r);

/* Whether the running applet declares check id (-w/-c ID= accept only those). */
bool sbx_has_check(const struct sbx_applet *a, enum sbx_check_id id);

/* Whether anything will print the report's tables (not for a lone
 * -o check line): applets skip building what nobody reads. */
bool sbx_wants_tables(const struct sbx_ctx *ctx);

/* Wait for the next sample; false when interrupted. */
bool sbx_wait(struct sbx_ctx *ctx, double seconds);

/* The run's deadline (watchdog.c): started for every probe applet with
 * --deadline seconds; each stretch of work between waits must end within
 * it, or the run ends with exit 3 saying what it was doing.  An applet
 * with longer work of its own (a --top walk) extends it; sbx_wait pauses
 * it while sleeping. */
#define SBX_DEADLINE_DEFAULT 10.0
void sbx_watchdog_start(const char *applet, double seconds);
void sbx_watchdog_extend(double seconds);
void sbx_watchdog_pause(bool paused);
/* Called (async-signal-safe work only) just before the watchdog ends the
 * run: srebox top gives the terminal back. */
void sbx_watchdog_on_fire(void (*fn)(void));
/* Split the run when --root may wait on a server: returns in the child,
 * which does the work with guarded reads (root_guard); the parent relays
 * its output and exits with its status, or with 3 when its watchdog
 * fires (watchdog.c).  A child left stuck on the root is recorded, and a
 * later run over the same root ends at once, saying so. */
void sbx_supervise(const char *applet, const char *root);

/* The -o formats applet a takes, space separated. */
const char *applet_formats(const struct sbx_applet *a);

/* Option machinery (lib/opt.c) */
extern const struct sbx_opt sbx_common_output_opts[];
extern const struct sbx_opt sbx_common_probe_opts[];
extern const struct sbx_opt sbx_common_check_opts[];
extern const struct sbx_opt sbx_common_k8s_opts[];

/* All option tables that apply to an applet, in help order (at most 8). */
size_t opt_tables(const struct sbx_applet *a, const struct sbx_opt **out);
/* Whether option o of those tables is one a takes (-n with count_refused is not). */
bool opt_offered(const struct sbx_applet *a, const struct sbx_opt *o);
/* Option o's text for applet a (its own -i text, or the table's). */
const char *opt_text(const struct sbx_applet *a, const struct sbx_opt *o);

/* Parse argv for applet `a` into ctx and the applet's own option
 * destinations.  Returns 0, or 3 after printing a usage error. */
int opt_parse(const struct sbx_applet *a, struct sbx_ctx *ctx, int argc, char **argv);
void opt_help(FILE *f, const struct sbx_applet *a);

/* The catalogue's checks of applet a (all when a is NULL): a line each,
 * tab-separated (id, uom, warning, critical, what, source), or as the mdoc
 * list the man pages carry between their generated-checks markers. */
void checks_print(FILE *f, const struct sbx_applet *a, bool mdoc);

/* Shell completions for the whole registry. */
void completions_print(FILE *f, const char *shell, const struct sbx_applet *const *applets,
		       size_t n);
/* srebox --complete WHAT APPLET WORDS...: the names a completion menu
 * offers from the cluster (WHAT: nodes, contexts, namespaces, pods), with
 * the kubectl options among WORDS (what was typed after APPLET). */
int completions_cluster(const char *what, const struct sbx_applet *a, int n, char **words);

#endif
