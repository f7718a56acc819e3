/* srebox stats: count, min, max, mean, stddev and percentiles of the
 * numbers (or durations) in a column of stdin or files, per group: what
 * runbooks stitch together from datamash, sort -n | awk and a Go snippet
 * that reads past the end at p100.  Exact by default (R type 7, numpy's
 * default, the values held in memory: 8 bytes each); --approx holds a
 * fixed-size sketch per group with a stated error bound instead. */
#include "applet.h"
#include "numtext.h"
#include "quantile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *o_pct = "50,90,99", *o_delim;
static unsigned o_field = 1, o_group;
static bool o_duration, o_approx, o_strict;

static const struct sbx_opt stats_opts[] = {
	{ 'p', "percentiles", OPT_STRING, &o_pct, "LIST",
	  "the percentiles to give, 0 to 100, comma separated (default 50,90,99)", NULL, NULL },
	{ 'k', "field", OPT_UINT, &o_field, "N", "read the numbers from field N (default 1)", NULL,
	  NULL },
	{ 't', "delimiter", OPT_STRING, &o_delim, "CHAR",
	  "fields are separated by CHAR (default: runs of blanks); \\t for a tab", NULL, NULL },
	{ 'g', "group", OPT_UINT, &o_group, "N", "one row per distinct value of field N", NULL,
	  NULL },
	{ 0, "duration", OPT_FLAG, &o_duration, NULL,
	  "the values are durations (250ms, 1.2s, 1m30s, 3us; bare numbers are seconds): "
	  "figures in seconds", NULL, NULL },
	{ 0, "approx", OPT_FLAG, &o_approx, NULL,
	  "bounded memory for unbounded streams: percentiles within 1% of the exact value", NULL,
	  NULL },
	{ 0, "strict", OPT_FLAG, &o_strict, NULL,
	  "a line without a number is an error (exit 3), not a count", NULL, NULL },
	OPT_END,
};

#define MAX_PCT 64

struct group {
	char *key;
	size_t keylen;
	double *v;		/* exact: every value */
	size_t n, alloc;
	uint64_t count;
	double min, max, mean, m2;	/* Welford */
	struct sketch sk;	/* --approx */
};

struct stats {
	struct group **tab;	/* open addressing by key */
	size_t cap, ngroups;
	struct group **order;	/* in order of first appearance */
	size_t aorder;
	uint64_t lines, bad, missing;
	uint64_t first_bad_line;
	char first_bad[80];
	const char *first_bad_file;
	char delim;
	bool strict_failed;
};

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static struct group *group_new(const char *k, size_t n)
{
	struct group *g = xcalloc(1, sizeof(*g));

	g->key = xstrndup(k, n);
	g->keylen = n;
	g->min = INFINITY;
	g->max = -INFINITY;
	if (o_approx)
		sketch_init(&g->sk);
	return g;
}

static struct group *group_get(struct stats *st, const char *k, size_t n)
{
	size_t i;

	if (st->ngroups + 1 > st->cap * 7 / 10) {
		size_t ncap = st->cap ? st->cap * 2 : 64;
		struct group **nt = xcalloc(ncap, sizeof(*nt));

		for (size_t j = 0; j < st->cap; j++)
			if (st->tab[j]) {
				size_t h = hash(st->tab[j]->key, st->tab[j]->keylen) & (ncap - 1);

				while (nt[h])
					h = (h + 1) & (ncap - 1);
				nt[h] = st->tab[j];
			}
		free(st->tab);
		st->tab = nt;
		st->cap = ncap;
	}
	i = hash(k, n) & (st->cap - 1);
	while (st->tab[i]) {
		if (st->tab[i]->keylen == n && !memcmp(st->tab[i]->key, k, n))
			return st->tab[i];
		i = (i + 1) & (st->cap - 1);
	}
	st->tab[i] = group_new(k, n);
	ALLOC_GROW(st->order, st->ngroups + 1, st->aorder);
	st->order[st->ngroups++] = st->tab[i];
	return st->tab[i];
}

static void group_add(struct group *g, double x)
{
	double d;

	g->count++;
	if (x < g->min)
		g->min = x;
	if (x > g->max)
		g->max = x;
	d = x - g->mean;
	g->mean += d / (double)g->count;
	g->m2 += d * (x - g->mean);
	if (o_approx) {
		sketch_add(&g->sk, x);
		return;
	}
	if (g->n == g->alloc) {
		g->alloc = g->alloc ? g->alloc * 2 : 16;
		g->v = xreallocarray(g->v, g->alloc, sizeof(*g->v));
	}
	g->v[g->n++] = x;
}

