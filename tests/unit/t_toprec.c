/* toprec: recording lines (a real sample, cut, empty, huge, garbage, of
 * the wrong shape) and the times -t takes. */
#include "unit.h"
#include "toprec.h"

#include <math.h>
#include <time.h>

static json_t *line(const char *s, struct sbx_err *err)
{
	return toprec_line(s, strlen(s), err);
}

static void samples(void **state)
{
	struct sbx_err err;
	json_t *j;
	char *rec;
	size_t n;

	(void)state;
	j = line("{\"t\":1796189132.5,\"state\":\"WARNING\",\"findings\":[],\"panes\":{},\"node\":{}}\n", &err);
	assert_non_null(j);
	assert_true(json_number_value(json_object_get(j, "t")) == 1796189132.5);
	json_decref(j);
	/* integer times, CRLF, no optional fields */
	j = line("{\"t\":5,\"state\":\"UNKNOWN\"}\r\n", &err);
	assert_non_null(j);
	json_decref(j);
	/* a recorded sample of the procfs fixture, whole and cut anywhere */
	rec = fixture("../fuzz/corpus/toprec/sample-procfs.json", &n);
	j = toprec_line(rec, n, &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "WARNING");
	json_decref(j);
	for (size_t k = 0; k + 1 < n; k += 97) {
		j = toprec_line(rec, k, &err);
		assert_null(j);
	}
	free(rec);
}

static void not_samples(void **state)
{
	static const char *const bad[] = {
		"", "\n", "{", "[]", "42", "\"x\"", "null", "{}",
		"{\"t\":\"now\",\"state\":\"OK\"}",
		"{\"t\":1,\"state\":\"FINE\"}",
		"{\"t\":1,\"state\":3}",
		"{\"state\":\"OK\"}",
		"{\"t\":1,\"state\":\"OK\",\"findings\":{}}",
		"{\"t\":1,\"state\":\"OK\",\"panes\":[]}",
		"{\"t\":1,\"state\":\"OK\",\"node\":7}",
		"{\"t\":1,\"t\":2,\"state\":\"OK\"}",
		"{\"t\":1,\"state\":\"OK\"} trailing",
		"\xff\xfe{\"t\":1}",
	};
	struct sbx_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = 0;
		assert_null(line(bad[i], &err));
		assert_true(err.msg[0] != 0);
	}
	/* NUL bytes inside, and a line of bytes with no end */
	assert_null(toprec_line("{\"t\":1,\0\"state\":\"OK\"}", 22, &err));
}

static void huge(void **state)
{
	size_t n = TOPREC_MAX_LINE + 10;
	char *big = malloc(n);
	struct sbx_err err;
	json_t *j;

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "{\"t\":1,\"state\":\"OK\"}", 21);
	assert_null(toprec_line(big, n, &err));
	assert_non_null(strstr(err.msg, "more than a sample"));
	/* a long string field under the bound is fine */
	n = 1u << 20;
	snprintf(big, 64, "{\"t\":1,\"state\":\"OK\",\"x\":\"");
	memset(big + strlen(big), 'a', n);
	strcpy(big + 26 + n, "\"}");
	j = toprec_line(big, strlen(big), &err);
	assert_non_null(j);
	json_decref(j);
	free(big);
}

static void times(void **state)
{
	double now = 1796189132.5, t;
	struct tm tm;
	time_t secs = (time_t)now;

	(void)state;
	assert_true(toprec_when("10m ago", now, &t) && t == now - 600);
	assert_true(toprec_when(" 90s ago", now, &t) && t == now - 90);
	assert_true(toprec_when("1.5h ago", now, &t) && t == now - 5400);
	assert_true(toprec_when("2 d ago", now, &t) && t == now - 172800);
	assert_true(toprec_when("5min ago", now, &t) && t == now - 300);
	assert_true(toprec_when("2026-12-02T05:17:57Z", now, &t) && t == 1796188677);
	assert_true(toprec_when("2026-12-02T05:17:57+00:00", now, &t) && t == 1796188677);
	/* local forms: as mktime reads them */
	localtime_r(&secs, &tm);
	tm.tm_hour = 5, tm.tm_min = 17, tm.tm_sec = 0, tm.tm_isdst = -1;
	assert_true(toprec_when("05:17", now, &t) && t == (double)mktime(&tm));
	tm.tm_sec = 30, tm.tm_isdst = -1;
	assert_true(toprec_when("05:17:30", now, &t) && t == (double)mktime(&tm));
	assert_true(toprec_when("2026-12-02 05:17", now, &t));
	static const char *const bad[] = {
		"", " ", "ago", "10m", "10 ago", "-5m ago", "10x ago", "10m ago!", "10m before",
		"1e300h ago", "nan m ago", "inf s ago", "2026-13-45T99:99:99Z", "2026-12-02T05:17:57Q",
		"25:99", "5:17pm", "yesterday", "\xff\xfe",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(toprec_when(bad[i], now, &t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(samples),
		cmocka_unit_test(not_samples),
		cmocka_unit_test(huge),
		cmocka_unit_test(times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
