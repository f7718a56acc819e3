/* /proc/diskstats parsing and iostat -x arithmetic: real files from
 * procfs/node_exporter, 2.6 and 5.5 layouts, figures worked out by hand,
 * counters going backwards, devices coming and going, bad input. */
#include "unit.h"
#include "diskstats.h"
#include "iostat.h"

static void parse_ok(const char *text, size_t len, struct diskstats *s)
{
	struct sbx_err e;

	if (parse_diskstats(text, len, "diskstats", s, &e) < 0)
		fail_msg("%s", e.msg);
}

static void parse_fixture(const char *rel, struct diskstats *s)
{
	size_t len;
	char *text = fixture(rel, &len);

	parse_ok(text, len, s);
	free(text);
}

static const struct disk_stat *dev(const struct diskstats *s, const char *name)
{
	const struct disk_stat *d = diskstats_find(s, name);

	if (!d)
		fail_msg("no device %s", name);
	return d;
}

static void real_procfs_file(void **state)
{
	struct diskstats s;
	const struct disk_stat *d;

	(void)state;
	parse_fixture("procfs/proc/diskstats", &s);
	assert_int_equal(s.n, 52);
	d = dev(&s, "sda");
	assert_int_equal(d->major, 8);
	assert_int_equal(d->minor, 0);
	assert_int_equal(d->ncounters, 11);
	assert_false(d->has_discard);
	assert_false(d->has_flush);
	assert_true(d->v[DS_RD_IOS] == 25354637);
	assert_true(d->v[DS_RD_SECTORS] == 1003346126);
	assert_true(d->v[DS_TIME_IN_QUEUE] == 82621804);
	d = dev(&s, "sdb");
	assert_int_equal(d->ncounters, 15);
	assert_true(d->has_discard);
	assert_false(d->has_flush);
	assert_true(d->v[DS_DC_SECTORS] == 1925173784);
	d = dev(&s, "sdc");
	assert_true(d->has_flush);
	assert_true(d->v[DS_FL_IOS] == 127);
	assert_true(d->v[DS_FL_TICKS] == 182);
	assert_non_null(diskstats_find(&s, "nvme0n1p2"));
	assert_non_null(diskstats_find(&s, "dm-0"));
	assert_null(diskstats_find(&s, "sdz"));
	diskstats_free(&s);

	parse_fixture("node_exporter/proc/diskstats", &s);
	d = dev(&s, "sdc");
	assert_int_equal(d->minor, 32);
	assert_true(d->v[DS_FL_IOS] == 1555);
	diskstats_free(&s);
}

static void old_kernel_partitions_have_four_counters(void **state)
{
	struct diskstats s;
	const struct disk_stat *d;
	struct io_figs f;

	(void)state;
	parse_fixture("diskstats/old-2.6", &s);
	assert_int_equal(s.n, 5);
	d = dev(&s, "hda");
	assert_false(d->short_form);
	assert_int_equal(d->ncounters, 11);
	d = dev(&s, "hda1");
	assert_true(d->short_form);
	assert_int_equal(d->ncounters, 4);
	assert_true(d->v[DS_RD_IOS] == 35486);
	assert_true(d->v[DS_RD_SECTORS] == 38030);
	assert_true(d->v[DS_WR_IOS] == 38030);
	assert_true(d->v[DS_WR_SECTORS] == 38030);
	assert_true(d->v[DS_RD_MERGES] == 0);
	/* since boot over 100 s: r/s known, r_await and %util not counted */
	iostat_dev(d, NULL, 100, &f);
	assert_true(f.ok);
	assert_true(f.has[IO_RS]);
	assert_float_equal(f.v[IO_RS], 354.86, 1e-9);
	assert_float_equal(f.v[IO_RKBS], 190.15, 1e-9);
	assert_false(f.has[IO_R_AWAIT]);
	assert_false(f.has[IO_RRQM_PCT]);
	assert_false(f.has[IO_UTIL]);
	assert_false(f.has[IO_AQU_SZ]);
	assert_false(f.has[IO_DS]);
	assert_false(f.has[IO_FS]);
	diskstats_free(&s);
}

