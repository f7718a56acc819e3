/* The small /proc parsers (parse_proc.c) over real snapshots, and over
 * every truncation, garbage, empty and huge input. */
#include "unit.h"
#include "procfs.h"

/* Values below are read off the fixture files themselves (and agree
 * with node_exporter's EXPECTED.md), never off srebox's output. */

static void stat_node_exporter(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/stat", &len);
	struct proc_stat st;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_stat(s, len, "stat", &st, &err), 0);
	assert_int_equal(st.ncpus, 8);
	assert_int_equal(st.cpus[7].cpu, 7);
	assert_int_equal(st.all.nfields, 10);
	assert_int_equal(st.all.t[CPU_USER], 301854);
	assert_int_equal(st.all.t[CPU_GUEST_NICE], 36);
	assert_true(st.has_ctxt && st.has_intr && st.has_processes && st.has_running &&
		    st.has_blocked && st.has_btime);
	assert_int_equal(st.ctxt, 38014093);
	assert_int_equal(st.intr, 8885917);
	assert_int_equal(st.processes, 26442);
	assert_int_equal(st.procs_running, 2);
	assert_int_equal(st.procs_blocked, 0);
	assert_int_equal(st.btime, 1418183276);
	proc_stat_free(&st);
	free(s);
}

/* prometheus/procfs's snapshot: an intr line of 131,962 characters */
static void stat_huge_intr_line(void **state)
{
	size_t len;
	char *s = fixture("procfs/proc/stat", &len);
	const char *intr = strstr(s, "\nintr ");
	struct proc_stat st;
	struct sbx_err err;

	(void)state;
	assert_non_null(intr);
	assert_int_equal(strcspn(intr + 1, "\n"), 131962);
	assert_int_equal(parse_stat(s, len, "stat", &st, &err), 0);
	assert_int_equal(st.intr, 73777505);
	assert_int_equal(st.ctxt, 38014093);
	assert_int_equal(st.procs_blocked, 1);
	assert_int_equal(st.ncpus, 8);
	proc_stat_free(&st);
	free(s);
}

static void stat_shapes(void **state)
{
	struct proc_stat st;
	struct sbx_err err;
	/* 2.4-era: 4 cpu columns; no procs_* lines; offline CPUs missing */
	const char *old = "cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu3 0 0 0 0\nintr 5 1 2\nctxt 6\n";

	(void)state;
	assert_int_equal(parse_stat(old, strlen(old), "s", &st, &err), 0);
	assert_int_equal(st.all.nfields, 4);
	assert_int_equal(st.ncpus, 2);
	assert_int_equal(st.cpus[1].cpu, 3);
	assert_false(st.has_running || st.has_blocked || st.has_processes);
	proc_stat_free(&st);
	/* 20-digit counters */
	old = "cpu  1 2 3 4\nintr 18446744073709551615\nctxt 18446744073709551614\n";
	assert_int_equal(parse_stat(old, strlen(old), "s", &st, &err), 0);
	assert_true(st.intr == UINT64_MAX && st.ctxt == UINT64_MAX - 1);
	proc_stat_free(&st);
}

static void stat_bad(const char *text, const char *want)
{
	struct proc_stat st;
	struct sbx_err err;

	assert_int_equal(parse_stat(text, strlen(text), "/proc/stat", &st, &err), -1);
	assert_non_null(strstr(err.msg, "/proc/stat"));
	if (want && !strstr(err.msg, want))
		fail_msg("error '%s' lacks '%s'", err.msg, want);
}

static void stat_bad_inputs(void **state)
{
	(void)state;
	stat_bad("", "empty");
	stat_bad("hello\n", "no 'cpu' line");
	stat_bad("cpu  1 2 3 4\nintr 5\n", "no 'ctxt'");
	stat_bad("cpu  1 2 3 4\nctxt 5\n", "no 'intr'");
	stat_bad("cpu  1 2 3\nintr 5\nctxt 6\n", ":1:");
	stat_bad("cpu  1 2 3 4\nintr 5\nctxt 6x\n", ":3:");
	stat_bad("cpu  1 2 3 4\nintr 5\nctxt 184467440737095516160\n", ":3:");
	stat_bad("cpu  1 2 3 4\nintr -5\nctxt 6\n", ":2:");
	/* cut mid-number: 3801 of 38014093 would be a plausible lie */
	stat_bad("cpu  1 2 3 4\nintr 5\nctxt 3801", "truncated");
}

