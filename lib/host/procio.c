/* Per-process disk I/O: see procio_host.h. */
#include "procio_host.h"
#include "root.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int by_pid(const void *a, const void *b)
{
	const struct pio *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int pio_read(struct pio_snap *s, struct sbx_err *err)
{
	struct sbx_err e;
	DIR *d;
	struct dirent *de;
	struct buf b = { 0 };
	long hz = sysconf(_SC_CLK_TCK);

	memset(s, 0, sizeof(*s));
	s->when = root_clock();	/* a capture: its own clock */
	s->hz = hz > 0 ? (unsigned long)hz : 100;
	d = root_opendir("/proc", &s->err);
	if (!d) {
		*err = s->err;
		return -1;
	}
	s->ok = true;
	{
		uint64_t on;

		s->delayacct_off = root_read_u64("/proc/sys/kernel/task_delayacct", &on, &e) == 0 &&
				   on == 0;
	}
	while ((de = readdir(d))) {
		uint64_t pid;
		struct pio p;
		struct proc_io_stat st;
		char fname[64];

		if (de->d_name[0] < '1' || de->d_name[0] > '9' || !parse_u64(de->d_name, &pid) ||
		    pid > INT32_MAX)
			continue;
		memset(&p, 0, sizeof(p));
		p.pid = (int32_t)pid;
		snprintf(fname, sizeof(fname), "/proc/%d/stat", (int)pid);
		if (root_read(fname, &b, &e) < 0) {
			if (e.errnum == ENOENT || e.errnum == ESRCH)
				s->vanished++;
			continue;
		}
		if (parse_proc_io_stat(b.s, b.len, rooted(fname), &st, &e) < 0)
			continue;
		snprintf(fname, sizeof(fname), "/proc/%d/io", (int)pid);
		if (root_read(fname, &b, &e) < 0) {
			if (e.errnum == ENOENT || e.errnum == ESRCH) {
				s->vanished++;
			} else {
				if (!s->unreadable)
					s->unreadable_err = e;
				s->unreadable++;
			}
			continue;
		}
		if (parse_proc_io(b.s, b.len, rooted(fname), &p.io, &e) < 0) {
			if (!s->unreadable)
				s->unreadable_err = e;
			s->unreadable++;
			continue;
		}
		snprintf(p.comm, sizeof(p.comm), "%s", st.comm);
		p.start = st.starttime;
		p.has_blkio = st.has_blkio;
		p.blkio_ticks = st.blkio_ticks;
		ALLOC_GROW(s->v, s->n + 1, s->alloc);
		s->v[s->n++] = p;
	}
	closedir(d);
	buf_free(&b);
	/* readdir order is not pid order under every filesystem (fixtures) */
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), by_pid);
	return 0;
}

void pio_free(struct pio_snap *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}

static const struct pio *find(const struct pio_snap *s, int32_t pid)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->v[mid].pid == pid)
			return &s->v[mid];
		if (s->v[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int by_bytes(const void *a, const void *b)
{
	const struct pio_rate *x = a, *y = b;
	uint64_t bx = x->rd_bytes + x->wr_bytes, by = y->rd_bytes + y->wr_bytes;

	if (bx != by)
		return bx < by ? 1 : -1;
	if (x->iodelay != y->iodelay)
		return x->iodelay < y->iodelay ? 1 : -1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static uint64_t up(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

void pio_rates(const struct pio_snap *cur, const struct pio_snap *prev, double seconds, bool all,
	       struct pio_rates *out)
{
	memset(out, 0, sizeof(*out));
	out->v = xcalloc(cur->n + 1, sizeof(*out->v));
	out->unreadable = cur->unreadable;
	out->unreadable_why = cur->unreadable ? cur->unreadable_err.msg : NULL;
	out->delayacct_off = cur->delayacct_off;
	if (prev)
		for (size_t i = 0; i < prev->n; i++) {
			const struct pio *c = find(cur, prev->v[i].pid);

			/* gone, or its pid taken by a new process; a process
			 * whose io became unreadable is not known to be gone */
			if (c ? c->start != prev->v[i].start : true)
				out->exited++;
		}
	for (size_t i = 0; i < cur->n; i++) {
		const struct pio *c = &cur->v[i], *p = prev ? find(prev, c->pid) : NULL;
		struct pio_rate *r = &out->v[out->n];

		if (p && p->start != c->start)
			p = NULL;
		if (prev && !p)
			out->started++;
		r->pid = c->pid;
		snprintf(r->comm, sizeof(r->comm), "%s", c->comm);
		/* counters of one process only grow; guard against a torn read */
		r->rd_bytes = up(c->io.read_bytes, p ? p->io.read_bytes : 0);
		r->wr_bytes = up(c->io.write_bytes, p ? p->io.write_bytes : 0);
		r->ccwr_bytes = up(c->io.cancelled_write_bytes, p ? p->io.cancelled_write_bytes : 0);
		r->has_delay = c->has_blkio && (!p || p->has_blkio) && !cur->delayacct_off;
		if (r->has_delay)
			r->iodelay = (double)up(c->blkio_ticks, p ? p->blkio_ticks : 0);
		if (seconds > 0) {
			r->rd = (double)r->rd_bytes / seconds;
			r->wr = (double)r->wr_bytes / seconds;
			r->ccwr = (double)r->ccwr_bytes / seconds;
		}
		if (all || r->rd_bytes || r->wr_bytes || r->ccwr_bytes || r->iodelay > 0)
			out->n++;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), by_bytes);
}

void pio_rates_free(struct pio_rates *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}
