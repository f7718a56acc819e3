/* Fuzz targets: every parser that reads bytes from the machine or the
 * network, fed whatever libFuzzer (or tests/fuzz/replay.c) makes.  One
 * table, one binary: SREBOX_FUZZ_TARGET (or the replayer's argument)
 * picks the parser.  The input is copied into a buffer of exactly its
 * size, with no NUL after it, so a parser that reads past `len` is caught
 * by AddressSanitizer: the parsers promise "bytes in", not "a C string in".
 *
 * A target must not crash, leak or hit undefined behaviour on any input;
 * whether it accepts the input does not matter here (the unit tests say
 * what each must accept). */
#include "fuzz.h"

#include "base64.h"
#include "capfile.h"
#include "capture.h"
#include "cgroup.h"
#include "cpu_share.h"
#include "diskstats.h"
#include "iostat.h"
#include "json_proj.h"
#include "k8s_obj.h"
#include "klog.h"
#include "kmsgclass.h"
#include "kuberules.h"
#include "netconn.h"
#include "procio.h"
#include "mountinfo.h"
#include "netdev.h"
#include "netsnmp.h"
#include "procfs.h"
#include "toprec.h"
#include "range.h"
#include "x509.h"
#include "yaml_json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A NUL-terminated copy, for the parsers whose contract is a C string
 * (an option value, a path, one field of an object). */
static char *cstr(const char *d, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, d, n);
	s[n] = '\0';
	return s;
}

#define F(name) static void fz_##name(const char *d, size_t n)

F(diskstats)
{
	struct diskstats a = { 0 }, b = { 0 };
	struct sbx_err err;
	size_t half = n / 2;

	/* two readings, as io compares them: the halves of the input */
	if (parse_diskstats(d, n, "diskstats", &a, &err) == 0) {
		struct io_figs *figs = NULL;
		size_t k = iostat_all(&a, NULL, 1.0, &figs);

		(void)k;
		free(figs);
	}
	if (parse_diskstats(d, half, "a", &b, &err) == 0) {
		struct diskstats c = { 0 };

		if (parse_diskstats(d + half, n - half, "b", &c, &err) == 0) {
			struct io_figs *figs = NULL;

			iostat_all(&c, &b, 0.5, &figs);
			free(figs);
		}
		diskstats_free(&c);
	}
	diskstats_free(&a);
	diskstats_free(&b);
}

F(netdev)
{
	struct netdev_table t = { 0 };
	struct sbx_err err;

	if (parse_netdev(d, n, "dev", &t, &err) == 0 && t.n)
		(void)netdev_find(&t, t.ifs[0].name);
	netdev_table_free(&t);
}

F(netsnmp)
{
	struct net_stats t = { 0 };
	struct sbx_err err;
	int64_t v;

	if (parse_netsnmp(d, n, "snmp", &t, &err) == 0)
		(void)net_stats_get(&t, "Tcp", "RetransSegs", &v);
	net_stats_free(&t);
}

F(sockstat)
{
	struct net_stats t = { 0 };
	struct sbx_err err;

	parse_sockstat(d, n, "sockstat", &t, &err);
	net_stats_free(&t);
}

F(softnet)
{
	struct softnet_table t = { 0 };
	struct sbx_err err;

	parse_softnet(d, n, "softnet_stat", &t, &err);
	softnet_table_free(&t);
}

F(interrupts)
{
	struct irq_table t = { 0 };
	struct sbx_err err;

	parse_interrupts(d, n, "interrupts", &t, &err);
	irq_table_free(&t);
}

F(stat)
{
	struct proc_stat a = { 0 }, b = { 0 };
	struct sbx_err err;
	size_t half = n / 2;

	parse_stat(d, n, "stat", &a, &err);
	proc_stat_free(&a);
	parse_stat_head(d, n, "stat", &a, &err);
	proc_stat_free(&a);
	memset(&a, 0, sizeof(a));
	/* two readings into the mpstat shares, hotplug and backwards counters included */
	if (parse_stat(d, half, "a", &a, &err) == 0 && parse_stat(d + half, n - half, "b", &b, &err) == 0) {
		struct cpu_share all, *per = NULL;
		size_t nper = 0;

		cpu_shares(&b, &a, &all, &per, &nper);
		free(per);
		per = NULL;
		cpu_shares(&b, NULL, &all, &per, &nper);
		free(per);
	}
	proc_stat_free(&a);
	proc_stat_free(&b);
}

F(task_status)
{
	struct task_status s;
	struct sbx_err err;

	parse_task_status(d, n, "status", &s, &err);
}

