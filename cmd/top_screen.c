/* srebox top's screen: draws the model (cmd/top.h) with ncursesw, loaded
 * with dlopen so that no other applet pays for it at start.  Only the
 * curses macros that expand to constants are used from the header; every
 * function and stdscr come through the table below.
 *
 * The terminal is always given back: q, Ctrl-C, SIGTERM and SIGHUP end the
 * loop and call endwin(); a fatal signal or the --deadline watchdog restore
 * the termios saved at the start (async-signal-safe) before the process
 * ends. */
#include "applet.h"
#include "top.h"
#include "dl.h"
#include "toprec.h"

#include <curses.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static struct {
	WINDOW *(*f_initscr)(void);
	int (*f_endwin)(void);
	int (*f_cbreak)(void);
	int (*f_noecho)(void);
	int (*f_keypad)(WINDOW *, bool);
	void (*f_wtimeout)(WINDOW *, int);
	int (*f_wgetch)(WINDOW *);
	int (*f_werase)(WINDOW *);
	int (*f_wrefresh)(WINDOW *);
	int (*f_wmove)(WINDOW *, int, int);
	int (*f_waddnstr)(WINDOW *, const char *, int);
	int (*f_wattr_on)(WINDOW *, attr_t, void *);
	int (*f_wattr_off)(WINDOW *, attr_t, void *);
	int (*f_wclrtoeol)(WINDOW *);
	int (*f_start_color)(void);
	bool (*f_has_colors)(void);
	int (*f_use_default_colors)(void);
	int (*f_init_pair)(short, short, short);
	int (*f_getmaxx)(const WINDOW *);
	int (*f_getmaxy)(const WINDOW *);
	int (*f_curs_set)(int);
	WINDOW **f_stdscr;
} nc;

static struct termios saved_tio;
static bool have_tio;
static volatile sig_atomic_t screen_on;
static bool color;

static void restore_tty(void)
{
	if (screen_on && have_tio) {
		static const char reset[] = "\033[?1049l\033[?25h\033[0m\r\n";

		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
		(void)!write(STDOUT_FILENO, reset, sizeof(reset) - 1);
	}
}

static void on_fatal(int sig)
{
	restore_tty();
	signal(sig, SIG_DFL);
	raise(sig);
}

static volatile int *stop_flag;
static void on_stop(int sig)
{
	if (stop_flag && *stop_flag) {
		/* the second one: the loop did not end in time */
		restore_tty();
		_exit(128 + sig);
	}
	if (stop_flag)
		*stop_flag = sig;
	sleep_wake();
}

static bool nc_load(struct sbx_err *err)
{
	static const char *const sonames[] = { "libncursesw.so.6", "libncursesw.so.5",
					       "libncursesw.so", NULL };
	const struct dl_sym syms[] = {
		{ "initscr", (void **)&nc.f_initscr },	{ "endwin", (void **)&nc.f_endwin },
		{ "cbreak", (void **)&nc.f_cbreak },	{ "noecho", (void **)&nc.f_noecho },
		{ "keypad", (void **)&nc.f_keypad },	{ "wtimeout", (void **)&nc.f_wtimeout },
		{ "wgetch", (void **)&nc.f_wgetch },	{ "werase", (void **)&nc.f_werase },
		{ "wrefresh", (void **)&nc.f_wrefresh },	{ "wmove", (void **)&nc.f_wmove },
		{ "waddnstr", (void **)&nc.f_waddnstr },	{ "wattr_on", (void **)&nc.f_wattr_on },
		{ "wattr_off", (void **)&nc.f_wattr_off }, { "wclrtoeol", (void **)&nc.f_wclrtoeol },
		{ "start_color", (void **)&nc.f_start_color }, { "has_colors", (void **)&nc.f_has_colors },
		{ "use_default_colors", (void **)&nc.f_use_default_colors },
		{ "init_pair", (void **)&nc.f_init_pair }, { "getmaxx", (void **)&nc.f_getmaxx },
		{ "getmaxy", (void **)&nc.f_getmaxy },	{ "curs_set", (void **)&nc.f_curs_set },
		{ "stdscr", (void **)&nc.f_stdscr },
	};

	return dl_load(sonames, syms, ARRAY_SIZE(syms), "libncursesw6", err) != NULL;
}

