/* srebox kubelet: the guide's first triage step of a NotReady node, on the
 * node itself.  Is the kubelet (or k3s) running, since when, how often
 * systemd restarted it, does its healthz answer; its eviction thresholds
 * (from its config file) next to the signals now; its certificates'
 * expiry; the container runtime's socket; and its newest errors from the
 * journal (sd-journal, loaded only here) or its log file, grouped by
 * message.  Instead of `systemctl status kubelet; journalctl -u kubelet |
 * tail; openssl x509 -enddate -noout -in ...; crictl info`.
 *
 * A machine without a kubelet (no process, unit, config) is "not a
 * Kubernetes node": OK, as health says it, not CRITICAL. */
#include "applet.h"
#include "http.h"
#include "hung.h"
#include "judge_kube.h"
#include "agent.h"
#include "klog.h"
#include "node.h"
#include "root.h"
#include "tasks.h"
#include "yaml_json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

static const char *o_unit, *o_healthz = "http://127.0.0.1:10248/healthz", *o_config, *o_pki,
		  *o_socket, *o_log, *o_journal, *o_dir = "/var/lib/kubelet";
static double o_timeout = 1, o_since = 3600;
static unsigned o_top = 10;

static int set_since(const char *s)
{
	return parse_seconds(s, &o_since) && o_since > 0 ? 0 : 1;
}

static const struct sbx_opt kubelet_opts[] = {
	{ 0, "unit", OPT_STRING, &o_unit, "NAME",
	  "the kubelet's systemd unit (default kubelet, else k3s or k3s-agent, the first installed)", NULL, NULL },
	{ 0, "healthz", OPT_STRING, &o_healthz, "URL",
	  "the kubelet's health endpoint (default http://127.0.0.1:10248/healthz)", NULL, NULL },
	{ 0, "config", OPT_STRING, &o_config, "FILE",
	  "the kubelet's config file, under --root (default /var/lib/kubelet/config.yaml)", "files", NULL },
	{ 0, "kubelet-dir", OPT_STRING, &o_dir, "DIR",
	  "the kubelet's root dir, for nodefs (default /var/lib/kubelet)", "dirs", NULL },
	{ 0, "pki", OPT_STRING, &o_pki, "DIR",
	  "the kubelet's certificates, under --root (default /var/lib/kubelet/pki, or k3s' agent dir)", "dirs",
	  NULL },
	{ 0, "runtime-socket", OPT_STRING, &o_socket, "PATH",
	  "the container runtime's socket (default: the config's containerRuntimeEndpoint, else the first of "
	  "containerd's, CRI-O's, k3s' and docker's that exists)", "files", NULL },
	{ 0, "log", OPT_STRING, &o_log, "FILE",
	  "read the kubelet's errors from this log file (k3s on OpenRC: /var/log/k3s.log) instead of the journal",
	  "files", NULL },
	{ 0, "journal", OPT_STRING, &o_journal, "PATH",
	  "read this journal directory or file (default: the system's, under --root)", "files", NULL },
	{ 0, "since", OPT_CALL, NULL, "DURATION", "errors logged in the last DURATION (default 1h)", NULL,
	  set_since },
	{ 0, "top", OPT_UINT, &o_top, "N", "show the N most frequent error messages (default 10)", NULL, NULL },
	{ 't', "timeout", OPT_SECONDS, &o_timeout, "SECONDS",
	  "give up on systemctl, the healthz, the runtime's socket or a statfs after SECONDS (default 1)", NULL,
	  NULL },
	OPT_END,
};

static const enum sbx_check_id kubelet_checks[] = {
	CHK_KUBELET, CHK_KUBELET_RESTARTS, CHK_KUBELET_CERT, CHK_KUBELET_ERRORS, CHK_EVICTION, CHK_RUNTIME, CHK_N,
};

