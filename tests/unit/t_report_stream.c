/* Rendering in parts (sbx_flush) against rendering at once: the same
 * rows, valid JSON, contiguous Prometheus families, one table header. */
#include "unit.h"
#include "render.h"

#include <jansson.h>

enum { C_NAME, C_AGE, C_READY, C_BYTES, C_NCOLS };

static const struct sbx_col cols[] = {
	[C_NAME] = { "NAME", "name", CT_STR, COL_LABEL },
	[C_AGE] = { "AGE", "age_seconds", CT_SECONDS, 0, "t_age_seconds", "Age." },
	[C_READY] = { "READY", "ready", CT_BOOL, 0, "t_ready", "Ready." },
	[C_BYTES] = { "BYTES", "bytes", CT_BYTES, COL_WIDE, "t_bytes", "Bytes." },
};

/* The second table: the same shape, no metrics (families are per table). */
static const struct sbx_col cols2[] = {
	[C_NAME] = { "NAME", "name", CT_STR, COL_LABEL },
	[C_AGE] = { "AGE", "age_seconds", CT_SECONDS },
	[C_READY] = { "READY", "ready", CT_BOOL },
	[C_BYTES] = { "BYTES", "bytes", CT_BYTES, COL_WIDE },
};

static void add_rows(struct sbx_table *t, int from, int to)
{
	for (int i = from; i < to; i++) {
		struct sbx_cell *c = table_row(t);

		/* names grow longer: later parts are wider */
		cell_strf(&c[C_NAME], "node-%0*d", 1 + i / 10, i);
		if (i % 7 == 3)
			cell_unknown(&c[C_AGE], "no Lease kube-node-lease/x");
		else
			cell_num(&c[C_AGE], i * 10.0);
		cell_i64(&c[C_READY], i % 2);
		cell_num(&c[C_BYTES], 1024.0 * i);
	}
}

static struct sbx_report *new_report(struct sbx_table **t, struct sbx_table **t2)
{
	struct sbx_report *r = report_new("t");

	*t = report_table(r, "nodes", cols, C_NCOLS);
	*t2 = report_table(r, "other", cols2, C_NCOLS);
	table_title(*t2, "Other:");
	return r;
}

static void finish(struct sbx_report *r, struct sbx_table *t2)
{
	add_rows(t2, 100, 102);
	report_summary(r, "%d nodes", 25);
	report_finding(r, ST_WARNING, "x", "node-3", "node-3 is odd");
}

/* All at once and in parts of 10, 10, 5 (then the second table). */
static char *render_both(enum sbx_format fmt, bool parts)
{
	struct render_opts o = { .format = fmt };
	struct sbx_table *t, *t2;
	struct sbx_report *r = new_report(&t, &t2);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!parts) {
		add_rows(t, 0, 25);
		finish(r, t2);
		render(f, r, &o);
	} else {
		add_rows(t, 0, 10);
		render_part(f, r, &o);
		assert_int_equal(t->nrows, 0);
		add_rows(t, 10, 20);
		render_part(f, r, &o);
		add_rows(t, 20, 25);
		render_part(f, r, &o);
		assert_int_equal(table_total_rows(t), 25);
		finish(r, t2);
		render_part(f, r, &o);
		render_end(f, r, &o);
	}
	fclose(f);
	report_free(r);
	return out;
}

static void json_same(void **state)
{
	char *a = render_both(FMT_JSON, false), *b = render_both(FMT_JSON, true);
	json_error_t e;
	json_t *ja = json_loads(a, 0, &e), *jb = json_loads(b, 0, &e);

	(void)state;
	if (!jb)
		fail_msg("streamed JSON invalid: %s\n%s", e.text, b);
	json_object_del(ja, "time");
	json_object_del(jb, "time");
	assert_int_equal(json_array_size(json_object_get(jb, "nodes")), 25);
	assert_true(json_equal(ja, jb));
	/* one row per line */
	assert_non_null(strstr(b, "\n    {\"name\":\"node-0\""));
	json_decref(ja);
	json_decref(jb);
	free(a);
	free(b);
}

static void json_empty_table(void **state)
{
	struct render_opts o = { .format = FMT_JSON };
	struct sbx_table *t, *t2;
	struct sbx_report *r = new_report(&t, &t2);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	json_t *j;

	(void)state;
	render_part(f, r, &o);
	report_fail(r, "connection refused");
	render_end(f, r, &o);
	fclose(f);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "UNKNOWN");
	assert_string_equal(json_string_value(json_object_get(j, "error")), "connection refused");
	json_decref(j);
	report_free(r);
	free(out);
}

/* Each family once, its samples together, the same samples. */
static void prom_contiguous(void **state)
{
	char *a = render_both(FMT_PROM, false), *b = render_both(FMT_PROM, true);
	char *line, *save = NULL, seen[16][64];
	size_t nseen = 0;
	char cur[64] = "";

	(void)state;
	assert_int_equal(strlen(a), strlen(b));
	for (line = strtok_r(b, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char fam[64];

		if (line[0] == '#')
			continue;
		snprintf(fam, sizeof(fam), "%.*s", (int)strcspn(line, "{ "), line);
		if (strcmp(fam, cur)) {
			for (size_t i = 0; i < nseen; i++)
				if (!strcmp(seen[i], fam))
					fail_msg("family %s split", fam);
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", fam);
			snprintf(cur, sizeof(cur), "%s", fam);
		}
		if (!strstr(a, line))
			fail_msg("sample '%s' not in the one-piece output", line);
	}
	assert_true(nseen >= 4);
	free(a);
	free(b);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void table_view(void **state)
{
	char *b = render_both(FMT_TABLE, true);

	(void)state;
	assert_int_equal(count(b, "NAME"), 2);	/* one header per table */
	assert_int_equal(count(b, "\nnode-"), 25 + 2);
	assert_int_equal(count(b, "? = unknown: no Lease kube-node-lease/x (4 cells)"), 1);
	assert_non_null(strstr(b, "Other:"));
	/* summary and findings after the tables */
	assert_true(strstr(b, "25 nodes") > strstr(b, "Other:"));
	assert_non_null(strstr(b, "WARNING  node-3 is odd"));
	/* each part is aligned with the widths so far: node-0 (part 1) is
	 * padded to the header, node-10 (part 2) to its own, wider name */
	assert_non_null(strstr(b, "\nnode-0  "));
	assert_non_null(strstr(b, "\nnode-10  "));
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_same),
		cmocka_unit_test(json_empty_table),
		cmocka_unit_test(prom_contiguous),
		cmocka_unit_test(table_view),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
