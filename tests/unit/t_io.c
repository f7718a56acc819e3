/* srebox io's probe and judge: /proc/PID/io and stat parsers, sysfs names
 * and queues under a --root tree, two diskstats readings judged (slow,
 * saturated, idle, backwards, gone), per-process rates and the kernel
 * log's I/O errors. */
#include "unit.h"

#include "check.h"
#include "io.h"
#include "iostat.h"
#include "judge_io.h"
#include "procio.h"
#include "procio_host.h"
#include "report.h"

#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/x", root, rel);
	put(path + strlen(root) + 1, "");
	*strrchr(path, '/') = '\0';
	snprintf(path + strlen(path), 8, "/x");
	unlink(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/t_io.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	root_set(root);
	check_reset();
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	root_set(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct sbx_finding *finding(const struct sbx_report *r, const char *check,
					 const char *subject)
{
	for (size_t i = 0; i < r->nfind; i++)
		if (!strcmp(r->findings[i].check, check) &&
		    (!subject ? !r->findings[i].subject
			      : r->findings[i].subject && !strcmp(r->findings[i].subject, subject)))
			return &r->findings[i];
	return NULL;
}

/* ---- parsers ---- */

static void proc_io_good(void **state)
{
	static const char t[] = "rchar: 323934931\nwchar: 323929600\nsyscr: 632687\nsyscw: 632675\n"
				"read_bytes: 4096\nwrite_bytes: 323932160\ncancelled_write_bytes: 1024\n";
	struct proc_io_counts c;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_proc_io(t, strlen(t), "io", &c, &err), 0);
	assert_int_equal(c.read_bytes, 4096);
	assert_int_equal(c.write_bytes, 323932160);
	assert_int_equal(c.cancelled_write_bytes, 1024);
	assert_true(c.has_rchar);
	assert_int_equal(c.rchar, 323934931);
	/* a future key is ignored; the order does not matter */
	{
		static const char u[] = "write_bytes: 1\nfuture_key: 7\ncancelled_write_bytes: 0\n"
					"read_bytes: 18446744073709551615\n";

		assert_int_equal(parse_proc_io(u, strlen(u), "io", &c, &err), 0);
		assert_true(c.read_bytes == UINT64_MAX);
		assert_false(c.has_rchar);
	}
}

static void proc_io_bad(void **state)
{
	static const char *const bad[] = {
		"",						/* empty */
		"read_bytes: 1\nwrite_bytes: 2\ncancelled_write_bytes: 3",	/* cut */
		"read_bytes: 1\nwrite_bytes: 2\n",		/* no cancelled_write_bytes */
		"read_bytes: x\nwrite_bytes: 2\ncancelled_write_bytes: 3\n",
		"read_bytes: 18446744073709551616\nwrite_bytes: 2\ncancelled_write_bytes: 3\n",
		"read_bytes 1\nwrite_bytes: 2\ncancelled_write_bytes: 3\n",
		"read_bytes: -1\nwrite_bytes: 2\ncancelled_write_bytes: 3\n",
		"\x01\x02garbage\n",
	};
	struct proc_io_counts c;
	struct sbx_err err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_proc_io(bad[i], strlen(bad[i]), "/proc/1/io", &c, &err), -1);
		assert_non_null(strstr(err.msg, "/proc/1/io"));
	}
	/* huge: a megabyte of unknown keys, then the three */
	{
		struct buf b = { 0 };

		for (int i = 0; i < 40000; i++)
			buf_addf(&b, "k%d: %d\n", i, i);
		buf_addf(&b, "read_bytes: 1\nwrite_bytes: 2\ncancelled_write_bytes: 3\n");
		assert_int_equal(parse_proc_io(b.s, b.len, "io", &c, &err), 0);
		assert_int_equal(c.write_bytes, 2);
		buf_free(&b);
	}
}

/* A 6.x stat line: 52 fields; field 42 (delayacct_blkio_ticks) is 17. */
static const char stat6[] =
	"812 (cc1 (x) y) D 800 800 800 34816 812 4194304 2000 0 0 0 150 30 0 0 20 0 1 0 12345 "
	"100000000 5000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 17 0 0 0 0 0 0 0 0 0 0\n";

