/* root_hold (lib/host/root.c's held files), live: a held kernel file gives
 * fresh text each read, follows its process's end (the file fails, not
 * its last text), is closed when two samples did not read it, and a
 * saved tree is never held. */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* This process's open files whose path is `path`. */
static int open_as(const char *path)
{
	char link[4096], fd[300];
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(fd, sizeof(fd), "/proc/self/fd/%s", e->d_name);
		len = readlink(fd, link, sizeof(link) - 1);
		if (len > 0) {
			link[len] = '\0';
			n += !strcmp(link, path);
		}
	}
	closedir(d);
	return n;
}

static pid_t child(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(60);
		for (;;)
			pause();
	}
	return pid;
}

static void held_live(void **state)
{
	struct buf b = { 0 };
	struct sbx_err err;
	char path[64], first[64];
	pid_t c = child();
	uint64_t ctxt1 = 0, ctxt2 = 0;
	const char *p;

	(void)state;
	root_set(NULL);
	root_hold();

	/* fresh text each read: /proc/stat's ctxt grows between two */
	assert_int_equal(root_read("/proc/stat", &b, &err), 0);
	p = strstr(b.s, "\nctxt ");
	assert_non_null(p);
	ctxt1 = strtoull(p + 6, NULL, 10);
	assert_int_equal(open_as("/proc/stat"), 1);
	usleep(20000);
	assert_int_equal(root_read("/proc/stat", &b, &err), 0);
	ctxt2 = strtoull(strstr(b.s, "\nctxt ") + 6, NULL, 10);
	assert_true(ctxt2 > ctxt1);
	assert_int_equal(open_as("/proc/stat"), 1);	/* the same one, read again */

	/* a process's file: once it is gone, the read fails, and the file
	 * is closed */
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)c);
	assert_int_equal(root_read(path, &b, &err), 0);
	snprintf(first, sizeof(first), "%.*s", (int)(sizeof(first) - 1), b.s);
	assert_true(first[0] != '\0');
	assert_int_equal(open_as(path), 1);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	assert_int_equal(root_read(path, &b, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	assert_int_equal(open_as(path), 0);

	/* the end of the sample that read it; then two samples that did
	 * not: closed */
	root_hold_sweep();
	root_hold_sweep();
	assert_int_equal(open_as("/proc/stat"), 1);
	root_hold_sweep();
	assert_int_equal(open_as("/proc/stat"), 0);
	buf_free(&b);
}

/* A saved tree: read afresh each time, never held. */
static void saved_tree_not_held(void **state)
{
	char dir[] = "/tmp/t_root.XXXXXX", file[128], full[160];
	struct buf b = { 0 };
	struct sbx_err err;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/proc", dir);
	assert_int_equal(mkdir(file, 0755), 0);
	snprintf(full, sizeof(full), "%s/proc/loadavg", dir);
	f = fopen(full, "w");
	assert_non_null(f);
	fputs("0.10 0.10 0.10 1/200 999\n", f);
	fclose(f);
	root_set(dir);
	root_hold();
	assert_int_equal(root_read("/proc/loadavg", &b, &err), 0);
	assert_string_equal(b.s, "0.10 0.10 0.10 1/200 999\n");
	assert_int_equal(open_as(full), 0);
	/* replaced, as a test or a capture's replay would: the new text */
	unlink(full);
	f = fopen(full, "w");
	assert_non_null(f);
	fputs("9.00 9.00 9.00 3/200 999\n", f);
	fclose(f);
	assert_int_equal(root_read("/proc/loadavg", &b, &err), 0);
	assert_string_equal(b.s, "9.00 9.00 9.00 3/200 999\n");
	unlink(full);
	rmdir(file);
	rmdir(dir);
	root_set(NULL);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(held_live),
		cmocka_unit_test(saved_tree_not_held),	/* root_hold() is on by now */
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
