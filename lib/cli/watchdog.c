/* The run's deadline: the last line of "never hangs".
 *
 * Everything srebox asks that may wait on a server has a deadline of its
 * own (hung.c's helpers, libcurl's timeouts, child.c).  This catches the
 * rest: a --root on a mount that stopped answering (a capture on NFS, a
 * dead /host), a saved tree on a FUSE that holds its reads, a /proc read
 * stuck in the kernel.  A thread waits for the deadline; every wait of the
 * sampling loop (sbx_wait) moves it on, so it bounds each stretch of work,
 * not a run of -n 0.  When it passes, the thread says what the run was
 * doing (sbx_doing) and ends the process with exit status 3: _exit()
 * kills the stuck thread too, since FUSE and NFS waits are killable.
 *
 * A thread rather than alarm(2): no signal handler to race with the
 * sampling loop's own sleeps, and no SIGALRM left to children. */
#include "applet.h"
#include "hung.h"
#include "root.h"
#include "capfile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int ctl_fd = -1;	/* supervised: the parent's pipe */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static bool started;
static double deadline;		/* monotonic; 0: paused */
static double waiting_for;	/* the deadline the thread waits for; 0: none */
static double budget, extra;
static char applet[64];

static void (*on_fire)(void);

void sbx_watchdog_on_fire(void (*fn)(void))
{
	on_fire = fn;
}

static void fire(void)
{
	char doing[320], msg[700];
	int n;

	sbx_doing_get(doing, sizeof(doing));
	n = snprintf(msg, sizeof(msg),
		     "srebox %s: gave up after %gs without an answer%s%s (a hung --root, mount or "
		     "/proc read?); --deadline sets the limit\n",
		     applet, budget + extra, doing[0] ? ", " : "", doing);
	if (n > 0)
		(void)!write(ctl_fd >= 0 ? ctl_fd : 2, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	if (on_fire)
		on_fire();
	/* a capture being replayed: its unpacked copy goes too (tmpfs, quick) */
	capfile_close();
	_exit(3);
}

static void *watch(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		if (deadline <= 0) {
			waiting_for = 0;
			pthread_cond_wait(&cv, &mu);
			continue;
		}
		double d = deadline;
		struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };

		/* a deadline moved later meanwhile is found when this one passes */
		waiting_for = d;
		if (pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT && deadline > 0 &&
		    now_monotonic() >= deadline)
			fire();
	}
	return NULL;
}

void sbx_watchdog_start(const char *name, double seconds)
{
	pthread_condattr_t ca;
	pthread_attr_t ta;
	pthread_t th;
	sigset_t all, old;

	if (started || seconds <= 0)
		return;
	snprintf(applet, sizeof(applet), "%s", name);
	budget = seconds;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&ta, 64 * 1024);
	/* signals (Ctrl-C, SIGPIPE) stay with the main thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	deadline = now_monotonic() + budget;
	started = pthread_create(&th, &ta, watch, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&ta);
}

void sbx_watchdog_extend(double seconds)
{
	if (!started || seconds <= 0)
		return;
	pthread_mutex_lock(&mu);
	extra += seconds;
	if (deadline > 0)
		deadline += seconds;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

void sbx_watchdog_pause(bool paused)
{
	if (!started)
		return;
	pthread_mutex_lock(&mu);
	deadline = paused ? 0 : now_monotonic() + budget + extra;
	/* woken only for a deadline sooner than the one it waits for: each
	 * wait of the sampling loop pauses and resumes it, several times a
	 * second, and a wakeup each time cost top a thread switch */
	if (deadline > 0 && (waiting_for <= 0 || deadline < waiting_for))
		pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

/* --- a supervised run, for a --root that may wait on a server ------------
 *
 * A read that reached a FUSE server waits uninterruptibly (FUSE requests
 * already sent cannot be killed), so a process stuck in one cannot exit,
 * and the watchdog's _exit() would leave the shell waiting.  When --root
 * sits on a network or FUSE mount the run is therefore split: the child
 * does the work, and its watchdog tells the parent through a pipe; the
 * parent relays the child's output (only where it is not a terminal: a
 * pipe must see its end when srebox ends, and a terminal keeps isatty()
 * right for the child), prints the message and exits 3, leaving the stuck
 * child behind (killed, never waited for).  A root on a local disk, and
 * the live machine, are not split: no fork, no cost. */
static volatile sig_atomic_t got_signal;

/* The supervised child's last word: its exit status, and whether a read
 * of the root is still stuck in it (then it may never finish exiting, and
 * its pipes never close). */
static void tell_parent(int status, void *arg)
{
	char b[64];
	int n;

	(void)arg;
	fflush(stdout);
	fflush(stderr);
	n = snprintf(b, sizeof(b), "\001exit %d%s\n", status & 0xff, root_stuck(NULL) ? " stuck" : "");
	(void)!write(ctl_fd, b, (size_t)n);
}