/* --- drawing ------------------------------------------------------------- */

enum { PAIR_OK = 1, PAIR_WARN, PAIR_CRIT, PAIR_UNKNOWN, PAIR_HEAD };

struct ui {
	struct top_view *v;
	size_t pane;
	int sort_col;		/* -1: the pane's default */
	bool reverse;
	char filter[64];
	char cpuset[64];
	bool cpu_in[4096];
	bool help;
	char prompt_label[32];
	char prompt[64];
	int prompting;		/* 0, '/', 'c', 't', 'i' */
	char msg[160];
	int w, h, row;
};

static WINDOW *scr(void)
{
	return *nc.f_stdscr;
}

static attr_t state_attr(enum sbx_state s)
{
	if (!color)
		return s == ST_OK ? A_NORMAL : A_BOLD | (s == ST_CRITICAL ? A_REVERSE : 0);
	switch (s) {
	case ST_OK: return COLOR_PAIR(PAIR_OK);
	case ST_WARNING: return COLOR_PAIR(PAIR_WARN) | A_BOLD;
	case ST_CRITICAL: return COLOR_PAIR(PAIR_CRIT) | A_BOLD;
	default: return COLOR_PAIR(PAIR_UNKNOWN) | A_BOLD;
	}
}

/* Text at the current row from column x, cut at the screen's width. */
static int put(struct ui *u, int x, attr_t a, const char *s)
{
	int n = (int)strlen(s);

	if (u->row >= u->h || x >= u->w)
		return x;
	if (n > u->w - x)
		n = (int)utf8_boundary(s, (size_t)(u->w - x));
	nc.f_wmove(scr(), u->row, x);
	if (a)
		nc.f_wattr_on(scr(), a, NULL);
	nc.f_waddnstr(scr(), s, n);
	if (a)
		nc.f_wattr_off(scr(), a, NULL);
	return x + n;
}

static void newline(struct ui *u)
{
	u->row++;
}

static const char *sstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static double num(const json_t *o, const char *k, bool *ok)
{
	const json_t *v = json_object_get(o, k);

	*ok = json_is_number(v);
	return *ok ? json_number_value(v) : NAN;
}

static void fmt_field(char *out, size_t n, const json_t *o, const char *k, char f)
{
	top_cell_text(json_object_get(o, k), f, out, n);
}

static void draw_header(struct ui *u, const json_t *fr)
{
	const json_t *node = json_object_get(fr, "node");
	enum sbx_state st = top_state_of(fr);
	char a[64], b[64], c[64], d[64], e[64], line[512];
	bool ok;
	double load = num(node, "load1", &ok);

	u->row = 0;
	snprintf(line, sizeof(line), " %s ", json_string_value(json_object_get(fr, "state")) ?: "UNKNOWN");
	int x = put(u, 0, state_attr(st) | A_REVERSE, line);
	if (u->v->replay)
		snprintf(line, sizeof(line), " %s  sample %zu/%zu  every %gs  replay of %s", sstr(fr, "time"),
			 u->v->cur + 1, u->v->nframes, num(fr, "interval_seconds", &ok), u->v->source);
	else
		snprintf(line, sizeof(line), " %s %s every %gs  %s", sstr(fr, "time"),
			 u->v->paused ? " PAUSED " : "", u->v->interval, u->v->source);
	put(u, x, 0, line);
	newline(u);
	fmt_field(a, sizeof(a), node, "cpus", 'n');
	fmt_field(b, sizeof(b), node, "procs_running", 'n');
	fmt_field(c, sizeof(c), node, "context_switches_per_second", 'r');
	fmt_field(d, sizeof(d), node, "interrupts_per_second", 'r');
	fmt_field(e, sizeof(e), node, "cpu_steal_ratio", 'p');
	{
		char l1[32];

		snprintf(l1, sizeof(l1), isfinite(load) ? "%.2f" : "-", load);
		snprintf(line, sizeof(line), "load %s on %s CPU%s  run %s  cs %s/s  intr %s/s  steal %s", l1,
			 a, num(node, "cpus", &ok) == 1 ? "" : "s", b, c, d, e);
	}
	put(u, 0, 0, line);
	newline(u);
	{
		char ps[6][24];
		static const char *const keys[] = { "psi_cpu_some_avg10_ratio", "psi_memory_some_avg10_ratio",
						    "psi_memory_full_avg10_ratio", "psi_io_some_avg10_ratio",
						    "psi_io_full_avg10_ratio", "memory_available_bytes" };

		for (size_t i = 0; i < 6; i++)
			fmt_field(ps[i], sizeof(ps[i]), node, keys[i], i == 5 ? 'b' : 'p');
		fmt_field(a, sizeof(a), node, "memory_total_bytes", 'b');
		snprintf(line, sizeof(line), "PSI cpu %s  mem %s/%s  io %s/%s  mem avail %s of %s", ps[0],
			 ps[1], ps[2], ps[3], ps[4], ps[5], a);
		if (json_is_number(json_object_get(node, "kubelet_memory_available_bytes"))) {
			fmt_field(b, sizeof(b), node, "kubelet_memory_available_bytes", 'b');
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
				 "  kubelet memory.available %s", b);
		}
		put(u, 0, 0, line);
		newline(u);
	}
}