/* Every prefix of a real file parses or fails cleanly (ASan watches),
 * and a prefix that parses never shows a counter with digits missing. */
static void stat_every_truncation(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/stat", &len);

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		char *c = xstrndup(s, n);
		struct proc_stat st;
		struct sbx_err err;

		if (parse_stat(c, n, "s", &st, &err) == 0) {
			assert_int_equal(st.ctxt, 38014093);
			assert_int_equal(st.intr, 8885917);
			if (st.has_running)
				assert_int_equal(st.procs_running, 2);
			if (st.has_processes)
				assert_int_equal(st.processes, 26442);
			proc_stat_free(&st);
		}
		free(c);
	}
	free(s);
}

/* The 130 kB file cut at a sample of places, many inside the intr line. */
static void stat_big_truncations(void **state)
{
	size_t len;
	char *s = fixture("procfs/proc/stat", &len);

	(void)state;
	for (size_t n = 0; n <= len; n += n < 2000 ? 7 : 1009) {
		struct proc_stat st;
		struct sbx_err err;

		if (parse_stat(s, n, "s", &st, &err) == 0) {
			assert_int_equal(st.ctxt, 38014093);
			proc_stat_free(&st);
		}
	}
	free(s);
}

static void stat_many_cpus(void **state)
{
	struct buf b = { 0 };
	struct proc_stat st;
	struct sbx_err err;

	(void)state;
	buf_adds(&b, "cpu  1 2 3 4 5 6 7 8 9 10\n");
	for (int c = 0; c < 4096; c++)
		buf_addf(&b, "cpu%d %d 0 0 0 0 0 0 0 0 0\n", c, c);
	buf_adds(&b, "intr 1");
	for (int i = 0; i < 100000; i++)
		buf_adds(&b, " 0");
	buf_adds(&b, "\nctxt 2\nprocesses 3\nprocs_running 4000\nprocs_blocked 5\n");
	assert_int_equal(parse_stat(b.s, b.len, "s", &st, &err), 0);
	assert_int_equal(st.ncpus, 4096);
	assert_int_equal(st.cpus[4095].t[CPU_USER], 4095);
	assert_int_equal(st.procs_running, 4000);
	proc_stat_free(&st);
	buf_free(&b);
}

/* parse_stat_head agrees with parse_stat on everything but the rows it
 * skips: over both snapshots, every prefix of one, and 4096 CPUs. */
static void stat_head_same(const char *s, size_t n)
{
	struct proc_stat a, h;
	struct sbx_err ea, eh;
	int ra = parse_stat(s, n, "s", &a, &ea), rh = parse_stat_head(s, n, "s", &h, &eh);

	assert_int_equal(ra, rh);
	if (ra < 0) {
		assert_string_equal(ea.msg, eh.msg);
		return;
	}
	assert_null(h.cpus);
	assert_int_equal(h.ncpus, a.ncpus);
	assert_memory_equal(&h.all, &a.all, sizeof(a.all));
	assert_true(h.processes == a.processes && h.has_processes == a.has_processes &&
		    h.procs_running == a.procs_running && h.has_running == a.has_running &&
		    h.procs_blocked == a.procs_blocked && h.has_blocked == a.has_blocked &&
		    h.ctxt == a.ctxt && h.intr == a.intr && h.btime == a.btime);
	proc_stat_free(&a);
	proc_stat_free(&h);
}