enum { E_SIGNAL, E_AVAIL, E_TOTAL, E_HARD, E_SOFT, E_FROM, E_NCOLS };
static const struct sbx_col evict_cols[] = {
	[E_SIGNAL] = { "SIGNAL", "signal", CT_STR, COL_LABEL },
	[E_AVAIL] = { "AVAILABLE", "available", CT_NUM, 0, "kubelet_eviction_signal_available",
		      "What the signal has left now (bytes, or inodes for *.inodesFree)." },
	[E_TOTAL] = { "TOTAL", "total", CT_NUM, 0, NULL, NULL },
	[E_HARD] = { "HARD", "hard", CT_STR },
	[E_SOFT] = { "SOFT", "soft", CT_STR },
	[E_FROM] = { "FROM", "from", CT_STR, COL_WIDE },
};

enum { C_FILE, C_CN, C_NOTAFTER, C_LEFT, C_NCOLS };
static const struct sbx_col cert_cols[] = {
	[C_FILE] = { "FILE", "file", CT_STR, COL_LABEL },
	[C_CN] = { "SUBJECT", "subject_cn", CT_STR },
	[C_NOTAFTER] = { "NOT-AFTER", "not_after", CT_STR },
	[C_LEFT] = { "LEFT", "seconds_left", CT_SECONDS, 0, "kubelet_cert_seconds_left",
		     "Seconds until the certificate expires (negative: expired)." },
};

enum { L_COUNT, L_LEVEL, L_LAST, L_MSG, L_EXAMPLE, L_NCOLS };
static const struct sbx_col err_cols[] = {
	[L_COUNT] = { "COUNT", "count", CT_COUNT },
	[L_LEVEL] = { "LEVEL", "level", CT_STR },
	[L_LAST] = { "LAST", "last_seconds_ago", CT_SECONDS },
	[L_MSG] = { "MESSAGE", "message", CT_STR },
	[L_EXAMPLE] = { "EXAMPLE", "example", CT_STR, COL_WIDE },
};

/* --- the unit and the process ------------------------------------------ */

static void ask_unit(struct kubelet_obs *o, const char *unit, struct buf *out, struct sbx_err *err)
{
	const char *argv[] = { "systemctl", "show", "--no-pager", unit, "-p",
			       "LoadState,ActiveState,SubState,Result,NRestarts,MainPID,ActiveEnterTimestampMonotonic",
			       NULL };
	char v[64];

	o->unit = unit;
	o->nrestarts = -1;
	o->active_seconds = -1;
	/* systemctl answers for the machine srebox runs on, which is not the
	 * one a capture was taken on, nor a saved tree's (a --root DIR may be
	 * the host's / in a pod: asked) */
	if (root_other_machine()) {
		sbx_err_set(err, 0, "%s: systemd answers for this machine, not for that one",
			    root_other_machine());
		o->unit_why = err->msg;
		return;
	}
	if (host_run(argv, o_timeout, out, err) < 0) {
		o->unit_why = err->msg;
		return;
	}
	if (!unit_show_get(out->s, out->len, "ActiveState", o->active, sizeof(o->active))) {
		/* "System has not been booted with systemd", "Failed to connect to bus" */
		size_t l = strcspn(out->s, "\n");

		sbx_err_set(err, 0, "systemctl: %.*s", (int)(l > 200 ? 200 : l), l ? out->s : "no answer");
		o->unit_why = err->msg;
		return;
	}
	o->have_unit = true;
	unit_show_get(out->s, out->len, "LoadState", o->load, sizeof(o->load));
	unit_show_get(out->s, out->len, "SubState", o->sub, sizeof(o->sub));
	unit_show_get(out->s, out->len, "Result", o->result, sizeof(o->result));
	if (unit_show_get(out->s, out->len, "NRestarts", v, sizeof(v)) && *v)
		o->nrestarts = atol(v);
	if (unit_show_get(out->s, out->len, "ActiveEnterTimestampMonotonic", v, sizeof(v)) && atoll(v) > 0) {
		struct sbx_err e2;
		double up;

		if (node_uptime(&up, &e2) == 0 && root_is_live())
			o->active_seconds = up - (double)atoll(v) / 1e6;
	}
	if (unit_show_get(out->s, out->len, "MainPID", v, sizeof(v)) && atol(v) > 0 && !o->comm)
		o->pid = atol(v);
}