static void bad_line(struct stats *st, const char *file, const char *s, size_t n)
{
	if (!st->bad++) {
		size_t k = n < sizeof(st->first_bad) - 1 ? n : sizeof(st->first_bad) - 1;

		k = utf8_boundary(s, k);
		memcpy(st->first_bad, s, k);
		st->first_bad[k] = '\0';
		st->first_bad_line = st->lines;
		st->first_bad_file = file;
	}
}

static void one_line(struct stats *st, struct group **single, const char *file, const char *s,
		     size_t n)
{
	const char *f, *gk = "";
	size_t fn, gn = 0;
	double x;
	struct group *g;

	st->lines++;
	if (n && s[n - 1] == '\r')
		n--;
	{
		size_t i = 0;

		while (i < n && is_space(s[i]))
			i++;
		if (i == n)
			return;	/* blank lines are no values, nor bad */
	}
	if (!field_get(s, n, st->delim, o_field, &f, &fn) ||
	    !(o_duration ? dur_parse(f, fn, &x) : num_parse(f, fn, &x))) {
		bad_line(st, file, s, n);
		return;
	}
	if (o_group) {
		if (!field_get(s, n, st->delim, o_group, &gk, &gn)) {
			bad_line(st, file, s, n);
			return;
		}
		g = group_get(st, gk, gn);
	} else {
		if (!*single)
			*single = group_get(st, "", 0);
		g = *single;
	}
	group_add(g, x);
}

/* Every line of fd; -1 with err when it cannot be read. */
static int read_fd(struct stats *st, int fd, const char *name, struct sbx_err *err)
{
	size_t cap = 1u << 20, have = 0;
	char *b = xmalloc(cap);
	struct group *single = NULL;

	for (;;) {
		ssize_t r = read(fd, b + have, cap - have);
		size_t start = 0;
		char *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			sbx_err_set(err, errno, "%s: %s", name, strerror(errno));
			free(b);
			return -1;
		}
		if (r == 0)
			break;
		have += (size_t)r;
		while ((nl = memchr(b + start, '\n', have - start))) {
			one_line(st, &single, name, b + start, (size_t)(nl - (b + start)));
			start = (size_t)(nl - b) + 1;
			if (o_strict && st->bad)
				goto done;
		}
		memmove(b, b + start, have - start);
		have -= start;
		if (have == cap) {	/* a line longer than the buffer */
			cap *= 2;
			b = xrealloc(b, cap);
		}
	}
	if (have)
		one_line(st, &single, name, b, have);
done:
	free(b);
	return 0;
}

static int parse_pcts(const char *s, double *p, size_t *np)
{
	char *dup = xstrdup(s), *save = NULL;

	*np = 0;
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *q = str_trim(t);

		if (*q == 'p' || *q == 'P')
			q++;
		if (*np >= MAX_PCT) {
			warnx_("-p %s: at most %d percentiles", s, MAX_PCT);
			free(dup);
			return -1;
		}
		if (!parse_double(q, &p[*np]) || !(p[*np] >= 0 && p[*np] <= 100)) {
			warnx_("-p %s: '%s' is not a percentile from 0 to 100", s, t);
			free(dup);
			return -1;
		}
		(*np)++;
	}
	free(dup);
	if (!*np) {
		warnx_("-p '%s': give percentiles, e.g. -p 50,90,99", s);
		return -1;
	}
	return 0;
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = *(struct group *const *)a, *y = *(struct group *const *)b;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, n);

	return c ? c : (x->keylen > y->keylen) - (x->keylen < y->keylen);
}

enum { K_GROUP, K_COUNT, K_MIN, K_MAX, K_MEAN, K_STDDEV, K_FIXED };

static void pct_name(double p, char *out, size_t n, bool key)
{
	char num[32], *dot;

	snprintf(num, sizeof(num), "%.10g", p);
	if (key && (dot = strchr(num, '.')))
		*dot = '_';
	snprintf(out, n, key ? "p%s" : "P%s", num);
}

/* The table points at its columns' names: freed once it is rendered. */
static struct sbx_col *g_cols;
static void *g_names;