/* The per-CPU strip: a cell per CPU while they fit in two lines, else a
 * heat strip of one character per CPU (or per group of CPUs, their max). */
static void draw_cpus(struct ui *u, const json_t *fr)
{
	const json_t *cpus = json_object_get(fr, "cpus");
	size_t n = json_array_size(cpus), shown = 0, i;
	const json_t *c;
	int x = 0, lines = 2, cell = 22;
	static const char heat[] = " .:-=+*#%@";

	json_array_foreach(cpus, i, c) {
		const char *id = sstr(c, "cpu");
		long k = strtol(id, NULL, 10);

		if (u->cpuset[0] && (k < 0 || k >= 4096 || !u->cpu_in[k] || !strcmp(id, "all")))
			continue;
		shown++;
	}
	if (!shown) {
		put(u, 0, 0, n ? "CPUs: none in the CPU set" : "CPUs: unknown (no /proc/stat)");
		newline(u);
		return;
	}
	if (shown * (size_t)cell <= (size_t)u->w * (size_t)lines) {
		json_array_foreach(cpus, i, c) {
			const char *id = sstr(c, "cpu");
			long k = strtol(id, NULL, 10);
			char t[64], b[16], q[16], s[16];
			bool ok;
			double busy = num(c, "busy", &ok);

			if (u->cpuset[0] && (k < 0 || k >= 4096 || !u->cpu_in[k] || !strcmp(id, "all")))
				continue;
			fmt_field(b, sizeof(b), c, "busy", 'p');
			fmt_field(q, sizeof(q), c, "irq", 'p');
			fmt_field(s, sizeof(s), c, "steal", 'p');
			snprintf(t, sizeof(t), "%-4s%5s i%-4s s%-4s", !strcmp(id, "all") ? "all" : id, b, q, s);
			if (x + cell > u->w) {
				newline(u);
				x = 0;
			}
			put(u, x, ok && busy >= 0.9 ? A_BOLD : 0, t);
			x += cell;
		}
		newline(u);
		return;
	}
	{
		size_t per = (shown + (size_t)(u->w - 6) * 2 - 1) / ((size_t)(u->w - 6) * 2), k = 0;
		char line[1024];
		int len = snprintf(line, sizeof(line), "CPU%s ", per > 1 ? "s" : "");
		double mx = 0;

		json_array_foreach(cpus, i, c) {
			const char *id = sstr(c, "cpu");
			long cpu = strtol(id, NULL, 10);
			bool ok;
			double busy;

			if (!strcmp(id, "all") ||
			    (u->cpuset[0] && (cpu < 0 || cpu >= 4096 || !u->cpu_in[cpu])))
				continue;
			busy = num(c, "busy", &ok);
			if (ok && busy > mx)
				mx = busy;
			if (++k % per && i + 1 < n)
				continue;
			if (len < (int)sizeof(line) - 1)
				line[len++] = heat[mx >= 1 ? 9 : (int)(mx * 10)];
			mx = 0;
			if (len - 5 >= u->w - 6) {
				line[len] = 0;
				put(u, 0, 0, line);
				newline(u);
				len = snprintf(line, sizeof(line), "     ");
			}
		}
		line[len] = 0;
		put(u, 0, 0, line);
		newline(u);
		snprintf(line, sizeof(line), "     busy: ' '<10%% '.'<20%% ... '@'>=90%%%s",
			 per > 1 ? " (max of each group of CPUs)" : "");
		put(u, 0, 0, line);
		newline(u);
	}
}