static void stat_head(void **state)
{
	const char *names[] = { "node_exporter/proc/stat", "procfs/proc/stat" };
	struct buf b = { 0 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		size_t len;
		char *s = fixture(names[i], &len);

		stat_head_same(s, len);
		for (size_t n = 0; n <= len && i == 0; n++) {
			char *c = xstrndup(s, n);

			stat_head_same(c, n);
			free(c);
		}
		free(s);
	}
	stat_head_same("", 0);
	stat_head_same("cpu  1 2 3\nintr 5\nctxt 6\n", 24);
	stat_head_same("cpu0 1 2 3 4\nintr 5\nctxt 6\n", 27);
	/* a cpuN line without its space is refused by both; its fields are
	 * the head's to skip, so only the row's name is checked */
	stat_head_same("cpu  1 2 3 4\ncpu0\nintr 5\nctxt 6\n", 32);
	buf_adds(&b, "cpu  1 2 3 4 5 6 7 8 9 10\n");
	for (int c = 0; c < 4096; c++)
		buf_addf(&b, "cpu%d %d 0 0 0 0 0 0 0 0 0\n", c, c);
	buf_adds(&b, "intr 1\nctxt 2\nprocesses 3\nprocs_running 4000\nprocs_blocked 5\n");
	stat_head_same(b.s, b.len);
	buf_free(&b);
}

static void status_procfs(void **state)
{
	size_t len;
	char *s = fixture("procfs/proc/26231/status", &len);
	struct task_status t;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_task_status(s, len, "status", &t, &err), 0);
	assert_string_equal(t.name, "prometheus");
	assert_int_equal(t.state, 'S');
	assert_int_equal(t.tgid, 26231);
	assert_int_equal(t.pid, 26231);
	assert_int_equal(t.ppid, 1);
	assert_int_equal(t.threads, 1);
	assert_int_equal(t.uid, 1000);
	assert_true(t.has_ctxt);
	assert_int_equal(t.vol, 4742839);
	assert_int_equal(t.nonvol, 1727500);
	free(s);
	/* a status with spaces, not tabs, after the colons */
	s = fixture("procfs/proc/26235/status", &len);
	assert_int_equal(parse_task_status(s, len, "status", &t, &err), 0);
	assert_string_equal(t.name, "kube-proxy");
	assert_int_equal(t.ppid, 1234);
	assert_int_equal(t.threads, 51);
	assert_int_equal(t.uid, 0);
	assert_int_equal(t.nonvol, 1727500);
	free(s);
}

static void status_bad(const char *text, const char *want)
{
	struct task_status t;
	struct sbx_err err;

	assert_int_equal(parse_task_status(text, strlen(text), "/proc/9/status", &t, &err), -1);
	assert_non_null(strstr(err.msg, "/proc/9/status"));
	if (want && !strstr(err.msg, want))
		fail_msg("error '%s' lacks '%s'", err.msg, want);
}

static void status_shapes(void **state)
{
	struct task_status t;
	struct sbx_err err;
	/* 2.6.22 and older: no switch counts at all */
	const char *old = "Name:\tinit\nState:\tS (sleeping)\nTgid:\t1\nPid:\t1\nPPid:\t0\n";
	const char *odd = "Name:\ta b: c\nPid:\t7\nvoluntary_ctxt_switches:\t18446744073709551615\n"
			  "nonvoluntary_ctxt_switches:\t0  \n";

	(void)state;
	assert_int_equal(parse_task_status(old, strlen(old), "s", &t, &err), 0);
	assert_false(t.has_ctxt);
	assert_int_equal(t.threads, -1);
	assert_int_equal(parse_task_status(odd, strlen(odd), "s", &t, &err), 0);
	assert_string_equal(t.name, "a b: c");
	assert_true(t.has_ctxt && t.vol == UINT64_MAX && t.nonvol == 0);
	status_bad("", "empty");
	status_bad("Pid:\t5\n", "no Name");
	status_bad("Name:\tx\n", "no Pid");
	status_bad("Name:\tx\nPid:\tfive\n", ":2:");
	status_bad("Name:\tx\nPid:\t5\nvoluntary_ctxt_switches:\t12abc\n", ":3:");
	status_bad("Name:\tx\nPid:\t5\nvoluntary_ctxt_switches:\t-1\n", ":3:");
	status_bad("Name:\tx\nPid:\t5\nThreads:\t-3\n", ":3:");
	status_bad("Name:\tx\nPid:\t5\nState:\t?\n", ":3:");
	status_bad("Name:\tx\nPid:\t5\nnonvoluntary_ctxt_switches:\t17", "truncated");
}

