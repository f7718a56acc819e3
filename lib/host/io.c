/* The block I/O probe: see io.h. */
#include "io.h"
#include "hung.h"
#include "kmsg.h"
#include "root.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

/* path under the root: recorded by a capture, answered by its replay */
static bool exists(const char *fmt, ...) SBX_PRINTF(1, 2);
static bool exists(const char *fmt, ...)
{
	char path[512];
	struct stat st;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return root_stat(path, &st) == 0;
}

static int count_queues(const char *kname)
{
	struct sbx_err e;
	DIR *d;
	struct dirent *de;
	char path[160];
	int n = 0;

	if (!exists("/sys/block/%s", kname))
		return -1;
	snprintf(path, sizeof(path), "/sys/block/%s/mq", kname);
	d = root_opendir(path, &e);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] >= '0' && de->d_name[0] <= '9';
	closedir(d);
	return n;
}

static void describe(struct io_dev *d, const char *kname)
{
	char path[200], val[160];
	struct sbx_err e;
	uint64_t rot;

	snprintf(d->kname, sizeof(d->kname), "%s", kname);
	snprintf(d->name, sizeof(d->name), "%s", kname);
	d->rotational = -1;
	d->hw_queues = -1;
	if (d->partition)
		return;		/* a partition has no queue of its own: its disk's */
	d->hw_queues = count_queues(kname);
	if (d->hw_queues < 0)
		return;		/* no /sys/block/X: nothing more to read */
	snprintf(path, sizeof(path), "/sys/block/%s/queue/rotational", kname);
	if (root_read_u64(path, &rot, &e) == 0 && rot <= 1)
		d->rotational = (int)rot;
	/* the kernel names its device-mapper disks dm-N and its md arrays mdN
	 * or md_NAME (dm_alloc_dev, md_alloc): no other disk has dm/ or md/ */
	snprintf(path, sizeof(path), "/sys/block/%s/dm/name", kname);
	if (!strncmp(kname, "dm-", 3) && root_read_line(path, val, sizeof(val), &e) == 0) {
		snprintf(d->kind, sizeof(d->kind), "dm");
		if (val[0])
			snprintf(d->name, sizeof(d->name), "%s", val);
		return;
	}
	snprintf(path, sizeof(path), "/sys/block/%s/md/level", kname);
	if (!strncmp(kname, "md", 2) && root_read_line(path, val, sizeof(val), &e) == 0) {
		snprintf(d->kind, sizeof(d->kind), "md");
		snprintf(d->level, sizeof(d->level), "%.15s", val);
		return;
	}
	if (!strncmp(kname, "loop", 4))
		snprintf(d->kind, sizeof(d->kind), "loop");
}

static const struct diskstats *sort_ds;

static int by_name(const void *a, const void *b)
{
	return strcmp(sort_ds->dev[*(const size_t *)a].name, sort_ds->dev[*(const size_t *)b].name);
}