F(task_stat)
{
	struct task_stat s;
	struct task_schedstat ss;
	struct sched_cpus sc;
	struct sbx_err err;

	parse_task_stat(d, n, "stat", &s, &err);
	parse_task_schedstat(d, n, "schedstat", &ss, &err);
	parse_schedstat(d, n, "/proc/schedstat", &sc, &err);
}

F(loadavg)
{
	struct loadavg l;
	double up;
	struct sbx_err err;

	parse_loadavg(d, n, "loadavg", &l, &err);
	parse_uptime(d, n, "uptime", &up, &err);
}

F(kv)
{
	struct kv_list l = { 0 };
	struct sbx_err err;
	uint64_t v;

	if (parse_kv(d, n, "meminfo", &l, &err) == 0)
		(void)kv_get(&l, "MemAvailable", &v);
	kv_free(&l);
}

F(psi)
{
	struct psi p;
	uint64_t nums[8];
	struct sbx_err err;

	parse_psi(d, n, "pressure", &p, &err);
	parse_numbers(d, n, "file-nr", nums, 3, &err);
}

F(cpuinfo)
{
	struct cpuinfo c = { 0 };
	struct sbx_err err;

	parse_cpuinfo(d, n, "cpuinfo", &c, &err);
	cpuinfo_free(&c);
}

F(mountinfo)
{
	struct mnt_table t = { 0 };
	struct sbx_err err;

	parse_mountinfo(d, n, "mountinfo", &t, &err);
	mnt_table_free(&t);
}

F(cgroup)
{
	struct cg_cpu_stat s;
	struct cg_cpu_limit l;
	struct k8s_cgroup k;
	struct sbx_err err;
	char path[256];
	size_t half = n / 2;
	char *s0;

	parse_cg_cpu_stat(d, n, "cpu.stat", 1, &s, &err);
	parse_cg_cpu_stat(d, n, "cpu.stat", 2, &s, &err);
	parse_cpu_max(d, n, "cpu.max", &l, &err);
	parse_cfs_quota(d, half, d + half, n - half, "cpu.cfs_quota_us", &l, &err);
	parse_proc_cgroup(d, n, "cgroup", path, sizeof(path), &err);
	s0 = cstr(d, n);
	k8s_cgroup_parse(s0, &k);
	{
		char pod[160], uid[72];

		parse_pod_log_dir(s0, pod, sizeof(pod), uid, sizeof(uid));
	}
	free(s0);
}

F(kmsg)
{
	struct kmsg_rec r;
	struct oom_kill o;

	if (parse_kmsg_record(d, n, &r) == 0)
		(void)match_oom_kill(r.text, r.tlen, &o);
	parse_syslog_record(d, n, &r);
	(void)match_oom_kill(d, n, &o);
}

F(cpulist)
{
	unsigned cpus[64];
	char *s = cstr(d, n);

	parse_cpulist(s, cpus, 64);
	free(s);
}

static void on_value(void *arg, unsigned path, const struct jproj *p, const char *s, size_t n, char type)
{
	struct buf *b = arg;

	(void)path;
	(void)p;
	if (type == 's' && s)
		jproj_unescape(s, n, b);
	buf_reset(b);
}

F(json)
{
	/* the projections the Kubernetes client uses on a NodeList and a Table */
	static const char *const drop[] = { "items.*.status.images", "items.*.metadata.managedFields",
					    "+items.*.metadata.name", NULL };
	static const char *const cap[] = { "=items.*.metadata.name", "=rows.*.cells.*", "=metadata.continue",
					   NULL };
	struct jproj p;
	struct buf out = { 0 }, val = { 0 };
	size_t cut = n ? (unsigned char)d[0] % (n + 1) : 0;

	jproj_init(&p, drop, &out, 1 << 20);
	/* fed in two pieces, as chunks arrive */
	if (jproj_feed(&p, d, cut) == 0 && jproj_feed(&p, d + cut, n - cut) == 0 && jproj_finish(&p) == 0) {
		json_error_t e;
		json_t *j = json_loadb(out.s ? out.s : "", out.len, 0, &e);

		json_decref(j);
	}
	jproj_free(&p);
	jproj_init(&p, cap, NULL, 0);
	jproj_capture(&p, on_value, &val);
	if (jproj_feed(&p, d, n) == 0)
		jproj_finish(&p);
	jproj_free(&p);
	buf_free(&out);
	buf_free(&val);
}