static void status_every_truncation(void **state)
{
	size_t len;
	char *s = fixture("procfs/proc/26231/status", &len);

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		struct task_status t;
		struct sbx_err err;

		if (parse_task_status(s, n, "s", &t, &err) == 0 && t.has_ctxt) {
			assert_int_equal(t.vol, 4742839);
			assert_int_equal(t.nonvol, 1727500);
		}
	}
	free(s);
}

static void status_huge(void **state)
{
	struct buf b = { 0 };
	struct task_status t;
	struct sbx_err err;

	(void)state;
	buf_adds(&b, "Name:\t");
	for (int i = 0; i < 1 << 20; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\nGroups:");
	for (int i = 0; i < 65536; i++)
		buf_addf(&b, " %d", i);
	buf_adds(&b, "\nPid:\t4194304\nvoluntary_ctxt_switches:\t1\nnonvoluntary_ctxt_switches:\t2\n");
	assert_int_equal(parse_task_status(b.s, b.len, "s", &t, &err), 0);
	assert_int_equal(strlen(t.name), sizeof(t.name) - 1);
	assert_int_equal(t.pid, 4194304);
	assert_int_equal(t.nonvol, 2);
	buf_free(&b);
}

static void stat_file(const char *rel, const char *comm, char st, int64_t ppid, int64_t nlwp,
		      uint64_t start)
{
	size_t len;
	char *s = fixture(rel, &len);
	struct task_stat t;
	struct sbx_err err;

	if (parse_task_stat(s, len, rel, &t, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(t.comm, comm);
	assert_int_equal(t.state, st);
	assert_int_equal(t.ppid, ppid);
	assert_int_equal(t.num_threads, nlwp);
	assert_int_equal(t.starttime, start);
	free(s);
}

static void task_stat_fixtures(void **state)
{
	(void)state;
	stat_file("procfs/proc/26231/stat", "vim", 'R', 5392, 1, 82375);
	/* comm "(a b ) ( c d) " holds spaces and parentheses, and the file
	 * has a second line: the comm ends at the last ')' of line one */
	stat_file("procfs/proc/584/stat", "(a b ) ( c d) ", 'R', 28378, 1, 10839175);
	stat_file("procfs/proc/27079/task/27079/stat", "pthread_load", 'S', 1, 5, 4289574);
	stat_file("procfs/proc/27079/task/27080/stat", "pthread_load", 'R', 1, 5, 4289575);
	stat_file("node_exporter/proc/1/stat", "systemd", 'S', 0, 1, 29);
	stat_file("node_exporter/proc/11/stat", "rcu_preempt", 'I', 2, 1, 32);
	/* no newline at the end; the directory says 10, the file 17 */
	stat_file("node_exporter/proc/10/stat", "khungtaskd", 'S', 2, 1, 24);
}

/* utime, stime, rss and processor: the fields `cpu` ranks by */
static void task_stat_cpu_fields(void **state)
{
	size_t len;
	char *s = fixture("procfs/proc/26231/stat", &len);
	struct task_stat t;
	struct sbx_err err;
	struct buf b = { 0 };
	const char *head = "9 (x) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19";

	(void)state;
	assert_int_equal(parse_task_stat(s, len, "s", &t, &err), 0);
	assert_int_equal(t.utime, 1677);
	assert_int_equal(t.stime, 44);
	assert_true(t.has_rss && t.rss == 1981);
	assert_true(t.has_processor && t.processor == 0);
	free(s);
	/* fields 23..39 with the newline: processor 7 */
	buf_addf(&b, "%s 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 -1 7\n", head);
	assert_int_equal(parse_task_stat(b.s, b.len, "s", &t, &err), 0);
	assert_int_equal(t.utime, 11);
	assert_int_equal(t.stime, 12);
	assert_true(t.has_rss && t.rss == 24);
	assert_true(t.has_processor && t.processor == 7);
	/* the same cut before its newline: processor could be "71" */
	assert_int_equal(parse_task_stat(b.s, b.len - 1, "s", &t, &err), 0);
	assert_true(t.has_rss && !t.has_processor);
	/* a 2.0-era line that ends at field 30: rss, no processor */
	buf_reset(&b);
	buf_addf(&b, "%s 23 24 25 26 27 28 29 30\n", head);
	assert_int_equal(parse_task_stat(b.s, b.len, "s", &t, &err), 0);
	assert_true(t.has_rss && t.rss == 24 && !t.has_processor);
	/* cut inside rss: neither; garbage in processor: not known */
	buf_reset(&b);
	buf_addf(&b, "%s 23 2", head);
	assert_int_equal(parse_task_stat(b.s, b.len, "s", &t, &err), 0);
	assert_false(t.has_rss || t.has_processor);
	buf_reset(&b);
	buf_addf(&b, "%s 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 x9 40\n", head);
	assert_int_equal(parse_task_stat(b.s, b.len, "s", &t, &err), 0);
	assert_true(t.has_rss && !t.has_processor);
	buf_reset(&b);
	buf_addf(&b, "%s 23 -24 25\n", head);
	assert_int_equal(parse_task_stat(b.s, b.len, "s", &t, &err), 0);
	assert_false(t.has_rss);
	buf_free(&b);
}

static void task_stat_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"12 (x) S 1 2 3",
		"12 (x) S 1 2 3\n",
		"12 x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23\n",
		"12 (x) 1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23\n",
		"12 (x) S -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23\n",
		"12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\n",
		/* cut right after starttime: its last digits may be missing */
		"12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n",
		"12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 1x 20\n",
		"12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 -17 18 19 20\n",
		"12 (x\n) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23\n",
	};
	struct task_stat t;
	struct sbx_err err;
	const char *ok = "12 (x) S 1 -2 3 4 5 6 7 8 9 10 11 12 13 14 -15 -16 17 18 19 20 21\n";

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (parse_task_stat(bad[i], strlen(bad[i]), "/proc/12/stat", &t, &err) == 0)
			fail_msg("parsed bad input %zu", i);
		assert_non_null(strstr(err.msg, "/proc/12/stat"));
	}
	assert_int_equal(parse_task_stat(ok, strlen(ok), "s", &t, &err), 0);
	assert_int_equal(t.num_threads, 17);
	assert_int_equal(t.starttime, 19);
}