static void proc_io_stat(void **state)
{
	struct proc_io_stat s;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_proc_io_stat(stat6, strlen(stat6), "stat", &s, &err), 0);
	assert_string_equal(s.comm, "cc1 (x) y");
	assert_int_equal(s.starttime, 12345);
	assert_true(s.has_blkio);
	assert_int_equal(s.blkio_ticks, 17);
	/* 2.6.17: no field 42 */
	{
		static const char old[] = "1 (init) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 16 0 1 0 99 1 2 3\n";

		assert_int_equal(parse_proc_io_stat(old, strlen(old), "stat", &s, &err), 0);
		assert_int_equal(s.starttime, 99);
		assert_false(s.has_blkio);
	}
	/* bad: empty, no comm, garbage, cut inside starttime, cut in field 42 */
	{
		char cut[sizeof(stat6)];
		const char *p = strstr(stat6, "12345");

		assert_int_equal(parse_proc_io_stat("", 0, "stat", &s, &err), -1);
		assert_int_equal(parse_proc_io_stat("812 cc1 D\n", 10, "stat", &s, &err), -1);
		assert_int_equal(parse_proc_io_stat("812 (a) D x y\n", 14, "stat", &s, &err), -1);
		assert_int_equal(parse_proc_io_stat("812 (a) D 1 2\n", 14, "stat", &s, &err), -1);
		memcpy(cut, stat6, (size_t)(p - stat6) + 3);
		assert_int_equal(parse_proc_io_stat(cut, (size_t)(p - stat6) + 3, "stat", &s, &err), -1);
		assert_non_null(strstr(err.msg, "truncated"));
	}
}

/* ---- sysfs: names, partitions, queues ---- */

static void sysfs_tree(void)
{
	put("sys/block/sda/queue/rotational", "1\n");
	dir("sys/block/sda/mq/0");
	put("sys/block/sda/sda1/partition", "1\n");
	put("sys/block/sda/sda2/partition", "2\n");
	put("sys/block/nvme0n1/queue/rotational", "0\n");
	for (int q = 0; q < 4; q++) {
		char p[64];

		snprintf(p, sizeof(p), "sys/block/nvme0n1/mq/%d", q);
		dir(p);
	}
	put("sys/block/nvme0n1/nvme0n1p1/partition", "1\n");
	put("sys/block/dm-0/dm/name", "vg0-root\n");
	put("sys/block/dm-0/queue/rotational", "0\n");
	put("sys/block/md127/md/level", "raid1\n");
	put("sys/block/vda/queue/rotational", "0\n");
	dir("sys/block/vda/mq/0");
	put("proc/uptime", "1000.00 1500.00\n");
}

static void names_and_queues(void **state)
{
	struct io_snap s;
	struct sbx_err err;
	const struct io_dev *d;
	char q[32];

	(void)state;
	sysfs_tree();
	put("proc/diskstats",
	    "   8       0 sda 1 0 8 1 1 0 8 1 0 1 2 0 0 0 0 0 0\n"
	    "   8       1 sda1 1 0 8 1 1 0 8 1 0 1 2 0 0 0 0 0 0\n"
	    "   8       2 sda2 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
	    " 259       0 nvme0n1 1 0 8 1 1 0 8 1 0 1 2 0 0 0 0 0 0\n"
	    " 259       1 nvme0n1p1 1 0 8 1 1 0 8 1 0 1 2 0 0 0 0 0 0\n"
	    " 252       0 dm-0 1 0 8 1 1 0 8 1 0 1 2 0 0 0 0 0 0\n"
	    "   9     127 md127 1 0 8 1 1 0 8 1 0 1 2 0 0 0 0 0 0\n"
	    " 254       0 vda 1 0 8 1 1 0 8 1 0 1 2 0 0 0 0 0 0\n"
	    "   7       0 loop9 1 0 8 1 1 0 8 1 0 1 2 0 0 0 0 0 0\n");
	assert_int_equal(io_snap_read(&s, &err), 0);
	assert_true(s.uptime == 1000.0);
	d = io_dev_find(&s, "dm-0");
	assert_string_equal(d->name, "vg0-root");
	assert_string_equal(d->kind, "dm");
	assert_int_equal(d->hw_queues, 0);	/* bio-based */
	assert_false(io_dev_serial(d));
	d = io_dev_find(&s, "md127");
	assert_string_equal(d->name, "md127");
	assert_string_equal(d->level, "raid1");
	d = io_dev_find(&s, "sda1");
	assert_true(d->partition);
	assert_string_equal(d->parent, "sda");
	assert_true(io_dev_find(&s, "sda2")->partition);
	assert_string_equal(io_dev_find(&s, "nvme0n1p1")->parent, "nvme0n1");
	d = io_dev_find(&s, "sda");
	assert_false(d->partition);
	assert_int_equal(d->rotational, 1);
	assert_true(io_dev_serial(d));
	io_dev_queue_type(d, q, sizeof(q));
	assert_string_equal(q, "hdd 1q");
	d = io_dev_find(&s, "nvme0n1");
	assert_int_equal(d->hw_queues, 4);
	assert_false(io_dev_serial(d));
	io_dev_queue_type(d, q, sizeof(q));
	assert_string_equal(q, "mq 4q");
	assert_true(io_dev_serial(io_dev_find(&s, "vda")));	/* virtio-blk, one queue */
	/* no sysfs at all: the kernel name, queue type unknown, not judged */
	d = io_dev_find(&s, "loop9");
	assert_string_equal(d->name, "loop9");
	assert_int_equal(d->hw_queues, -1);
	assert_false(io_dev_serial(d));
	assert_null(io_dev_find(&s, "sdz"));
	io_snap_free(&s);
}

