/* The task table; see tasks.h. */
#include "tasks.h"
#include "hung.h"

#include "dl.h"
#include "node.h"
#include "procfs.h"
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libproc2, loaded once.  Only items that come from the stat file are
 * asked for (ID_TID and ID_TGID come from the directory names), so it
 * reads one file per task, and never cmdline or environ: those take the
 * target's mmap lock, and hang when one of its tasks is stuck holding it. */
static struct {
	bool tried, ok;
	struct sbx_err err;
	int (*pids_new)(struct pids_info **, enum pids_item *, int);
	struct pids_fetch *(*pids_reap)(struct pids_info *, enum pids_fetch_type);
	struct pids_info *info;
} lp;

static enum pids_item lp_items[] = { PIDS_ID_TID,	  PIDS_ID_TGID,	    PIDS_CMD,
				     PIDS_STATE,	  PIDS_NLWP,	    PIDS_TICS_BEGAN,
				     PIDS_ID_PPID,	  PIDS_TICS_USER,   PIDS_TICS_SYSTEM,
				     PIDS_RSS,		  PIDS_PROCESSOR };
enum { LP_TID, LP_TGID, LP_CMD, LP_STATE, LP_NLWP, LP_BEGAN, LP_PPID, LP_UTIME, LP_STIME, LP_RSS,
       LP_PROCESSOR };

static bool lp_load(void)
{
	static const char *const sonames[] = { "libproc2.so.0", NULL };
	const struct dl_sym syms[] = {
		{ "procps_pids_new", (void **)&lp.pids_new },
		{ "procps_pids_reap", (void **)&lp.pids_reap },
	};

	if (lp.tried)
		return lp.ok;
	lp.tried = true;
	if (!dl_load(sonames, syms, ARRAY_SIZE(syms), "libproc2-0", &lp.err))
		return false;
	/* The handle and the pids_info live as long as the process: -i
	 * samples reuse them. */
	if (lp.pids_new(&lp.info, lp_items, (int)ARRAY_SIZE(lp_items)) < 0) {
		sbx_err_set(&lp.err, 0, "libproc2: procps_pids_new failed (is /proc mounted?)");
		return false;
	}
	lp.ok = true;
	return true;
}

bool tasks_libproc2_available(struct sbx_err *err)
{
	if (!lp_load()) {
		*err = lp.err;
		return false;
	}
	return true;
}

static struct task *add_task(struct task_table *t, int32_t tgid, int32_t tid)
{
	struct task *k;

	ALLOC_GROW(t->v, t->n + 1, t->alloc);
	k = &t->v[t->n++];
	memset(k, 0, sizeof(*k));
	k->tgid = tgid;
	k->tid = tid;
	k->nlwp = -1;
	k->ppid = -1;
	k->stat_errno = -1;
	k->status_errno = -2;
	k->processor = -1;
	return k;
}

static char *put_id(char *p, int32_t v)
{
	char d[12];
	size_t n = 0;
	uint32_t u = v > 0 ? (uint32_t)v : 0;

	do
		d[n++] = (char)('0' + u % 10);
	while ((u /= 10));
	while (n)
		*p++ = d[--n];
	return p;
}

/* "/proc/TGID[/task/TID][/NAME]": made for each of every task's files,
 * a few hundred times a sample, so without printf.  At most 6 + 10 + 6 +
 * 10 + 1 + 9 bytes and the NUL: out has PROC_PATH_MAX. */
#define PROC_PATH_MAX 64
static void proc_path(char *out, int32_t tgid, int32_t tid, const char *name)
{
	char *p = put_id(stpcpy(out, "/proc/"), tgid);

	if (tid >= 0)
		p = put_id(stpcpy(p, "/task/"), tid);
	if (name) {
		*p++ = '/';
		p = stpcpy(p, name);
	}
	*p = '\0';
}

/* The directory of a task's files, under the root. */
static void task_dir(const struct task *k, char out[PROC_PATH_MAX])
{
	proc_path(out, k->tgid, k->whole_process ? -1 : k->tid, NULL);
}

static void task_file(const struct task *k, const char *name, char out[PROC_PATH_MAX])
{
	proc_path(out, k->tgid, k->whole_process ? -1 : k->tid, name);
}

/* A read failed with ENOENT or ESRCH: did the task exit (its directory
 * is gone), or is only this file missing (a saved tree)? */
static bool task_gone(const struct task *k, int errnum)
{
	char dir[PROC_PATH_MAX];
	struct stat st;

	if (errnum != ENOENT && errnum != ESRCH)
		return false;
	task_dir(k, dir);
	return root_stat(dir, &st) != 0;
}

/* Held files.  A sampler (top) reads the same two or three files of
 * every task on the node every few seconds; most of what each read costs
 * the kernel is the open (a path walk of three to five steps, each a pid
 * lookup and a revalidation) and the close, not the few hundred bytes.
 * So on the live node, asked (TASKS_HOLD), the files stay open between
 * readings and each is read again from offset 0, which makes a procfs
 * seq_file fill afresh.  A held file is tied to its task, not its number:
 * once the task is gone it fails with ESRCH, and the number, if a new
 * task has it, is opened again.  A file not met in a reading (its task
 * exited) is closed at the reading's end.  Each one holds a page of the
 * kernel's, so at most HOLD_MAX are held (about 4 MiB at most) and the
 * rest opened each time, as without TASKS_HOLD. */
