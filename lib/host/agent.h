/* What a Kubernetes node's agents need from the machine, each with a
 * deadline: a helper command's output (systemctl, iptables-save, nft) from
 * a child that is killed, not waited for, when late; a unix socket that
 * answers connect() (the container runtime's); the kubelet's journal
 * through libsystemd's sd-journal, loaded with dlopen by the applets that
 * read it (the journal's files under --root: a DaemonSet's /host). */
#ifndef SREBOX_HOST_AGENT_H
#define SREBOX_HOST_AGENT_H

#include "util.h"

/* Run argv (PATH searched, LC_ALL=C, stdin /dev/null) with stdout and
 * stderr into out, for at most timeout seconds.  0 when it finished (its
 * exit status is not known: child.c never waits for a child, so callers
 * judge the output); -1 with err when it could not start ("not installed"
 * for ENOENT) or did not finish in time (then it is killed). */
int host_run(const char *const *argv, double timeout, struct buf *out, struct sbx_err *err);

/* connect() to a unix socket (under the root) within timeout seconds.
 * 0, or -1 with err (ENOENT: no such socket, ECONNREFUSED: nobody listens,
 * ETIMEDOUT: the backlog is full and nobody accepts); *ms: how long the
 * connect took.  A capture records the answer and its time, and its
 * replay gives them back. */
int host_unix_answers(const char *path, double timeout, double *ms, struct sbx_err *err);

/* Each entry of `unit` in the journal newer than `since` (epoch seconds),
 * oldest first: cb gets its MESSAGE and time; nonzero from cb stops.
 * `where` is a journal directory or a file (given), or NULL for the
 * system's journal (under the root, its /var/log/journal and
 * /run/log/journal).  At most max_entries entries are read.  Returns the
 * number of entries read, or -1 with err (libsystemd missing, no journal). */
typedef int (*journal_cb)(void *arg, const char *msg, size_t n, double when);
long host_journal_read(const char *where, const char *unit, double since, size_t max_entries,
		       journal_cb cb, void *arg, struct sbx_err *err);

#endif
