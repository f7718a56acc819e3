/* The task table (lib/tasks.c) over saved trees, with and without task/
 * directories, and live through both readers. */
#include "unit.h"
#include "tasks.h"

#include <errno.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(captured_tree),
		cmocka_unit_test(tree_without_task_dirs),
		cmocka_unit_test(unlistable),
		cmocka_unit_test(live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