F(yaml)
{
	struct sbx_err err;
	json_t *j = yaml_to_json(d, n, "kubeconfig", &err);

	json_decref(j);
}

F(scalars)
{
	/* option values and object fields: quantities, times, ranges, base64 */
	char *s = cstr(d, n);
	struct k8s_qty q, q2;
	struct sbx_range r;
	struct buf b = { 0 };
	double t;
	uint64_t u;
	int64_t i;

	if (k8s_qty_parse(s, &q)) {
		char out[64];

		k8s_qty_string(&q, out, sizeof(out));
		(void)k8s_qty_milli(&q);
		(void)k8s_qty_value(&q);
		q2 = q;
		k8s_qty_add(&q2, &q);
		(void)k8s_qty_cmp(&q, &q2);
	}
	k8s_time_parse(s, &t);
	range_parse(s, &r);
	parse_u64(s, &u);
	parse_i64(s, &i);
	parse_double(s, &t);
	parse_seconds(s, &t);
	base64_decode(d, n, &b);
	buf_free(&b);
	free(s);
}

F(netconn)
{
	struct nfct_stat c = { 0 };
	struct net_socks t = { 0 };
	struct sbx_err err;
	uint64_t v;

	if (parse_nfct_stat(d, n, "nf_conntrack", &c, &err) == 0)
		(void)nfct_stat_sum(&c, "drop", &v);
	nfct_stat_free(&c);
	parse_net_sockets(d, n, "tcp", false, NET_TCP_LISTEN, &t, &err);
	parse_net_sockets(d, n, "tcp6", true, NET_ANY_STATE, &t, &err);
	net_socks_free(&t);
}

F(procio)
{
	struct proc_io_counts c;
	struct proc_io_stat st;
	struct sbx_err err;

	parse_proc_io(d, n, "io", &c, &err);
	parse_proc_io_stat(d, n, "stat", &st, &err);
}

F(kmsgclass)
{
	/* every line a record, as the log is read, then the classes' views */
	static struct kmsg_classes k;
	struct kmsg_hit h;
	const char *p = d, *end = d + n;

	kmsg_classes_init(&k);
	(void)kmsg_classify(d, n, &h);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t l = eol ? (size_t)(eol - p) : (size_t)(end - p);
		struct kmsg_rec r;

		if (parse_kmsg_record(p, l, &r) == 0 || parse_syslog_record(p, l, &r) == 0)
			kmsg_classes_add(&k, &r, true);
		p += l + (eol != NULL);
	}
	if (!kmsg_classes_valid(&k))
		abort();	/* what was built must read back */
	for (int c = 0; c < KC_N; c++) {
		bool all;

		(void)kmsg_stat_recent(&k.c[c], 1e6, 900, &all);
		(void)kmsg_stat_age(&k.c[c], 1e6);
	}
	for (size_t i = 0; kmsg_newest(&k, i); i++)
		;
}

F(toprec)
{
	struct sbx_err err;
	json_t *j = toprec_line(d, n, &err);
	char *s = cstr(d, n);
	double when;

	/* what replay does with a sample: its time, state and findings */
	if (j) {
		size_t i;
		json_t *f;

		(void)json_number_value(json_object_get(j, "t"));
		json_array_foreach(json_object_get(j, "findings"), i, f)
			(void)json_string_value(json_object_get(f, "state"));
		json_decref(j);
	}
	(void)toprec_when(s, 1796189132.5, &when);
	free(s);
}

F(cert)
{
	struct x509_info ci[4];
	struct sbx_err err;

	/* as PEM text, and the bytes as DER */
	(void)pem_certs(d, n, ci, 4, &err);
	(void)x509_der_validity((const unsigned char *)d, n, &ci[0], &err);
}

F(klog)
{
	const char *p = d, *end = d + n;
	char key[200];

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t l = eol ? (size_t)(eol - p) : (size_t)(end - p);
		struct klog_line k;

		if (klog_parse(p, l, &k)) {
			if (k.msg < p || k.msg + k.msg_len > p + l)
				abort();	/* the message lies inside the line */
			if (klog_key(k.msg, k.msg_len, key, sizeof(key)) >= sizeof(key))
				abort();
			(void)klog_epoch(&k, 1.8e9);
		}
		p += l + (eol != NULL);
	}
	(void)unit_show_get(d, n, "ActiveState", key, sizeof(key));
}

F(kuberules)
{
	struct kube_rules r;
	struct sbx_err err;
	uint64_t sum = 0;

	if (kube_rules_parse(d, n, &r, &err) < 0)
		return;
	for (size_t i = 0; i < r.n; i++)
		sum += r.v[i].rules;
	if (sum != r.rules || r.rules > r.all_rules)
		abort();	/* the rows add up to the total */
	kube_rules_free(&r);
}