enum { HOLD_STAT, HOLD_SCHED, HOLD_STATUS, HOLD_KINDS };
#define HOLD_MAX 1024
static struct {
	struct hold {
		int32_t tgid, tid;	/* tid -1: the whole process's files */
		unsigned gen;		/* the reading that last met it; 0: a free slot */
		int fd[HOLD_KINDS];	/* -1: not held */
	} *v;
	size_t cap, used;	/* slots (a power of two), of them in use */
	size_t fds, max;	/* files held, and at most */
	unsigned gen;		/* this reading's (or the last one's) */
	bool on;		/* in a reading that holds */
} held;

static size_t hold_hash(int32_t tgid, int32_t tid, size_t cap)
{
	uint64_t h = (uint64_t)(uint32_t)tgid * 0x9e3779b97f4a7c15ull ^ (uint32_t)tid;

	return (size_t)(h ^ h >> 29) & (cap - 1);
}

static struct hold *hold_put(struct hold *v, size_t cap, int32_t tgid, int32_t tid)
{
	size_t i = hold_hash(tgid, tid, cap);

	while (v[i].gen && (v[i].tgid != tgid || v[i].tid != tid))
		i = (i + 1) & (cap - 1);
	return &v[i];
}

/* A reading begins: at the first, learn how many files may be held,
 * half of what the process may open (root_fd_budget raises that first). */
static void hold_begin(void)
{
	if (!held.max) {
		held.max = root_fd_budget() / 2;
		if (held.max > HOLD_MAX)
			held.max = HOLD_MAX;
	}
	if (++held.gen == 0)
		held.gen = 1;
	held.on = true;
}

/* A reading ends: close the files of tasks it did not meet, and keep
 * the rest in a table of their own size. */
static void hold_end(void)
{
	size_t cap = 64, used = 0;
	struct hold *v;

	for (size_t i = 0; i < held.cap; i++)
		if (held.v[i].gen == held.gen)
			used++;
	while (cap < 2 * used + 2)
		cap *= 2;
	v = xcalloc(cap, sizeof(*v));
	for (size_t i = 0; i < held.cap; i++) {
		struct hold *h = &held.v[i];

		if (!h->gen)
			continue;
		if (h->gen == held.gen) {
			*hold_put(v, cap, h->tgid, h->tid) = *h;
			continue;
		}
		for (int j = 0; j < HOLD_KINDS; j++)
			if (h->fd[j] >= 0) {
				close(h->fd[j]);
				held.fds--;
			}
	}
	free(held.v);
	held.v = v;
	held.cap = cap;
	held.used = used;
	held.on = false;
}

/* The slot of the task's file of this kind, when holding. */
static int *hold_slot(const struct task *k, int kind)
{
	int32_t tid = k->whole_process ? -1 : k->tid;
	struct hold *h;

	if (!held.on)
		return NULL;
	if (2 * (held.used + 1) > held.cap) {
		size_t cap = held.cap ? 2 * held.cap : 64;
		struct hold *v = xcalloc(cap, sizeof(*v));

		for (size_t i = 0; i < held.cap; i++)
			if (held.v[i].gen)
				*hold_put(v, cap, held.v[i].tgid, held.v[i].tid) = held.v[i];
		free(held.v);
		held.v = v;
		held.cap = cap;
	}
	h = hold_put(held.v, held.cap, k->tgid, tid);
	if (!h->gen) {
		*h = (struct hold){ k->tgid, tid, held.gen, { -1, -1, -1 } };
		held.used++;
	}
	h->gen = held.gen;
	return &h->fd[kind];
}

/* The task is gone: its files are closed now (a slot met in this
 * reading would keep them to the next). */
static void hold_forget(const struct task *k)
{
	int *fd = hold_slot(k, 0);

	for (int j = 0; fd && j < HOLD_KINDS; j++)
		if (fd[j] >= 0) {
			close(fd[j]);
			fd[j] = -1;
			held.fds--;
		}
}

/* The whole of an open file, by read() or, for a held one, pread() from
 * offset 0 on: a few hundred bytes to a few kB, which come whole from one
 * read (a short read of a procfs seq_file or of a regular file is its
 * end). */
static int fill(int fd, bool again, const char *full, struct buf *b, struct sbx_err *err)
{
	for (;;) {
		ssize_t n;
		size_t room;

		buf_grow(b, 4096);
		room = b->alloc - b->len - 1;
		n = again ? pread(fd, b->s + b->len, room, (off_t)b->len)
			  : read(fd, b->s + b->len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sbx_err_set(err, errno, "%s: %s", full, sbx_errno_word(errno));
			return -1;
		}
		b->len += (size_t)n;
		b->s[b->len] = '\0';
		if ((size_t)n < room)
			return 0;
		if (b->len > (1u << 20)) {
			sbx_err_set(err, EFBIG, "%s: larger than 1 MiB", full);
			return -1;
		}
	}
}

/* A task's stat, schedstat or status, under the root: open, read and
 * close, three system calls where root_read's fstat and final empty read
 * make five; or one, a pread, when the file is held. */
static int read_small(const struct task *k, int kind, const char *path, struct buf *b,
		      struct sbx_err *err, bool *held_since)
{
	int *slot = hold_slot(k, kind);
	const char *full = rooted(path);
	int fd;

	buf_reset(b);
	if (held_since)
		*held_since = false;
	if (slot && *slot >= 0) {
		if (fill(*slot, true, full, b, err) == 0) {
			if (held_since)
				*held_since = true;	/* the same task as then */
			return 0;
		}
		close(*slot);
		*slot = -1;
		held.fds--;
		if (err->errnum != ESRCH)
			return -1;
		buf_reset(b);	/* its task is gone: is there a new one of that id? */
	}
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		sbx_err_set(err, errno, "%s: %s", full, sbx_errno_word(errno));
		return -1;
	}
	if (fill(fd, false, full, b, err) < 0) {
		close(fd);
		return -1;
	}
	if (slot && held.fds < held.max) {
		*slot = fd;
		held.fds++;
	} else {
		close(fd);
	}
	if (root_recording())
		root_record_file(path, b->s, b->len);
	return 0;
}

