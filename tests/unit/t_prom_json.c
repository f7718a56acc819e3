/* prom_json: Prometheus query answers of every result type, errors and
 * warnings as the server sent them, alerts of Prometheus and
 * Alertmanager, RFC 3339 times, and empty, truncated, garbage, wrong-typed
 * and huge bodies: an error with the reason, never an empty result. */
#include "unit.h"
#include "prom_json.h"

#include <math.h>

static int q(const char *s, struct prom_result *r, struct sbx_err *e)
{
	return prom_parse_query(s, strlen(s), r, e);
}

static void vector(void **state)
{
	struct prom_result r;
	struct sbx_err e;
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(q("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
			   "{\"metric\":{\"job\":\"api\",\"__name__\":\"up\",\"a\":\"x\\\"y\"},\"value\":[1700000000.5,\"1\"]},"
			   "{\"metric\":{},\"value\":[1,\"NaN\"]},{\"metric\":{},\"value\":[1,\"+Inf\"]},"
			   "{\"metric\":{},\"value\":[1,\"-Inf\"]}]}}", &r, &e), 0);
	assert_true(r.ok && r.type == PROM_VECTOR && r.ns == 4);
	assert_true(r.s[0].t[0] == 1700000000.5 && r.s[0].v[0] == 1);
	assert_string_equal(r.s[0].l.k[0], "__name__");	/* name first, then sorted */
	assert_string_equal(r.s[0].l.k[1], "a");
	prom_labels_fmt(&r.s[0].l, true, &b);
	assert_string_equal(b.s, "up{a=\"x\\\"y\", job=\"api\"}");
	buf_reset(&b);
	prom_labels_fmt(&r.s[1].l, true, &b);
	assert_string_equal(b.s, "{}");
	assert_true(isnan(r.s[1].v[0]) && r.s[2].v[0] == INFINITY && r.s[3].v[0] == -INFINITY);
	assert_string_equal(prom_label(&r.s[0].l, "job"), "api");
	assert_null(prom_label(&r.s[0].l, "nope"));
	buf_free(&b);
	prom_result_free(&r);
}

static void matrix_scalar_string(void **state)
{
	struct prom_result r;
	struct sbx_err e;

	(void)state;
	assert_int_equal(q("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
			   "{\"metric\":{\"a\":\"b\"},\"values\":[[1,\"1\"],[2,\"2.5\"]]},{\"metric\":{},\"values\":[]}]}}",
			   &r, &e), 0);
	assert_true(r.type == PROM_MATRIX && r.ns == 2 && r.s[0].n == 2 && r.s[0].v[1] == 2.5 && r.s[1].n == 0);
	prom_result_free(&r);
	assert_int_equal(q("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[5,\"4\"]}}", &r, &e), 0);
	assert_true(r.type == PROM_SCALAR && r.s[0].v[0] == 4);
	prom_result_free(&r);
	assert_int_equal(q("{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[5,\"hi\"]}}", &r, &e), 0);
	assert_true(r.type == PROM_STRING && !strcmp(r.s[0].str, "hi"));
	prom_result_free(&r);
	assert_string_equal(prom_rtype_name(PROM_MATRIX), "matrix");
}

static void errors_and_warnings(void **state)
{
	struct prom_result r;
	struct sbx_err e;

	(void)state;
	assert_int_equal(q("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:5: parse error\","
			   "\"warnings\":[\"w1\",7]}", &r, &e), 0);
	assert_false(r.ok);
	assert_string_equal(r.error_type, "bad_data");
	assert_string_equal(r.error, "1:5: parse error");
	assert_int_equal(r.nwarnings, 1);
	prom_result_free(&r);
	assert_int_equal(q("{\"status\":\"error\"}", &r, &e), 0);
	assert_string_equal(r.error, "(no message)");
	prom_result_free(&r);
	assert_int_equal(q("{\"status\":\"success\",\"warnings\":[\"partial\"],\"data\":{\"resultType\":\"vector\",\"result\":[]}}", &r, &e), 0);
	assert_true(r.ok && r.ns == 0 && r.nwarnings == 1 && !strcmp(r.warnings[0], "partial"));
	prom_result_free(&r);
}

static void garbage(void **state)
{
	static const char *const bad[] = {
		"", "   ", "<html>500</html>", "{", "[]", "null", "{\"status\":1}", "{\"status\":\"maybe\"}",
		"{\"status\":\"success\"}", "{\"status\":\"success\",\"data\":{}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"tensor\",\"result\":[]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":{}}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":1},\"value\":[1,\"1\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,1]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"x\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{}}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[1]]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,2]}}",
		"{\"status\":\"success\",\"status\":\"error\"}",	/* duplicate keys */
	};
	struct prom_result r;
	struct sbx_err e;
	const char *full = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"1\"]}]}}";

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (q(bad[i], &r, &e) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_true(e.msg[0] != '\0');
	}
	for (size_t n = 0; n < strlen(full); n++)	/* every truncation */
		assert_int_equal(prom_parse_query(full, n, &r, &e), -1);
	assert_int_equal(prom_parse_query(full, strlen(full), &r, &e), 0);
	prom_result_free(&r);
}