static void task_stat_every_truncation(void **state)
{
	size_t len;
	char *s = fixture("procfs/proc/27079/task/27083/stat", &len);

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		struct task_stat t;
		struct sbx_err err;

		if (parse_task_stat(s, n, "s", &t, &err) == 0) {
			assert_true(n > (size_t)(strstr(s, " 4289575 ") - s) + 8);
			assert_int_equal(t.starttime, 4289575);
		}
	}
	free(s);
}

static void loadavg_fixtures(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/loadavg", &len);
	struct loadavg l;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_loadavg(s, len, "loadavg", &l, &err), 0);
	assert_true(l.load1 == 0.21 && l.load5 == 0.37 && l.load15 == 0.39);
	assert_int_equal(l.running, 1);
	assert_int_equal(l.tasks, 719);
	assert_int_equal(l.last_pid, 19737);
	free(s);
	s = fixture("procfs/proc/loadavg", &len);
	assert_int_equal(parse_loadavg(s, len, "loadavg", &l, &err), 0);
	assert_int_equal(l.tasks, 497);
	free(s);
	for (size_t n = 0; n < len; n++) {
		s = fixture("procfs/proc/loadavg", &len);
		assert_int_equal(parse_loadavg(s, n, "/proc/loadavg", &l, &err), -1);
		assert_non_null(strstr(err.msg, "/proc/loadavg"));
		free(s);
	}
}

static void loadavg_bad(void **state)
{
	static const char *const bad[] = {
		"",	"\n", "0.1 0.2 0.3 1/80\n", "0.1 0.2 0.3 1-80 5\n", "0.1 0.2 0.3 x/80 5\n",
		"a b c 1/2 3\n", "0.1 0.2 0.3 1/80 5 6\n", "-1 0.2 0.3 1/80 5\n",
		"0.1 0.2 0.3 1/184467440737095516160 5\n",
	};
	struct loadavg l;
	struct sbx_err err;
	struct buf big = { 0 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (parse_loadavg(bad[i], strlen(bad[i]), "l", &l, &err) == 0)
			fail_msg("parsed '%s'", bad[i]);
	for (int i = 0; i < 100000; i++)
		buf_adds(&big, "0.1 ");
	buf_adds(&big, "\n");
	assert_int_equal(parse_loadavg(big.s, big.len, "l", &l, &err), -1);
	buf_free(&big);
}

static void uptime_shapes(void **state)
{
	static const char *const bad[] = { "", "\n", "123.4", "123.4\n", "abc 5\n", "-5 1\n",
					   "1e400 1\n", " 5 1\n" };
	double up;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_uptime("350735.47 234388.90\n", 20, "u", &up, &err), 0);
	assert_true(up == 350735.47);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (parse_uptime(bad[i], strlen(bad[i]), "/proc/uptime", &up, &err) == 0)
			fail_msg("parsed '%s'", bad[i]);
		assert_non_null(strstr(err.msg, "/proc/uptime"));
	}
	/* not NUL-terminated: the parser stays within len */
	assert_int_equal(parse_uptime("12.5 3.0\nXXXX", 9, "u", &up, &err), 0);
	assert_true(up == 12.5);
}

