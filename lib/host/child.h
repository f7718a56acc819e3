/* Work that may never return, done where srebox can walk away from it.
 *
 * A statfs, stat or read that has reached a dead NFS or FUSE server waits
 * uninterruptibly: no signal frees the thread, and a process with such a
 * thread does not finish exiting, so a thread with a timeout is not enough
 * (srebox would hang at exit instead).  So the work runs in a forked child
 * that writes its answer to a pipe; the parent reads with a deadline and,
 * when the deadline passes, kills the child, closes the pipe and never
 * waits for it again.  The child's stdout and stderr are /dev/null, so a
 * reader of srebox's output (`srebox disk | cat`) sees EOF when srebox
 * exits, whatever the child is stuck in. */
#ifndef SREBOX_CHILD_H
#define SREBOX_CHILD_H

#include "util.h"

#include <sys/types.h>

struct child {
	pid_t pid;
	int fd;			/* read end; -1 once closed */
	struct buf out;		/* everything the child wrote */
	double started;		/* monotonic */
	bool done;		/* EOF: the child finished */
	bool abandoned;		/* the deadline passed first */
};

/* Fork a child that runs fn(fd, arg), writing its answer to fd, and exits.
 * Returns 0, or -1 with err set (fork or pipe failed). */
int child_start(struct child *c, void (*fn)(int fd, void *arg), void *arg, struct sbx_err *err);

/* Read from every child still running until each has finished or its
 * `timeout` (seconds since it started) has passed; abandon the late ones.
 * *stop (may be NULL) ends the wait early, abandoning the rest. */
void child_collect(struct child *cs, size_t n, double timeout, volatile int *stop);

/* Read from one child until it finishes or `until` (monotonic) passes,
 * without abandoning it.  Returns true when it finished. */
bool child_read_until(struct child *c, double until);

/* Kill and forget a child (SIGKILL, close the pipe, no wait). */
void child_abandon(struct child *c);

void child_free(struct child *c);

/* Write all of buf to fd (the child side); false on error. */
bool child_write(int fd, const void *p, size_t n);

#endif