/* Old kernels' layouts read as well: 11 counters, 2.6's 4-counter partitions. */
static void old_kernels(void **state)
{
	size_t len;
	char *t = fixture("diskstats/old-2.6", &len);
	struct io_snap s;
	struct sbx_err err;

	(void)state;
	put("proc/diskstats", t);
	put("sys/block/hda/hda1/partition", "1\n");
	assert_int_equal(io_snap_read(&s, &err), 0);
	assert_true(io_dev_find(&s, "hda1")->partition);
	assert_true(s.ds.dev[1].short_form);
	io_snap_free(&s);
	free(t);
	/* unreadable and garbage: the whole probe fails, with the reason */
	put("proc/diskstats", "8 0 sda 1 2\n");
	assert_int_equal(io_snap_read(&s, &err), -1);
	assert_non_null(strstr(err.msg, "diskstats"));
	assert_false(s.ok);
	io_snap_free(&s);
}

/* ---- the judge over two readings ---- */

static void two(struct io_snap *a, struct io_snap *b, const char *da, const char *db,
		double seconds)
{
	struct sbx_err err;

	put("proc/diskstats", da);
	assert_int_equal(io_snap_read(a, &err), 0);
	put("proc/diskstats", db);
	assert_int_equal(io_snap_read(b, &err), 0);
	b->when = a->when + seconds;
}

static struct sbx_report *judge(const struct io_snap *a, const struct io_snap *b,
				const struct pio_rates *p)
{
	struct sbx_report *r = report_new("t");
	struct io_judge_in in = { .cur = b, .prev = a, .procs = p, .min_ios = IO_MIN_IOS };

	judge_io(r, &in);
	return r;
}

/* sda (an HDD): 100 writes in 2 s, each 100 ms, busy 1.9 s of 2: slow and
 * saturated.  nvme0n1: 4 queues, aqu-sz 40, %util 100: the queue is
 * judged, %util is not.  dm-0 and md127: figures, not %util. */