static void kernel_5_5_has_discard_and_flush(void **state)
{
	struct diskstats s;
	const struct disk_stat *d;

	(void)state;
	parse_fixture("diskstats/kernel-5.5", &s);
	assert_int_equal(s.n, 5);
	d = dev(&s, "nvme0n1");
	assert_int_equal(d->ncounters, 17);
	assert_true(d->has_discard && d->has_flush);
	assert_true(d->v[DS_DC_IOS] == 1234);
	assert_true(d->v[DS_DC_TICKS] == 77);
	assert_true(d->v[DS_FL_IOS] == 4040);
	assert_true(d->v[DS_FL_TICKS] == 1212);
	assert_int_equal(dev(&s, "md127")->minor, 127);
	assert_int_equal(dev(&s, "loop0")->major, 7);
	assert_int_equal(dev(&s, "dm-0")->major, 252);
	assert_non_null(diskstats_find(&s, "nvme0n1p1"));
	diskstats_free(&s);
}

/* Two readings 2 s apart, every figure worked out by hand below. */
static const char before[] =
	"   8       0 sda 1000 10 8000 500 2000 20 40000 1000 3 700 9000 50 5 4000 100 10 20\n";
static const char after[] =
	/* +200 reads, +50 merged, +1600 sectors, +500 ms; +100 writes,
	 * +100 merged, +6400 sectors, +1000 ms; +10 discards, +10 merged,
	 * +2048 sectors, +30 ms; +4 flushes, +8 ms; io_ticks +1500,
	 * weighted +3000; in flight 1 (a gauge that went down: fine) */
	"   8       0 sda 1200 60 9600 1000 2100 120 46400 2000 1 2200 12000 60 15 6048 130 14 28\n";

static void figures_by_hand(void **state)
{
	struct diskstats a, b;
	struct io_figs f;

	(void)state;
	parse_ok(before, strlen(before), &a);
	parse_ok(after, strlen(after), &b);
	iostat_dev(&b.dev[0], &a.dev[0], 2, &f);
	assert_true(f.ok);
	for (unsigned i = 0; i < IO_N; i++)
		if (!f.has[i])
			fail_msg("%s missing", io_fig_name[i]);
	assert_float_equal(f.v[IO_RS], 100, 1e-9);		/* 200 / 2 */
	assert_float_equal(f.v[IO_RKBS], 400, 1e-9);		/* 1600 / 2 / 2 */
	assert_float_equal(f.v[IO_RRQMS], 25, 1e-9);		/* 50 / 2 */
	assert_float_equal(f.v[IO_RRQM_PCT], 20, 1e-9);		/* 50 / 250 */
	assert_float_equal(f.v[IO_R_AWAIT], 2.5, 1e-9);		/* 500 / 200 */
	assert_float_equal(f.v[IO_RAREQ_SZ], 4, 1e-9);		/* 1600 / 200 / 2 */
	assert_float_equal(f.v[IO_WS], 50, 1e-9);
	assert_float_equal(f.v[IO_WKBS], 1600, 1e-9);		/* 6400 / 2 / 2 */
	assert_float_equal(f.v[IO_WRQMS], 50, 1e-9);
	assert_float_equal(f.v[IO_WRQM_PCT], 50, 1e-9);		/* 100 / 200 */
	assert_float_equal(f.v[IO_W_AWAIT], 10, 1e-9);		/* 1000 / 100 */
	assert_float_equal(f.v[IO_WAREQ_SZ], 32, 1e-9);		/* 6400 / 100 / 2 */
	assert_float_equal(f.v[IO_DS], 5, 1e-9);
	assert_float_equal(f.v[IO_DKBS], 512, 1e-9);		/* 2048 / 2 / 2 */
	assert_float_equal(f.v[IO_DRQMS], 5, 1e-9);
	assert_float_equal(f.v[IO_DRQM_PCT], 50, 1e-9);
	assert_float_equal(f.v[IO_D_AWAIT], 3, 1e-9);		/* 30 / 10 */
	assert_float_equal(f.v[IO_DAREQ_SZ], 102.4, 1e-9);	/* 2048 / 10 / 2 */
	assert_float_equal(f.v[IO_FS], 2, 1e-9);
	assert_float_equal(f.v[IO_F_AWAIT], 2, 1e-9);		/* 8 / 4 */
	assert_float_equal(f.v[IO_AQU_SZ], 1.5, 1e-9);		/* 3000 / 2 / 1000 */
	assert_float_equal(f.v[IO_UTIL], 75, 1e-9);		/* 1500 / 2 / 10 */

	/* since boot: the counters over the uptime */
	iostat_dev(&a.dev[0], NULL, 1000, &f);
	assert_true(f.ok);
	assert_float_equal(f.v[IO_RS], 1, 1e-9);
	assert_float_equal(f.v[IO_R_AWAIT], 0.5, 1e-9);
	assert_float_equal(f.v[IO_UTIL], 0.07, 1e-9);

	/* no reads in the interval: sysstat's 0 for the ratios, not NaN */
	iostat_dev(&a.dev[0], &a.dev[0], 1, &f);
	assert_true(f.ok);
	assert_float_equal(f.v[IO_R_AWAIT], 0, 0);
	assert_float_equal(f.v[IO_RRQM_PCT], 0, 0);
	assert_float_equal(f.v[IO_RAREQ_SZ], 0, 0);
	/* no time: nothing to divide by */
	iostat_dev(&b.dev[0], &a.dev[0], 0, &f);
	assert_false(f.ok);
	assert_non_null(strstr(f.why, "no time"));
	diskstats_free(&a);
	diskstats_free(&b);
}

