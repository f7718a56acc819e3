#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool child_write(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

int child_start(struct child *c, void (*fn)(int fd, void *arg), void *arg, struct sbx_err *err)
{
	int p[2];

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	/* earlier children that have exited since (srebox forks no others) */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (pipe2(p, O_CLOEXEC) < 0) {
		sbx_err_set(err, errno, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0) {
		sbx_err_set(err, errno, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (c->pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		/* Let go of srebox's output at once: a pipe reader must not
		 * wait for this process to die. */
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		fn(p[1], arg);
		_exit(0);
	}
	close(p[1]);
	c->fd = p[0];
	c->started = now_monotonic();
	return 0;
}

/* It closed its pipe, so every thread of it is past exit_files(): it is
 * all but gone.  Collect it (so that its CPU time is accounted to srebox,
 * as time(1) and hyperfine expect), but never block: a bounded number of
 * WNOHANG tries, then the next child_start or srebox's exit collects it. */
static void reap(struct child *c)
{
	for (int i = 0; i < 400; i++) {
		struct timespec ts = { 0, 50000 };
		pid_t r = waitpid(c->pid, NULL, WNOHANG);

		if (r == c->pid || (r < 0 && errno != EINTR))
			return;
		nanosleep(&ts, NULL);
	}
}

/* Read what is there; true at EOF. */
static bool drain(struct child *c)
{
	for (;;) {
		ssize_t n;

		buf_grow(&c->out, 65536);
		n = read(c->fd, c->out.s + c->out.len, c->out.alloc - c->out.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n <= 0) {
			close(c->fd);
			c->fd = -1;
			c->done = true;
			reap(c);
			return true;
		}
		c->out.len += (size_t)n;
		c->out.s[c->out.len] = '\0';
		/* a blocking fd: one read per poll wake-up */
		return false;
	}
}

/* Read all it has written so far, never waiting for more. */
static void drain_ready(struct child *c)
{
	for (int i = 0; i < 4096 && c->fd >= 0; i++) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

		if (poll(&pfd, 1, 0) <= 0 || !pfd.revents)
			return;
		drain(c);
	}
}

void child_abandon(struct child *c)
{
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	if (!c->done && !c->abandoned && c->pid > 0) {
		kill(c->pid, SIGKILL);
		/* already dead or exiting? reap it if that costs no wait */
		waitpid(c->pid, NULL, WNOHANG);
	}
	if (!c->done)
		c->abandoned = true;
}

void child_collect(struct child *cs, size_t n, double timeout, volatile int *stop)
{
	struct pollfd *pfd = xcalloc(n + 1, sizeof(*pfd));
	size_t *map = xcalloc(n + 1, sizeof(*map));

	for (;;) {
		size_t np = 0;
		double now = now_monotonic(), next = 0;
		/* a stop signal (sleep_wake) ends the wait too: Ctrl-C during a
		 * statfs of a hung mount is not held for the deadline */
		bool stopped = (stop && *stop) || sleep_stopped();
		int ms;

		for (size_t i = 0; i < n; i++) {
			struct child *c = &cs[i];

			if (c->fd < 0)
				continue;
			if (now >= c->started + timeout || stopped) {
				/* what it said before the deadline is its answer, even
				 * when srebox was busy elsewhere meanwhile: read it first */
				drain_ready(c);
				if (c->fd >= 0)
					child_abandon(c);
				continue;
			}
			if (np == 0 || c->started + timeout < next)
				next = c->started + timeout;
			pfd[np] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
			map[np++] = i;
		}
		if (np == 0)
			break;
		ms = (int)((next - now) * 1000) + 1;
		if (sleep_wake_fd() >= 0)
			pfd[np] = (struct pollfd){ .fd = sleep_wake_fd(), .events = POLLIN };
		if (poll(pfd, np + (sleep_wake_fd() >= 0), ms) < 0 && errno != EINTR)
			break;
		for (size_t k = 0; k < np; k++)
			if (pfd[k].revents)
				drain(&cs[map[k]]);
	}
	free(pfd);
	free(map);
}

bool child_read_until(struct child *c, double until)
{
	while (c->fd >= 0) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		double left = until - now_monotonic();

		if (left <= 0)
			return false;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			return false;
		if (pfd.revents)
			drain(c);
	}
	return c->done;
}

void child_free(struct child *c)
{
	if (c->fd >= 0 || (!c->done && !c->abandoned))
		child_abandon(c);
	buf_free(&c->out);
}