static void slow_and_saturated(void **state)
{
	struct io_snap a, b;
	struct sbx_report *r;
	const struct sbx_finding *f;
	struct pio_rate pr[2] = { { .pid = 812, .comm = "dd", .wr = 204800, .wr_bytes = 409600 },
				  { .pid = 900, .comm = "cp", .rd = 1024, .rd_bytes = 2048 } };
	struct pio_rates procs = { .v = pr, .n = 2 };

	(void)state;
	sysfs_tree();
	two(&a, &b,
	    "   8       0 sda 10 0 80 10 100 0 800 1000 0 1000 1010 0 0 0 0 0 0\n"
	    "   8       1 sda1 10 0 80 10 100 0 800 1000 0 1000 1010 0 0 0 0 0 0\n"
	    " 259       0 nvme0n1 0 0 0 0 1000 0 8000 100 0 0 0 0 0 0 0 0 0\n"
	    " 252       0 dm-0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	    "   8       0 sda 10 0 80 10 200 0 1600 11000 1 2960 11010 0 0 0 0 0 0\n"
	    "   8       1 sda1 10 0 80 10 200 0 1600 11000 1 2960 11010 0 0 0 0 0 0\n"
	    " 259       0 nvme0n1 0 0 0 0 5000 0 40000 80100 32 2000 80000 0 0 0 0 0 0\n"
	    " 252       0 dm-0 0 0 0 0 30 0 240 90 0 60 90 0 0 0 0 0 0\n",
	    2.0);
	r = judge(&a, &b, &procs);
	f = finding(r, "io_await", "sda");
	assert_non_null(f);
	assert_int_equal(f->state, ST_WARNING);	/* 100 ms: above 50, under 200 */
	assert_true(f->value > 99.9 && f->value < 100.1);
	assert_non_null(strstr(f->text, "w_await 100.0 ms over 100 writes"));
	assert_null(strstr(f->text, "r_await"));	/* no reads in the interval */
	assert_true(f->nwho == 3);
	assert_string_equal(f->who[0].kind, "device");
	assert_string_equal(f->who[0].name, "sda");
	assert_string_equal(f->who[1].name, "dd");
	assert_int_equal(f->who[1].pid, 812);
	assert_true(f->who[1].value == 204800);
	f = finding(r, "io_util", "sda");
	assert_non_null(f);
	assert_int_equal(f->state, ST_CRITICAL);	/* 98% busy */
	assert_true(f->value > 97.9 && f->value < 98.1);
	/* the partition is its disk's: not judged twice */
	assert_null(finding(r, "io_await", "sda1"));
	assert_null(finding(r, "io_util", "sda1"));
	/* nvme: aqu-sz 40 (80000 ms in queue over 2 s) warns; %util is not judged */
	f = finding(r, "io_queue", "nvme0n1");
	assert_non_null(f);
	assert_int_equal(f->state, ST_WARNING);
	assert_true(f->value > 39.9 && f->value < 40.1);
	assert_null(finding(r, "io_util", "nvme0n1"));
	/* dm-0: 30 writes at 3 ms: judged, OK (no OK line per device: one line) */
	assert_null(finding(r, "io_await", "vg0-root"));
	assert_null(finding(r, "io_await", NULL));	/* a device is not OK: no OK line */
	assert_int_equal(report_state(r), ST_CRITICAL);
	report_free(r);
	io_snap_free(&a);
	io_snap_free(&b);
	/* -w io_await=... moves the verdict, as everywhere */
	check_set(CHK_IO_AWAIT, false, "150");
	two(&a, &b, "   8       0 sda 0 0 0 0 100 0 800 1000 0 100 1010 0 0 0 0 0 0\n",
	    "   8       0 sda 0 0 0 0 200 0 1600 11000 0 200 11010 0 0 0 0 0 0\n", 2.0);
	r = judge(&a, &b, NULL);
	f = finding(r, "io_await", NULL);
	assert_non_null(f);
	assert_int_equal(f->state, ST_OK);
	assert_non_null(strstr(f->text, "the highest 100.0 ms on sda"));
	check_reset();
	report_free(r);
	io_snap_free(&a);
	io_snap_free(&b);
}

/* An idle VM: 3 writes of 500 ms each is no verdict; nothing warns. */
static void idle_vm(void **state)
{
	struct io_snap a, b;
	struct sbx_report *r;
	const struct sbx_finding *f;

	(void)state;
	sysfs_tree();
	two(&a, &b, " 254       0 vda 100 0 800 100 100 0 800 100 0 200 200 0 0 0 0 0 0\n",
	    " 254       0 vda 100 0 800 100 103 0 824 1600 0 1700 1700 0 0 0 0 0 0\n", 2.0);
	r = judge(&a, &b, NULL);
	for (size_t i = 0; i < r->nfind; i++)
		assert_int_equal(r->findings[i].state, ST_OK);
	f = finding(r, "io_await", NULL);
	assert_non_null(strstr(f->text, "no device with 20 I/Os or more"));
	assert_false(f->has_value);
	report_free(r);
	io_snap_free(&a);
	io_snap_free(&b);
}

/* A counter that went backwards (a 32-bit wrap, a device re-created), a
 * device that went away and one that appeared: not judged, and said. */