static void copy_name(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Returns false when the task exited meanwhile. */
static bool read_stat(struct task *k, struct buf *b)
{
	char path[PROC_PATH_MAX];
	struct sbx_err e;
	struct task_stat ts;

	task_file(k, "stat", path);
	if (read_small(k, HOLD_STAT, path, b, &e, NULL) < 0) {
		if (task_gone(k, e.errnum))
			return false;
		k->stat_errno = (int16_t)(e.errnum ? e.errnum : EIO);
		return true;
	}
	if (parse_task_stat(b->s, b->len, "stat", &ts, &e) < 0) {
		k->stat_errno = 0;
		return true;
	}
	copy_name(k->comm, sizeof(k->comm), ts.comm);
	k->has_name = true;
	k->state = ts.state;
	k->nlwp = (int32_t)ts.num_threads;
	k->ppid = (int32_t)ts.ppid;
	k->start = ts.starttime;
	k->has_start = true;
	k->utime = ts.utime;
	k->stime = ts.stime;
	k->has_times = true;
	k->has_rss = ts.has_rss;
	k->rss_pages = ts.rss;
	k->processor = ts.has_processor ? ts.processor : -1;
	return true;
}

/* The switch counts; and the name, state and thread count when stat
 * could not give them. */
static bool read_status(struct task *k, struct buf *b)
{
	char path[PROC_PATH_MAX];
	struct sbx_err e;
	struct task_status ts;

	/* On the live node a main thread's status is its process's: the
	 * process's counts its main thread alone (its stat, though, sums its
	 * threads' times).  Two path steps fewer for every process, each a
	 * pid lookup.  A saved tree holds what was read: the task/ copy. */
	if (k->tid == k->tgid && !k->whole_process && root_live_unrecorded())
		proc_path(path, k->tgid, -1, "status");
	else
		task_file(k, "status", path);
	if (read_small(k, HOLD_STATUS, path, b, &e, NULL) < 0) {
		if (task_gone(k, e.errnum))
			return false;
		k->status_errno = (int16_t)(e.errnum ? e.errnum : EIO);
		return true;
	}
	if (parse_task_status(b->s, b->len, "status", &ts, &e) < 0) {
		k->status_errno = 0;
		return true;
	}
	k->status_errno = -1;
	if (ts.has_ctxt) {
		k->has_switches = true;
		k->vol = ts.vol;
		k->nonvol = ts.nonvol;
	} else {
		k->status_errno = ENOTSUP;	/* before 2.6.23: no counts */
	}
	if (k->stat_errno != -1) {
		copy_name(k->comm, sizeof(k->comm), ts.name);
		k->has_name = true;
		k->state = ts.state;
		if (ts.threads >= 0 && ts.threads <= INT32_MAX)
			k->nlwp = (int32_t)ts.threads;
	}
	return true;
}

/* The last reading on the live node, every task, for switches(),
 * carried() and the list gate (read_known): replaced by every reading,
 * so as large as one table. */
static struct {
	struct task *v;		/* sorted by tgid, then tid */
	size_t n, alloc;
	int schedstat;		/* -1 not tried, 0 the kernel has none, 1 it has */
	/* carried()'s conditions (stat_gate), of the last reading */
	size_t running;		/* its tasks in state R, but for this process's */
	uint64_t taken;		/* /proc/vmstat: pages reclaimed, swapped in or collapsed */
	bool has_taken;
	unsigned readings;	/* readings since the last one that read every stat */
} last = { .schedstat = -1 };

static int cmp_tid(const void *a, const void *b)
{
	const struct task *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static const struct task *last_of(const struct task *k)
{
	return last.n ? bsearch(k, last.v, last.n, sizeof(*last.v), cmp_tid) : NULL;
}

/* The task's schedstat (k->has_sched, run_ns, pcount); *held_since: read
 * from a file held since an earlier reading, so of the same task as then. */
static void read_sched(struct task *k, struct buf *b, bool *held_since)
{
	char path[PROC_PATH_MAX];
	struct sbx_err e;
	struct task_schedstat ss;

	*held_since = false;
	if (!last.schedstat)
		return;
	if (k->tid == k->tgid && !k->whole_process)
		proc_path(path, k->tgid, -1, "schedstat");
	else
		task_file(k, "schedstat", path);
	if (read_small(k, HOLD_SCHED, path, b, &e, held_since) < 0) {
		if (last.schedstat < 0 && e.errnum == ENOENT && !task_gone(k, e.errnum))
			last.schedstat = 0;	/* no CONFIG_SCHED_INFO */
		*held_since = false;
		return;
	}
	if (parse_task_schedstat(b->s, b->len, "schedstat", &ss, &e) < 0) {
		*held_since = false;
		return;
	}
	last.schedstat = 1;
	k->has_sched = true;
	k->run_ns = ss.run_ns;
	k->pcount = ss.pcount;
	k->wait_ns = ss.wait_ns;
}

/* Did the task not run at all since the last reading?  schedstat's
 * pcount counts the times the task was put on a CPU, and every switch
 * off one adds the time it ran to its run_ns: both unchanged, it made no
 * switch, and used no CPU time. */
static const struct task *ran_not(const struct task *k)
{
	const struct task *r;

	if (!k->has_sched || !(r = last_of(k)) || !r->has_sched)
		return NULL;
	return r->run_ns == k->run_ns && r->pcount == k->pcount ? r : NULL;
}

/* Then its switch counts are the last reading's, and its status (the
 * dearest file of a task, read for those two lines) need not be read
 * again.  The schedstat is read before the status it may stand for, so
 * a switch between the two reads is seen the next time. */
static bool carry_switches(struct task *k)
{
	const struct task *r = ran_not(k);

	if (!r || !r->has_switches || !k->has_start || r->start != k->start)
		return false;
	k->has_switches = true;
	k->vol = r->vol;
	k->nonvol = r->nonvol;
	k->status_errno = -1;
	return true;
}

/* The stat gate (stat_gate()).  A task that did not run since the last
 * reading has the same times, last CPU, name and state there as then:
 * each of those changes only while it runs (a task sleeps, stops or
 * exits itself).  What can change while it sleeps is put right apart:
 * its parent, when that exits (fix_parents), and its memory, which
 * reclaim takes (no gate while reclaim runs) and its other threads grow
 * (fix_process).  A task woken but given no CPU yet still shows its
 * sleep: on a node with a CPU to spare that lasts a moment, and the gate
 * is off when the last reading had as many tasks running as CPUs.  Its
 * files must have been held since then (the same task), and every
 * STAT_FULL_EVERY readings each stat is read all the same. */
#define STAT_FULL_EVERY 10
static bool stat_gate_on;

static bool carried(struct task *k, struct buf *b)
{
	const struct task *r;
	bool held_since, whole = k->whole_process;
	uint64_t wait;

	read_sched(k, b, &held_since);
	if (!stat_gate_on || !held_since || !(r = ran_not(k)) || r->stat_errno != -1 ||
	    !r->has_switches || !r->has_start)
		return false;
	wait = k->wait_ns;	/* a wait can end without a run: dequeued */
	*k = *r;
	k->whole_process = whole;
	k->wait_ns = wait;
	k->carried = true;
	return true;
}

/* The pages /proc/vmstat says were taken from processes (reclaimed,
 * swapped in, collapsed into huge pages): a sleeping process's RSS
 * moves with these alone. */
static bool pages_taken(uint64_t *out)
{
	struct buf b = { 0 };
	struct sbx_err e;
	uint64_t sum = 0;
	bool ok;

	/* a few lines of some 180: looked for in the text, not parsed whole */
	ok = root_read("/proc/vmstat", &b, &e) == 0 && b.len;
	for (const char *p = b.s, *end = b.s + b.len; ok && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end, *v;
		size_t klen = (size_t)((v = memchr(p, ' ', (size_t)(le - p))) ? v - p : 0);
		uint64_t n;

		if (klen && ((klen >= 7 && !memcmp(p, "pgsteal", 7)) ||
			     (klen == 6 && !memcmp(p, "pswpin", 6)) ||
			     (klen == 18 && !memcmp(p, "thp_collapse_alloc", 18)))) {
			v++;
			if (!scan_u64(&v, le, &n))
				ok = false;
			else
				sum += n;
		}
		p = nl ? nl + 1 : end;
	}
	buf_free(&b);
	*out = sum;
	return ok;
}

/* Whether this reading may carry stat over (carried()). */
static bool stat_gate(void)
{
	uint64_t taken = 0;
	bool has_taken = pages_taken(&taken);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	bool on = last.n && last.schedstat == 1 && has_taken && last.has_taken &&
		  taken == last.taken && cpus > 0 && last.running < (size_t)cpus &&
		  last.readings + 1 < STAT_FULL_EVERY;

	last.taken = taken;
	last.has_taken = has_taken;
	last.readings = on ? last.readings + 1 : 0;
	return on;
}

/* A process whose main thread was carried over: its thread count and
 * RSS are its threads' read afresh, when one was (they are the
 * process's, in each thread's stat). */
static void fix_process(struct task_table *t, size_t main)
{
	struct task *m = &t->v[main];
	size_t n = t->n - main;

	if (!m->carried || n < 2)
		return;
	m->nlwp = (int32_t)n;
	for (size_t i = main + 1; i < t->n; i++)
		if (!t->v[i].carried && t->v[i].stat_errno == -1) {
			m->has_rss = t->v[i].has_rss;
			m->rss_pages = t->v[i].rss_pages;
			break;
		}
	for (size_t i = main + 1; i < t->n; i++)
		if (t->v[i].carried) {
			t->v[i].nlwp = m->nlwp;
			t->v[i].has_rss = m->has_rss;
			t->v[i].rss_pages = m->rss_pages;
		}
}

static bool read_stat(struct task *k, struct buf *b);

/* A task carried over whose parent exited (gone, or a zombie) was given
 * another (init or a subreaper): its stat is read again.  The table is
 * sorted. */
static void fix_parents(struct task_table *t)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < t->n; i++) {
		struct task *k = &t->v[i];
		struct task key = { .tgid = k->ppid, .tid = k->ppid };
		const struct task *p;

		if (!k->carried || k->ppid <= 0)
			continue;
		p = bsearch(&key, t->v, t->n, sizeof(*t->v), cmp_tid);
		if (p && p->state != 'Z' && p->state != 'X')
			continue;
		k->carried = false;
		read_stat(k, &b);
	}
	buf_free(&b);
}