static int draw_findings(struct ui *u, const json_t *fr, int max)
{
	const json_t *fs = json_object_get(fr, "findings"), *f;
	size_t i, bad = 0;
	int shown = 0;
	char line[1024];

	json_array_foreach(fs, i, f)
		if (top_state_of(f) != ST_OK)
			bad++;
	snprintf(line, sizeof(line), "%zu of %zu check%s not OK%s", bad, json_array_size(fs),
		 plural(json_array_size(fs), "s"),
		 bad ? ", worst first:" : "");
	put(u, 0, A_BOLD, line);
	newline(u);
	for (int pass = ST_CRITICAL; pass >= 0 && shown < max; pass--) {
		/* CRITICAL, then WARNING, then UNKNOWN */
		enum sbx_state want = pass == 2 ? ST_CRITICAL : pass == 1 ? ST_WARNING : ST_UNKNOWN;

		json_array_foreach(fs, i, f) {
			int x;

			if (top_state_of(f) != want || shown >= max)
				continue;
			snprintf(line, sizeof(line), "%-8s", sstr(f, "state"));
			x = put(u, 1, state_attr(want), line);
			snprintf(line, sizeof(line), " %s: %s", sstr(f, "check"), sstr(f, "text"));
			put(u, x, 0, line);
			newline(u);
			shown++;
		}
	}
	return shown;
}

static bool row_passes(const struct ui *u, const struct top_pane *p, const json_t *row)
{
	if (u->filter[0]) {
		bool hit = false;

		for (size_t c = 0; c < p->ncols && !hit; c++) {
			const char *s = json_string_value(json_object_get(row, p->cols[c].key));

			hit = s && strcasestr(s, u->filter);
		}
		if (!hit)
			return false;
	}
	if (u->cpuset[0] && p->cpu_key) {
		const json_t *v = json_object_get(row, p->cpu_key);
		long k = json_is_integer(v) ? (long)json_integer_value(v) : -1;

		if (k < 0 || k >= 4096 || !u->cpu_in[k])
			return false;
	}
	return true;
}

static const struct ui *sort_ui;
static const struct top_pane *sort_pane;

static int cmp_rows(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	const char *key = sort_ui->sort_col >= 0 ? sort_pane->cols[sort_ui->sort_col].key : sort_pane->sort;
	const json_t *vx = json_object_get(x, key), *vy = json_object_get(y, key);
	int r;

	if (json_is_number(vx) || json_is_number(vy)) {
		double dx = json_is_number(vx) ? json_number_value(vx) : -INFINITY;
		double dy = json_is_number(vy) ? json_number_value(vy) : -INFINITY;

		r = dx < dy ? 1 : dx > dy ? -1 : 0;	/* biggest first */
	} else {
		r = strcmp(json_string_value(vx) ?: "", json_string_value(vy) ?: "");
	}
	return sort_ui->reverse ? -r : r;
}

