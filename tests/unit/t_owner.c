/* Who owns a process: /proc/PID/cgroup of v2, v1 and hybrid hosts, the
 * kubelet's /var/log/pods names, and proc_owner() over a fixture tree
 * built here (a kubelet pod with a container, a system service, a process
 * whose cgroup file cannot be read). */
#include "unit.h"
#include "cgroup.h"
#include "owner.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static int cg(const char *text, char *path, size_t n, char *why)
{
	struct sbx_err err = { 0 };
	int rc = parse_proc_cgroup(text, strlen(text), "/proc/1/cgroup", path, n, &err);

	snprintf(why, 320, "%s", err.msg);
	return rc;
}

static void cgroup_lines(void **state)
{
	char p[256], why[320];

	(void)state;
	/* v2 */
	assert_int_equal(cg("0::/system.slice/kubelet.service\n", p, sizeof(p), why), 0);
	assert_string_equal(p, "/system.slice/kubelet.service");
	/* the root cgroup */
	assert_int_equal(cg("0::/\n", p, sizeof(p), why), 0);
	assert_string_equal(p, "/");
	/* v1 (Debian 10, cgroupfs kubelet): the cpu controller's path */
	assert_int_equal(cg("12:pids:/kubepods/burstable/pod1\n"
			    "4:cpu,cpuacct:/kubepods/burstable/pod1/abc\n"
			    "1:name=systemd:/kubepods/burstable/pod1/abc\n", p, sizeof(p), why), 0);
	assert_string_equal(p, "/kubepods/burstable/pod1/abc");
	/* hybrid: the v2 line is "/" and the v1 cpu line says where it is */
	assert_int_equal(cg("5:cpuacct,cpu:/user.slice\n1:name=systemd:/user.slice/s.scope\n0::/\n",
			    p, sizeof(p), why), 0);
	assert_string_equal(p, "/user.slice");
	/* "cpuset" is not "cpu" */
	assert_int_equal(cg("3:cpuset:/a\n1:name=systemd:/b\n", p, sizeof(p), why), 0);
	assert_string_equal(p, "/b");
	/* only systemd */
	assert_int_equal(cg("1:name=systemd:/init.scope\n", p, sizeof(p), why), 0);
	assert_string_equal(p, "/init.scope");
}

static void cgroup_bad(void **state)
{
	char p[16], why[320];

	(void)state;
	assert_int_equal(cg("", p, sizeof(p), why), -1);
	assert_non_null(strstr(why, "empty"));
	assert_int_equal(cg("0::/system.slice", p, sizeof(p), why), -1);	/* cut short */
	assert_non_null(strstr(why, "cut short"));
	assert_int_equal(cg("garbage\n", p, sizeof(p), why), -1);
	assert_non_null(strstr(why, "line 1"));
	assert_int_equal(cg("x::/a\n", p, sizeof(p), why), -1);
	assert_int_equal(cg("0::relative\n", p, sizeof(p), why), -1);
	assert_int_equal(cg("3:memory:/a\n", p, sizeof(p), why), -1);	/* no cpu, systemd or v2 */
	assert_non_null(strstr(why, "no v2"));
	assert_int_equal(cg("0::/a/very/long/path/beyond/sixteen\n", p, sizeof(p), why), -1);
	assert_non_null(strstr(why, "longer than 15"));
}

static void cgroup_huge(void **state)
{
	size_t n = 1 << 20;
	char *t = malloc(n + 1), p[64], why[320];

	(void)state;
	for (size_t i = 0; i < n; i += 8)
		memcpy(t + i, "9:pids:/", 8);
	t[n - 2] = 'x';
	t[n - 1] = '\n';
	t[n] = '\0';
	/* one enormous line: not the shape, refused without overrunning p */
	assert_int_equal(cg(t, p, sizeof(p), why), -1);
	free(t);
}

static void pod_dirs(void **state)
{
	char pod[64], uid[64];

	(void)state;
	assert_true(parse_pod_log_dir("kube-system_coredns-5d78c9869d-4xq2z_0b9f7c4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
				      pod, sizeof(pod), uid, sizeof(uid)));
	assert_string_equal(pod, "kube-system/coredns-5d78c9869d-4xq2z");
	assert_string_equal(uid, "0b9f7c4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
	assert_false(parse_pod_log_dir("nounderscore", pod, sizeof(pod), uid, sizeof(uid)));
	assert_false(parse_pod_log_dir("a_b", pod, sizeof(pod), uid, sizeof(uid)));
	assert_false(parse_pod_log_dir("a_b_c_d", pod, sizeof(pod), uid, sizeof(uid)));
	assert_false(parse_pod_log_dir("_b_c", pod, sizeof(pod), uid, sizeof(uid)));
	assert_false(parse_pod_log_dir("a__c", pod, sizeof(pod), uid, sizeof(uid)));
	assert_false(parse_pod_log_dir("a_b_", pod, sizeof(pod), uid, sizeof(uid)));
	assert_false(parse_pod_log_dir("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_b_c",
				       pod, sizeof(pod), uid, sizeof(uid)));	/* too long */
}

static char tree[] = "/tmp/srebox-owner-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	for (char *s = path + strlen(tree) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	if (text) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	} else {
		mkdir(path, 0755);
	}
}