static void old_kernel_pair_lacks_discard(void **state)
{
	struct diskstats a, b;
	struct io_figs f;
	const char *t1 = "8 0 sda 100 0 800 250 0 0 0 0 0 100 250\n";
	const char *t2 = "8 0 sda 200 0 1600 500 0 0 0 0 0 1100 500\n";

	(void)state;
	parse_ok(t1, strlen(t1), &a);
	parse_ok(t2, strlen(t2), &b);
	iostat_dev(&b.dev[0], &a.dev[0], 1, &f);
	assert_true(f.ok);
	assert_float_equal(f.v[IO_RS], 100, 1e-9);
	assert_float_equal(f.v[IO_RKBS], 400, 1e-9);
	assert_float_equal(f.v[IO_R_AWAIT], 2.5, 1e-9);
	assert_float_equal(f.v[IO_UTIL], 100, 1e-9);
	assert_false(f.has[IO_DS]);
	assert_false(f.has[IO_D_AWAIT]);
	assert_false(f.has[IO_FS]);
	assert_false(f.has[IO_F_AWAIT]);
	diskstats_free(&a);
	diskstats_free(&b);
}

static void backwards_is_unknown(void **state)
{
	struct diskstats a, b;
	struct io_figs f;
	/* ms reading was 2^32-1 and is now 99: a 32-bit wrap or a reset,
	 * which cannot be told apart, so no figure rather than a guess */
	const char *t1 = "8 0 sda 100 0 800 4294967295 0 0 0 0 0 100 250\n";
	const char *t2 = "8 0 sda 200 0 1600 99 0 0 0 0 0 200 500\n";

	(void)state;
	parse_ok(t1, strlen(t1), &a);
	parse_ok(t2, strlen(t2), &b);
	iostat_dev(&b.dev[0], &a.dev[0], 1, &f);
	assert_false(f.ok);
	assert_non_null(strstr(f.why, "ms reading"));
	assert_non_null(strstr(f.why, "4294967295 to 99"));
	for (unsigned i = 0; i < IO_N; i++)
		assert_false(f.has[i]);
	diskstats_free(&a);
	diskstats_free(&b);
}

static void devices_coming_and_going(void **state)
{
	struct diskstats a, b;
	struct io_figs *v;
	size_t n;
	const char *t1 = "8 0 sda 1 0 8 1 0 0 0 0 0 1 1\n"
			 "8 16 sdb 1 0 8 1 0 0 0 0 0 1 1\n"
			 "7 0 loop0 1 0 8 1 0 0 0 0 0 1 1\n";
	/* sdb gone, sdc new, loop0 re-created as another device */
	const char *t2 = "8 0 sda 11 0 88 11 0 0 0 0 0 11 11\n"
			 "8 32 sdc 5 0 40 5 0 0 0 0 0 5 5\n"
			 "7 1 loop0 2 0 16 2 0 0 0 0 0 2 2\n";

	(void)state;
	parse_ok(t1, strlen(t1), &a);
	parse_ok(t2, strlen(t2), &b);
	n = iostat_all(&b, &a, 1, &v);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].name, "sda");
	assert_true(v[0].ok);
	assert_float_equal(v[0].v[IO_RS], 10, 1e-9);
	assert_string_equal(v[1].name, "sdc");
	assert_false(v[1].ok);
	assert_non_null(strstr(v[1].why, "appeared"));
	assert_false(v[1].has[IO_RS]);
	assert_string_equal(v[2].name, "loop0");
	assert_false(v[2].ok);
	assert_non_null(strstr(v[2].why, "re-created (7:0, then 7:1)"));
	assert_string_equal(v[3].name, "sdb");
	assert_int_equal(v[3].minor, 16);
	assert_false(v[3].ok);
	assert_non_null(strstr(v[3].why, "went away"));
	free(v);
	/* since boot: every device of the one reading */
	n = iostat_all(&b, NULL, 100, &v);
	assert_int_equal(n, 3);
	assert_true(v[1].ok);
	assert_float_equal(v[1].v[IO_RS], 0.05, 1e-9);
	free(v);
	diskstats_free(&a);
	diskstats_free(&b);
}

