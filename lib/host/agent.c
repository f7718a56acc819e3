#include "agent.h"

#include "child.h"
#include "dl.h"
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* What the child says when exec failed: the errno, after a marker no
 * command prints. */
#define EXEC_FAILED "\001srebox-exec-failed "

struct run_arg {
	const char *const *argv;
};

static void run_child(int fd, void *arg_)
{
	struct run_arg *a = arg_;
	char msg[64];
	int n;

	dup2(fd, 1);
	dup2(fd, 2);
	setenv("LC_ALL", "C", 1);
	setenv("SYSTEMD_PAGER", "", 1);
	setenv("SYSTEMD_COLORS", "0", 1);
	execvp(a->argv[0], (char *const *)a->argv);
	n = snprintf(msg, sizeof(msg), EXEC_FAILED "%d\n", errno);
	child_write(1, msg, (size_t)n);
	_exit(127);
}

int host_run(const char *const *argv, double timeout, struct buf *out, struct sbx_err *err)
{
	struct run_arg a = { argv };
	struct child c;
	const char *m;

	if (child_start(&c, run_child, &a, err) < 0)
		return -1;
	child_collect(&c, 1, timeout, NULL);
	if (!c.done) {
		sbx_err_set(err, ETIMEDOUT, "%s did not finish within %.1f s (killed)", argv[0], timeout);
		child_free(&c);
		return -1;
	}
	m = c.out.s ? strstr(c.out.s, EXEC_FAILED) : NULL;
	if (m) {
		int e = atoi(m + strlen(EXEC_FAILED));

		if (e == ENOENT)
			sbx_err_set(err, e, "%s: not installed (not in PATH)", argv[0]);
		else
			sbx_err_set(err, e, "%s: cannot run: %s", argv[0], strerror(e));
		child_free(&c);
		return -1;
	}
	buf_reset(out);
	if (c.out.len)
		buf_add(out, c.out.s, c.out.len);
	else
		buf_adds(out, "");
	child_free(&c);
	return 0;
}