static void draw_pane(struct ui *u, const json_t *fr)
{
	const struct top_pane *p = &top_panes[u->pane];
	const json_t *rows = json_object_get(json_object_get(fr, "panes"), p->name);
	size_t n = json_array_size(rows), k = 0;
	const json_t **v = xcalloc(n ? n : 1, sizeof(*v));
	char line[2048];
	int x = 0, len;

	for (size_t i = 0; i < top_npanes; i++) {
		snprintf(line, sizeof(line), "%zu:%s", i + 1, top_panes[i].name);
		x = put(u, x, i == u->pane ? A_REVERSE | A_BOLD : 0, line) + 1;
	}
	newline(u);
	snprintf(line, sizeof(line), "%s%s%s%s%s, sorted by %s%s", p->title,
		 u->filter[0] ? "  filter: " : "", u->filter, u->cpuset[0] ? "  CPUs: " : "", u->cpuset,
		 u->sort_col >= 0 ? p->cols[u->sort_col].head : "default",
		 u->reverse ? " (reversed)" : "");
	put(u, 0, A_BOLD, line);
	newline(u);
	top_row_text(p, NULL, line, sizeof(line));
	len = (int)strlen(line);
	if (len < u->w && len < (int)sizeof(line) - 1)
		snprintf(line + len, sizeof(line) - (size_t)len, "%*s", u->w - len, "");
	put(u, 0, color ? COLOR_PAIR(PAIR_HEAD) | A_REVERSE : A_REVERSE, line);
	newline(u);
	for (size_t i = 0; i < n; i++)
		if (row_passes(u, p, json_array_get(rows, i)))
			v[k++] = json_array_get(rows, i);
	sort_ui = u;
	sort_pane = p;
	if (k)
		qsort(v, k, sizeof(*v), cmp_rows);
	for (size_t i = 0; i < k && u->row < u->h - 1; i++) {
		top_row_text(p, v[i], line, sizeof(line));
		put(u, 0, 0, line);
		newline(u);
	}
	if (!k) {
		/* a live screen makes the shown pane's report alone */
		put(u, 0, 0, n ? "  (no row passes the filter)" : rows ? "  (nothing to show)"
			     : u->v->paused ? "  (not made while paused: p resumes)"
					    : "  (made at the next sample)");
		newline(u);
	}
	free(v);
}

static const char *const help_lines[] = {
	"srebox top keys",
	"  q            quit",
	"  ?            this help (any key closes it)",
	"  Tab, 1-9, 0  next pane, or pane N (cpu mem irq softirq cswitch throttle disk net tcp; 0 fs)",
	"  Left, Right  previous, next pane",
	"  s            sort by the next column (S: previous); r reverses the order",
	"  /            filter rows by name, pod or cgroup (empty: no filter)",
	"  c            show one CPU set only (\"0-3,8\"; empty: every CPU)",
	"  p, space     pause or resume (live); in a replay, step on to the next sample",
	"  + -          double or halve the interval (live)",
	"  Esc          clear the filter and the CPU set",
	"replay only:",
	"  n, .         next sample      b, ,  previous sample",
	"  N            next sample that is not OK",
	"  t            jump to a time (\"10m ago\", \"05:17\", \"2026-12-02T05:17:57Z\")",
	"  Home, End    first, last sample",
	NULL,
};

static void draw(struct ui *u)
{
	const json_t *fr = u->v->nframes ? u->v->frames[u->v->cur] : NULL;
	int left;

	nc.f_werase(scr());
	u->w = nc.f_getmaxx(scr());
	u->h = nc.f_getmaxy(scr());
	u->row = 0;
	if (u->help) {
		for (size_t i = 0; help_lines[i]; i++) {
			put(u, 0, i == 0 ? A_BOLD : 0, help_lines[i]);
			newline(u);
		}
		nc.f_wrefresh(scr());
		return;
	}
	if (!fr) {
		put(u, 0, 0, "srebox top: taking the first sample...");
		nc.f_wrefresh(scr());
		return;
	}
	draw_header(u, fr);
	if (json_is_string(json_object_get(fr, "note"))) {
		put(u, 0, 0, sstr(fr, "note"));
		newline(u);
	}
	if (u->w < 80 || u->h < 24) {
		/* small: the verdict (above) and the worst findings only */
		draw_findings(u, fr, u->h - u->row - 2);
	} else {
		draw_cpus(u, fr);
		left = u->h - u->row;
		draw_findings(u, fr, left / 3 > 2 ? left / 3 : 2);
		draw_pane(u, fr);
	}
	u->row = u->h - 1;
	if (u->prompting) {
		char line[160];

		snprintf(line, sizeof(line), "%s: %s", u->prompt_label, u->prompt);
		put(u, 0, A_BOLD, line);
		nc.f_wclrtoeol(scr());
		nc.f_curs_set(1);
	} else {
		put(u, 0, u->msg[0] ? A_BOLD : A_REVERSE,
		    u->msg[0] ? u->msg : "? help  q quit  Tab pane  s sort  / filter  c CPUs  p pause");
		nc.f_curs_set(0);
	}
	nc.f_wrefresh(scr());
}

