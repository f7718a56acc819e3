/* iostat -x arithmetic: see iostat.h for the definitions and their source. */
#include "iostat.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const io_fig_name[IO_N] = {
	"r/s", "w/s", "d/s", "f/s", "rkB/s", "wkB/s", "dkB/s", "rrqm/s", "wrqm/s", "drqm/s",
	"%rrqm", "%wrqm", "%drqm", "r_await", "w_await", "d_await", "f_await", "aqu-sz",
	"rareq-sz", "wareq-sz", "dareq-sz", "%util",
};

static const char *const counter_name[DS_NFIELDS] = {
	"reads completed", "reads merged", "sectors read", "ms reading",
	"writes completed", "writes merged", "sectors written", "ms writing",
	"I/Os in progress", "ms doing I/O", "weighted ms doing I/O",
	"discards completed", "discards merged", "sectors discarded", "ms discarding",
	"flushes completed", "ms flushing",
};

static void unknown(struct io_figs *f, const char *fmt, ...) SBX_PRINTF(2, 3);
static void unknown(struct io_figs *f, const char *fmt, ...)
{
	va_list ap;

	f->ok = false;
	memset(f->has, 0, sizeof(f->has));
	memset(f->v, 0, sizeof(f->v));
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
}

/* d / n, or 0 when n is 0: sysstat's convention for a ratio of no I/Os. */
static double ratio(double d, double n)
{
	return n > 0 ? d / n : 0.0;
}

static void set(struct io_figs *f, unsigned i, double v)
{
	f->has[i] = true;
	f->v[i] = v;
}

/* The counters of one request kind, as deltas. */
static void kind(struct io_figs *f, const double *d, double t, int ios, int merges, int sectors,
		 int ticks, unsigned fs, unsigned fkbs, unsigned frqm, unsigned fpct,
		 unsigned fawait, unsigned fsz, bool full)
{
	set(f, fs, d[ios] / t);
	set(f, fkbs, d[sectors] / 2 / t);
	set(f, fsz, ratio(d[sectors], d[ios]) / 2);
	if (!full)
		return;
	set(f, frqm, d[merges] / t);
	set(f, fpct, ratio(d[merges], d[merges] + d[ios]) * 100);
	set(f, fawait, ratio(d[ticks], d[ios]));
}

void iostat_dev(const struct disk_stat *cur, const struct disk_stat *prev, double seconds,
		struct io_figs *f)
{
	double d[DS_NFIELDS];
	bool full = !cur->short_form, dc = cur->has_discard, fl = cur->has_flush;

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", cur->name);
	f->major = cur->major;
	f->minor = cur->minor;
	if (!(seconds > 0) || !isfinite(seconds)) {
		unknown(f, "no time passed between the readings");
		return;
	}
	if (prev) {
		if (prev->major != cur->major || prev->minor != cur->minor) {
			unknown(f, "the device was re-created (%u:%u, then %u:%u)", prev->major,
				prev->minor, cur->major, cur->minor);
			return;
		}
		/* A figure is known only when both readings count what it needs. */
		full = full && !prev->short_form;
		dc = dc && prev->has_discard;
		fl = fl && prev->has_flush;
	}
	for (unsigned i = 0; i < DS_NFIELDS; i++) {
		uint64_t before = prev ? prev->v[i] : 0;

		/* In flight is a gauge, not a counter: it may go down. */
		if (i != DS_IN_FLIGHT && cur->v[i] < before) {
			unknown(f,
				"its %s counter went backwards (%llu to %llu): reset, or a "
				"32-bit counter wrapped",
				counter_name[i], (unsigned long long)before,
				(unsigned long long)cur->v[i]);
			return;
		}
		d[i] = (double)(cur->v[i] - (i != DS_IN_FLIGHT ? before : 0));
	}
	f->ok = true;
	kind(f, d, seconds, DS_RD_IOS, DS_RD_MERGES, DS_RD_SECTORS, DS_RD_TICKS, IO_RS, IO_RKBS,
	     IO_RRQMS, IO_RRQM_PCT, IO_R_AWAIT, IO_RAREQ_SZ, full);
	kind(f, d, seconds, DS_WR_IOS, DS_WR_MERGES, DS_WR_SECTORS, DS_WR_TICKS, IO_WS, IO_WKBS,
	     IO_WRQMS, IO_WRQM_PCT, IO_W_AWAIT, IO_WAREQ_SZ, full);
	if (dc)
		kind(f, d, seconds, DS_DC_IOS, DS_DC_MERGES, DS_DC_SECTORS, DS_DC_TICKS, IO_DS,
		     IO_DKBS, IO_DRQMS, IO_DRQM_PCT, IO_D_AWAIT, IO_DAREQ_SZ, true);
	if (fl) {
		set(f, IO_FS, d[DS_FL_IOS] / seconds);
		set(f, IO_F_AWAIT, ratio(d[DS_FL_TICKS], d[DS_FL_IOS]));
	}
	if (full) {
		set(f, IO_AQU_SZ, d[DS_TIME_IN_QUEUE] / seconds / 1000);
		set(f, IO_UTIL, d[DS_IO_TICKS] / seconds / 10);
	}
}

size_t iostat_all(const struct diskstats *cur, const struct diskstats *prev, double seconds,
		  struct io_figs **out)
{
	struct io_figs *v = xcalloc(cur->n + (prev ? prev->n : 0) + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < cur->n; i++) {
		/* the same line as last time, most often: no search */
		const struct disk_stat *p =
			!prev ? NULL
			: i < prev->n && !strcmp(prev->dev[i].name, cur->dev[i].name) ? &prev->dev[i]
			: diskstats_find(prev, cur->dev[i].name);

		iostat_dev(&cur->dev[i], p, seconds, &v[n]);
		if (prev && !p)
			unknown(&v[n], "the device appeared between the readings");
		n++;
	}
	for (size_t i = 0; prev && i < prev->n; i++) {
		if ((i < cur->n && !strcmp(cur->dev[i].name, prev->dev[i].name)) ||
		    diskstats_find(cur, prev->dev[i].name))
			continue;
		snprintf(v[n].name, sizeof(v[n].name), "%s", prev->dev[i].name);
		v[n].major = prev->dev[i].major;
		v[n].minor = prev->dev[i].minor;
		unknown(&v[n], "the device went away between the readings");
		n++;
	}
	*out = v;
	return n;
}