static void relay(int from, int to, bool *open_);

/* Relay whatever the pipes hold now, never waiting for more. */
static void relay_ready(int fd, int to, bool *open_)
{
	for (int i = 0; i < 100000 && *open_; i++) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 0) <= 0 || !p.revents)
			return;
		relay(fd, to, open_);
	}
}

/* The child may stay stuck on the root: record it, so that the next run
 * does not leave one more. */
static void left_behind(const char *root, pid_t pid, double t0)
{
	struct timespec ts = { 0, 20 * 1000000L };

	nanosleep(&ts, NULL);	/* a child that can exit has done so */
	if (waitpid(pid, NULL, WNOHANG) != pid)
		hung_own_left(root, "root-reader", pid, t0);
}

static void on_sig(int sig)
{
	got_signal = sig;
}

static void relay(int from, int to, bool *open_)
{
	char b[16384];
	ssize_t n = read(from, b, sizeof(b));

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		*open_ = false;
		return;
	}
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, b + off, (size_t)(n - off));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;	/* the reader went away: the child finds out itself */
		off += w;
	}
}

void sbx_supervise(const char *name, const char *root)
{
	int ctl[2], out[2] = { -1, -1 }, err[2] = { -1, -1 };
	bool pipe_out = !isatty(1), pipe_err = !isatty(2);
	bool out_open, err_open, ctl_open = true;
	struct buf msg = { 0 };
	double signalled = 0, t0 = now_realtime(), since;
	pid_t pid;
	int status;

	if (hung_own_stuck(root, "root-reader", &pid, &since)) {
		char age[32];

		fmt_duration(age, sizeof(age), t0 - since);
		fprintf(stderr, "srebox %s: --root %s: an earlier srebox (pid %d) has been stuck "
			"reading it for %s (its server stopped answering?); not read again until "
			"it is gone\n", name, root, (int)pid, age);
		exit(3);
	}

	if (pipe2(ctl, O_CLOEXEC) < 0 || (pipe_out && pipe2(out, O_CLOEXEC) < 0) ||
	    (pipe_err && pipe2(err, O_CLOEXEC) < 0))
		return;	/* unsupervised: the watchdog alone */
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		close(ctl[0]);
		ctl_fd = ctl[1];
		if (pipe_out) {
			dup2(out[1], 1);
			close(out[0]);
			close(out[1]);
		}
		if (pipe_err) {
			dup2(err[1], 2);
			close(err[0]);
			close(err[1]);
		}
		on_exit(tell_parent, NULL);
		return;	/* the child runs the applet */
	}
	close(ctl[1]);
	if (pipe_out)
		close(out[1]);
	if (pipe_err)
		close(err[1]);
	out_open = pipe_out;
	err_open = pipe_err;
	{
		struct sigaction sa = { .sa_handler = on_sig };

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		signal(SIGPIPE, SIG_IGN);
	}
	while (ctl_open || out_open || err_open) {
		struct pollfd p[3] = { { ctl_open ? ctl[0] : -1, POLLIN, 0 },
				       { out_open ? out[0] : -1, POLLIN, 0 },
				       { err_open ? err[0] : -1, POLLIN, 0 } };

		if (got_signal) {
			/* Ctrl-C reached the child too (one process group);
			 * SIGTERM from a supervisor did not: pass it on, and give
			 * it 2 s to finish (it may be stuck where no signal helps) */
			kill(pid, got_signal);
			got_signal = 0;
			if (!signalled)
				signalled = now_monotonic();
		}
		if (signalled && now_monotonic() - signalled > 2) {
			kill(pid, SIGKILL);
			_exit(3);
		}
		if (poll(p, 3, signalled ? 100 : -1) < 0)
			continue;
		if (p[0].revents) {
			char b[1024];
			ssize_t n = read(ctl[0], b, sizeof(b));

			if (n > 0)
				buf_add(&msg, b, (size_t)n);
			else if (n == 0 || errno != EINTR)
				ctl_open = false;
			/* the child ended its work ("\1exit N"), or its watchdog
			 * fired (a whole line): it may never finish exiting, so
			 * pass on what it wrote and go */
			if (msg.len && memchr(msg.s, '\n', msg.len)) {
				int st = 3;

				relay_ready(out[0], 1, &out_open);
				relay_ready(err[0], 2, &err_open);
				if (msg.s[0] == '\001') {
					if (sscanf(msg.s + 1, "exit %d", &st) != 1)
						st = 3;
					if (!strstr(msg.s, " stuck\n")) {
						while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
							;
						_exit(st);
					}
				} else {
					(void)!write(2, msg.s, msg.len);
				}
				kill(pid, SIGKILL);
				left_behind(root, pid, t0);
				_exit(st);
			}
		}
		if (p[1].revents)
			relay(out[0], 1, &out_open);
		if (p[2].revents)
			relay(err[0], 2, &err_open);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	(void)name;
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 3);
}
