/* The table view on a terminal (render_opts.width): columns elided by
 * priority, cells cut with an ellipsis counted in characters, findings
 * folded at words, what needs attention last; a pipe (width 0) unchanged. */
#include "unit.h"
#include "render.h"

enum { C_NAME, C_RATE, C_GUEST, C_NICE, C_PATH, C_NCOLS };

static const struct sbx_col cols[] = {
	[C_NAME] = { "NAME", "name", CT_STR, COL_LABEL },
	[C_RATE] = { "RATE/s", "rate", CT_RATE },
	[C_GUEST] = { "GUEST", "guest", CT_NUM, 0, NULL, NULL, NULL, 9 },
	[C_NICE] = { "NICE", "nice", CT_NUM, 0, NULL, NULL, NULL, 7 },
	[C_PATH] = { "PATH", "path", CT_STR },
};

static struct sbx_report *sample(const char *path)
{
	struct sbx_report *r = report_new("t");
	struct sbx_table *t = report_table(r, "t", cols, C_NCOLS);

	for (int i = 0; i < 3; i++) {
		struct sbx_cell *c = table_row(t);

		cell_strf(&c[C_NAME], "row%d", i);
		cell_num(&c[C_RATE], 1000.0 * i);
		cell_num(&c[C_GUEST], 12345678);
		cell_num(&c[C_NICE], 7654321);
		cell_str(&c[C_PATH], path);
	}
	report_summary(r, "WARNING: 1 of 6 checks needs attention");
	report_finding(r, ST_WARNING, "w", NULL, "the one that matters: it is a long text that a narrow "
		       "terminal must fold at a space, never in the middle of a word");
	for (int i = 0; i < 5; i++)
		report_finding(r, ST_OK, "ok", NULL, "fine %d", i);
	return r;
}

static char *draw(struct sbx_report *r, int width, bool verbose, enum sbx_format fmt)
{
	struct render_opts o = { .format = fmt, .width = width, .verbose = verbose };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	render(f, r, &o);
	fclose(f);
	report_free(r);
	return out;
}

/* every line at most `width` characters (UTF-8 decoded) */
static void lines_fit(const char *s, size_t width)
{
	while (*s) {
		size_t n = strcspn(s, "\n");

		if (text_width(s, n) > width)
			fail_msg("line wider than %zu: %.*s", width, (int)n, s);
		s += n;
		if (*s)
			s++;
	}
}

static void pipe_unchanged(void **state)
{
	char *s = draw(sample("/var/lib/kubelet/pods/0123456789abcdef/volumes"), 0, false, FMT_TABLE);

	(void)state;
	/* summary first, worst first, every OK finding, every column */
	assert_true(strncmp(s, "WARNING: 1 of 6", 15) == 0);
	assert_non_null(strstr(s, "GUEST"));
	assert_non_null(strstr(s, "NICE"));
	assert_non_null(strstr(s, "PATH\n"));
	assert_non_null(strstr(s, "OK       fine 4"));
	assert_null(strstr(s, "other checks"));
	assert_true(strstr(s, "WARNING  the one") < strstr(s, "OK       fine 0"));
	free(s);
}

static void priorities_then_ellipsis(void **state)
{
	const char *path = "/var/lib/kubelet/pods/0123456789abcdef/volumes/kubernetes.io~empty-dir";
	char *s = draw(sample(path), 40, false, FMT_TABLE);

	(void)state;
	lines_fit(s, 40);
	/* GUEST (9) goes before NICE (7); the label and the text stay */
	assert_null(strstr(s, "GUEST  "));
	assert_non_null(strstr(s, "NAME  RATE/s"));
	assert_non_null(strstr(s, "(GUEST"));
	assert_non_null(strstr(s, "not shown to fit 40 columns"));
	/* the path is cut, with an ellipsis, not wrapped */
	assert_non_null(strstr(s, "/var/lib/kub"));
	assert_non_null(strstr(s, "\u2026\n"));
	assert_null(strstr(s, "empty-dir"));
	free(s);
}