static void build(struct sbx_report *rep, struct stats *st, const double *p, size_t np)
{
	size_t ncols = K_FIXED + np;
	struct sbx_col *cols = xcalloc(ncols, sizeof(*cols));
	char (*names)[3][48] = xcalloc(np ? np : 1, sizeof(*names));
	struct sbx_table *t;
	double *q = xcalloc(np ? np : 1, sizeof(*q));
	const char *unit = o_duration ? "seconds" : "";

	cols[K_GROUP] = (struct sbx_col){ "GROUP", "group", CT_STR, COL_LABEL | (o_group ? 0 : COL_HIDE) };
	cols[K_COUNT] = (struct sbx_col){ "COUNT", "count", CT_COUNT, 0, "stats_count",
					  "Values read." };
	cols[K_MIN] = (struct sbx_col){ "MIN", "min", CT_NUM, COL_EXACT, "stats_min", "The least value." };
	cols[K_MAX] = (struct sbx_col){ "MAX", "max", CT_NUM, COL_EXACT, "stats_max", "The greatest value." };
	cols[K_MEAN] = (struct sbx_col){ "MEAN", "mean", CT_NUM, COL_EXACT, "stats_mean",
					 "The arithmetic mean." };
	cols[K_STDDEV] = (struct sbx_col){ "STDDEV", "stddev", CT_NUM, COL_EXACT, "stats_stddev",
					   "The sample standard deviation (n-1)." };
	for (size_t i = 0; i < np; i++) {
		char key[32];

		pct_name(p[i], names[i][0], sizeof(names[i][0]), false);
		pct_name(p[i], key, sizeof(key), true);
		snprintf(names[i][1], sizeof(names[i][1]), "%s", key);
		snprintf(names[i][2], sizeof(names[i][2]), "stats_%s", key);
		cols[K_FIXED + i] = (struct sbx_col){ names[i][0], names[i][1], CT_NUM, COL_EXACT,
						      names[i][2], "A percentile (R type 7)." };
	}
	(void)unit;
	g_cols = cols;
	g_names = names;
	t = report_table(rep, "stats", cols, ncols);
	if (o_group)
		qsort(st->order, st->ngroups, sizeof(*st->order), cmp_group);
	if (!st->ngroups && !o_group)
		group_get(st, "", 0);
	for (size_t gi = 0; gi < st->ngroups; gi++) {
		struct group *g = st->order[gi];
		struct sbx_cell *c = table_row(t);

		if (o_group)
			cell_str(&c[K_GROUP], g->key);
		cell_u64(&c[K_COUNT], g->count);
		if (!g->count) {
			for (size_t k = K_MIN; k < ncols; k++)
				cell_unknown(&c[k], "no values");
			continue;
		}
		cell_num(&c[K_MIN], g->min);
		cell_num(&c[K_MAX], g->max);
		if (!o_approx) {
			/* two passes over the values held: the exact mean and
			 * variance, not Welford's running ones */
			double sum = 0, ss = 0, mean;

			for (size_t i = 0; i < g->n; i++)
				sum += g->v[i];
			mean = sum / (double)g->n;
			for (size_t i = 0; i < g->n; i++)
				ss += (g->v[i] - mean) * (g->v[i] - mean);
			g->mean = mean;
			g->m2 = ss;
			quantiles_r7(g->v, g->n, p, np, q);
		} else {
			sketch_quantiles(&g->sk, p, np, q);
		}
		cell_num(&c[K_MEAN], g->mean);
		if (g->count > 1)
			cell_num(&c[K_STDDEV], sqrt(g->m2 / (double)(g->count - 1)));
		else
			cell_unknown(&c[K_STDDEV], "one value");
		for (size_t i = 0; i < np; i++)
			cell_num(&c[K_FIXED + i], q[i]);
	}
	free(q);
}

static void stats_free(struct stats *st)
{
	for (size_t i = 0; i < st->ngroups; i++) {
		free(st->order[i]->key);
		free(st->order[i]->v);
		if (o_approx)
			sketch_free(&st->order[i]->sk);
		free(st->order[i]);
	}
	free(st->order);
	free(st->tab);
}