/* Random bytes, and random mixes of the characters the files are made
 * of, through every parser: no crash, no read outside the input. */
/* /proc/schedstat: node_exporter's fixture (version 15, two CPUs; its
 * EXPECTED.md: waiting 343796.328169361 s and 364107.263788241 s), every
 * cut of it, and what a reader must refuse. */
static void cpu_schedstat_shapes(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/schedstat", &len);
	struct sched_cpus c;
	struct sbx_err err;
	static const char *const bad[] = {
		"", "\n", "version\n", "version 15", "version x\ncpu0 1 2 3 4 5 6 7 8 9\n",
		"version 15\n", "version 15\ntimestamp 1\n", "version 15\ncpu0 1 2 3 4 5 6 7 8\n",
		"version 15\ncpu0 1 2 3 4 5 6 7 -8 9\n", "version 15\ncpu0 1 2 3 4 5 6 7 8 9",
		"version 15\ncpu0  1 2 3 4 5 6 7 8 9\n", "version 15\ncpuX 1 2 3 4 5 6 7 8 9\n",
		"version 15\ncpu0 1 2 3 4 5 6 7 18446744073709551615 9\ncpu1 1 2 3 4 5 6 7 1 9\n",
		"\x01\x02version 15\n",
	};
	const char *old, *later = "version 17\ntimestamp 1\ncpu0 1 2 3 4 5 6 7 8 9 10 11\n"
				  "domain0 MC 3 1 2\ncpu12 0 0 0 0 0 0 0 5 0\n";

	(void)state;
	assert_int_equal(parse_schedstat(s, len, "schedstat", &c, &err), 0);
	assert_int_equal(c.version, 15);
	assert_int_equal(c.ncpu, 2);
	assert_true(c.wait_ns == 343796328169361ULL + 364107263788241ULL);
	/* a cut is refused, or (at a line's end) has the lines before it */
	for (size_t n = 0; n < len; n++) {
		if (parse_schedstat(s, n, "schedstat", &c, &err) == 0)
			assert_true(s[n - 1] == '\n' && c.ncpu >= 1 && c.ncpu <= 2);
		else
			assert_non_null(strstr(err.msg, "schedstat"));
	}
	free(s);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_schedstat(bad[i], strlen(bad[i]), "/proc/schedstat", &c, &err), -1);
		assert_non_null(strstr(err.msg, "/proc/schedstat: "));
		assert_int_equal(c.ncpu, 0);
	}
	old = "version 14\ncpu0 1 2 3 4 5 6 7 8 9\n";
	assert_int_equal(parse_schedstat(old, strlen(old), "/proc/schedstat", &c, &err), -1);
	assert_non_null(strstr(err.msg, "version 14: its fields are not known"));
	/* a later version's longer lines and other lines pass */
	assert_int_equal(parse_schedstat(later, strlen(later), "/proc/schedstat", &c, &err), 0);
	assert_true(c.ncpu == 2 && c.wait_ns == 13 && c.version == 17);
}

/* procfs's real /proc/26231/schedstat, every cut of it, and the shapes a
 * reader must refuse (tasks.c trusts its three figures to skip a status). */