/* --- keys ---------------------------------------------------------------- */

static bool parse_cpuset(struct ui *u, const char *s)
{
	char *copy = xstrdup(s), *save = NULL;
	bool ok = true;

	memset(u->cpu_in, 0, sizeof(u->cpu_in));
	for (char *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save)) {
		char *end;
		long a = strtol(t, &end, 10), b = a;

		if (end == t)
			ok = false;
		else if (*end == '-')
			b = strtol(end + 1, &end, 10);
		if (*end || a < 0 || b < a || b >= 4096)
			ok = false;
		for (long k = a; ok && k <= b; k++)
			u->cpu_in[k] = true;
	}
	free(copy);
	return ok;
}

static void prompt_done(struct ui *u)
{
	int what = u->prompting;

	u->prompting = 0;
	u->msg[0] = 0;
	switch (what) {
	case '/':
		snprintf(u->filter, sizeof(u->filter), "%s", u->prompt);
		break;
	case 'c':
		if (!u->prompt[0]) {
			u->cpuset[0] = 0;
		} else if (parse_cpuset(u, u->prompt)) {
			snprintf(u->cpuset, sizeof(u->cpuset), "%s", u->prompt);
		} else {
			u->cpuset[0] = 0;
			snprintf(u->msg, sizeof(u->msg), "not a CPU list: '%s' (0-3,8)", u->prompt);
		}
		break;
	case 't': {
		double t;
		size_t i;

		if (!toprec_when(u->prompt, now_realtime(), &t)) {
			snprintf(u->msg, sizeof(u->msg), "not a time: '%s'", u->prompt);
		} else if ((i = top_find_time(u->v, t)) == u->v->nframes) {
			snprintf(u->msg, sizeof(u->msg), "the recording ends before %s", u->prompt);
		} else {
			u->v->cur = i;
		}
		break;
	}
	default:
		break;
	}
}

static void prompt_start(struct ui *u, int what, const char *label, const char *init)
{
	u->prompting = what;
	snprintf(u->prompt_label, sizeof(u->prompt_label), "%s", label);
	snprintf(u->prompt, sizeof(u->prompt), "%s", init);
}

static void prompt_key(struct ui *u, int ch)
{
	size_t n = strlen(u->prompt);

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		prompt_done(u);
	else if (ch == 27)
		u->prompting = 0;
	else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n)
		u->prompt[n - 1] = 0;
	else if (ch >= 32 && ch < 127 && n + 1 < sizeof(u->prompt))
		u->prompt[n] = (char)ch, u->prompt[n + 1] = 0;
}