F(capman)
{
	struct capman m;
	struct sbx_err err;

	(void)capman_parse(d, n, &m, &err);
}

/* The filesystem answers of a capture: what is kept formats back to
 * lines that parse to the same answers. */
F(capfs)
{
	struct capfs_set s, t;
	struct buf b = { 0 };
	size_t bad;

	capfs_parse(d, n, &s, &bad);
	for (size_t i = 0; i < s.n; i++)
		capfs_format(&s.v[i], &b);
	capfs_parse(b.s ? b.s : "", b.len, &t, &bad);
	if (t.n != s.n || bad)
		abort();
	for (size_t i = 0; i < s.n; i++)
		if (strcmp(s.v[i].path, t.v[i].path) || s.v[i].err != t.v[i].err ||
		    memcmp(s.v[i].a, t.v[i].a, sizeof(s.v[i].a)))
			abort();
	capfs_free(&s);
	capfs_free(&t);
	buf_free(&b);
}

/* A capture archive, unpacked with its bounds (libarchive, when it loads). */
F(capfile)
{
	char path[64], dir[4096];
	struct capman m;
	struct sbx_err err;
	int fd = memfd_create("capfile", 0);

	if (fd < 0)
		return;
	if (n && write(fd, d, n) != (ssize_t)n) {
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (capfile_open(path, dir, sizeof(dir), &m, &err) == 0)
		capfile_close();
	close(fd);
}

const struct fuzz_target fuzz_targets[] = {
#define T(name, what) { #name, what, fz_##name },
	T(diskstats, "/proc/diskstats, and iostat figures between two readings")
	T(netdev, "/proc/net/dev")
	T(netsnmp, "/proc/net/snmp and /proc/net/netstat")
	T(sockstat, "/proc/net/sockstat")
	T(softnet, "/proc/net/softnet_stat")
	T(interrupts, "/proc/interrupts")
	T(stat, "/proc/stat, and mpstat shares between two readings")
	T(task_status, "/proc/PID/status")
	T(task_stat, "/proc/PID/stat and /proc/PID/schedstat")
	T(loadavg, "/proc/loadavg and /proc/uptime")
	T(kv, "/proc/meminfo and /proc/vmstat (key value lines)")
	T(psi, "/proc/pressure/* and number lists (file-nr)")
	T(cpuinfo, "/proc/cpuinfo")
	T(mountinfo, "/proc/self/mountinfo")
	T(cgroup, "cgroup cpu.stat, cpu.max, cfs quota, /proc/PID/cgroup, kubelet cgroup and log dir names")
	T(kmsg, "kernel log records (/dev/kmsg and syslog(2) lines), OOM kill lines")
	T(kmsgclass, "the kernel log's classes: lockups, MCE/EDAC, NIC, conntrack, SYN floods, segfaults, I/O errors")
	T(netconn, "/proc/net/stat/nf_conntrack and /proc/net/tcp, tcp6 sockets")
	T(procio, "/proc/PID/io and the I/O fields of /proc/PID/stat")
	T(cpulist, "CPU lists (/sys/.../online, smp_affinity_list)")
	T(json, "API server JSON through the streaming projection (nodes, tables, continue tokens)")
	T(yaml, "kubeconfig YAML")
	T(toprec, "srebox top recordings: a JSON line a sample, and the times -t takes")
	T(cert, "PEM certificates and their DER validity (the kubelet's pki)")
	T(klog, "kubelet log lines (klog, logrus) and systemctl show output")
	T(kuberules, "iptables-save and nft list ruleset output (kube-proxy's chains)")
	T(scalars, "quantities, API times, -w/-c ranges, numbers, durations, base64")
	T(capman, "a capture's manifest.json")
	T(capfs, "a capture's table of statfs and stat answers (.srebox/fs)")
	T(capfile, "a capture archive (--root FILE), unpacked within its bounds")
#undef T
	{ NULL, NULL, NULL }
};

void fuzz_run(const struct fuzz_target *t, const uint8_t *data, size_t size)
{
	/* exactly size bytes, nothing readable after them */
	char *d = malloc(size ? size : 1);

	if (!d)
		abort();
	if (size)
		memcpy(d, data, size);
	t->fn(d, size);
	free(d);
}

const struct fuzz_target *fuzz_find(const char *name)
{
	for (const struct fuzz_target *t = fuzz_targets; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}