/* kubelet.service, else k3s' units: the first that is installed. */
static void find_unit(struct kubelet_obs *o, struct buf *out, struct sbx_err *err)
{
	static const char *const units[] = { "kubelet.service", "k3s.service", "k3s-agent.service" };

	if (o_unit) {
		ask_unit(o, o_unit, out, err);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		ask_unit(o, units[i], out, err);
		if (!o->have_unit || !strcmp(o->load, "loaded"))
			return;
	}
	ask_unit(o, units[0], out, err);
}

static void find_process(struct kubelet_obs *o, char *comm, size_t n)
{
	struct task_table t = { 0 };
	struct sbx_err err;

	o->have_tasks = tasks_read(&t, TASKS_PROCESSES | TASKS_NO_LIBPROC2, &err) == 0;
	for (size_t i = 0; o->have_tasks && i < t.n && !o->comm; i++)
		if (t.v[i].has_name && t.v[i].state != 'Z' &&
		    (!strcmp(t.v[i].comm, "kubelet") || !strcmp(t.v[i].comm, "k3s-server") ||
		     !strcmp(t.v[i].comm, "k3s-agent"))) {
			snprintf(comm, n, "%s", t.v[i].comm);
			o->comm = comm;
			o->pid = t.v[i].tgid;
		}
	tasks_free(&t);
}

static void ask_healthz(struct kubelet_obs *o, struct buf *body, struct sbx_err *err)
{
	struct http *h = http_new(err);
	struct http_resp rs;
	double t0;

	o->healthz = o_healthz;
	if (!h) {
		o->healthz_why = err->msg;
		return;
	}
	t0 = now_monotonic();
	if (http_get(h, o_healthz, o_timeout, body, 512, &rs, err) < 0) {
		o->err = err->msg;
	} else {
		o->answered = true;
		o->code = rs.code;
		o->body = body->s;
		o->body_len = body->len;
	}
	o->ms = (now_monotonic() - t0) * 1e3;
	http_free(h);
}

/* --- the config, eviction ----------------------------------------------- */

/* The kubelet's own --config=PATH or --config PATH, from its command line
 * (/proc/PID/cmdline under --root) into out; false without one.  A
 * relative path is the kubelet's working directory's: not guessed. */
static bool cmdline_config(long pid, char *out, size_t n)
{
	char p[64];
	struct buf b = { 0 };
	struct sbx_err err;
	bool found = false;

	if (pid <= 0)
		return false;
	snprintf(p, sizeof(p), "/proc/%ld/cmdline", pid);
	if (root_read(p, &b, &err) < 0 || !b.len) {
		buf_free(&b);
		return false;
	}
	for (size_t i = 0; i < b.len && !found;) {
		const char *a = b.s + i;
		size_t l = strnlen(a, b.len - i);
		const char *v = NULL;

		if (str_starts(a, "--config="))
			v = a + 9;
		else if (!strcmp(a, "--config") && i + l + 1 < b.len)
			v = a + l + 1;
		if (v && *v == '/' && strlen(v) < n) {
			snprintf(out, n, "%s", v);
			found = true;
		}
		i += l + 1;
	}
	buf_free(&b);
	return found;
}