static void backwards_and_gone(void **state)
{
	struct io_snap a, b;
	struct sbx_report *r;
	const struct sbx_finding *f;
	struct io_figs *figs;
	double sec;
	const char *why;
	size_t n;

	(void)state;
	sysfs_tree();
	two(&a, &b,
	    "   8       0 sda 10 0 80 4294967290 100 0 800 1000 0 1000 1010\n"
	    " 254       0 vda 10 0 80 10 100 0 800 1000 0 1000 1010\n"
	    "   8      16 sdb 10 0 80 10 100 0 800 1000 0 1000 1010\n",
	    "   8       0 sda 60 0 480 20 100 0 800 1000 0 1000 1010\n"
	    " 254       0 vda 10 0 80 10 100 0 800 1000 0 1000 1010\n"
	    "   8      32 sdc 10 0 80 10 100 0 800 1000 0 1000 1010\n",
	    1.0);
	n = io_figures(&b, &a, &sec, &why, &figs);
	assert_null(why);
	assert_int_equal(n, 4);
	assert_false(figs[0].ok);
	assert_non_null(strstr(figs[0].why, "backwards"));
	assert_true(figs[1].ok);
	assert_false(figs[1].has[IO_DS]);	/* an old kernel: no discards counted */
	assert_false(figs[2].ok);
	assert_non_null(strstr(figs[2].why, "appeared"));
	assert_string_equal(figs[3].name, "sdb");
	assert_non_null(strstr(figs[3].why, "went away"));
	free(figs);
	r = judge(&a, &b, NULL);
	f = finding(r, "io_util", NULL);
	assert_non_null(f);
	assert_int_equal(f->state, ST_OK);
	assert_non_null(strstr(f->text, "sda not judged: its ms reading counter went backwards"));
	assert_non_null(strstr(f->text, "sdb not judged: the device went away"));
	assert_null(finding(r, "io_await", "sda"));
	report_free(r);
	io_snap_free(&a);
	io_snap_free(&b);
}

/* Since boot (-i 0): averaged over the uptime, as iostat's first report;
 * without uptime, unknown. */
static void since_boot(void **state)
{
	struct io_snap s;
	struct sbx_err err;
	struct sbx_report *r = report_new("t");
	struct io_judge_in in = { .min_ios = IO_MIN_IOS };
	const struct sbx_finding *f;

	(void)state;
	sysfs_tree();
	/* 1000 s up, 1e5 writes of 60 ms each */
	put("proc/diskstats", " 254       0 vda 0 0 0 0 100000 0 800000 6000000 0 500000 6000000\n");
	assert_int_equal(io_snap_read(&s, &err), 0);
	in.cur = &s;
	judge_io(r, &in);
	f = finding(r, "io_await", "vda");
	assert_non_null(f);
	assert_int_equal(f->state, ST_WARNING);
	f = finding(r, "io_util", NULL);
	assert_true(f->value > 49.9 && f->value < 50.1);	/* 500 of 1000 s */
	report_free(r);
	io_snap_free(&s);
	unlink(strcat(strcpy((char[128]){ 0 }, root), "/proc/uptime"));
	assert_int_equal(io_snap_read(&s, &err), 0);
	r = report_new("t");
	in.cur = &s;
	judge_io(r, &in);
	f = finding(r, "io_await", NULL);
	assert_int_equal(f->state, ST_UNKNOWN);
	assert_non_null(strstr(f->text, "uptime"));
	report_free(r);
	io_snap_free(&s);
}

/* Without /sys/block: partitions by the kernel's naming rule; and since
 * boot, counters busier than the uptime are not this boot's. */
