/* Text entering the report model: what text_clean keeps, what it escapes,
 * and that every renderer then gets valid UTF-8 it can print as is. */
#include "unit.h"
#include "render.h"

#include <jansson.h>

static void clean_is(const char *in, const char *want)
{
	char *got = text_clean(in);

	assert_string_equal(got, want);
	free(got);
}

static void valid_kept(void **state)
{
	(void)state;
	clean_is("plain ascii /var/log", "plain ascii /var/log");
	clean_is("caf\xc3\xa9", "caf\xc3\xa9");			/* 2 bytes */
	clean_is("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");	/* 3 bytes */
	clean_is("\xf0\x9f\x94\xa5 fire", "\xf0\x9f\x94\xa5 fire");	/* 4 bytes */
	clean_is("\xef\xbf\xbd", "\xef\xbf\xbd");			/* U+FFFD itself */
	clean_is("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");		/* U+10FFFF */
	clean_is("\xed\x9f\xbf", "\xed\x9f\xbf");			/* U+D7FF, below the surrogates */
}

static void invalid_escaped(void **state)
{
	(void)state;
	clean_is("caf\xe9.log", "caf\\xE9.log");	/* Latin-1 */
	clean_is("\xc0\xaf", "\\xC0\\xAF");		/* overlong '/' */
	clean_is("\xe0\x80\xaf", "\\xE0\\x80\\xAF");	/* overlong, 3 bytes */
	clean_is("\xf0\x80\x80\xaf", "\\xF0\\x80\\x80\\xAF");
	clean_is("\xed\xa0\x80", "\\xED\\xA0\\x80");	/* surrogate U+D800 */
	clean_is("\xed\xbf\xbf", "\\xED\\xBF\\xBF");	/* surrogate U+DFFF */
	clean_is("\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80");	/* past U+10FFFF */
	clean_is("\xf5\x80\x80\x80", "\\xF5\\x80\\x80\\x80");
	clean_is("ab\xe6\x97", "ab\\xE6\\x97");		/* truncated at the end */
	clean_is("\xe6\x97z", "\\xE6\\x97z");		/* truncated in the middle */
	clean_is("\x80", "\\x80");			/* stray continuation byte */
	clean_is("\xff\xfe", "\\xFF\\xFE");
	/* a valid character right after a bad byte is kept whole */
	clean_is("\xe9\xc3\xa9", "\\xE9\xc3\xa9");
}

static void controls_escaped(void **state)
{
	(void)state;
	clean_is("a\nb\tc\rd", "a\\nb\\tc\\rd");
	clean_is("\x1b[31mred", "\\x1B[31mred");
	clean_is("del\x7f", "del\\x7F");
	clean_is("back\\slash", "back\\\\slash");	/* escapes stay unambiguous */
	clean_is("csi\xc2\x9b", "csi\\u009B");		/* C1 control, valid UTF-8 */
	clean_is("\xe2\x80\xaetxt.exe", "\\u202Etxt.exe");	/* bidi override */
}

static void empty_and_null(void **state)
{
	(void)state;
	clean_is("", "");
	clean_is(NULL, "");
}

static void huge(void **state)
{
	size_t n = 3 * TEXT_MAX;
	char *big = xmalloc(n + 1), *got;

	(void)state;
	/* two-byte characters: a cut in the middle of one would show */
	for (size_t i = 0; i < n; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[n] = '\0';
	got = text_clean(big);
	assert_true(strlen(got) <= TEXT_MAX + 32);
	assert_non_null(strstr(got, " more bytes)"));
	assert_int_equal(strstr(got, "... (") - got, TEXT_MAX);
	for (const char *p = got; p < strstr(got, "... ("); p += 2)
		assert_memory_equal(p, "\xc3\xa9", 2);
	free(got);
	/* a huge plain string under the cap is kept byte for byte */
	memset(big, 'x', TEXT_MAX);
	big[TEXT_MAX] = '\0';
	got = text_clean(big);
	assert_string_equal(got, big);
	free(got);
	free(big);
}

static void err_cut_on_boundary(void **state)
{
	struct sbx_err e;
	char path[600];
	size_t n;

	(void)state;
	/* 'é' in a path too long for the message: never half of it */
	for (size_t off = 0; off < 2; off++) {
		size_t i = off;

		memset(path, 'a', off);
		for (; i + 2 < sizeof(path); i += 2)
			memcpy(path + i, "\xc3\xa9", 2);
		path[i] = '\0';
		sbx_err_set(&e, 0, "%s: missing", path);
		n = strlen(e.msg);
		assert_true(n > 300);
		assert_int_equal(utf8_boundary(e.msg, n), n);
		{
			char *c = text_clean(e.msg);

			assert_null(strstr(c, "\\x"));
			free(c);
		}
	}
	assert_int_equal(utf8_boundary("ab\xe6\x97", 4), 2);
	assert_int_equal(utf8_boundary("ab\xe6\x97\xa5", 5), 5);
	assert_int_equal(utf8_boundary("ab\xf0", 3), 2);
	assert_int_equal(utf8_boundary("ab", 2), 2);
	assert_int_equal(utf8_boundary("", 0), 0);
	assert_int_equal(utf8_boundary("\x80\x80\x80\x80", 4), 4);
}

static void widths(void **state)
{
	(void)state;
	assert_int_equal(text_width("abc", 3), 3);
	assert_int_equal(text_width("caf\xc3\xa9", 5), 4);
	assert_int_equal(text_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4);	/* wide */
	assert_int_equal(text_width("e\xcc\x81", 3), 1);		/* combining acute */
	assert_int_equal(text_width("\xf0\x9f\x94\xa5", 4), 2);	/* emoji */
	assert_int_equal(text_width("\xe9", 1), 1);
	assert_int_equal(text_width("", 0), 0);
}

static const struct sbx_col cols[] = {
	{ "NAME", "name", CT_STR, COL_LABEL },
	{ "SIZE", "size_bytes", CT_BYTES, COL_EXACT },
	{ "NOTE", "note", CT_STR },
};

static struct sbx_report *sample(void)
{
	struct sbx_report *r = report_new("t");
	struct sbx_table *t = report_table(r, "files", cols, 3);
	static const char *const names[] = { "plain", "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
					     "caf\xe9", "e\xcc\x81t\xc3\xa9" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct sbx_cell *c = table_row(t);

		cell_str(&c[0], names[i]);
		cell_num(&c[1], 1000.0 * (double)(i + 1));
		cell_strf(&c[2], "n%zu", i);
	}
	report_summary(r, "in caf\xe9 \x1b[2J");
	report_note(r, "%s", "note \xff");
	report_finding(r, ST_WARNING, "big", "caf\xe9", "caf\xe9 is large\n");
	return r;
}

static char *render_to_string(const struct sbx_report *r, enum sbx_format fmt)
{
	struct render_opts o = { .format = fmt, .last = true };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	render(f, r, &o);
	fclose(f);
	return out;
}

/* Every line of the table: the SIZE column ends in the same terminal
 * column whatever the bytes of the NAME before it. */
static void table_aligned(void **state)
{
	struct sbx_report *r = sample();
	char *out = render_to_string(r, FMT_TABLE), *line, *save = NULL;
	size_t want = 0, rows = 0;
	bool in_table = false;

	(void)state;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *note;

		if (!strncmp(line, "NAME", 4))
			in_table = true;
		if (!in_table)
			continue;
		note = !strncmp(line, "NAME", 4) ? strstr(line, "NOTE") : strstr(line, "  n");
		assert_non_null(note);
		note += *note == ' ' ? 2 : 0;
		if (!want)
			want = text_width(line, (size_t)(note - line));
		else
			assert_int_equal(text_width(line, (size_t)(note - line)), want);
		rows++;
		assert_int_equal(utf8_boundary(line, strlen(line)), strlen(line));
	}
	assert_int_equal(rows, 6);
	free(out);
	report_free(r);
}