static json_t *read_config(const char **path, long pid, bool *own_used, struct sbx_report *rep)
{
	static char from_cmdline[4096];
	bool own;
	static const char *const defaults[] = { "/var/lib/kubelet/config.yaml", "/etc/kubernetes/kubelet.yaml",
						"/etc/kubernetes/kubelet-config.yaml",
						"/var/lib/rancher/k3s/agent/etc/kubelet.conf.d/00-k3s-defaults.conf" };
	struct buf b = { 0 };
	struct sbx_err err;
	json_t *j = NULL;

	/* the running kubelet's own --config before the usual places */
	own = !o_config && cmdline_config(pid, from_cmdline, sizeof(from_cmdline));
	for (size_t i = 0; i < (o_config ? 1 : ARRAY_SIZE(defaults) + own); i++) {
		const char *p = o_config ? o_config : own && i == 0 ? from_cmdline : defaults[i - own];
		struct stat st;

		if (sbx_stat_deadline(p, &st, o_timeout, &err) < 0) {
			if (o_config || (own && i == 0))
				report_note(rep, "config: %s", err.msg);
			continue;
		}
		*path = p;
		*own_used = own && i == 0;
		if (root_read(p, &b, &err) < 0) {
			report_note(rep, "config: %s", err.msg);
			break;
		}
		j = yaml_to_json(b.s ? b.s : "", b.len, rooted(p), &err);
		if (!j)
			report_note(rep, "config: %s", err.msg);
		break;
	}
	buf_free(&b);
	return j;
}

static const struct {
	const char *name, *def;
	bool bytes;
} signals[] = {
	{ "memory.available", "100Mi", true },	  { "nodefs.available", "10%", true },
	{ "nodefs.inodesFree", "5%", false },	  { "imagefs.available", "15%", true },
	{ "imagefs.inodesFree", "5%", false },
	/* no threshold unless configured: the kubelet sets none by default */
	{ "pid.available", NULL, false },
};

static const char *runtime_dir(void)
{
	static const char *const dirs[] = { "/var/lib/containerd", "/var/lib/containers/storage",
					    "/var/lib/docker", "/var/lib/rancher/k3s/agent/containerd" };
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (root_stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			return dirs[i];
	return NULL;
}

static void eviction(struct sbx_report *rep, json_t *cfg, const char *cfg_path, bool tables)
{
	json_t *hard = json_object_get(cfg, "evictionHard"), *soft = json_object_get(cfg, "evictionSoft");
	struct statfs node_fs, image_fs;
	struct sbx_err nerr, ierr, merr, perr;
	bool have_node, have_image = false, have_mem;
	const char *idir = runtime_dir();
	struct mem_info m;
	uint64_t mavail = 0;
	char how[128], from[4200];
	struct sbx_table *t = tables ? report_table(rep, "eviction", evict_cols, E_NCOLS) : NULL;

	if (t)
		table_title(t, "Eviction signals and thresholds");
	have_mem = node_meminfo(&m, &merr) == 0 &&
		   node_kubelet_memory_available(m.total, &mavail, how, sizeof(how), &merr) == 0;
	have_node = sbx_statfs_deadline(o_dir, &node_fs, o_timeout, &nerr) == 0;
	if (idir && sbx_statfs_deadline(idir, &image_fs, o_timeout, &ierr) == 0)
		/* imagefs is its own only on another filesystem */
		have_image = !have_node || memcmp(&image_fs.f_fsid, &node_fs.f_fsid, sizeof(node_fs.f_fsid));
	if (json_is_object(hard))
		snprintf(from, sizeof(from), "evictionHard of %s", cfg_path);
	else
		snprintf(from, sizeof(from), "the kubelet's default");
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
		struct evict_signal s = { .name = signals[i].name, .bytes = signals[i].bytes, .from = from };
		bool image = !strncmp(s.name, "imagefs", 7), inodes = strstr(s.name, "inodes") != NULL;
		const struct statfs *fs = image ? &image_fs : &node_fs;
		struct sbx_cell *c;

		if (image && !have_image)
			continue;
		s.hard = json_is_object(hard) ? json_string_value(json_object_get(hard, s.name)) : signals[i].def;
		s.soft = json_string_value(json_object_get(soft, s.name));
		if (i == 0) {
			s.have = have_mem;
			s.why = merr.msg;
			s.avail = (double)mavail;
			s.total = (double)m.total;
		} else if (!strcmp(s.name, "pid.available")) {
			/* as the kubelet: min(pid_max, threads-max) less the
			 * tasks in use (/proc/loadavg's total) */
			struct loadavg la;
			uint64_t lim;

			if (node_pid_limit(&lim, &perr) == 0 && node_loadavg(&la, &perr) == 0) {
				s.have = true;
				s.total = (double)lim;
				s.avail = la.tasks < lim ? (double)(lim - la.tasks) : 0;
			} else {
				s.why = perr.msg;
			}
		} else if (!image && !have_node) {
			s.why = nerr.msg;
		} else {
			s.have = true;
			s.avail = inodes ? (double)fs->f_ffree : (double)fs->f_bavail * (double)fs->f_bsize;
			s.total = inodes ? (double)fs->f_files : (double)fs->f_blocks * (double)fs->f_bsize;
			if (inodes && fs->f_files == 0)
				s.have = false, s.why = "the filesystem has no inode count";
		}
		judge_eviction(rep, &s);
		if (!t)
			continue;
		c = table_row(t);
		cell_str(&c[E_SIGNAL], s.name);
		if (s.have) {
			cell_num(&c[E_AVAIL], s.avail);
			cell_num(&c[E_TOTAL], s.total);
		} else {
			cell_unknown(&c[E_AVAIL], s.why);
		}
		cell_str(&c[E_HARD], s.hard ? s.hard : "");
		cell_str(&c[E_SOFT], s.soft ? s.soft : "");
		cell_str(&c[E_FROM], s.from);
	}
}