static void no_sysfs(void **state)
{
	struct io_snap s;
	struct sbx_err err;
	struct sbx_report *r = report_new("t");
	struct io_judge_in in = { .min_ios = IO_MIN_IOS };
	const struct sbx_finding *f;

	(void)state;
	put("proc/uptime", "100.00 100.00\n");
	put("proc/diskstats",
	    "   8       0 sda 100 0 800 100 100 0 800 100 0 500000 200\n"
	    "   8       1 sda1 100 0 800 100 100 0 800 100 0 50 200\n"
	    " 259       0 nvme0n1 100 0 800 100 100 0 800 100 0 50 200\n"
	    " 259       1 nvme0n1p1 1 0 8 1 1 0 8 1 0 1 2\n"
	    "   1       1 ram1 0 0 0 0 0 0 0 0 0 0 0\n"
	    "   1      10 ram10 0 0 0 0 0 0 0 0 0 0 0\n"
	    "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0\n"
	    "   7       1 loop0p1 0 0 0 0 0 0 0 0 0 0 0\n"
	    "   8      16 sdb10 0 0 0 0 0 0 0 0 0 0 0\n");
	assert_int_equal(io_snap_read(&s, &err), 0);
	assert_string_equal(io_dev_find(&s, "sda1")->parent, "sda");
	assert_string_equal(io_dev_find(&s, "nvme0n1p1")->parent, "nvme0n1");
	assert_string_equal(io_dev_find(&s, "loop0p1")->parent, "loop0");
	assert_false(io_dev_find(&s, "ram10")->partition);	/* not ram1's */
	assert_false(io_dev_find(&s, "sdb10")->partition);	/* no sdb listed */
	assert_false(io_dev_find(&s, "nvme0n1")->partition);
	in.cur = &s;
	judge_io(r, &in);
	/* sda: io_ticks 500 s in 100 s up */
	f = finding(r, "io_util", NULL);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "sda not judged: busy 500% of the time since boot"));
	assert_null(finding(r, "io_await", "sda"));
	report_free(r);
	io_snap_free(&s);
}

/* ---- processes ---- */

static void proc(int pid, const char *comm, unsigned long long start, unsigned long long rb,
		 unsigned long long wb)
{
	char p[64], t[512];

	snprintf(p, sizeof(p), "proc/%d/stat", pid);
	snprintf(t, sizeof(t),
		 "%d (%s) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %llu 1 1 1 1 1 0 0 0 0 0 0 0 0 0 "
		 "0 17 0 0 0 %d 0 0\n",
		 pid, comm, start, pid == 30 ? 7 : 0);
	put(p, t);
	snprintf(p, sizeof(p), "proc/%d/io", pid);
	snprintf(t, sizeof(t),
		 "rchar: 1\nwchar: 1\nsyscr: 1\nsyscw: 1\nread_bytes: %llu\nwrite_bytes: %llu\n"
		 "cancelled_write_bytes: 0\n",
		 rb, wb);
	put(p, t);
}

static void processes(void **state)
{
	struct pio_snap a, b;
	struct pio_rates r;
	struct sbx_err err;
	char p[512];

	(void)state;
	proc(10, "dd", 100, 0, 1000);
	proc(20, "gone", 100, 0, 0);
	proc(30, "reused", 100, 5000, 5000);
	proc(40, "idle", 100, 10, 10);
	assert_int_equal(pio_read(&a, &err), 0);
	assert_int_equal(a.n, 4);
	proc(10, "dd", 100, 0, 1000 + 2 * 1048576);
	snprintf(p, sizeof(p), "rm -rf %s/proc/20", root);
	assert_int_equal(system(p), 0);
	proc(30, "new", 200, 4096, 0);	/* pid 30 reused by a new process */
	proc(50, "born", 300, 8192, 0);
	put("proc/60/stat", "60 (broken) S 1\n");	/* unparsable stat: left out */
	put("proc/self", "");				/* not a pid */
	assert_int_equal(pio_read(&b, &err), 0);
	b.when = a.when + 2.0;
	pio_rates(&b, &a, 2.0, false, &r);
	assert_int_equal(r.exited, 2);	/* 20, and the old 30 */
	assert_int_equal(r.started, 2);	/* the new 30, and 50 */
	assert_int_equal(r.n, 3);	/* idle 40 left out */
	assert_string_equal(r.v[0].comm, "dd");
	assert_true(r.v[0].wr == 1048576.0);
	assert_int_equal(r.v[0].wr_bytes, 2 * 1048576);
	assert_string_equal(r.v[1].comm, "born");
	assert_string_equal(r.v[2].comm, "new");	/* from 0, not the old 30's 5000 */
	assert_int_equal(r.v[2].rd_bytes, 4096);
	assert_true(r.v[2].has_delay);
	pio_rates_free(&r);
	pio_rates(&b, &a, 2.0, true, &r);
	assert_int_equal(r.n, 4);
	pio_rates_free(&r);
	/* since boot: totals over the uptime */
	pio_rates(&b, NULL, 100.0, false, &r);
	assert_int_equal(r.exited, 0);
	assert_true(r.v[0].wr == (1000 + 2 * 1048576) / 100.0);
	pio_rates_free(&r);
	pio_free(&a);
	pio_free(&b);
	/* delay accounting off (kernel.task_delayacct=0): iodelay unknown, not 0 */
	put("proc/sys/kernel/task_delayacct", "0\n");
	assert_int_equal(pio_read(&a, &err), 0);
	assert_true(a.delayacct_off);
	pio_rates(&a, NULL, 100.0, true, &r);
	assert_true(r.delayacct_off);
	for (size_t i = 0; i < r.n; i++)
		assert_false(r.v[i].has_delay);
	pio_rates_free(&r);
	pio_free(&a);
	/* an io file that cannot be parsed is counted unreadable, not 0 */
	put("proc/70/stat", "70 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 1 1\n");
	put("proc/70/io", "garbage\n");
	assert_int_equal(pio_read(&b, &err), 0);
	assert_int_equal(b.unreadable, 1);
	assert_non_null(strstr(b.unreadable_err.msg, "/proc/70/io"));
	pio_free(&b);
}

