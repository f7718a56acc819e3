/* Parsers behind `health`: key/value files, PSI, number lines, kmsg. */
#include "unit.h"
#include "procfs.h"

static void kv_meminfo(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/meminfo", &len);
	struct kv_list kv;
	struct sbx_err err;
	uint64_t v;

	(void)state;
	assert_int_equal(parse_kv(s, len, "meminfo", &kv, &err), 0);
	/* node_exporter expects node_memory_MemTotal_bytes 3.831959552e+09 */
	assert_true(kv_get(&kv, "MemTotal", &v));
	assert_int_equal(v, 3831959552ULL);
	assert_true(kv_get(&kv, "HugePages_Total", &v));	/* no unit: as is */
	assert_int_equal(v, 0);
	assert_false(kv_get(&kv, "NoSuchKey", &v));
	kv_free(&kv);
	free(s);
}

static void kv_vmstat(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/vmstat", &len);
	struct kv_list kv;
	struct sbx_err err;
	uint64_t v;

	(void)state;
	assert_int_equal(parse_kv(s, len, "vmstat", &kv, &err), 0);
	assert_true(kv_get(&kv, "pswpout", &v));
	assert_int_equal(v, 35045);
	assert_true(kv_get(&kv, "oom_kill", &v));
	assert_int_equal(v, 0);
	kv_free(&kv);
	free(s);
}

static void kv_bad(void **state)
{
	static const char *const bad[] = { "", "\n", "MemTotal:\n", "MemTotal: lots kB\n",
					   "MemTotal: 5 kB extra\n", "x 99999999999999999999999\n",
					   "MemTotal: 18014398509481984 kB\n" };
	struct kv_list kv;
	struct sbx_err err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_kv(bad[i], strlen(bad[i]), "/proc/meminfo", &kv, &err), -1);
		assert_non_null(strstr(err.msg, "/proc/meminfo"));
	}
}

static void psi(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/pressure/io", &len);
	struct psi p;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_psi(s, len, "io", &p, &err), 0);
	assert_true(p.some.has && p.full.has);
	assert_true(p.some.avg60 == 0.34);
	assert_int_equal(p.full.total, 159229614);
	free(s);
	/* irq has only a full line, and no newline at the end */
	s = fixture("node_exporter/proc/pressure/irq", &len);
	assert_int_equal(parse_psi(s, len, "irq", &p, &err), 0);
	assert_false(p.some.has);
	assert_int_equal(p.full.total, 8494);
	free(s);
	assert_int_equal(parse_psi("some avg10=x\n", 13, "p", &p, &err), -1);
	assert_int_equal(parse_psi("", 0, "p", &p, &err), -1);
	assert_int_equal(parse_psi("half avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 48, "p", &p,
				   &err),
			 -1);
}

static void numbers(void **state)
{
	uint64_t v[3];
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_numbers("1024\t0\t1631329\n", 15, "file-nr", v, 3, &err), 0);
	assert_int_equal(v[2], 1631329);
	assert_int_equal(parse_numbers("1024\t0\n", 7, "file-nr", v, 3, &err), -1);
	assert_int_equal(parse_numbers("1 2 3 4\n", 8, "file-nr", v, 3, &err), -1);
	assert_int_equal(parse_numbers("1 2 x\n", 6, "file-nr", v, 3, &err), -1);
	assert_int_equal(parse_numbers("", 0, "f", v, 1, &err), -1);
}

/* Lines as the kernel writes them (mm/oom_kill.c, kernel/hung_task.c),
 * here as read from /dev/kmsg on this project's test machine. */