static void bad(const char *text, size_t len, const char *want)
{
	struct diskstats s;
	struct sbx_err e;

	if (parse_diskstats(text, len, "diskstats", &s, &e) == 0)
		fail_msg("parsed: %.*s", (int)len, text);
	assert_null(s.dev);
	if (!strstr(e.msg, want))
		fail_msg("error '%s' lacks '%s'", e.msg, want);
}

/* sizeof: a literal may hold a NUL */
#define BAD(lit, want) bad(lit, sizeof(lit) - 1, want)

static void bad_input(void **state)
{
	struct diskstats s;
	char huge[200];

	(void)state;
	/* empty: no block devices (a container), not an error */
	parse_ok("", 0, &s);
	assert_int_equal(s.n, 0);
	diskstats_free(&s);
	parse_ok("\n\n", 2, &s);
	assert_int_equal(s.n, 0);
	diskstats_free(&s);
	/* a last line cut mid-number must not parse as a smaller number */
	BAD("8 0 sda 1 2 3 4 5 6 7 8 9 10 1100", "truncated");
	BAD("8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n8 16 sdb 1", "truncated");
	BAD("garbage\n", "diskstats:1: not a diskstats line");
	BAD("8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n8 0\n", "diskstats:2:");
	BAD("8 0 sda 1 2 3 4 5\n", "not a diskstats");		/* 5 counters */
	BAD("8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12\n", "not a diskstats");
	BAD("8 0 sda 1 2 3 -4 5 6 7 8 9 10 11\n", "not a diskstats");
	BAD("8 0 sda 1 2 3 4x 5 6 7 8 9 10 11\n", "not a diskstats");
	BAD("8 0 sda 1 2 3 99999999999999999999 5 6 7 8 9 10 11\n", "not a diskstats");
	BAD("8 0 sd\0a 1 2 3 4 5 6 7 8 9 10 11\n", "not a diskstats");
	BAD("4294967296 0 sda 1 2 3 4 5 6 7 8 9 10 11\n", "not a diskstats");
	memset(huge, 'x', sizeof(huge));
	memcpy(huge, "8 0 ", 4);
	memcpy(huge + sizeof(huge) - 25, " 1 2 3 4 5 6 7 8 9 10 11\n", 25);
	bad(huge, sizeof(huge), "not a diskstats");		/* a 171-byte name */
	/* a future kernel's extra counters are ignored */
	parse_ok("8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n", 56, &s);
	assert_int_equal(s.dev[0].ncounters, 19);
	assert_true(s.dev[0].v[DS_FL_TICKS] == 17);
	diskstats_free(&s);
}

/* Every prefix of a real file either parses or fails cleanly (ASan watches). */
static void every_prefix_is_total(void **state)
{
	size_t len;
	char *text = fixture("procfs/proc/diskstats", &len);

	(void)state;
	for (size_t i = 0; i <= len; i++) {
		struct diskstats s;
		struct sbx_err e;
		char *copy = xmalloc(i + 1);

		memcpy(copy, text, i);
		if (parse_diskstats(copy, i, "diskstats", &s, &e) == 0) {
			/* only at a line end */
			assert_true(i == 0 || copy[i - 1] == '\n');
			diskstats_free(&s);
		}
		free(copy);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_procfs_file),
		cmocka_unit_test(old_kernel_partitions_have_four_counters),
		cmocka_unit_test(kernel_5_5_has_discard_and_flush),
		cmocka_unit_test(figures_by_hand),
		cmocka_unit_test(old_kernel_pair_lacks_discard),
		cmocka_unit_test(backwards_is_unknown),
		cmocka_unit_test(devices_coming_and_going),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(every_prefix_is_total),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