/* The table's tasks for the next reading's switches() and carried(). */
static void keep_last(const struct task_table *t)
{
	int32_t self = (int32_t)getpid();

	last.n = 0;
	last.running = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct task *k = &t->v[i];

		last.running += k->state == 'R' && k->tgid != self;	/* not the reader */
		ALLOC_GROW(last.v, last.n + 1, last.alloc);
		last.v[last.n++] = *k;
	}
}

/* The switch counts (the status file), unless the task did not run
 * since the last reading of the live node. */
static bool switches(struct task *k, struct buf *b, bool gate)
{
	if (gate) {
		bool held_since;

		if (!k->has_sched)
			read_sched(k, b, &held_since);
		if (carry_switches(k))
			return true;
	}
	return read_status(k, b);
}

static bool read_task(struct task_table *t, int32_t tgid, int32_t tid, bool whole, unsigned flags,
		      struct buf *b)
{
	struct task *k = add_task(t, tgid, tid);

	k->whole_process = whole;
	if (flags & TASKS_GATE && flags & TASKS_HOLD && held.on && carried(k, b))
		return true;
	if (!read_stat(k, b) ||
	    (flags & TASKS_SWITCHES && !switches(k, b, flags & TASKS_GATE)) ||
	    (!(flags & TASKS_SWITCHES) && k->stat_errno != -1 && !read_status(k, b))) {
		hold_forget(k);
		t->n--;
		t->vanished++;
		return false;
	}
	return true;
}