static int stats_run(struct sbx_ctx *ctx)
{
	struct stats st = { 0 };
	struct sbx_report *rep;
	double p[MAX_PCT];
	size_t np;
	uint64_t values = 0;
	struct sbx_err err;

	if (parse_pcts(o_pct, p, &np) < 0)
		return 3;
	if (o_delim) {
		if (!strcmp(o_delim, "\\t") || !strcmp(o_delim, "\t"))
			st.delim = '\t';
		else if (strlen(o_delim) == 1)
			st.delim = o_delim[0];
		else {
			warnx_("-t '%s': give one character (or \\t)", o_delim);
			return 3;
		}
	}
	if (o_field < 1 || (o_group && o_group == o_field)) {
		warnx_(o_field < 1 ? "-k 0: fields count from 1" :
				     "-g %u: the group field cannot be the value field", o_group);
		return 3;
	}
	for (int i = 0; i < (ctx->nargs ? ctx->nargs : 1); i++) {
		const char *name = ctx->nargs ? ctx->args[i] : "-";
		int fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : 0;
		int rc;

		if (fd < 0) {
			warnx_("%s: %s", name, strerror(errno));
			stats_free(&st);
			return 3;
		}
		rc = read_fd(&st, fd, strcmp(name, "-") ? name : "stdin", &err);
		if (fd)
			close(fd);
		if (rc < 0) {
			warnx_("%s", err.msg);
			stats_free(&st);
			return 3;
		}
		if (o_strict && st.bad) {
			warnx_("%s line %llu: not %s: '%s'", st.first_bad_file,
			       (unsigned long long)st.first_bad_line,
			       o_duration ? "a duration" : "a number", st.first_bad);
			stats_free(&st);
			return 3;
		}
	}
	for (size_t i = 0; i < st.ngroups; i++)
		values += st.order[i]->count;
	rep = report_new("stats");
	build(rep, &st, p, np);
	if (o_group)
		report_summary(rep, "%llu %s in %zu %s%s", (unsigned long long)values,
			       o_duration ? "durations" : "values", st.ngroups,
			       st.ngroups == 1 ? "group" : "groups", o_duration ? " (seconds)" : "");
	else
		report_summary(rep, "%llu %s%s", (unsigned long long)values,
			       o_duration ? "durations" : "values", o_duration ? " (seconds)" : "");
	if (o_approx) {
		size_t used = 0;

		for (size_t i = 0; i < st.ngroups; i++)
			used += sketch_used(&st.order[i]->sk);
		report_note(rep, "approximate (--approx): each percentile within 1%% of the exact R-7 value; "
			    "count, min, max, mean, stddev exact; sketches %zu KiB (at most %zu KiB a group)",
			    (used + 1023) / 1024, (sketch_bytes() + 1023) / 1024);
	}
	if (st.bad) {
		warnx_("%llu %s without %s (first: %s line %llu: '%s')", (unsigned long long)st.bad,
		       st.bad == 1 ? "line" : "lines", o_duration ? "a duration" : "a number",
		       st.first_bad_file, (unsigned long long)st.first_bad_line, st.first_bad);
		report_note(rep, "%llu %s skipped: no %s in field %u (first: %s line %llu)",
			    (unsigned long long)st.bad, st.bad == 1 ? "line" : "lines",
			    o_duration ? "duration" : "number", o_field, st.first_bad_file,
			    (unsigned long long)st.first_bad_line);
	}
	sbx_emit(ctx, rep);
	free(g_cols);
	free(g_names);
	stats_free(&st);
	return 0;
}

const struct sbx_applet applet_stats = {
	.name = "stats",
	.examples =
		"# p50/p99 of request times in an access log, per status code\n"
		"awk '{print $9, $NF}' access.log | srebox stats -g 1 -k 2\n"
		"# how long a hundred probes of a slow endpoint took\n"
		"seq 100 | xargs -I. curl -so /dev/null -w '%{time_total}\\n' URL | srebox stats\n",
	.formats = "table json prom check name",	/* no wide column */
	.summary = "count, min, max, mean, stddev and exact percentiles of numbers or durations on "
		   "stdin, per group",
	.usage = "[OPTIONS] [FILE...]",
	.description =
		"Reads a number (or with --duration a duration) from field -k of every line of\n"
		"the FILEs or stdin and gives count, min, max, mean, the sample standard\n"
		"deviation and the -p percentiles, one row per distinct value of field -g.\n"
		"Percentiles are exact, by linear interpolation between order statistics (R's\n"
		"type 7, numpy's default, what datamash perc gives): p100 is the maximum.\n"
		"Lines without a number are counted and said on stderr, and the rest are still\n"
		"used; with --strict the first one is an error.  Exit 0, or 3 on bad input.",
	.flags = AP_OUTPUT,
	.opts = stats_opts,
	.args_complete = "files",
	.run = stats_run,
};