static void schedstat_shapes(void **state)
{
	size_t len;
	char *s = fixture("procfs/proc/26231/schedstat", &len);
	struct task_schedstat t;
	struct sbx_err err;
	static const char *const bad[] = {
		"", "\n", "1 2\n", "1 2 3", "1 2 3 4\n", "a b c\n", "1  2 3\n", " 1 2 3\n",
		"1 2 3 \n", "1 -2 3\n", "18446744073709551616 0 0\n", "1\t2\t3\n",
	};
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(parse_task_schedstat(s, len, "schedstat", &t, &err), 0);
	assert_true(t.run_ns == 411605849 && t.wait_ns == 93680043 && t.pcount == 79);
	for (size_t n = 0; n < len; n++)
		assert_int_equal(parse_task_schedstat(s, n, "schedstat", &t, &err), -1);
	free(s);
	assert_int_equal(parse_task_schedstat("18446744073709551615 0 0\n", 25, "s", &t, &err), 0);
	assert_true(t.run_ns == UINT64_MAX);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_task_schedstat(bad[i], strlen(bad[i]), "/proc/9/schedstat", &t,
						      &err), -1);
		assert_non_null(strstr(err.msg, "/proc/9/schedstat: cannot parse"));
	}
	assert_int_equal(parse_task_schedstat("1 2 3\n", 4, "s", &t, &err), -1);
	assert_non_null(strstr(err.msg, "truncated"));
	for (int i = 0; i < 1 << 20; i++)
		buf_addc(&b, '7');
	buf_adds(&b, " 1 1\n");
	assert_int_equal(parse_task_schedstat(b.s, b.len, "s", &t, &err), -1);
	buf_free(&b);
}

static void garbage(void **state)
{
	static const char alphabet[] = "0123456789 \n:\t()-/.cpuintrxtSRDZ";
	uint32_t x = 2463534242u;

	(void)state;
	for (int round = 0; round < 4000; round++) {
		size_t n = (size_t)(round % 300);
		char *b = xmalloc(n + 1);
		struct proc_stat st;
		struct task_status ts;
		struct task_stat tt;
		struct task_schedstat ss;
		struct loadavg la;
		struct sbx_err err;
		double up;

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			b[i] = round % 2 ? (char)x : alphabet[x % (sizeof(alphabet) - 1)];
		}
		b[n] = '\0';
		if (parse_stat(b, n, "g", &st, &err) == 0)
			proc_stat_free(&st);
		parse_task_status(b, n, "g", &ts, &err);
		parse_task_stat(b, n, "g", &tt, &err);
		parse_task_schedstat(b, n, "g", &ss, &err);
		parse_loadavg(b, n, "g", &la, &err);
		parse_uptime(b, n, "g", &up, &err);
		free(b);
	}
}

static void cpulists(void **state)
{
	unsigned ids[8];

	(void)state;
	assert_int_equal(parse_cpulist("0-3,8,10-11\n", ids, 8), 7);
	assert_int_equal(ids[4], 8);
	assert_int_equal(parse_cpulist("", ids, 8), 0);
	assert_int_equal(parse_cpulist("3-1", ids, 8), -1);
	assert_int_equal(parse_cpulist("1,,2", ids, 8), -1);
	assert_int_equal(parse_cpulist("0-4194305", NULL, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_node_exporter),	  cmocka_unit_test(stat_huge_intr_line),
		cmocka_unit_test(stat_shapes),		  cmocka_unit_test(stat_bad_inputs),
		cmocka_unit_test(stat_every_truncation),  cmocka_unit_test(stat_big_truncations),
		cmocka_unit_test(stat_many_cpus),	  cmocka_unit_test(stat_head),
		cmocka_unit_test(status_procfs),
		cmocka_unit_test(status_shapes),	  cmocka_unit_test(status_every_truncation),
		cmocka_unit_test(status_huge),		  cmocka_unit_test(task_stat_fixtures),
		cmocka_unit_test(task_stat_cpu_fields),
		cmocka_unit_test(task_stat_bad),	  cmocka_unit_test(task_stat_every_truncation),
		cmocka_unit_test(loadavg_fixtures),	  cmocka_unit_test(loadavg_bad),
		cmocka_unit_test(uptime_shapes),	  cmocka_unit_test(garbage),
		cmocka_unit_test(schedstat_shapes),
		cmocka_unit_test(cpu_schedstat_shapes),
		cmocka_unit_test(cpulists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