/* --- certificates ----------------------------------------------------- */

/* The current ones only: rotation leaves older kubelet-client-DATE.pem
 * files behind, expired and harmless. */
static bool cert_file_current(const char *name, bool have_current)
{
	if (!str_ends(name, ".crt") && !str_ends(name, ".pem"))
		return false;
	if (str_ends(name, ".key") || strstr(name, "-key"))
		return false;
	if (have_current && (str_starts(name, "kubelet-client-") || str_starts(name, "kubelet-server-")))
		return strstr(name, "-current.pem") != NULL;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void certificates(struct sbx_report *rep, bool tables)
{
	static const char *const dirs[] = { "/var/lib/kubelet/pki", "/var/lib/rancher/k3s/agent" };
	struct sbx_table *t = NULL;
	const char *dir = NULL;
	struct sbx_err err;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	bool have_current = false;
	double now = now_realtime();
	DIR *d = NULL;
	struct dirent *e;

	for (size_t i = 0; i < (o_pki ? 1 : ARRAY_SIZE(dirs)) && !d; i++) {
		dir = o_pki ? o_pki : dirs[i];
		d = root_opendir(dir, &err);
	}
	if (!d) {
		if (o_pki)
			check_unknown(rep, CHK_KUBELET_CERT, o_pki, "certificates: %s", err.msg);
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (strstr(e->d_name, "-current.pem"))
			have_current = true;
		if (n == alloc)
			names = xreallocarray(names, alloc = alloc ? alloc * 2 : 16, sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct x509_info ci[4];
		struct buf b = { 0 };
		char path[4096];
		int k;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!cert_file_current(names[i], have_current) || root_read(path, &b, &err) < 0) {
			buf_free(&b);
			continue;
		}
		k = pem_certs(b.s ? b.s : "", b.len, ci, ARRAY_SIZE(ci), &err);
		buf_free(&b);
		if (k < 0) {
			check_unknown(rep, CHK_KUBELET_CERT, path, "%s: %s", path, err.msg);
			continue;
		}
		/* the leaf: a bundle's first certificate */
		if (k == 0)
			continue;
		judge_kubelet_cert(rep, path, &ci[0], now);
		if (tables) {
			struct sbx_cell *c;
			char when[64];
			time_t na = (time_t)ci[0].not_after;
			struct tm tm;

			if (!t) {
				t = report_table(rep, "certificates", cert_cols, C_NCOLS);
				table_title(t, "Certificates");
			}
			c = table_row(t);
			gmtime_r(&na, &tm);
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
			cell_str(&c[C_FILE], path);
			cell_str(&c[C_CN], ci[0].cn);
			cell_str(&c[C_NOTAFTER], when);
			cell_num(&c[C_LEFT], (double)ci[0].not_after - now);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* --- the runtime's socket ---------------------------------------------- */

static void runtime(struct sbx_report *rep, json_t *cfg, bool node)
{
	static const char *const socks[] = { "/run/containerd/containerd.sock", "/run/crio/crio.sock",
					     "/run/k3s/containerd/containerd.sock", "/var/run/cri-dockerd.sock",
					     "/var/run/docker.sock" };
	const char *ep = json_string_value(json_object_get(cfg, "containerRuntimeEndpoint"));
	const char *sock = o_socket;
	struct sbx_err err;
	struct stat st;
	double ms;

	if (!sock && ep && str_starts(ep, "unix://"))
		sock = ep + 7;
	for (size_t i = 0; !sock && i < ARRAY_SIZE(socks); i++)
		if (root_stat(socks[i], &st) == 0)
			sock = socks[i];
	if (!sock) {
		judge_runtime(rep, node, NULL, "no containerd, CRI-O, k3s or docker socket under /run", NULL, 0);
		return;
	}
	if (host_unix_answers(sock, o_timeout, &ms, &err) < 0)
		judge_runtime(rep, node, sock, NULL, err.msg, 0);
	else
		judge_runtime(rep, node, sock, NULL, NULL, ms);
}

/* --- errors from the journal or a log file ------------------------------ */

struct group {
	char *key, *example;
	uint64_t count;
	enum klog_sev sev;
	double last;
};

struct errs {
	struct group *v;
	size_t n, alloc;
	uint64_t lines, errors, warnings, other;	/* other: past the group limit */
	double since, now;
};

#define MAX_GROUPS 2000

static void err_line(struct errs *e, const char *s, size_t n, double when)
{
	struct klog_line l;
	char key[200];
	size_t i;

	e->lines++;
	if (!klog_parse(s, n, &l))
		return;
	if (l.sev == KLOG_WARN)
		e->warnings++;
	if (l.sev < KLOG_ERROR)
		return;
	if (when < 0)
		when = klog_epoch(&l, e->now);
	if (when >= 0 && when < e->since) {
		return;
	}
	e->errors++;
	klog_key(l.msg, l.msg_len, key, sizeof(key));
	for (i = 0; i < e->n && strcmp(e->v[i].key, key); i++)
		;
	if (i == e->n) {
		if (e->n == MAX_GROUPS) {
			e->other++;
			return;
		}
		if (e->n == e->alloc)
			e->v = xreallocarray(e->v, e->alloc = e->alloc ? e->alloc * 2 : 32, sizeof(*e->v));
		e->v[e->n++] = (struct group){ .key = xstrdup(key) };
	}
	e->v[i].count++;
	if (l.sev > e->v[i].sev)
		e->v[i].sev = l.sev;
	if (when > e->v[i].last)
		e->v[i].last = when;
	free(e->v[i].example);
	e->v[i].example = xstrndup(l.msg, l.msg_len > 300 ? 300 : l.msg_len);
}

static int journal_line(void *arg, const char *msg, size_t n, double when)
{
	err_line(arg, msg, n, when);
	return 0;
}

/* The tail of a log file: at most 32 MiB, the newest lines. */
#define LOG_TAIL (32u << 20)

static int read_log(const char *path, struct errs *e, struct sbx_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	struct buf b = { 0 };
	off_t off = 0;
	const char *p, *end;

	if (fd < 0 || fstat(fd, &st) < 0) {
		sbx_err_set(err, errno, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_size > LOG_TAIL)
		off = st.st_size - LOG_TAIL;
	buf_grow(&b, (size_t)(st.st_size - off) + 1);
	for (;;) {
		ssize_t r = pread(fd, b.s + b.len, b.alloc - b.len - 1, off + (off_t)b.len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		b.len += (size_t)r;
		if (b.len + 1 >= b.alloc)
			break;
	}
	close(fd);
	p = b.s;
	end = b.s + b.len;
	if (off && p) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		p = nl ? nl + 1 : end;	/* a cut first line */
	}
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;

		err_line(e, p, (size_t)(le - p), -1);
		p = le + 1;
	}
	buf_free(&b);
	return 0;
}

static int cmp_group(const void *a_, const void *b_)
{
	const struct group *a = a_, *b = b_;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return a->last < b->last ? 1 : a->last > b->last ? -1 : 0;
}

static void errors(struct sbx_report *rep, const struct kubelet_obs *o, bool node, bool tables)
{
	static const char *const logs[] = { "/var/log/kubelet.log", "/var/log/k3s.log",
					    "/var/log/rancher/k3s/k3s.log" };
	struct errs e = { .now = now_realtime() };
	struct sbx_err err = { 0 }, jerr = { 0 };
	char source[400] = "", since[32];
	const char *unit = o->unit && strcmp(o->load, "not-found") ? o->unit : "kubelet.service";
	long got = -1;

	e.since = e.now - o_since;
	fmt_duration(since, sizeof(since), o_since);
	if (!o_log) {
		got = host_journal_read(o_journal, unit, e.since, 2000000, journal_line, &e, &jerr);
		if (got >= 0)
			snprintf(source, sizeof(source), "the journal of %s%s%s", unit, o_journal ? " in " : "",
				 o_journal ? o_journal : "");
	}
	if (got <= 0) {
		const char *path = NULL;
		struct stat st;

		if (o_log)
			path = o_log;
		for (size_t i = 0; !path && i < ARRAY_SIZE(logs); i++)
			if (stat(rooted(logs[i]), &st) == 0)
				path = rooted(logs[i]);
		if (path) {
			memset(&e, 0, sizeof(e));
			e.now = now_realtime();
			e.since = e.now - o_since;
			if (read_log(path, &e, &err) < 0) {
				check_unknown(rep, CHK_KUBELET_ERRORS, NULL, "kubelet errors: %s", err.msg);
				return;
			}
			snprintf(source, sizeof(source), "%s", path);
		} else if (got < 0) {
			if (node)
				check_unknown(rep, CHK_KUBELET_ERRORS, NULL, "kubelet errors: %s; no log file (%s)",
					      jerr.msg, logs[0]);
			return;
		}
	}
	if (e.n)
		qsort(e.v, e.n, sizeof(*e.v), cmp_group);
	{
		struct sbx_finding *f = check_value(rep, CHK_KUBELET_ERRORS, NULL, (double)e.errors,
						    "kubelet errors in the last %s: %llu in %zu kind%s (%llu warning%s, %llu line%s) from %s",
						    since, (unsigned long long)e.errors, e.n + (e.other > 0),
						    plural(e.n + (e.other > 0), "s"),
						    (unsigned long long)e.warnings, plural(e.warnings, "s"),
						    (unsigned long long)e.lines, plural(e.lines, "s"), source);

		for (size_t i = 0; i < e.n && i < 3; i++)
			finding_who(f, "message", e.v[i].key, 0, NULL, NULL, true, (double)e.v[i].count, "x");
	}
	if (tables && e.n) {
		struct sbx_table *t = report_table(rep, "errors", err_cols, L_NCOLS);

		table_title(t, "Kubelet errors in the last %s, most frequent first (%s)", since, source);
		for (size_t i = 0; i < e.n && i < o_top; i++) {
			struct sbx_cell *c = table_row(t);

			cell_u64(&c[L_COUNT], e.v[i].count);
			cell_str(&c[L_LEVEL], e.v[i].sev == KLOG_FATAL ? "fatal" : "error");
			if (e.v[i].last > 0)
				cell_num(&c[L_LAST], e.now - e.v[i].last);
			else
				cell_unknown(&c[L_LAST], "the line has no time");
			cell_str(&c[L_MSG], e.v[i].key);
			cell_str(&c[L_EXAMPLE], e.v[i].example);
		}
	}
	for (size_t i = 0; i < e.n; i++) {
		free(e.v[i].key);
		free(e.v[i].example);
	}
	free(e.v);
}

static int kubelet_run(struct sbx_ctx *ctx)
{
	struct sbx_report *rep = report_new("kubelet");
	struct kubelet_obs o = { .nrestarts = -1, .active_seconds = -1,
				 .looked = "/var/lib/kubelet/config.yaml" };
	struct buf show = { 0 }, body = { 0 };
	struct sbx_err uerr, herr;
	char comm[64], hwhy[400];
	const char *cfg_path = NULL;
	bool own_config = false;
	json_t *cfg;
	bool node, tables = sbx_wants_tables(ctx);

	if (ctx->nargs) {
		warnx_("unexpected argument '%s'", ctx->args[0]);
		report_free(rep);
		return 3;
	}
	find_process(&o, comm, sizeof(comm));
	find_unit(&o, &show, &uerr);
	cfg = read_config(&cfg_path, o.pid, &own_config, rep);
	o.config = cfg_path;
	node = kubelet_obs_is_node(&o);
	/* a capture's (another machine's) kubelet is not on this loopback */
	if (root_other_machine() && o.comm) {
		snprintf(hwhy, sizeof(hwhy), "%s: its kubelet's healthz is not this machine's",
			 root_other_machine());
		o.healthz = o_healthz;
		o.healthz_why = hwhy;
	} else if (o.comm || (o.have_unit && !strcmp(o.active, "active"))) {
		ask_healthz(&o, &body, &herr);
	}
	judge_kubelet(rep, &o);
	if (!node) {
		report_summary(rep, "not a Kubernetes node: no kubelet process, unit or config");
	} else {
		report_summary(rep, "%s%s%s", o.comm ? o.comm : "kubelet", o.have_unit ? " " : "",
			       o.have_unit ? o.active : "");
		char where[4096];

		snprintf(where, sizeof(where), "%s", cfg_path ? rooted(cfg_path) : "");
		if (own_config)	/* which kubelet said so */
			snprintf(where + strlen(where), sizeof(where) - strlen(where),
				 " (the --config of pid %ld)", o.pid);
		eviction(rep, cfg, where, tables);
		certificates(rep, tables);
	}
	runtime(rep, cfg, node);
	if (node)
		errors(rep, &o, node, tables);
	json_decref(cfg);
	buf_free(&show);
	buf_free(&body);
	sbx_emit(ctx, rep);
	return 0;
}

const struct sbx_applet applet_kubelet = {
	.name = "kubelet",
	.examples =
		"# the node went NotReady: is the kubelet up, and what does it say?\n"
		"srebox kubelet\n"
		"# its errors of the last hour, the ten most frequent\n"
		"srebox kubelet --since 1h --top 10\n",
	.summary = "the kubelet as the first triage step of a NotReady node: running since when and restarts, healthz, eviction thresholds against the signals, certificate expiry, the runtime's socket, its newest errors grouped",
	.usage = "[OPTIONS]",
	.description =
		"Asks systemd (systemctl show, with a deadline) about the kubelet's unit, finds\n"
		"its process, asks its healthz, reads its config (evictionHard, evictionSoft,\n"
		"containerRuntimeEndpoint) and certificates under --root, connects to the\n"
		"container runtime's socket, and reads its errors of the last --since from the\n"
		"journal (libsystemd's sd-journal) or, without one, its log file.  A machine\n"
		"with no kubelet process, unit or config is not a Kubernetes node: OK.",
	.flags = AP_PROBE | AP_OUTPUT,
	.opts = kubelet_opts,
	.checks = kubelet_checks,
	.run = kubelet_run,
};