/* The index of device `name` in s->ds through the sorted index, or -1. */
static long find_sorted(const struct io_snap *s, const size_t *idx, const char *name)
{
	size_t lo = 0, hi = s->ds.n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->ds.dev[idx[mid]].name, name);

		if (!c)
			return (long)idx[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Without /sys/block (a saved /proc alone): partitions of the disks that
 * diskstats lists, by the kernel's naming rule (block/partitions/core.c):
 * the disk's name and the number, with a "p" between them when the disk's
 * name ends in a digit (nvme0n1p1, mmcblk0p2, loop0p1; sda1): ram10 is no
 * partition of ram1. */
static void partitions_by_name(struct io_snap *s)
{
	size_t *idx = xcalloc(s->ds.n + 1, sizeof(size_t));

	for (size_t i = 0; i < s->ds.n; i++)
		idx[i] = i;
	sort_ds = &s->ds;
	if (s->ds.n > 1)
		qsort(idx, s->ds.n, sizeof(size_t), by_name);
	for (size_t i = 0; i < s->ds.n; i++) {
		char disk[DISK_NAME_MAX];
		size_t l = strlen(s->ds.dev[i].name);
		long j;

		memcpy(disk, s->ds.dev[i].name, l + 1);
		while (l > 0 && is_digit(disk[l - 1]))
			l--;
		if (l == 0 || l == strlen(disk) || disk[l] == '0')
			continue;	/* no number, or one with a leading 0 */
		disk[l] = '\0';
		if (l >= 2 && disk[l - 1] == 'p' && is_digit(disk[l - 2]))
			disk[l - 1] = '\0';	/* nvme0n1p1: the disk ends in a digit */
		else if (is_digit(disk[l - 1]))
			continue;
		j = find_sorted(s, idx, disk);
		if (j >= 0 && (size_t)j != i) {
			s->dev[i].partition = true;
			snprintf(s->dev[i].parent, sizeof(s->dev[i].parent), "%s", disk);
		}
	}
	free(idx);
}

/* Partitions: /sys/block/DISK/PART/partition exists. */
static void find_partitions(struct io_snap *s)
{
	struct sbx_err e;
	DIR *top = root_opendir("/sys/block", &e);
	struct dirent *de;

	if (!top) {
		partitions_by_name(s);
		return;
	}
	while ((de = readdir(top))) {
		DIR *d;
		struct dirent *pe;
		char disk[DISK_NAME_MAX], path[160];

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(disk))
			continue;
		memcpy(disk, de->d_name, strlen(de->d_name) + 1);
		snprintf(path, sizeof(path), "/sys/block/%s", disk);
		d = root_opendir(path, &e);
		if (!d)
			continue;
		while ((pe = readdir(d))) {
			if (pe->d_name[0] == '.' || strncmp(pe->d_name, disk, strlen(disk)))
				continue;
			for (size_t i = 0; i < s->ds.n; i++) {
				if (strcmp(s->ds.dev[i].name, pe->d_name))
					continue;
				if (exists("/sys/block/%s/%s/partition", disk, pe->d_name)) {
					s->dev[i].partition = true;
					snprintf(s->dev[i].parent, sizeof(s->dev[i].parent), "%s", disk);
				}
				break;
			}
		}
		closedir(d);
	}
	closedir(top);
}

/* What a live node's devices are (partitions, queues, rotational, dm
 * names) is read again only when /proc/diskstats lists other devices, or
 * after DESCRIBED_FOR seconds: listing /sys/block and each disk's
 * directories was a tenth of srebox top's system calls a sample, for
 * answers that change when a device comes or goes.  A capture records
 * each snapshot's reads, so it describes them every time. */
#define DESCRIBED_FOR 30.0
static struct {
	size_t n;
	struct disk_stat *ds;	/* names and numbers only */
	struct io_dev *dev;
	double when;
} described;

static bool describe_again(const struct io_snap *s, double now)
{
	if (!root_live_unrecorded() || !described.dev || described.n != s->ds.n ||
	    now - described.when > DESCRIBED_FOR || now < described.when)
		return true;
	for (size_t i = 0; i < s->ds.n; i++)
		if (described.ds[i].major != s->ds.dev[i].major ||
		    described.ds[i].minor != s->ds.dev[i].minor ||
		    strcmp(described.ds[i].name, s->ds.dev[i].name))
			return true;
	return false;
}

static void describe_all(struct io_snap *s)
{
	double now = now_monotonic();

	if (!describe_again(s, now)) {
		memcpy(s->dev, described.dev, s->ds.n * sizeof(*s->dev));
		return;
	}
	find_partitions(s);
	for (size_t i = 0; i < s->ds.n; i++)
		describe(&s->dev[i], s->ds.dev[i].name);
	free(described.ds);
	free(described.dev);
	memset(&described, 0, sizeof(described));
	if (!root_live_unrecorded())
		return;
	described.n = s->ds.n;
	described.ds = xcalloc(s->ds.n + 1, sizeof(*described.ds));
	described.dev = xcalloc(s->ds.n + 1, sizeof(*described.dev));
	for (size_t i = 0; i < s->ds.n; i++) {
		described.ds[i].major = s->ds.dev[i].major;
		described.ds[i].minor = s->ds.dev[i].minor;
		memcpy(described.ds[i].name, s->ds.dev[i].name, sizeof(described.ds[i].name));
	}
	memcpy(described.dev, s->dev, s->ds.n * sizeof(*s->dev));
	described.when = now;
}

