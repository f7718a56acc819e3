/* The task table (lib/tasks.c) over saved trees, with and without task/
 * directories, and live through both readers. */
#include "unit.h"
#include "tasks.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void use_root(const char *rel)
{
	const char *top = getenv("SREBOX_TESTS");
	char path[4096];

	snprintf(path, sizeof(path), "%s/fixtures/%s", top ? top : "tests", rel);
	root_set(path);
}

/* tests/fixtures/cswitch/snap1: 24 threads of 5 processes; the states
 * and counts below are read off its stat and status files. */
static void captured_tree(void **state)
{
	struct task_table t;
	struct sbx_err err;
	const struct task *k;

	(void)state;
	use_root("cswitch/snap1");
	assert_int_equal(tasks_read(&t, TASKS_SWITCHES, &err), 0);
	assert_false(t.libproc2);
	assert_int_equal(t.n, 24);
	assert_int_equal(t.counts.tasks, 24);
	assert_int_equal(t.counts.processes, 5);
	assert_int_equal(t.counts.running, 2);
	assert_int_equal(t.counts.idle, 1);
	assert_int_equal(t.counts.sleeping, 21);
	assert_int_equal(t.counts.disk_sleep + t.counts.zombie + t.counts.stopped + t.counts.other, 0);
	for (size_t i = 1; i < t.n; i++)
		assert_true(t.v[i - 1].tgid < t.v[i].tgid ||
			    (t.v[i - 1].tgid == t.v[i].tgid && t.v[i - 1].tid < t.v[i].tid));
	k = tasks_find(&t, 16606, 16609);
	assert_non_null(k);
	assert_string_equal(k->comm, "manythreads");
	assert_int_equal(k->nlwp, 7);
	assert_true(k->has_start && k->has_switches && !k->whole_process);
	assert_int_equal(k->vol, 1);
	assert_null(tasks_find(&t, 16606, 16608));
	tasks_free(&t);
	/* without TASKS_SWITCHES status is not read */
	assert_int_equal(tasks_read(&t, 0, &err), 0);
	assert_false(t.v[0].has_switches);
	assert_int_equal(t.v[0].status_errno, -2);
	tasks_free(&t);
	root_set(NULL);
}

/* node_exporter's tree: no task/ and no status; /proc/10/stat says 17 */
static void tree_without_task_dirs(void **state)
{
	struct task_table t;
	struct sbx_err err;

	(void)state;
	use_root("node_exporter");
	assert_int_equal(tasks_read(&t, TASKS_SWITCHES, &err), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.counts.sleeping, 2);
	assert_int_equal(t.counts.idle, 1);
	assert_int_equal(t.v[1].tgid, 10);
	assert_string_equal(t.v[1].comm, "khungtaskd");
	for (size_t i = 0; i < t.n; i++) {
		assert_true(t.v[i].whole_process);
		assert_false(t.v[i].has_switches);
		assert_int_equal(t.v[i].status_errno, ENOENT);
	}
	tasks_free(&t);
	root_set(NULL);
}