static bool numeric(const char *s, int32_t *out)
{
	uint64_t v;

	if (!parse_u64(s, &v) || v == 0 || v > INT32_MAX)
		return false;
	*out = (int32_t)v;
	return true;
}

/* A process's threads, read by hand (but for the main thread when
 * main_read: it is in the table already); without task/ (a saved tree,
 * an unreadable one) the process's own files stand in. */
static void read_threads(struct task_table *t, int32_t pid, bool main_read, unsigned flags,
			 struct buf *b)
{
	char path[PROC_PATH_MAX];
	struct sbx_err e;
	struct dirent *te;
	DIR *task;
	int32_t tid;

	proc_path(path, pid, -1, "task");
	task = root_opendir(path, &e);
	if (!task) {
		if (!main_read)
			read_task(t, pid, pid, true, flags, b);
		return;
	}
	while ((te = readdir(task)))
		if (numeric(te->d_name, &tid) && !(main_read && tid == pid))
			read_task(t, pid, tid, false, flags, b);
	closedir(task);
}

/* The list gate.  Listing /proc costs the kernel a lookup of every task
 * (a dentry made for each), the dearest part of a reading once the
 * files are held.  A new task can only have been made by a fork, which
 * /proc/stat's processes counts, and it has a pid the kernel handed out
 * after the last one /proc/loadavg named, as pids go up until they wrap.
 * So on the live node, when the count is the same as at the last
 * reading, the tasks are the last reading's, less those gone (their
 * files fail); and when it has grown, the new ones are among the pids
 * between the two last ones, each asked for its Tgid.  /proc is listed
 * as ever when the last pid went down (a wrap, or kernel.ns_last_pid
 * set), when more pids were handed out than there were tasks (asking
 * for a pid that is gone costs a lookup, about what listing costs a
 * task) or than LIST_RANGE_MAX, when /proc
 * is not this process's pid namespace's (its last pid is not /proc's),
 * and once in LIST_FULL_EVERY readings all the same.  A process's
 * task/ directory is listed when a new thread of it was found, or when
 * its stat's thread count is not the number of threads it had. */
#define LIST_FULL_EVERY 10
#define LIST_RANGE_MAX 4096
static struct {
	bool have;		/* forks and last_pid are last.v's reading's */
	uint64_t forks, next_forks;
	int64_t last_pid, next_last_pid;
	bool next;		/* next_*: this reading's, for known_keep */
	unsigned readings;	/* readings since /proc was last listed */
	int ours;		/* /proc is this process's pid namespace's; -1 not known */
} known = { .ours = -1 };

static bool forks_now(uint64_t *forks, int64_t *last_pid)
{
	struct buf b = { 0 };
	struct sbx_err e;
	struct loadavg la;
	const char *p;
	char *end;
	bool ok = false;

	if (node_loadavg(&la, &e) < 0 || la.last_pid <= 0)
		return false;
	*last_pid = la.last_pid;
	if (root_read("/proc/stat", &b, &e) == 0 && (p = strstr(b.s, "\nprocesses "))) {
		*forks = strtoull(p + 11, &end, 10);
		ok = end > p + 11;
	}
	buf_free(&b);
	return ok;
}

static bool proc_ours(void)
{
	char link[32];
	ssize_t n;

	if (known.ours < 0) {
		n = readlink(rooted("/proc/self"), link, sizeof(link) - 1);
		known.ours = n > 0 && (link[n] = '\0', strtol(link, NULL, 10) == (long)getpid());
	}
	return known.ours;
}

static bool is_known(int32_t tgid, int32_t tid)
{
	struct task key = { .tgid = tgid, .tid = tid };

	return last_of(&key) != NULL;
}

/* This reading's fork count and last pid go with its tasks, which
 * keep_last keeps (tasks_read_own, once the table is sorted). */
static void known_keep(void)
{
	known.have = known.next;
	known.next = false;
	known.forks = known.next_forks;
	known.last_pid = known.next_last_pid;
}