/* Returns false to quit. */
static bool key(struct ui *u, int ch, double *next_at)
{
	struct top_view *v = u->v;
	int ncols = (int)top_panes[u->pane].ncols;

	if (u->prompting) {
		prompt_key(u, ch);
		return true;
	}
	if (u->help) {
		u->help = false;
		return ch != 'q';
	}
	u->msg[0] = 0;
	switch (ch) {
	case 'q':
		return false;
	case '?':
		u->help = true;
		break;
	case '\t':
	case KEY_RIGHT:
		u->pane = (u->pane + 1) % top_npanes;
		u->sort_col = -1;
		break;
	case KEY_BTAB:
	case KEY_LEFT:
		u->pane = (u->pane + top_npanes - 1) % top_npanes;
		u->sort_col = -1;
		break;
	case 's':
		u->sort_col = u->sort_col + 1 >= ncols ? -1 : u->sort_col + 1;
		break;
	case 'S':
		u->sort_col = u->sort_col < 0 ? ncols - 1 : u->sort_col - 1;
		break;
	case 'r':
		u->reverse = !u->reverse;
		break;
	case '/':
		prompt_start(u, '/', "filter (name, pod, cgroup)", u->filter);
		break;
	case 'c':
		prompt_start(u, 'c', "CPUs (0-3,8; empty: all)", u->cpuset);
		break;
	case 27:
		u->filter[0] = 0;
		u->cpuset[0] = 0;
		break;
	case 'p':
	case ' ':
		if (v->replay) {
			if (v->cur + 1 < v->nframes)
				v->cur++;
			else
				snprintf(u->msg, sizeof(u->msg), "the last sample");
		} else {
			v->paused = !v->paused;
		}
		break;
	case '+':
		if (!v->replay && v->interval < 3600) {
			v->interval *= 2;
			*next_at = now_monotonic() + v->interval;
		}
		break;
	case '-':
		if (!v->replay && v->interval > 0.2) {
			v->interval /= 2;
			*next_at = now_monotonic() + v->interval;
		}
		break;
	case 'n':
	case '.':
		if (v->replay && v->cur + 1 < v->nframes)
			v->cur++;
		break;
	case 'b':
	case ',':
		if (v->replay && v->cur > 0)
			v->cur--;
		break;
	case 'N':
		if (v->replay) {
			size_t i = top_find_bad(v, v->cur);

			if (i < v->nframes)
				v->cur = i;
			else
				snprintf(u->msg, sizeof(u->msg), "no sample after this one is not OK");
		}
		break;
	case 't':
		if (v->replay)
			prompt_start(u, 't', "jump to (10m ago, 05:17, 2026-12-02T05:17:57Z)", "");
		break;
	case KEY_HOME:
		if (v->replay)
			v->cur = 0;
		break;
	case KEY_END:
		if (v->replay)
			v->cur = v->nframes - 1;
		break;
	default:
		if (ch >= '0' && ch <= '9' && (size_t)(ch == '0' ? 9 : ch - '1') < top_npanes) {
			u->pane = (size_t)(ch == '0' ? 9 : ch - '1');
			u->sort_col = -1;
		}
		break;
	}
	return true;
}

/* The next key, or ERR after `wait` seconds.  One poll of the terminal
 * and of the stop signal's pipe: a wait in ncurses' wgetch would not end on
 * the signal, and looking at the flag four times a second woke top eight
 * times an interval for nothing.  A signal (SIGWINCH) ends the poll too,
 * and wgetch then says KEY_RESIZE. */
static int next_key(double wait)
{
	struct pollfd p[2] = { { STDIN_FILENO, POLLIN, 0 }, { sleep_wake_fd(), POLLIN, 0 } };
	int ms = wait > 0 ? (int)(wait * 1000) + 1 : 0;

	if (p[1].fd < 0 && ms > 250)
		ms = 250;	/* no pipe: look at the stop flag four times a second */
	if (ms > 0 && poll(p, p[1].fd < 0 ? 1 : 2, ms) == 0)
		return ERR;
	if ((p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) && !(p[0].revents & POLLIN)) {
		/* a terminal gone (SIGHUP is on its way): do not spin */
		struct timespec ts = { 0, 100 * 1000000L };

		nanosleep(&ts, NULL);
		return ERR;
	}
	nc.f_wtimeout(scr(), 0);
	return nc.f_wgetch(scr());
}

