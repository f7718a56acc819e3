/* report_to_json with picks (top's model): only the tables named, each cut
 * to its first rows by its sort column, most first, unknown last, ties in
 * table order; the findings only when JSON_PICK_FINDINGS is one of them;
 * without picks, everything. */
#include "unit.h"
#include "render.h"

#include <jansson.h>
#include <math.h>

enum { C_NAME, C_RATE, C_NCOLS };

static const struct sbx_col cols[] = {
	[C_NAME] = { "NAME", "name", CT_STR, COL_LABEL },
	[C_RATE] = { "RATE/s", "rate", CT_RATE },
};

static struct sbx_report *sample(void)
{
	static const double rate[] = { 5, NAN, 9, 5, 1 };
	struct sbx_report *r = report_new("t");
	struct sbx_table *t = report_table(r, "t", cols, C_NCOLS);

	report_table(r, "other", cols, C_NCOLS);
	for (int i = 0; i < 5; i++) {
		struct sbx_cell *c = table_row(t);

		cell_strf(&c[C_NAME], "row%d", i);
		if (isnan(rate[i]))
			cell_unknown(&c[C_RATE], "no rate");
		else
			cell_num(&c[C_RATE], rate[i]);
	}
	report_finding(r, ST_WARNING, "w", NULL, "needs attention");
	report_finding(r, ST_OK, "ok", NULL, "fine");
	return r;
}

static const char *name_at(const json_t *rows, size_t i)
{
	return json_string_value(json_object_get(json_array_get(rows, i), "name"));
}

static void tables_cut_findings_left_out(void **state)
{
	const struct json_pick p[] = { { "t", "rate", 3 } };
	struct sbx_report *r = sample();
	json_t *j = report_to_json(r, p, 1);
	const json_t *rows = json_object_get(j, "t");

	(void)state;
	assert_int_equal(json_array_size(rows), 3);
	assert_string_equal(name_at(rows, 0), "row2");
	assert_string_equal(name_at(rows, 1), "row0");	/* a tie: table order */
	assert_string_equal(name_at(rows, 2), "row3");
	assert_null(json_object_get(j, "other"));
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 0);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "WARNING");
	json_decref(j);
	report_free(r);
}

static void findings_when_picked(void **state)
{
	const struct json_pick p[] = { { "t", NULL, 0 }, { JSON_PICK_FINDINGS, NULL, 0 } };
	struct sbx_report *r = sample();
	json_t *j = report_to_json(r, p, 2);
	const json_t *f = json_object_get(j, "findings");

	(void)state;
	assert_int_equal(json_array_size(json_object_get(j, "t")), 5);
	assert_int_equal(json_array_size(f), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(f, 0), "check")), "w");
	json_decref(j);
	report_free(r);
}

static void no_picks_everything(void **state)
{
	struct sbx_report *r = sample();
	json_t *j = report_to_json(r, NULL, 0);

	(void)state;
	assert_int_equal(json_array_size(json_object_get(j, "t")), 5);
	assert_non_null(json_object_get(j, "other"));
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 2);
	/* the unknown rate is null, not 0 */
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(j, "t"), 1), "rate")));
	json_decref(j);
	report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tables_cut_findings_left_out),
		cmocka_unit_test(findings_when_picked),
		cmocka_unit_test(no_picks_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