static void huge(void **state)
{
	struct buf b = { 0 };
	struct prom_result r;
	struct sbx_err e;
	size_t n = 200000;

	(void)state;
	buf_adds(&b, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s{\"metric\":{\"i\":\"%zu\"},\"value\":[1,\"%zu\"]}", i ? "," : "", i, i);
	buf_adds(&b, "]}}");
	assert_int_equal(prom_parse_query(b.s, b.len, &r, &e), 0);
	assert_int_equal(r.ns, n);
	assert_true(r.s[n - 1].v[0] == (double)(n - 1));
	prom_result_free(&r);
	buf_free(&b);
}

static void alerts(void **state)
{
	const char *p = "{\"status\":\"success\",\"data\":{\"alerts\":[{\"labels\":{\"alertname\":\"A\",\"severity\":\"critical\"},"
			"\"annotations\":{\"summary\":\"s\"},\"state\":\"firing\",\"activeAt\":\"2026-12-01T10:00:00.5Z\",\"value\":\"1e+00\"},"
			"{\"labels\":{},\"annotations\":{\"description\":\"d\"},\"state\":\"pending\",\"activeAt\":\"bogus\"}]}}";
	const char *am = "[{\"labels\":{\"alertname\":\"B\"},\"annotations\":{},\"startsAt\":\"2026-12-01T12:00:00+02:00\","
			 "\"status\":{\"state\":\"suppressed\",\"silencedBy\":[\"id1\"],\"inhibitedBy\":[]}}]";
	struct prom_alerts a;
	struct sbx_err e;

	(void)state;
	assert_int_equal(prom_parse_alerts(p, strlen(p), false, &a, &e), 0);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.a[0].state, "firing");
	assert_string_equal(a.a[0].summary, "s");
	assert_true(a.a[0].since == 1796119200.5);
	assert_string_equal(a.a[1].summary, "d");
	assert_true(a.a[1].since == 0);	/* unparsable: unknown, not the epoch */
	prom_alerts_free(&a);
	assert_int_equal(prom_parse_alerts(am, strlen(am), true, &a, &e), 0);
	assert_true(a.n == 1 && a.a[0].nsilenced == 1 && !strcmp(a.a[0].silenced_by[0], "id1"));
	assert_true(a.a[0].since == 1796119200);
	assert_null(a.a[0].summary);
	prom_alerts_free(&a);
	/* the wrong API's answer, errors, garbage */
	assert_int_equal(prom_parse_alerts(p, strlen(p), true, &a, &e), -1);
	assert_int_equal(prom_parse_alerts(am, strlen(am), false, &a, &e), -1);
	assert_int_equal(prom_parse_alerts("{\"status\":\"error\",\"error\":\"x\"}", 31, false, &a, &e), -1);
	assert_non_null(strstr(e.msg, "x"));
	assert_int_equal(prom_parse_alerts("[{\"labels\":{}}]", 15, true, &a, &e), -1);	/* no state */
	assert_int_equal(prom_parse_alerts("", 0, true, &a, &e), -1);
	assert_int_equal(prom_parse_alerts("[", 1, true, &a, &e), -1);
	assert_int_equal(prom_parse_alerts("[1]", 3, true, &a, &e), -1);
	assert_int_equal(prom_parse_alerts("[]", 2, true, &a, &e), 0);
	assert_int_equal(a.n, 0);
	prom_alerts_free(&a);
}

static void times(void **state)
{
	double t;

	(void)state;
	assert_true(prom_time_parse("1970-01-01T00:00:00Z", &t) && t == 0);
	assert_true(prom_time_parse("2026-12-01T23:00:00.123456789Z", &t) && fabs(t - 1796166000.123456789) < 1e-6);
	assert_true(prom_time_parse("2026-12-01T23:00:00-01:30", &t) && t == 1796166000 + 5400);
	assert_false(prom_time_parse("2026-12-01 23:00:00Z", &t));
	assert_false(prom_time_parse("2026-12-01T23:00:00", &t));	/* no zone */
	assert_false(prom_time_parse("2026-13-01T23:00:00Z", &t));
	assert_false(prom_time_parse("2026-12-01T23:00:00.Z", &t));
	assert_false(prom_time_parse("2026-12-01T23:00:00Zjunk", &t));
	assert_false(prom_time_parse("", &t));
	assert_false(prom_time_parse(NULL, &t));
	assert_false(prom_time_parse("0001-01-01T00:00:00Z", &t));	/* Go's zero time: unknown */
}

/* the one RFC 3339 scanner behind the Kubernetes, Prometheus and klog times */
static void scan(void **state)
{
	const char *s = "2026-12-01T23:00:00.5+01:00 rest";
	double t;

	(void)state;
	assert_int_equal(rfc3339_scan(s, strlen(s), false, &t), 27);
	assert_true(t == 1796166000.5 - 3600);
	/* cut short: inside the date, inside the fraction's zone, before the zone */
	for (size_t n = 0; n < 27; n++)
		if (n != 21 && n < 19)
			assert_int_equal(rfc3339_scan(s, n, false, &t), 0);
	assert_int_equal(rfc3339_scan(s, 21, false, &t), 0);
	assert_int_equal(rfc3339_scan(s, 21, true, &t), 21);	/* klog: no zone is UTC */
	assert_true(t == 1796166000.5);
	assert_int_equal(rfc3339_scan("2026-12-01T23:00:00+1:00", 24, false, &t), 0);
	assert_int_equal(rfc3339_scan("2026-12-01T23:61:00Z", 20, false, &t), 0);
	assert_int_equal(rfc3339_scan("2026-12-01t23:00:00z", 20, false, &t), 20);
	assert_true(rfc3339_parse("2026-12-01T23:00:00.000Z", &t) && t == 1796166000);
	assert_false(rfc3339_parse("2026-12-01T23:00:00Z ", &t));
	assert_false(rfc3339_parse(NULL, &t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vector),
		cmocka_unit_test(scan),
		cmocka_unit_test(matrix_scalar_string),
		cmocka_unit_test(errors_and_warnings),
		cmocka_unit_test(garbage),
		cmocka_unit_test(huge),
		cmocka_unit_test(alerts),
		cmocka_unit_test(times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