static bool in_list(const int32_t *v, size_t n, int32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* A process's main thread, then its threads: by listing task/ when its
 * thread count is not one (or relist), else the known ones [from, to).
 * False when it is gone. */
static bool read_process(struct task_table *t, int32_t pid, unsigned flags, struct buf *b,
			 bool relist, size_t from, size_t to)
{
	size_t main, had = to - from;

	if (!read_task(t, pid, pid, false, flags, b))
		return false;
	if (t->v[t->n - 1].nlwp == 1)
		return true;
	main = t->n - 1;
	if (relist || t->v[main].nlwp < 0 || (size_t)t->v[main].nlwp != had) {
		read_threads(t, pid, true, flags, b);	/* more than one, or not known */
	} else {
		for (size_t i = from; i < to; i++)
			if (last.v[i].tid != pid && !read_task(t, pid, last.v[i].tid, false, flags, b))
				t->vanished--;	/* it exited since the last reading */
	}
	fix_process(t, main);
	return true;
}

/* The last reading's tasks and the new ones (the list gate). */
static void read_known(struct task_table *t, unsigned flags, int64_t last_pid, bool forked,
		       struct buf *b)
{
	int32_t *relist = NULL, *fresh = NULL;
	size_t nrelist = 0, arelist = 0, nfresh = 0, afresh = 0;

	for (int64_t n = known.last_pid + 1; forked && n <= last_pid; n++) {
		struct task_status st;
		struct sbx_err e;

		if (root_readf(b, &e, "/proc/%lld/status", (long long)n) < 0 ||
		    parse_task_status(b->s, b->len, "status", &st, &e) < 0 || st.tgid <= 0 ||
		    st.tgid > INT32_MAX || is_known((int32_t)st.tgid, (int32_t)n))
			continue;	/* exited already, or in the last reading */
		if (st.tgid == n) {
			ALLOC_GROW(fresh, nfresh + 1, afresh);
			fresh[nfresh++] = (int32_t)n;
		} else if (!in_list(relist, nrelist, (int32_t)st.tgid)) {
			ALLOC_GROW(relist, nrelist + 1, arelist);
			relist[nrelist++] = (int32_t)st.tgid;
		}
	}
	for (size_t i = 0, j; i < last.n; i = j) {
		int32_t pid = last.v[i].tgid;

		for (j = i; j < last.n && last.v[j].tgid == pid; j++)
			;
		if (!read_process(t, pid, flags, b, in_list(relist, nrelist, pid), i, j))
			t->vanished--;	/* it exited since the last reading */
	}
	for (size_t i = 0; i < nfresh; i++)
		read_process(t, fresh[i], flags, b, true, 0, 0);
	free(relist);
	free(fresh);
	t->list_carried = true;
}

static int read_by_hand(struct task_table *t, unsigned flags, struct sbx_err *err)
{
	DIR *proc;
	struct dirent *de;
	struct buf b = { 0 };
	/* On the live node the main thread's stat says how many threads
	 * there are, so a process with one (most) is read without listing
	 * its task/ directory: one open and a getdents fewer.  A saved tree
	 * holds the listings a capture made, and a capture makes them all. */
	bool main_first = !(flags & TASKS_PROCESSES) && root_live_unrecorded();
	uint64_t forks = 0;
	int64_t last_pid = 0;

	/* last.v is the last reading's whole table with TASKS_GATE alone */
	known.next = main_first && flags & TASKS_HOLD && flags & TASKS_GATE &&
		     forks_now(&forks, &last_pid);
	known.next_forks = forks;
	known.next_last_pid = last_pid;
	if (known.next && known.have && proc_ours() && known.readings + 1 < LIST_FULL_EVERY &&
	    (forks == known.forks ||
	     (last_pid >= known.last_pid && last_pid - known.last_pid <= LIST_RANGE_MAX &&
	      (uint64_t)(last_pid - known.last_pid) <= last.n))) {
		known.readings++;
		read_known(t, flags, last_pid, forks != known.forks, &b);
		buf_free(&b);
		return 0;
	}
	known.readings = 0;
	proc = root_opendir("/proc", err);
	if (!proc) {
		known.next = false;
		return -1;
	}
	while ((de = readdir(proc))) {
		int32_t pid;

		if (!numeric(de->d_name, &pid))
			continue;
		if (flags & TASKS_PROCESSES)
			read_task(t, pid, pid, true, flags, &b);
		else if (!main_first)
			read_threads(t, pid, false, flags, &b);	/* one that exited meanwhile: vanished */
		else
			read_process(t, pid, flags, &b, true, 0, 0);
	}
	closedir(proc);
	buf_free(&b);
	return 0;
}

/* libproc2 walks the processes.  Asked for threads too, it opens every
 * process's task/ directory, though most have one thread: here only a
 * process with more than one has its threads read, by hand (their stat
 * and status), and a single-threaded one is its own thread. */
static int read_libproc2(struct task_table *t, unsigned flags, struct sbx_err *err)
{
	struct pids_fetch *f = lp.pids_reap(lp.info, PIDS_FETCH_TASKS_ONLY);
	struct buf b = { 0 };

	if (!f) {
		sbx_err_set(err, errno, "libproc2: cannot read /proc: %s", sbx_errno_word(errno));
		return -1;
	}
	for (int i = 0; i < f->counts->total; i++) {
		struct pids_stack *s = f->stacks[i];
		int32_t tgid = PIDS_VAL(LP_TGID, s_int, s, lp.info);
		const char *cmd = PIDS_VAL(LP_CMD, str, s, lp.info);
		struct task *k;

		if (!(flags & TASKS_PROCESSES) && PIDS_VAL(LP_NLWP, s_int, s, lp.info) > 1) {
			read_threads(t, tgid, false, flags, &b);
			continue;
		}
		k = add_task(t, tgid, PIDS_VAL(LP_TID, s_int, s, lp.info));
		copy_name(k->comm, sizeof(k->comm), cmd ? cmd : "");
		k->has_name = cmd != NULL;
		k->state = PIDS_VAL(LP_STATE, s_ch, s, lp.info);
		k->nlwp = PIDS_VAL(LP_NLWP, s_int, s, lp.info);
		k->ppid = PIDS_VAL(LP_PPID, s_int, s, lp.info);
		k->start = PIDS_VAL(LP_BEGAN, ull_int, s, lp.info);
		k->has_start = true;
		k->utime = PIDS_VAL(LP_UTIME, ull_int, s, lp.info);
		k->stime = PIDS_VAL(LP_STIME, ull_int, s, lp.info);
		k->has_times = true;
		k->rss_pages = PIDS_VAL(LP_RSS, ul_int, s, lp.info);
		k->has_rss = true;
		k->processor = PIDS_VAL(LP_PROCESSOR, s_int, s, lp.info);
		if (flags & TASKS_SWITCHES && !switches(k, &b, flags & TASKS_GATE)) {
			t->n--;
			t->vanished++;
		}
	}
	buf_free(&b);
	return 0;
}

static void count(struct task_table *t)
{
	struct task_counts *c = &t->counts;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < t->n; i++) {
		const struct task *k = &t->v[i];

		c->tasks++;
		if (i == 0 || k->tgid != t->v[i - 1].tgid)
			c->processes++;
		switch (k->state) {
		case 'R':
			c->running++;
			break;
		case 'S':
			c->sleeping++;
			break;
		case 'D':
			c->disk_sleep++;
			break;
		case 'Z':
			c->zombie++;
			break;
		case 'T':
		case 't':
			c->stopped++;
			break;
		case 'I':
			c->idle++;
			break;
		default:
			c->other++;
		}
	}
}