static void wide_is_not_cut(void **state)
{
	const char *path = "/var/lib/kubelet/pods/0123456789abcdef/volumes/kubernetes.io~empty-dir";
	char *s = draw(sample(path), 40, false, FMT_WIDE);

	(void)state;
	assert_non_null(strstr(s, "empty-dir"));
	assert_non_null(strstr(s, "GUEST"));
	assert_null(strstr(s, "not shown"));
	free(s);
}

static void characters_not_bytes(void **state)
{
	/* 3 bytes and 2 columns each: cut by columns, never inside one */
	char *s = draw(sample("\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5"
			      "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5"),
			   34, false, FMT_TABLE);
	char *clean;

	(void)state;
	lines_fit(s, 34);
	for (char *p = s; *p; p++)	/* text_clean escapes newlines */
		if (*p == '\n')
			*p = ' ';
	clean = text_clean(s);	/* valid UTF-8: no sequence was split */
	assert_string_equal(clean, s);
	assert_non_null(strstr(s, "\xe6\x97\xa5\u2026"));
	free(clean);
	free(s);
}

static void attention_last(void **state)
{
	char *s = draw(sample("/x"), 60, false, FMT_TABLE), *tail;

	(void)state;
	lines_fit(s, 60);
	/* the OK findings are one line, before what needs attention, and
	 * the summary is the last line */
	assert_non_null(strstr(s, "OK       5 other checks OK; -v lists them\n"));
	assert_non_null(strstr(s, "WARNING  the one that matters"));
	assert_null(strstr(s, "fine 0"));
	assert_true(strstr(s, "other checks OK") < strstr(s, "WARNING  the one"));
	/* folded at a word, under the text */
	assert_non_null(strstr(s, "\n         "));
	assert_null(strstr(s, "mid\ndle"));
	tail = strstr(s, "WARNING: 1 of 6 checks needs attention\n");
	assert_non_null(tail);
	assert_string_equal(tail, "WARNING: 1 of 6 checks needs attention\n");
	free(s);
	/* -v: every finding, still worst last */
	s = draw(sample("/x"), 60, true, FMT_TABLE);
	assert_null(strstr(s, "other checks OK"));
	assert_true(strstr(s, "fine 0") < strstr(s, "WARNING  the one"));
	free(s);
}

/* A first column too long for the terminal (a mount point of 180
 * characters): it is cut too, to half the width while figures would go,
 * and no line wraps; the figures of priority stay. */
static const struct sbx_col long_cols[] = {
	{ "MOUNT", "mountpoint", CT_STR, COL_LABEL, .prio = 1 },
	{ "SIZE", "size", CT_NUM, 0, .prio = 4 },
	{ "USE%", "use", CT_NUM, 0, .prio = 2 },
	{ "NOTE", "note", CT_STR, 0, .prio = 8 },
};

static void long_first_column(void **state)
{
	struct sbx_report *r = report_new("t");
	struct sbx_table *t = report_table(r, "t", long_cols, 4);
	char path[200];
	char *out;

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = 0;
	for (int i = 0; i < 2; i++) {
		struct sbx_cell *c = table_row(t);

		cell_str(&c[0], i ? "/" : path);
		cell_num(&c[1], 100);
		cell_num(&c[2], 42);
		cell_str(&c[3], "a note of some length, forty characters");
	}
	out = draw(r, 80, false, FMT_TABLE);
	lines_fit(out, 80);
	assert_non_null(strstr(out, "USE%"));
	assert_non_null(strstr(out, "SIZE"));
	assert_non_null(strstr(out, "\xe2\x80\xa6"));	/* the cut path's ellipsis */
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pipe_unchanged),
		cmocka_unit_test(priorities_then_ellipsis),
		cmocka_unit_test(wide_is_not_cut),
		cmocka_unit_test(characters_not_bytes),
		cmocka_unit_test(attention_last),
		cmocka_unit_test(long_first_column),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