static void json_keeps_everything(void **state)
{
	struct sbx_report *r = sample();
	char *out = render_to_string(r, FMT_JSON);
	json_error_t e;
	json_t *j = json_loads(out, 0, &e), *rows;

	(void)state;
	assert_non_null(j);
	rows = json_object_get(j, "files");
	assert_int_equal(json_array_size(rows), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 3), "name")),
			    "caf\\xE9");
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 2), "name")),
			    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	assert_string_equal(json_string_value(json_object_get(j, "summary")), "in caf\\xE9 \\x1B[2J");
	assert_string_equal(json_string_value(json_object_get(j, "note")), "note \\xFF");
	json_decref(j);
	free(out);
	report_free(r);
}

static void check_line_one_line(void **state)
{
	struct sbx_report *r = sample();
	char *out = render_to_string(r, FMT_CHECK);

	(void)state;
	assert_non_null(strstr(out, "caf\\xE9 is large\\n"));
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
	free(out);
	report_free(r);
}

/* finding_who: the same culprits in the text people read and in json's "who". */
static void who_in_text_and_json(void **state)
{
	struct sbx_report *r = report_new("health");
	struct sbx_finding *f = report_finding(r, ST_WARNING, "psi_cpu", NULL, "cpu pressure 65%%");
	char *out;
	json_error_t e;
	json_t *j, *w;

	(void)state;
	finding_who(f, "process", "cc1", 812, "/system.slice/build.service", NULL, true, 62, "%");
	finding_who(f, "process", "apt\x1b" "cache", 901, NULL, "default/web-1", true, 8.5, "%");
	finding_who(f, "device", "sda", 0, NULL, NULL, true, 3 * 1048576.0, "B/s");
	finding_who(f, "interface", "eth0", 0, NULL, NULL, false, 0, "%");
	assert_string_equal(f->text, "cpu pressure 65%; who: cc1 (pid 812) 62%, apt\\x1Bcache (pid 901) 8.5% "
			    "[pod default/web-1], sda 3.0MiB/s, eth0");
	out = render_to_string(r, FMT_JSON);
	j = json_loads(out, 0, &e);
	assert_non_null(j);
	w = json_object_get(json_array_get(json_object_get(j, "findings"), 0), "who");
	assert_int_equal(json_array_size(w), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(w, 0), "pid")), 812);
	assert_string_equal(json_string_value(json_object_get(json_array_get(w, 0), "cgroup")),
			    "/system.slice/build.service");
	assert_string_equal(json_string_value(json_object_get(json_array_get(w, 1), "pod")), "default/web-1");
	assert_true(json_is_null(json_object_get(json_array_get(w, 2), "pid")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(w, 2), "unit")), "B/s");
	assert_true(json_is_null(json_object_get(json_array_get(w, 3), "value")));
	assert_true(json_is_null(json_object_get(json_array_get(w, 3), "unit")));
	json_decref(j);
	free(out);
	report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_kept),
		cmocka_unit_test(invalid_escaped),
		cmocka_unit_test(controls_escaped),
		cmocka_unit_test(empty_and_null),
		cmocka_unit_test(huge),
		cmocka_unit_test(err_cut_on_boundary),
		cmocka_unit_test(widths),
		cmocka_unit_test(table_aligned),
		cmocka_unit_test(json_keeps_everything),
		cmocka_unit_test(check_line_one_line),
		cmocka_unit_test(who_in_text_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