static int tasks_read_own(struct task_table *t, unsigned flags, struct sbx_err *err);

/* The shared readings: [0] the current window's, [1] the one before.
 * gen changes whenever either does, so what is worked out from them
 * (tasks_share_wait) is worked out once for each. */
static struct {
	bool on;
	unsigned flags;
	unsigned gen;
	struct {
		unsigned gen;	/* share.gen it was had for; 0 never */
		bool ok;
		struct task_waits w;
	} wait;
	struct shared {
		bool have;	/* read (rc 0: t holds it; -1: err says why) */
		int rc;
		struct task_table t;
		struct sbx_err err;
		double when, uptime;
	} r[2];
} share;

static void shared_free(struct shared *r)
{
	if (r->have && r->rc == 0)
		tasks_free(&r->t);
	memset(r, 0, sizeof(*r));
}

void tasks_share_begin(unsigned flags)
{
	share.gen++;
	shared_free(&share.r[1]);
	share.r[1] = share.r[0];
	memset(&share.r[0], 0, sizeof(share.r[0]));
	share.flags = flags & ~TASKS_PROCESSES;
	share.on = true;
	root_memo_begin();
}

void tasks_share_end(void)
{
	share.on = false;
	root_memo_end();
}

void tasks_share_free(void)
{
	share.gen++;
	shared_free(&share.r[0]);
	shared_free(&share.r[1]);
	share.on = false;
	root_memo_end();
}

static void copy_table(struct task_table *dst, const struct task_table *src, bool processes)
{
	*dst = *src;
	dst->v = NULL;
	dst->n = dst->alloc = 0;
	if (!processes) {
		if (src->n) {
			dst->v = xreallocarray(NULL, src->n, sizeof(*src->v));
			memcpy(dst->v, src->v, src->n * sizeof(*src->v));
			dst->n = dst->alloc = src->n;
		}
		return;
	}
	/* the main threads, standing for their processes: sorted by tgid,
	 * then tid, so a process's threads follow its main thread */
	for (size_t i = 0; i < src->n; i++) {
		const struct task *k = &src->v[i];
		struct task *p;

		if (k->tid != k->tgid)
			continue;
		ALLOC_GROW(dst->v, dst->n + 1, dst->alloc);
		p = &dst->v[dst->n++];
		*p = *k;
		for (size_t j = i + 1; j < src->n && src->v[j].tgid == k->tgid; j++) {
			if (!src->v[j].has_times)
				p->has_times = false;
			p->utime += src->v[j].utime;
			p->stime += src->v[j].stime;
		}
	}
	count(dst);
}

int tasks_read(struct task_table *t, unsigned flags, struct sbx_err *err)
{
	struct shared *r = &share.r[0];

	if (!share.on || (flags & TASKS_SWITCHES && !(share.flags & TASKS_SWITCHES)))
		return tasks_read_own(t, flags, err);
	if (!r->have) {
		struct sbx_err e;

		share.gen++;
		r->have = true;
		r->when = root_clock();
		if (node_uptime(&r->uptime, &e) < 0)
			r->uptime = -1;
		r->rc = tasks_read_own(&r->t, share.flags, &r->err);
	}
	if (r->rc < 0) {
		memset(t, 0, sizeof(*t));
		*err = r->err;
		return -1;
	}
	copy_table(t, &r->t, flags & TASKS_PROCESSES);
	return 0;
}

bool tasks_share_pair(struct task_table *prev, double *prev_when, double *prev_uptime,
		      struct task_table *cur, double *cur_when, double *cur_uptime)
{
	const struct shared *a = &share.r[1], *b = &share.r[0];

	if (!a->have || a->rc < 0 || !b->have || b->rc < 0)
		return false;
	copy_table(prev, &a->t, false);
	copy_table(cur, &b->t, false);
	*prev_when = a->when;
	*prev_uptime = a->uptime;
	*cur_when = b->when;
	*cur_uptime = b->uptime;
	return true;
}

static bool every_sched(const struct shared *r)
{
	if (!r->have || r->rc < 0 || !r->t.n)
		return false;
	for (size_t i = 0; i < r->t.n; i++)
		if (!r->t.v[i].has_sched)
			return false;
	return true;
}