static int unix_connect(const char *path, double timeout, struct sbx_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *p = rooted(path);
	struct pollfd pfd;
	int fd, rc, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (strlen(p) >= sizeof(sa.sun_path)) {
		sbx_err_set(err, ENAMETOOLONG, "%s: path too long for a unix socket", p);
		return -1;
	}
	memcpy(sa.sun_path, p, strlen(p) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		sbx_err_set(err, errno, "socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (rc < 0 && (errno == EAGAIN || errno == EINPROGRESS)) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		rc = poll(&pfd, 1, (int)(timeout * 1000));
		if (rc == 0) {
			close(fd);
			sbx_err_set(err, ETIMEDOUT, "%s: connect did not complete within %.1f s (backlog full: "
				    "nobody accepts)", p, timeout);
			return -1;
		}
		if (rc > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr) {
			errno = soerr;
			rc = -1;
		} else {
			rc = rc > 0 ? 0 : -1;
		}
	}
	if (rc < 0) {
		int e = errno;

		close(fd);
		if (e == ENOENT)
			sbx_err_set(err, e, "%s: no such socket", p);
		else if (e == ECONNREFUSED)
			sbx_err_set(err, e, "%s: connection refused (nobody listens)", p);
		else
			sbx_err_set(err, e, "%s: %s", p, strerror(e));
		return -1;
	}
	close(fd);
	return 0;
}

/* A capture records each socket's answer (.srebox/connect/PATH: the
 * errno, 0 for answered): its replay gives that answer in the same
 * words, not the unpacked copy's "no such socket". */
#define CONNECT_REC "/.srebox/connect"

int host_unix_answers(const char *path, double timeout, double *ms, struct sbx_err *err)
{
	char rec[4200], line[64];
	struct sbx_err e2;
	double t0;
	int rc;

	snprintf(rec, sizeof(rec), CONNECT_REC "%s%s", path[0] == '/' ? "" : "/", path);
	if (root_capture() && root_read_line(rec, line, sizeof(line), &e2) == 0) {
		char *end;
		long e = strtol(line, &end, 10);
		const char *p = rooted(path);

		if (end == line || e < 0 || e > 4095) {
			sbx_err_set(err, EINVAL, "%s: the capture's answer is not a number: '%.20s'",
				    rooted(rec), line);
			return -1;
		}
		*ms = strtod(end, NULL);
		if (!e)
			return 0;
		if (e == ENOENT)
			sbx_err_set(err, (int)e, "%s: no such socket", p);
		else if (e == ECONNREFUSED)
			sbx_err_set(err, (int)e, "%s: connection refused (nobody listens)", p);
		else if (e == ETIMEDOUT)
			sbx_err_set(err, (int)e, "%s: connect did not complete within %.1f s (backlog "
				    "full: nobody accepts)", p, timeout);
		else
			sbx_err_set(err, (int)e, "%s: %s", p, strerror((int)e));
		return -1;
	}
	t0 = now_monotonic();
	rc = unix_connect(path, timeout, err);
	*ms = (now_monotonic() - t0) * 1e3;
	if (root_recording()) {
		int n = snprintf(line, sizeof(line), "%d %.3f\n",
				 rc < 0 ? (err->errnum ? err->errnum : EIO) : 0, *ms);

		root_record_file(rec, line, (size_t)n);
	}
	return rc;
}

/* sd-journal, declared here: libsystemd-dev is not needed to build, and
 * libsystemd.so.0 is loaded only when a journal is read. */
typedef struct sd_journal sd_journal;
#define SD_JOURNAL_LOCAL_ONLY 1
#define SD_JOURNAL_SYSTEM 4

static struct {
	bool tried, ok;
	struct sbx_err err;
	int (*open)(sd_journal **, int);
	int (*open_directory)(sd_journal **, const char *, int);
	int (*open_files)(sd_journal **, const char **, int);
	void (*close)(sd_journal *);
	int (*add_match)(sd_journal *, const void *, size_t);
	int (*add_disjunction)(sd_journal *);
	int (*seek_realtime_usec)(sd_journal *, uint64_t);
	int (*next)(sd_journal *);
	int (*get_data)(sd_journal *, const char *, const void **, size_t *);
	int (*get_realtime_usec)(sd_journal *, uint64_t *);
} sdj;

static bool sdj_load(struct sbx_err *err)
{
	static const char *const sonames[] = { "libsystemd.so.0", NULL };
	const struct dl_sym syms[] = {
		{ "sd_journal_open", (void **)&sdj.open },
		{ "sd_journal_open_directory", (void **)&sdj.open_directory },
		{ "sd_journal_open_files", (void **)&sdj.open_files },
		{ "sd_journal_close", (void **)&sdj.close },
		{ "sd_journal_add_match", (void **)&sdj.add_match },
		{ "sd_journal_add_disjunction", (void **)&sdj.add_disjunction },
		{ "sd_journal_seek_realtime_usec", (void **)&sdj.seek_realtime_usec },
		{ "sd_journal_next", (void **)&sdj.next },
		{ "sd_journal_get_data", (void **)&sdj.get_data },
		{ "sd_journal_get_realtime_usec", (void **)&sdj.get_realtime_usec },
	};

	if (!sdj.tried) {
		sdj.tried = true;
		sdj.ok = dl_load(sonames, syms, ARRAY_SIZE(syms), "libsystemd0", &sdj.err) != NULL;
	}
	if (!sdj.ok)
		*err = sdj.err;
	return sdj.ok;
}

static int sdj_open(sd_journal **j, const char *where, struct sbx_err *err)
{
	struct stat st;
	int r;

	if (where) {
		if (stat(where, &st) < 0) {
			sbx_err_set(err, errno, "%s: %s", where, strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			r = sdj.open_directory(j, where, 0);
		} else {
			const char *files[] = { where, NULL };

			r = sdj.open_files(j, files, 0);
		}
		if (r < 0)
			sbx_err_set(err, -r, "%s: sd-journal cannot open it: %s", where, strerror(-r));
		return r < 0 ? -1 : 0;
	}
	if (!root_is_live()) {
		/* the host's persistent journal, else its volatile one */
		const char *dirs[] = { "/var/log/journal", "/run/log/journal" };

		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
			const char *d = rooted(dirs[i]);

			if (stat(d, &st) == 0 && S_ISDIR(st.st_mode) && sdj.open_directory(j, d, 0) >= 0)
				return 0;
		}
		sbx_err_set(err, ENOENT, "no journal under %s (no %s, no %s)", root_get(), dirs[0], dirs[1]);
		return -1;
	}
	r = sdj.open(j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
	if (r < 0) {
		sbx_err_set(err, -r, "the system journal: %s", strerror(-r));
		return -1;
	}
	return 0;
}

long host_journal_read(const char *where, const char *unit, double since, size_t max_entries,
		       journal_cb cb, void *arg, struct sbx_err *err)
{
	sd_journal *j = NULL;
	char m1[300], m2[300];
	long n = 0;
	int r;

	if (!sdj_load(err) || sdj_open(&j, where, err) < 0)
		return -1;
	/* the unit's own lines, and what systemd says about it (started,
	 * failed with result 'exit-code') */
	snprintf(m1, sizeof(m1), "_SYSTEMD_UNIT=%s", unit);
	snprintf(m2, sizeof(m2), "UNIT=%s", unit);
	if (sdj.add_match(j, m1, 0) < 0 || sdj.add_disjunction(j) < 0 || sdj.add_match(j, m2, 0) < 0) {
		sbx_err_set(err, EINVAL, "sd-journal: bad match %s", m1);
		sdj.close(j);
		return -1;
	}
	if (since > 0)
		sdj.seek_realtime_usec(j, (uint64_t)(since * 1e6));
	while ((size_t)n < max_entries && (r = sdj.next(j)) > 0) {
		const void *d;
		size_t l;
		uint64_t us = 0;

		if (sdj.get_data(j, "MESSAGE", &d, &l) < 0 || l < 8)
			continue;
		sdj.get_realtime_usec(j, &us);
		if ((double)us / 1e6 < since)
			continue;
		n++;
		if (cb(arg, (const char *)d + 8, l - 8, (double)us / 1e6))
			break;
	}
	sdj.close(j);
	return n;
}