static void owner_tree(void **state)
{
	struct proc_owner o;

	(void)state;
	assert_non_null(mkdtemp(tree));
	put("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nbroken line\nnobody:x:65534:65534::/:/bin/false\n");
	put("var/log/pods/default_web-1_0b9f7c4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", NULL);
	put("var/log/pods/not-a-pod-dir", NULL);
	put("proc/10/cgroup", "0::/kubepods.slice/kubepods-burstable.slice/"
	    "kubepods-burstable-pod0b9f7c4e_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice/"
	    "cri-containerd-4f2a9c0d1e2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d.scope\n");
	put("proc/11/cgroup", "0::/kubepods/besteffort/pod11111111-2222-3333-4444-555555555555/abc\n");
	put("proc/12/cgroup", "0::/system.slice/kubelet.service\n");
	put("proc/13/stat", "13 (x) S 1\n");	/* no cgroup file */
	root_set(tree);

	proc_owner(10, &o);
	assert_true(o.has_uid);
	assert_string_equal(o.user, getuid() == 0 ? "root" : o.user);
	assert_true(o.has_cgroup);
	assert_true(o.has_pod);
	assert_string_equal(o.pod, "default/web-1");
	assert_string_equal(o.container, "4f2a9c0d1e2b");

	proc_owner(11, &o);
	assert_true(o.has_pod);
	assert_string_equal(o.pod, "uid 11111111-2222-3333-4444-555555555555");
	assert_string_equal(o.container, "abc");

	proc_owner(12, &o);
	assert_true(o.has_cgroup);
	assert_false(o.has_pod);
	assert_string_equal(o.cgroup, "/system.slice/kubelet.service");

	proc_owner(13, &o);
	assert_false(o.has_cgroup);
	assert_non_null(strstr(o.why, "/proc/13/cgroup"));

	proc_owner(99, &o);	/* gone */
	assert_false(o.has_uid);
	assert_false(o.has_cgroup);
	assert_true(o.why[0]);

	/* Asked again: the cgroup read a moment ago is kept, while the same
	 * /proc/12 stands.  Another process with PID 12 (a new directory) is
	 * read afresh, and so is a kept one past its time. */
	put("proc/12/cgroup", "0::/system.slice/moved.service\n");
	proc_owner(12, &o);
	assert_string_equal(o.cgroup, "/system.slice/kubelet.service");
	put("proc/12.new/cgroup", "0::/kubepods/besteffort/pod11111111-2222-3333-4444-555555555555/def\n");
	{
		char a[600], b[600];

		snprintf(a, sizeof(a), "%s/proc/12", tree);
		snprintf(b, sizeof(b), "%s/proc/12.old", tree);
		assert_int_equal(rename(a, b), 0);	/* kept, so its inode is not reused */
		snprintf(b, sizeof(b), "%s/proc/12.new", tree);
		assert_int_equal(rename(b, a), 0);
	}
	proc_owner(12, &o);
	assert_true(o.has_pod);
	assert_string_equal(o.container, "def");
	put("proc/12/cgroup", "0::/system.slice/moved.service\n");
	proc_owner(12, &o);
	assert_string_equal(o.container, "def");
	proc_owner_keep(0);
	proc_owner(12, &o);
	assert_false(o.has_pod);
	assert_string_equal(o.cgroup, "/system.slice/moved.service");
	proc_owner_keep(10);
	/* many processes: each kept and found again */
	for (int pid = 1000; pid < 1300; pid++) {
		char rel[64], text[64];

		snprintf(rel, sizeof(rel), "proc/%d/cgroup", pid);
		snprintf(text, sizeof(text), "0::/p%d\n", pid);
		put(rel, text);
		proc_owner(pid, &o);
		text[strlen(text) - 1] = '\0';
		assert_string_equal(o.cgroup, text + 3);
	}
	for (int pid = 1000; pid < 1300; pid++) {
		char want[32];

		snprintf(want, sizeof(want), "/p%d", pid);
		proc_owner(pid, &o);
		assert_true(o.has_uid);
		assert_string_equal(o.cgroup, want);
	}

	root_set(NULL);
	proc_owner_reset();
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cgroup_lines),
		cmocka_unit_test(cgroup_bad),
		cmocka_unit_test(cgroup_huge),
		cmocka_unit_test(pod_dirs),
		cmocka_unit_test(owner_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