/* ---- the kernel log ---- */

static void kmsg_errors(void **state)
{
	struct io_snap s;
	struct sbx_err err;
	struct sbx_report *r = report_new("t");
	struct io_judge_in in = { .min_ios = IO_MIN_IOS, .kmsg = true };
	const struct sbx_finding *f;

	(void)state;
	sysfs_tree();
	put("proc/diskstats", "   8       0 sda 1 0 8 1 1 0 8 1 0 1 2\n"
			      "   8       1 sda1 1 0 8 1 1 0 8 1 0 1 2\n");
	/* uptime 1000 s: the first error is 990 s old, the rest recent */
	put("dev/kmsg",
	    "3,1,10000000,-;blk_update_request: I/O error, dev sda, sector 12345 op 0x0:(READ)\n"
	    "3,2,900000000,-;I/O error, dev sda, sector 2048 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 2\n"
	    "3,3,950000000,-;Buffer I/O error on dev sda1, logical block 0, async page read\n"
	    "6,4,960000000,-;EXT4-fs (sda1): mounted filesystem\n"
	    "3,5,970000000,-;I/O error, dev loop7, sector 0 op 0x0:(READ)\n"
	    /* written by a user (facility 1), not the kernel: ignored */
	    "11,6,980000000,-;I/O error, dev sda, sector 0 op 0x0:(READ)\n");
	assert_int_equal(io_snap_read(&s, &err), 0);
	in.cur = &s;
	judge_io(r, &in);
	f = finding(r, "io_errors", "sda");
	assert_non_null(f);
	assert_int_equal(f->state, ST_WARNING);
	assert_true(f->value == 2);	/* sda and its partition sda1, the old one left out */
	assert_non_null(strstr(f->text, "the last 50s ago"));
	f = finding(r, "io_errors", "loop7");	/* not in diskstats now: still said */
	assert_non_null(f);
	assert_true(f->value == 1);
	report_free(r);
	/* unreadable: a note, no finding */
	{
		char p[300];

		snprintf(p, sizeof(p), "%s/dev/kmsg", root);
		unlink(p);
		r = report_new("t");
		judge_io(r, &in);
		assert_null(finding(r, "io_errors", NULL));
		assert_non_null(r->note);
		assert_non_null(strstr(r->note, "kernel log not read, I/O errors not judged"));
		report_free(r);
	}
	/* none */
	put("dev/kmsg", "6,1,10000000,-;all well\n");
	r = report_new("t");
	judge_io(r, &in);
	f = finding(r, "io_errors", NULL);
	assert_int_equal(f->state, ST_OK);
	report_free(r);
	io_snap_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proc_io_good),
		cmocka_unit_test(proc_io_bad),
		cmocka_unit_test(proc_io_stat),
		cmocka_unit_test_setup_teardown(names_and_queues, setup, teardown),
		cmocka_unit_test_setup_teardown(old_kernels, setup, teardown),
		cmocka_unit_test_setup_teardown(slow_and_saturated, setup, teardown),
		cmocka_unit_test_setup_teardown(idle_vm, setup, teardown),
		cmocka_unit_test_setup_teardown(backwards_and_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(since_boot, setup, teardown),
		cmocka_unit_test_setup_teardown(no_sysfs, setup, teardown),
		cmocka_unit_test_setup_teardown(processes, setup, teardown),
		cmocka_unit_test_setup_teardown(kmsg_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