int top_screen(struct top_view *v)
{
	struct sbx_err err;
	struct ui u = { .v = v, .sort_col = -1 };
	struct sigaction sa = { .sa_handler = on_stop }, fatal = { .sa_handler = on_fatal };
	double next_at, tick_every;
	unsigned ticks = 0, nticks;
	bool dirty, keyed;
	const char *term = getenv("TERM");

	if (!nc_load(&err)) {
		warnx_("%s; -b prints the samples without it", err.msg);
		return 3;
	}
	if (!isatty(STDIN_FILENO)) {
		warnx_("the screen needs a terminal on stdin; -b prints the samples");
		return 3;
	}
	if (!term || !*term || !strcmp(term, "dumb")) {
		warnx_("TERM is %s: the screen needs a terminal type; -b prints the samples",
		       term && *term ? term : "not set");
		return 3;
	}
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	stop_flag = v->stop;
	/* no SA_RESETHAND: the loop ends and endwin runs; a second signal
	 * restores the terminal itself */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGSEGV, &fatal, NULL);
	sigaction(SIGBUS, &fatal, NULL);
	sigaction(SIGABRT, &fatal, NULL);
	sigaction(SIGFPE, &fatal, NULL);
	sbx_watchdog_on_fire(restore_tty);
	atexit(restore_tty);
	if (!nc.f_initscr()) {
		warnx_("cannot start the screen (TERM=%s)", term);
		return 3;
	}
	screen_on = 1;
	nc.f_cbreak();
	nc.f_noecho();
	nc.f_keypad(scr(), TRUE);
	nc.f_curs_set(0);
	color = v->color && nc.f_has_colors();
	if (color) {
		nc.f_start_color();
		nc.f_use_default_colors();
		nc.f_init_pair(PAIR_OK, COLOR_GREEN, -1);
		nc.f_init_pair(PAIR_WARN, COLOR_YELLOW, -1);
		nc.f_init_pair(PAIR_CRIT, COLOR_RED, -1);
		nc.f_init_pair(PAIR_UNKNOWN, COLOR_MAGENTA, -1);
		nc.f_init_pair(PAIR_HEAD, COLOR_CYAN, -1);
	}
	draw(&u);
	if (!v->replay && v->next) {
		/* the first sample over a short interval, then every interval */
		sbx_watchdog_pause(true);
		sleep_seconds(0.5, v->stop);
		sbx_watchdog_pause(false);
		if (!*v->stop) {
			v->next(v, v->arg);	/* v->pane is u's first, 0 */
			if (v->tick)
				v->ticks = v->tick(v->arg);
		}
	}
	next_at = now_monotonic() + v->interval;
	nticks = v->ticks ? SBX_SAMPLE_TICKS : 1;
	tick_every = v->interval / nticks;
	/* drawn again after a sample, a key or a resize only: the wakeups in
	 * between (the stop flag, the run queue's ticks) change nothing seen */
	dirty = true;
	keyed = false;
	while (!*v->stop) {
		double now = now_monotonic(), wait;
		int ch;

		if (dirty)
			draw(&u);
		dirty = false;
		wait = v->replay ? 0.5 : next_at - now;
		if (!v->replay && ticks + 1 < nticks) {
			double t = next_at - v->interval + tick_every * (ticks + 1) - now;

			if (t < wait)
				wait = t;
		}
		if (keyed)
			wait = 0;	/* ncurses may hold more of what was typed */
		sbx_watchdog_pause(true);
		ch = next_key(wait);
		sbx_watchdog_pause(false);
		keyed = ch != ERR;
		if (ch == KEY_RESIZE) {
			dirty = true;
			continue;	/* draw() reads the new size */
		}
		if (ch != ERR && !key(&u, ch, &next_at))
			break;
		dirty |= ch != ERR;
		if (v->replay)
			continue;
		now = now_monotonic();
		tick_every = v->interval / nticks;
		if (now >= next_at) {
			if (!v->paused) {
				if (v->pane >= 0)
					v->pane = (int)u.pane;
				v->next(v, v->arg);
				dirty = true;
			}
			next_at = now + v->interval;
			ticks = 0;
			if (v->tick)
				v->ticks = v->tick(v->arg);
			nticks = v->ticks ? SBX_SAMPLE_TICKS : 1;
		} else if (ticks + 1 < nticks &&
			   now >= next_at - v->interval + tick_every * (ticks + 1)) {
			ticks++;
			if (v->tick)
				v->tick(v->arg);
		}
	}
	nc.f_endwin();
	screen_on = 0;
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	return 0;
}