static void unlistable(void **state)
{
	struct task_table t;
	struct sbx_err err;

	(void)state;
	root_set("/nonexistent/srebox");
	assert_int_equal(tasks_read(&t, 0, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent/srebox/proc: missing"));
	root_set(NULL);
}

/* This very process, through libproc2 and by hand. */
static void live(void **state)
{
	struct sbx_err err;

	(void)state;
	if (!tasks_libproc2_available(&err))
		fail_msg("%s", err.msg);
	for (int by_hand = 0; by_hand < 2; by_hand++) {
		struct task_table t;
		const struct task *k;

		assert_int_equal(tasks_read(&t, TASKS_SWITCHES | (by_hand ? TASKS_NO_LIBPROC2 : 0),
					    &err),
				 0);
		assert_int_equal(t.libproc2, !by_hand);
		k = tasks_find(&t, getpid(), getpid());
		assert_non_null(k);
		assert_string_equal(k->comm, "t_tasks");
		assert_int_equal(k->state, 'R');
		assert_true(k->has_start && k->has_switches && k->nlwp == 1);
		assert_true(t.counts.tasks >= t.counts.processes && t.counts.running >= 1);
		tasks_free(&t);
	}
}

/* A child named NAME, asleep; its pid once it has its name. */
static pid_t named_child(const char *name)
{
	pid_t pid = fork();
	char path[64], comm[32] = "";

	assert_true(pid >= 0);
	if (pid == 0) {
		/* gone with this test, even when an assertion ends it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(60);
		prctl(PR_SET_NAME, name);
		for (;;)
			pause();
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	for (int i = 0; i < 500 && strncmp(comm, name, strlen(name)); i++) {
		FILE *f = fopen(path, "r");

		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = '\0';
			fclose(f);
		}
		usleep(2000);
	}
	return pid;
}

static void end_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* This process's open files that are a file of pid's. */
static int fds_of(pid_t pid)
{
	char dir_[] = "/proc/self/fd", link[256], want[32], path[300];
	DIR *d = opendir(dir_);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	snprintf(want, sizeof(want), "/proc/%d/", (int)pid);
	while ((e = readdir(d))) {
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_, e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len > 0) {
			link[len] = '\0';
			n += !strncmp(link, want, strlen(want));
		}
	}
	closedir(d);
	return n;
}

/* TASKS_HOLD: a task's files stay open from one reading to the next and
 * are closed once it is gone; a new process given the old one's pid
 * (kernel.ns_last_pid, as root) is read afresh, not through them. */
static void held_files(void **state)
{
	const unsigned fl = TASKS_SWITCHES | TASKS_NO_LIBPROC2 | TASKS_HOLD;
	struct task_table t;
	struct sbx_err err;
	const struct task *k;
	pid_t a = named_child("held-a"), b = -1;
	uint64_t a_start;
	FILE *f;

	(void)state;
	assert_int_equal(tasks_read(&t, fl, &err), 0);
	k = tasks_find(&t, a, a);
	assert_non_null(k);
	assert_string_equal(k->comm, "held-a");
	assert_true(k->stat_errno == -1 && k->has_switches && k->has_start);
	a_start = k->start;
	tasks_free(&t);
	assert_true(fds_of(a) >= 2);	/* its stat and schedstat at least */

	end_child(a);
	for (int i = 0; i < 50 && b != a; i++) {
		if (b > 0)
			end_child(b);
		f = fopen("/proc/sys/kernel/ns_last_pid", "w");
		if (!f)
			break;
		fprintf(f, "%d\n", (int)a - 1);
		if (fclose(f) != 0)
			break;
		b = named_child("held-b");
	}
	if (b == a) {
		/* a's files are held still: b, with a's pid, must not be read
		 * through them */
		assert_int_equal(tasks_read(&t, fl, &err), 0);
		k = tasks_find(&t, b, b);
		assert_non_null(k);
		assert_string_equal(k->comm, "held-b");
		assert_true(k->stat_errno == -1 && k->has_switches && k->has_start);
		assert_true(k->start >= a_start);
		tasks_free(&t);
	} else {
		printf("# held_files: pid reuse not tried (not root, or pid %d taken)\n", (int)a);
	}
	if (b > 0)
		end_child(b);
	/* gone: its files are closed by the next reading */
	assert_int_equal(tasks_read(&t, fl, &err), 0);
	assert_null(tasks_find(&t, a, a));
	tasks_free(&t);
	assert_int_equal(fds_of(a), 0);
}

static int gate_fd[2];

static void *blocked(void *arg)
{
	char c;

	(void)arg;
	while (read(gate_fd[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* More tasks than files may be held (1200 threads, two files each): the
 * first are held, the rest read afresh each time, and every one is in
 * both readings whole. */
#define MANY 1200
static void held_over_the_cap(void **state)
{
	const unsigned fl = TASKS_SWITCHES | TASKS_NO_LIBPROC2 | TASKS_HOLD;
	static pthread_t th[MANY];
	int before = open_fds();

	(void)state;
	assert_int_equal(pipe(gate_fd), 0);
	for (int i = 0; i < MANY; i++)
		assert_int_equal(pthread_create(&th[i], NULL, blocked, NULL), 0);
	for (int r = 0; r < 2; r++) {
		struct task_table t;
		struct sbx_err err;
		size_t mine = 0;

		assert_int_equal(tasks_read(&t, fl, &err), 0);
		for (size_t i = 0; i < t.n; i++) {
			const struct task *k = &t.v[i];

			if (k->tgid != getpid())
				continue;
			mine++;
			assert_true(k->stat_errno == -1 && k->has_switches && k->nlwp == MANY + 1);
		}
		assert_int_equal(mine, MANY + 1);
		tasks_free(&t);
		/* at most half the budget held, with the pipe and the rest */
		assert_true(open_fds() <= before + 2 + (int)(root_fd_budget() / 2));
		assert_true(open_fds() >= before + 2 + 200);
	}
	close(gate_fd[1]);
	for (int i = 0; i < MANY; i++)
		pthread_join(th[i], NULL);
	close(gate_fd[0]);
}

/* srebox top's one walk a sample (tasks_share_begin): every reader in the
 * window gets the first reading, processes with their threads' times
 * summed, and the window's readings pair up for health's culprits.  A
 * copy of cswitch/snap1 loses process 16606 (7 threads) in the middle:
 * readers in the window still see it, a reader after it does not. */
static void shared_reading(void **state)
{
	const char *top = getenv("SREBOX_TESTS");
	char dir[] = "/tmp/t_tasks.XXXXXX", cmd[8192], from[4200], to[4200];
	struct task_table a, b, c, prev, cur;
	struct sbx_err err;
	const struct task *p;
	uint64_t ut = 0, st = 0;
	size_t threads = 0;
	double w0, w1, u0, u1;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -R '%s/fixtures/cswitch/snap1/proc' '%s/'", top ? top : "tests",
		 dir);
	assert_int_equal(system(cmd), 0);
	root_set(dir);
	assert_false(tasks_share_pair(&prev, &w0, &u0, &cur, &w1, &u1));
	tasks_share_begin(TASKS_SWITCHES);
	assert_int_equal(tasks_read(&a, 0, &err), 0);
	assert_int_equal(a.n, 24);
	assert_true(a.v[0].has_switches);	/* read once, with the share's flags */
	snprintf(from, sizeof(from), "%s/proc/16606", dir);
	snprintf(to, sizeof(to), "%s/proc/gone", dir);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(tasks_read(&b, TASKS_PROCESSES, &err), 0);
	assert_int_equal(b.n, 5);
	assert_int_equal(b.counts.processes, 5);
	assert_int_equal(b.counts.tasks, 5);
	for (size_t i = 0; i < a.n; i++)
		if (a.v[i].tgid == 16606) {
			ut += a.v[i].utime;
			st += a.v[i].stime;
			threads++;
		}
	assert_int_equal(threads, 7);
	p = tasks_find(&b, 16606, 16606);
	assert_non_null(p);
	assert_true(p->has_times && p->utime == ut && p->stime == st);
	tasks_share_end();
	assert_int_equal(tasks_read(&c, TASKS_PROCESSES, &err), 0);
	assert_int_equal(c.n, 4);
	tasks_free(&c);
	assert_false(tasks_share_pair(&prev, &w0, &u0, &cur, &w1, &u1));
	tasks_share_begin(TASKS_SWITCHES);
	assert_int_equal(tasks_read(&c, TASKS_SWITCHES, &err), 0);
	tasks_share_end();
	assert_int_equal(c.n, 24 - 7);
	assert_true(tasks_share_pair(&prev, &w0, &u0, &cur, &w1, &u1));
	assert_int_equal(prev.n, 24);
	assert_int_equal(cur.n, 24 - 7);
	assert_true(w1 >= w0 && u0 > 0 && u1 == u0);	/* a saved tree's clock stands still */
	tasks_free(&prev);
	tasks_free(&cur);
	tasks_share_free();
	assert_false(tasks_share_pair(&prev, &w0, &u0, &cur, &w1, &u1));
	tasks_free(&a);
	tasks_free(&b);
	tasks_free(&c);
	root_set(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* --- the stat gate: what a task that did not run keeps (carried) ------- */

static const unsigned top_flags = TASKS_SWITCHES | TASKS_NO_LIBPROC2 | TASKS_HOLD;

/* A reading of the live node; whether the gate was on in it, as a
 * sleeping witness shows (it is off on a node with no CPU to spare, and
 * one reading in ten). */
static bool gated_read(struct task_table *t, pid_t witness)
{
	struct sbx_err err;
	const struct task *w;

	assert_int_equal(tasks_read(t, top_flags, &err), 0);
	w = tasks_find(t, witness, witness);
	assert_non_null(w);
	return w->carried;
}

/* The field of /proc/PID/stat after the comm, counted from 1 (state). */
static long long stat_after_comm(pid_t pid, int n)
{
	char path[64], buf[1024], *p;
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')'))) {
		p += 2;
		for (int i = 1; i < n && p; i++)
			p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
		if (p)
			v = strtoll(p, NULL, 10);
	}
	fclose(f);
	return v;
}

/* A sleeping task's stat is carried over, the same as it was; a busy one
 * is read afresh, its CPU time grown. */
static void stat_carried(void **state)
{
	struct task_table t;
	pid_t w = named_child("gate-w"), busy = fork();
	const struct task *k;
	uint64_t busy_cpu = 0;
	bool gated = false;

	(void)state;
	assert_true(busy >= 0);
	if (busy == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(60);
		for (;;)
			;
	}
	for (int i = 0; i < 100 && !gated; i++) {
		usleep(20000);
		gated = gated_read(&t, w);
		k = tasks_find(&t, w, w);
		assert_string_equal(k->comm, "gate-w");
		assert_true(k->stat_errno == -1 && k->has_switches && k->has_start && k->state == 'S');
		k = tasks_find(&t, busy, busy);
		assert_non_null(k);
		if (i > 0 && gated) {
			assert_false(k->carried);
			assert_true(k->utime + k->stime >= busy_cpu);
		}
		busy_cpu = k->utime + k->stime;
		tasks_free(&t);
	}
	if (!gated)
		printf("# stat_carried: the gate was never on (no CPU to spare?)\n");
	end_child(busy);
	end_child(w);
}

/* A sleeping task whose parent exits has a new parent (this process, a
 * subreaper): it is read afresh, not carried with the old one. */
static void stat_carried_reparented(void **state)
{
	pid_t w = named_child("gate-w");
	bool gated = false;

	(void)state;
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	for (int attempt = 0; attempt < 20 && !gated; attempt++) {
		struct task_table t;
		int go[2], got[2];
		pid_t a, b = 0;
		const struct task *k;

		assert_int_equal(pipe(go), 0);
		assert_int_equal(pipe(got), 0);
		a = fork();
		assert_true(a >= 0);
		if (a == 0) {
			char c;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			b = fork();
			if (b == 0) {
				/* no death signal: it outlives a, asleep */
				alarm(60);
				prctl(PR_SET_NAME, "gate-orphan");
				for (;;)
					pause();
			}
			if (write(got[1], &b, sizeof(b)) != sizeof(b) || read(go[0], &c, 1) != 1)
				_exit(1);
			_exit(0);	/* b is this process's subreaper's now */
		}
		assert_int_equal(read(got[0], &b, sizeof(b)), (ssize_t)sizeof(b));
		gated_read(&t, w);
		k = tasks_find(&t, b, b);
		assert_non_null(k);
		assert_int_equal(k->ppid, a);
		tasks_free(&t);
		usleep(20000);
		gated_read(&t, w);	/* b carried now, with parent a */
		tasks_free(&t);
		assert_int_equal(write(go[1], "x", 1), 1);
		waitpid(a, NULL, 0);
		for (int i = 0; i < 500 && stat_after_comm(b, 2) != getpid(); i++)
			usleep(2000);
		assert_int_equal(stat_after_comm(b, 2), getpid());
		gated = gated_read(&t, w);
		k = tasks_find(&t, b, b);
		assert_non_null(k);
		assert_int_equal(k->ppid, getpid());
		tasks_free(&t);
		end_child(b);
		close(go[0]), close(go[1]), close(got[0]), close(got[1]);
	}
	if (!gated)
		printf("# stat_carried_reparented: the gate was never on (no CPU to spare?)\n");
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	end_child(w);
}

static int grow_fd[2];

static void *sleeper(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

/* On a byte: 32 MiB touched and a third thread, the main one asleep. */
static void *grower(void *arg)
{
	pthread_t th;
	char c, *m;

	(void)arg;
	if (read(grow_fd[0], &c, 1) != 1)
		return NULL;
	m = malloc(32 << 20);
	if (m)
		memset(m, 1, 32 << 20);
	pthread_create(&th, NULL, sleeper, NULL);
	pause();
	return m;
}

/* A child whose main thread sleeps in pthread_join while its second one
 * waits for a byte on grow_fd (then grows: grower); its pid once it has
 * its two threads. */
static pid_t grower_child(void)
{
	pid_t c;

	assert_int_equal(pipe(grow_fd), 0);
	c = fork();
	assert_true(c >= 0);
	if (c == 0) {
		pthread_t th;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(60);
		pthread_create(&th, NULL, grower, NULL);
		pthread_join(th, NULL);
		_exit(0);
	}
	for (int i = 0; i < 500 && stat_after_comm(c, 18) != 2; i++)
		usleep(2000);
	return c;
}

/* A process whose main thread sleeps while another grows it: the main
 * thread's stat is carried, but the process's threads and RSS are what
 * its threads show afresh. */
static void stat_carried_process_grows(void **state)
{
	pid_t w = named_child("gate-w"), c;
	struct task_table t;
	const struct task *k;
	uint64_t rss0 = 0;
	long page = sysconf(_SC_PAGESIZE);
	bool gated = false;

	(void)state;
	for (int attempt = 0; attempt < 20 && !gated; attempt++) {
		c = grower_child();
		assert_int_equal(stat_after_comm(c, 18), 2);	/* num_threads */
		gated_read(&t, w);
		tasks_free(&t);
		usleep(20000);
		gated_read(&t, w);
		k = tasks_find(&t, c, c);
		assert_non_null(k);
		rss0 = k->rss_pages;
		tasks_free(&t);
		assert_int_equal(write(grow_fd[1], "x", 1), 1);
		for (int i = 0; i < 2500 && stat_after_comm(c, 18) != 3; i++)
			usleep(2000);
		assert_int_equal(stat_after_comm(c, 18), 3);
		gated = gated_read(&t, w);
		k = tasks_find(&t, c, c);
		assert_non_null(k);
		if (gated) {
			assert_true(k->carried);	/* the main thread slept throughout */
			assert_int_equal(k->nlwp, 3);
			assert_true(k->rss_pages >= rss0 + (uint64_t)((30 << 20) / page));
		}
		tasks_free(&t);
		end_child(c);
		close(grow_fd[0]), close(grow_fd[1]);
	}
	if (!gated)
		printf("# stat_carried_process_grows: the gate was never on (no CPU to spare?)\n");
	end_child(w);
}

/* --- the list gate: the last reading's tasks and the new ones --------- */

static size_t threads_of(const struct task_table *t, pid_t pid)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += t->v[i].tgid == pid;
	return n;
}

/* Without listing /proc, a process made since the last reading is
 * found, one gone is not kept, and a new thread of a process whose
 * main thread slept throughout is found. */
static void list_carried(void **state)
{
	struct task_table t;
	struct sbx_err err;
	bool carried = false;

	(void)state;
	for (int attempt = 0; attempt < 3 && !carried; attempt++) {
		pid_t e = named_child("list-e"), n, c;
		const struct task *k;

		c = grower_child();
		for (int i = 0; i < 2; i++) {
			assert_int_equal(tasks_read(&t, top_flags, &err), 0);
			assert_non_null(tasks_find(&t, e, e));
			assert_int_equal(threads_of(&t, c), 2);
			tasks_free(&t);
		}
		end_child(e);
		n = named_child("list-n");
		assert_int_equal(write(grow_fd[1], "x", 1), 1);
		for (int i = 0; i < 2500 && stat_after_comm(c, 18) != 3; i++)
			usleep(2000);
		assert_int_equal(tasks_read(&t, top_flags, &err), 0);
		carried = t.list_carried;
		k = tasks_find(&t, n, n);
		assert_non_null(k);
		assert_string_equal(k->comm, "list-n");
		assert_null(tasks_find(&t, e, e));
		assert_int_equal(threads_of(&t, c), 3);
		k = tasks_find(&t, c, c);
		assert_non_null(k);
		assert_int_equal(k->nlwp, 3);
		tasks_free(&t);
		end_child(n);
		end_child(c);
		close(grow_fd[0]), close(grow_fd[1]);
	}
	assert_true(carried);	/* listing is only one reading in ten */
}

/* The time tasks waited for a CPU between two readings: matched by TID
 * and start time, a task started between them counted whole, one gone
 * counted as ended, srebox's own left out, one that was there before but
 * missed by the first reading not counted at all. */
static void waits_between(void **state)
{
	struct task av[] = {
		{ .tid = 1, .tgid = 1, .has_start = true, .start = 1000, .wait_ns = 100 },
		{ .tid = 2, .tgid = 1, .has_start = true, .start = 1000, .wait_ns = 50 },
		{ .tid = 5, .tgid = 5, .has_start = true, .start = 2000, .wait_ns = 7 },
		{ .tid = 6, .tgid = 6, .has_start = true, .start = 2000, .wait_ns = 7 },
		{ .tid = 9, .tgid = 9, .has_start = true, .start = 3000, .wait_ns = 1000 },
	};
	struct task bv[] = {
		{ .tid = 1, .tgid = 1, .has_start = true, .start = 1000, .wait_ns = 400 },
		{ .tid = 2, .tgid = 1, .has_start = true, .start = 1000, .wait_ns = 50 },
		/* pid 5 again, started after the first reading (at 100 s) */
		{ .tid = 5, .tgid = 5, .has_start = true, .start = 10020, .wait_ns = 11 },
		{ .tid = 7, .tgid = 7, .has_start = true, .start = 10050, .wait_ns = 30 },
		{ .tid = 8, .tgid = 8, .has_start = true, .start = 500, .wait_ns = 999 },
		{ .tid = 9, .tgid = 9, .has_start = true, .start = 3000, .wait_ns = 5000 },
		{ .tid = 10, .tgid = 9, .has_start = true, .start = 10010, .wait_ns = 5000 },
	};
	struct task_table a = { .v = av, .n = ARRAY_SIZE(av), .hz = 100 };
	struct task_table b = { .v = bv, .n = ARRAY_SIZE(bv), .hz = 100 };
	struct task_waits w;

	(void)state;
	tasks_waits_between(&a, 100.0, &b, 9, &w);
	assert_float_equal(w.seconds, (300 + 11 + 30) / 1e9, 1e-15);
	assert_int_equal(w.born, 2);	/* 5 again, and 7 */
	assert_int_equal(w.ended, 2);	/* 5 and 6 */
	/* no self to leave out: 9's 4000 more and its new thread's 5000 */
	tasks_waits_between(&a, 100.0, &b, -1, &w);
	assert_float_equal(w.seconds, (300 + 11 + 30 + 4000 + 5000) / 1e9, 1e-15);
	assert_int_equal(w.born, 3);
	/* the same table twice: nothing waited, nothing came or went */
	tasks_waits_between(&b, 200.0, &b, -1, &w);
	assert_true(w.seconds == 0 && w.born == 0 && w.ended == 0);
}

/* Live, as srebox top reads: more busy processes than CPUs wait, and the
 * shared readings say how long. */
static void live_waits(void **state)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pid_t kids[64];
	size_t nk = ncpu > 0 && ncpu < 21 ? 3 * (size_t)ncpu : 63;
	struct task_table t;
	struct sbx_err err;
	struct task_waits w;
	bool known = false;

	(void)state;
	if (access("/proc/self/schedstat", R_OK) != 0) {
		printf("# live_waits: no /proc/PID/schedstat (no CONFIG_SCHED_INFO)\n");
		return;
	}
	for (size_t i = 0; i < nk; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			alarm(60);
			for (;;)
				;
		}
	}
	tasks_share_free();
	/* the gate reads every schedstat from the second reading on */
	for (int i = 0; i < 3; i++) {
		usleep(300000);
		tasks_share_begin(top_flags);
		assert_int_equal(tasks_read(&t, top_flags, &err), 0);
		tasks_share_end();
		tasks_free(&t);
		known = tasks_share_waits_known();
		tasks_share_wait(&w);	/* kept for this pair of readings only */
	}
	assert_true(known);
	assert_true(tasks_share_wait(&w));
	/* nk spinners on ncpu CPUs, 0.3 s: each waits about (nk - ncpu) / nk
	 * of it; half of that is plenty to say they waited */
	if (nk > (size_t)ncpu)
		assert_true(w.seconds > 0.5 * 0.3 * (double)(nk - (size_t)ncpu));
	/* asked again: the same walk's answer; a new reading: a new one */
	{
		struct task_waits again, next;

		assert_true(tasks_share_wait(&again));
		assert_memory_equal(&again, &w, sizeof(w));
		usleep(100000);
		tasks_share_begin(top_flags);
		assert_int_equal(tasks_read(&t, top_flags, &err), 0);
		tasks_share_end();
		tasks_free(&t);
		assert_true(tasks_share_wait(&next));
		assert_true(next.seconds != w.seconds);
		if (nk > (size_t)ncpu)
			assert_true(next.seconds > 0.5 * 0.1 * (double)(nk - (size_t)ncpu));
	}
	for (size_t i = 0; i < nk; i++)
		end_child(kids[i]);
	tasks_share_free();
	assert_false(tasks_share_wait(&w));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(captured_tree),
		cmocka_unit_test(tree_without_task_dirs),
		cmocka_unit_test(unlistable),
		cmocka_unit_test(live),
		cmocka_unit_test(shared_reading),
		cmocka_unit_test(held_files),
		cmocka_unit_test(held_over_the_cap),
		cmocka_unit_test(stat_carried),
		cmocka_unit_test(stat_carried_reparented),
		cmocka_unit_test(stat_carried_process_grows),
		cmocka_unit_test(list_carried),
		cmocka_unit_test(waits_between),
		cmocka_unit_test(live_waits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