static void kmsg(void **state)
{
	static const char memcg[] = "6,423,2760380897,-;oom-kill:constraint=CONSTRAINT_MEMCG,"
				    "nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/sbxtest,"
				    "task_memcg=/kubepods/burstable/pod1234/abcd,task=python3,pid=32426,uid=0";
	static const char kill[] = "3,424,2760380926,-;Memory cgroup out of memory: Killed process "
				   "32426 (python3) total-vm:221368kB, anon-rss:32256kB, "
				   "file-rss:6568kB, shmem-rss:0kB, UID:0 pgtables:128kB oom_score_adj:0";
	static const char odd[] = "3,5,9,-;Out of memory: Killed process 7 (a) b) total-vm:1kB, "
				  "anon-rss:2kB, file-rss:0kB";
	static const char hung[] = "3,77,1000000,-;INFO: task kworker/0:1:123 blocked for more than "
				   "120 seconds.";
	struct kmsg_rec r;
	struct oom_kill k;
	char cg[256], task[64];
	int64_t pid;

	(void)state;
	assert_int_equal(parse_kmsg_record(kill, strlen(kill), &r), 0);
	assert_int_equal(r.prio, 3);
	assert_int_equal(r.seq, 424);
	assert_int_equal(r.usec, 2760380926ULL);
	assert_true(match_oom_kill(r.text, r.tlen, &k));
	assert_int_equal(k.pid, 32426);
	assert_string_equal(k.comm, "python3");
	assert_int_equal(k.anon_rss, 32256 * 1024);
	assert_true(k.memcg);
	assert_int_equal(parse_kmsg_record(memcg, strlen(memcg), &r), 0);
	assert_true(match_oom_memcg(r.text, r.tlen, cg, sizeof(cg), &pid));
	assert_string_equal(cg, "/kubepods/burstable/pod1234/abcd");
	assert_int_equal(pid, 32426);
	assert_false(match_oom_kill(r.text, r.tlen, &k));
	/* a comm with ") " in it */
	assert_int_equal(parse_kmsg_record(odd, strlen(odd), &r), 0);
	assert_true(match_oom_kill(r.text, r.tlen, &k));
	assert_string_equal(k.comm, "a) b");
	assert_false(k.memcg);
	assert_int_equal(parse_kmsg_record(hung, strlen(hung), &r), 0);
	assert_true(match_hung_task(r.text, r.tlen, task, sizeof(task), &pid));
	assert_string_equal(task, "kworker/0:1");
	assert_int_equal(pid, 123);
	/* not records */
	assert_int_equal(parse_kmsg_record(" SUBSYSTEM=pci", 14, &r), -1);
	assert_int_equal(parse_kmsg_record("garbage", 7, &r), -1);
	assert_int_equal(parse_kmsg_record("", 0, &r), -1);
	assert_int_equal(parse_kmsg_record("6,1;x", 5, &r), -1);
	/* every prefix of a real record: no crash, no false match */
	for (size_t n = 0; n < sizeof(kill) - 1; n++) {
		char *c = xstrndup(kill, n);

		if (parse_kmsg_record(c, n, &r) == 0 && match_oom_kill(r.text, r.tlen, &k))
			assert_true(n >= strlen("3,424,2760380926,-;Memory cgroup out of memory: Killed "
					       "process 32426 (python3) total-vm:"));
		free(c);
	}
}

/* syslog(2) READ_ALL lines, as `dmesg -r` prints them */
static void syslog_records(void **state)
{
	static const char l1[] = "<3>[ 2760.380926] Memory cgroup out of memory: Killed process 32426 "
				 "(python3) total-vm:221368kB, anon-rss:32256kB, file-rss:6568kB";
	struct kmsg_rec r;
	struct oom_kill k;

	(void)state;
	assert_int_equal(parse_syslog_record(l1, strlen(l1), &r), 0);
	assert_int_equal(r.prio, 3);
	assert_int_equal(r.usec, 2760380926ULL);
	assert_true(match_oom_kill(r.text, r.tlen, &k));
	assert_int_equal(k.pid, 32426);
	assert_int_equal(parse_syslog_record("<6>[    0.5] x", 14, &r), 0);
	assert_int_equal(r.usec, 500000);
	/* printk.time=0: no timestamp, so no age */
	assert_int_equal(parse_syslog_record("<6>hello", 8, &r), 1);
	assert_int_equal(r.tlen, 5);
	assert_int_equal(parse_syslog_record("<6>[ 1.0 x", 10, &r), -1);
	assert_int_equal(parse_syslog_record("6>[1.0] x", 9, &r), -1);
	assert_int_equal(parse_syslog_record("", 0, &r), -1);
	for (size_t n = 0; n < sizeof(l1) - 1; n++) {
		char *c = xstrndup(l1, n);

		parse_syslog_record(c, n, &r);
		free(c);
	}
}

static void every_truncation(void **state)
{
	static const char *const files[] = { "node_exporter/proc/meminfo",
					      "node_exporter/proc/vmstat",
					      "node_exporter/proc/pressure/memory" };

	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		size_t len;
		char *s = fixture(files[f], &len);

		for (size_t n = 0; n <= len; n++) {
			char *c = xstrndup(s, n);
			struct kv_list kv;
			struct psi p;
			struct sbx_err err;

			if (parse_kv(c, n, "f", &kv, &err) == 0)
				kv_free(&kv);
			parse_psi(c, n, "f", &p, &err);
			free(c);
		}
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kv_meminfo), cmocka_unit_test(kv_vmstat),
		cmocka_unit_test(kv_bad),     cmocka_unit_test(psi),
		cmocka_unit_test(numbers),    cmocka_unit_test(kmsg),
		cmocka_unit_test(syslog_records), cmocka_unit_test(every_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