int io_snap_read(struct io_snap *s, struct sbx_err *err)
{
	struct buf b = { 0 };
	int rc = -1;

	memset(s, 0, sizeof(*s));
	s->uptime = -1;
	s->when = root_clock();	/* a capture: its own clock */
	if (root_read("/proc/diskstats", &b, &s->err) < 0 ||
	    parse_diskstats(b.s ? b.s : "", b.len, rooted("/proc/diskstats"), &s->ds, &s->err) < 0) {
		*err = s->err;
		goto out;
	}
	s->ok = true;
	if (root_read("/proc/uptime", &b, &s->up_err) < 0 ||
	    parse_uptime(b.s, b.len, rooted("/proc/uptime"), &s->uptime, &s->up_err) < 0)
		s->uptime = -1;
	s->dev = xcalloc(s->ds.n + 1, sizeof(*s->dev));
	describe_all(s);
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

void io_snap_free(struct io_snap *s)
{
	if (s->ok)
		diskstats_free(&s->ds);
	free(s->dev);
	s->dev = NULL;
	s->ok = false;
}

const struct io_dev *io_dev_find(const struct io_snap *s, const char *kname)
{
	for (size_t i = 0; s->ok && i < s->ds.n; i++)
		if (!strcmp(s->dev[i].kname, kname))
			return &s->dev[i];
	return NULL;
}

bool io_dev_serial(const struct io_dev *d)
{
	return d->rotational == 1 || d->hw_queues == 1;
}

void io_dev_queue_type(const struct io_dev *d, char *out, size_t n)
{
	if (d->partition)
		snprintf(out, n, "part");
	else if (d->hw_queues < 0)
		snprintf(out, n, "?");
	else if (d->hw_queues == 0)
		snprintf(out, n, "bio");
	else if (d->rotational == 1)
		snprintf(out, n, "hdd %dq", d->hw_queues);
	else
		snprintf(out, n, "%s %dq", d->hw_queues > 1 ? "mq" : "sq", d->hw_queues);
}

struct err_scan {
	double uptime, window;
	struct {
		char dev[DISK_NAME_MAX];
		size_t count;
		double newest;
	} *v;
	size_t n, alloc;
};

static void on_record(void *arg, const struct kmsg_rec *r, bool timed)
{
	struct err_scan *s = arg;
	char dev[DISK_NAME_MAX];
	double age;
	size_t i;

	/* the kernel's own messages only: anyone may write to /dev/kmsg */
	if ((r->prio >> 3) != 0 ||
	    kmsg_fs_match(r->text, r->tlen, dev, sizeof(dev)) != KFS_IO_ERROR)
		return;
	/* without a time the record cannot be placed: counted as recent */
	age = timed && s->uptime > 0 ? s->uptime - (double)r->usec / 1e6 : 0;
	if (age > s->window)
		return;
	if (age < 0)
		age = 0;
	for (i = 0; i < s->n && strcmp(s->v[i].dev, dev); i++)
		;
	if (i == s->n) {
		ALLOC_GROW(s->v, s->n + 1, s->alloc);
		memset(&s->v[i], 0, sizeof(s->v[i]));
		snprintf(s->v[i].dev, sizeof(s->v[i].dev), "%s", dev);
		s->v[i].newest = age;
		s->n++;
	}
	s->v[i].count++;
	if (age < s->v[i].newest)
		s->v[i].newest = age;
}

int io_kmsg_errors(double uptime, double window, io_err_fn fn, void *arg, struct sbx_err *err)
{
	struct err_scan s = { .uptime = uptime, .window = window };

	if (kmsg_read_each(on_record, &s, err) < 0)
		return -1;
	for (size_t i = 0; i < s.n; i++)
		fn(arg, s.v[i].dev, s.v[i].count, s.v[i].newest);
	free(s.v);
	return 0;
}