bool tasks_share_waits_known(void)
{
	return every_sched(&share.r[0]);
}

void tasks_waits_between(const struct task_table *a, double a_uptime, const struct task_table *b,
			 int32_t self, struct task_waits *w)
{
	uint64_t ns = 0;
	size_t i = 0, j = 0;

	memset(w, 0, sizeof(*w));
	/* both sorted by tgid, then tid */
	while (i < a->n || j < b->n) {
		const struct task *x = i < a->n ? &a->v[i] : NULL;
		const struct task *y = j < b->n ? &b->v[j] : NULL;
		int c = !x ? 1 : !y ? -1 : cmp_tid(x, y);

		if (c < 0) {
			w->ended += x->tgid != self;
			i++;
			continue;
		}
		j++;
		if (c == 0)
			i++;
		if (y->tgid == self)
			continue;
		if (c == 0 && x->has_start && y->has_start && x->start == y->start) {
			if (y->wait_ns > x->wait_ns)
				ns += y->wait_ns - x->wait_ns;
			continue;
		}
		if (c == 0)
			w->ended++;	/* its TID taken again */
		/* new: all its waits are the interval's, if it started in it */
		if (y->has_start && b->hz &&
		    (double)y->start / (double)b->hz >= a_uptime - 1.0 / (double)b->hz) {
			w->born++;
			ns += y->wait_ns;
		}
	}
	w->seconds = (double)ns / 1e9;
	w->tasks = b->n;
}

/* Asked by each check of the run queue, in each applet, and by the
 * tick: one walk of the tables for each pair of them. */
bool tasks_share_wait(struct task_waits *w)
{
	const struct shared *a = &share.r[1], *b = &share.r[0];

	if (share.gen && share.wait.gen == share.gen) {
		*w = share.wait.w;
		return share.wait.ok;
	}
	memset(w, 0, sizeof(*w));
	share.wait.ok = every_sched(a) && every_sched(b) && a->uptime >= 0;
	if (share.wait.ok)
		tasks_waits_between(&a->t, a->uptime, &b->t,
				    root_is_live() ? (int32_t)getpid() : -1, w);
	share.wait.w = *w;
	share.wait.gen = share.gen;
	return share.wait.ok;
}

static int tasks_read_own(struct task_table *t, unsigned flags, struct sbx_err *err)
{
	long hz = sysconf(_SC_CLK_TCK);
	int rc;

	memset(t, 0, sizeof(*t));
	t->hz = hz > 0 ? (unsigned long)hz : 100;
	/* switches() carries counts over on the live node only: a capture
	 * records every file, and a saved tree has no last reading */
	if (flags & TASKS_SWITCHES && root_live_unrecorded())
		flags |= TASKS_GATE;
	if (flags & TASKS_HOLD && root_live_unrecorded())
		hold_begin();
	stat_gate_on = held.on && flags & TASKS_GATE && !(flags & TASKS_PROCESSES) && stat_gate();
	/* a capture records what is read by hand: libproc2 reads /proc itself */
	if (root_live_unrecorded() && !(flags & TASKS_NO_LIBPROC2) && lp_load()) {
		t->libproc2 = true;
		rc = read_libproc2(t, flags, err);
	} else {
		rc = read_by_hand(t, flags, err);
	}
	if (held.on)
		hold_end();
	if (rc < 0) {
		tasks_free(t);
		return -1;
	}
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), cmp_tid);
	if (stat_gate_on)
		fix_parents(t);
	stat_gate_on = false;
	known_keep();
	count(t);
	if (flags & TASKS_GATE)
		keep_last(t);
	return 0;
}

void tasks_free(struct task_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->alloc = 0;
}

const struct task *tasks_find(const struct task_table *t, int32_t tgid, int32_t tid)
{
	struct task key = { .tgid = tgid, .tid = tid };

	return t->n ? bsearch(&key, t->v, t->n, sizeof(*t->v), cmp_tid) : NULL;
}

void task_why(const struct task *k, bool status, char *out, size_t n)
{
	char dir[PROC_PATH_MAX];
	int e = status ? k->status_errno : k->stat_errno;

	task_dir(k, dir);
	if (status && e == -2)
		snprintf(out, n, "%s/status: not read", rooted(dir));
	else if (status && e == ENOTSUP)
		snprintf(out, n, "%s/status: no voluntary_ctxt_switches (kernel before 2.6.23)",
			 rooted(dir));
	else
		snprintf(out, n, "%s/%s: %s", rooted(dir), status ? "status" : "stat",
			 sbx_errno_word(e));
}

bool task_wchan(const struct task *k, char *out, size_t n)
{
	char line[128], path[64];
	struct sbx_err err;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", (int)k->tgid, (int)k->tid);
	/* a tree without task/ directories has the main thread's at the top */
	if (root_read_line(path, line, sizeof(line), &err) < 0 && err.errnum == ENOENT &&
	    k->tid == k->tgid) {
		snprintf(path, sizeof(path), "/proc/%d/wchan", (int)k->tgid);
		root_read_line(path, line, sizeof(line), &err);
	}
	if (!line[0] && err.errnum) {
		snprintf(out, n, "wchan %s", sbx_errno_word(err.errnum));
		return false;
	}
	/* "0": the task woke up meanwhile, or the kernel hides the symbol
	 * (kptr_restrict without CAP_SYSLOG on old kernels) */
	if (!*str_trim(line) || !strcmp(str_trim(line), "0")) {
		snprintf(out, n, "wchan not shown (woke up, or hidden by the kernel)");
		return false;
	}
	snprintf(out, n, "%s", str_trim(line));
	return true;
}
