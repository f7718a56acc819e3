/* The stuck-helper registry's file: parsed whatever it holds (garbage, cut
 * short, huge, hostile names), written back so that it reads the same. */
#include "unit.h"
#include "hung.h"

static size_t parse(const char *text, struct stuck_set *s)
{
	memset(s, 0, sizeof(*s));
	return stuck_parse(text, strlen(text), s);
}

static void records(void **state)
{
	struct stuck_set s;

	(void)state;
	assert_int_equal(parse("1234 987654321 1796155729.334 0:40 /mnt/nfs\n"
			       "99 5 12 259:3 /var/lib/kubelet/pods/x/volumes\n",
			       &s),
			 2);
	assert_int_equal(s.v[0].pid, 1234);
	assert_true(s.v[0].start == 987654321);
	assert_true(s.v[0].since > 1796155729.33 && s.v[0].since < 1796155729.34);
	assert_int_equal(s.v[0].major, 0);
	assert_int_equal(s.v[0].minor, 40);
	assert_string_equal(s.v[0].point, "/mnt/nfs");
	assert_true(s.v[1].since == 12);
	assert_int_equal(s.v[1].major, 259);
	assert_string_equal(s.v[1].point, "/var/lib/kubelet/pods/x/volumes");
	stuck_free(&s);
}

/* every line that is not a whole record is skipped, the rest kept */
static void garbage(void **state)
{
	static const char *const bad[] = {
		"",
		"\n\n\n",
		"hello world\n",
		"1234\n",
		"1234 5 6 0:40\n",			/* no point */
		"1234 5 6 0:40 relative/path\n",
		"1234 5 6 0:40  /two-spaces\n",
		"-5 5 6 0:40 /m\n",			/* negative pid */
		"0 5 6 0:40 /m\n",			/* pid 0, 1: never a helper */
		"1 5 6 0:40 /m\n",
		"99999999999 5 6 0:40 /m\n",		/* pid overflows */
		"12 99999999999999999999999 6 0:40 /m\n", /* start overflows */
		"12 5 6.x 0:40 /m\n",
		"12 5 6 0-40 /m\n",
		"12 5 6 0: /m\n",
		"12 5 6 0:40 /m\tx\n",			/* control characters */
		"12 5 6 0:40 /m\\0\n",			/* short escape */
		"12 5 6 0:40 /m\\000\n",		/* NUL by escape */
		"12 5 6 0:40 /m\\9ab\n",
		"12 5 6 0:40 /m trailing\n",
		" 12 5 6 0:40 /m\n",
		"12 5 6 0:40 /m\r\n",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct stuck_set s;

		if (parse(bad[i], &s) != 0)
			fail_msg("parsed: %s", bad[i]);
		stuck_free(&s);
	}
	{
		struct stuck_set s;
		char bin[] = "12 5 6 0:40 /a\n\0\xff\xfe\n13 5 6 0:41 /b\n";

		memset(&s, 0, sizeof(s));
		assert_int_equal(stuck_parse(bin, sizeof(bin) - 1, &s), 2);
		assert_string_equal(s.v[1].point, "/b");
		stuck_free(&s);
	}
}

/* a file cut short: the last line, without its newline, is not trusted */
static void truncated(void **state)
{
	const char *text = "12 5 6 0:40 /mnt/one\n13 5 6 0:41 /mnt/two\n";
	size_t len = strlen(text);

	(void)state;
	for (size_t cut = 0; cut <= len; cut++) {
		struct stuck_set s = { 0 };
		size_t got = stuck_parse(text, cut, &s);

		assert_int_equal(got, cut == len ? 2 : cut >= 21 ? 1 : 0);
		if (got)
			assert_string_equal(s.v[0].point, "/mnt/one");
		stuck_free(&s);
	}
}

/* more than STUCK_MAX records, and one very long line: bounded */
static void huge(void **state)
{
	struct buf b = { 0 };
	struct stuck_set s = { 0 };
	char *longline = xmalloc(100000);

	(void)state;
	memset(longline, 'a', 99999);
	longline[0] = '/';
	longline[99999] = '\0';
	buf_addf(&b, "12 5 6 0:40 %s\n", longline);
	for (int i = 0; i < 10000; i++)
		buf_addf(&b, "%d 5 6 0:%d /mnt/%d\n", 100 + i, i, i);
	assert_int_equal(stuck_parse(b.s, b.len, &s), STUCK_MAX);
	assert_int_equal(s.n, STUCK_MAX);
	assert_string_equal(s.v[0].point, "/mnt/0");
	stuck_free(&s);
	buf_free(&b);
	free(longline);
}

/* what is written reads back the same, odd names and all */
static void round_trip(void **state)
{
	struct stuck_set s = { 0 }, t = { 0 };
	struct stuck_rec r = { 4242, 123456789012ull, 1796155729.5, 0, 53, NULL };
	struct buf b = { 0 };
	char name[] = "/mnt/with space\tand\\back\nslash\x7f\xc3\xa9";

	(void)state;
	r.point = name;
	stuck_add(&s, &r);
	r.pid = 7;
	r.point = "/";
	stuck_add(&s, &r);
	stuck_format(&s, &b);
	assert_non_null(strstr(b.s, "\\040"));
	assert_null(strchr(b.s, '\t'));
	assert_int_equal(stuck_parse(b.s, b.len, &t), 2);
	assert_string_equal(t.v[0].point, name);
	assert_int_equal(t.v[0].pid, 4242);
	assert_true(t.v[0].start == 123456789012ull);
	assert_true(t.v[0].since == 1796155729.5);
	assert_int_equal(t.v[0].minor, 53);
	assert_string_equal(t.v[1].point, "/");
	stuck_del(&t, 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].pid, 7);
	stuck_free(&s);
	stuck_free(&t);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records),
		cmocka_unit_test(garbage),
		cmocka_unit_test(truncated),
		cmocka_unit_test(huge),
		cmocka_unit_test(round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
