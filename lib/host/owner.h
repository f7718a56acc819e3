/* Who owns a process: its user, its cgroup and, on a Kubernetes node, its
 * pod, for naming the culprit behind a finding ("cc1 (pid 812) 62% [pod
 * default/web-1]").  Everything is read under the root (--root), so a
 * DaemonSet pod with the host under /host names the host's processes.
 *
 * Pod names come from the kubelet's /var/log/pods/NAMESPACE_NAME_UID
 * directories (one readdir per run, on first use): the node's own record
 * of its pods, readable without the API server.  A pod the directory does
 * not list is named by its UID.  User names come from the root's
 * /etc/passwd (read once), not NSS, so they are the host's under --root. */
#ifndef SREBOX_OWNER_H
#define SREBOX_OWNER_H

#include "util.h"

struct proc_owner {
	bool has_uid;
	uint32_t uid;
	char user[40];		/* passwd name, else the number */
	bool has_cgroup;
	char cgroup[256];	/* "/system.slice/kubelet.service" */
	bool has_pod;
	char pod[160];		/* "NAMESPACE/NAME", or "uid UID" when no log dir names it */
	char container[16];	/* the container id's first 12 characters, "" none */
	char why[320];		/* why the cgroup is unknown (an sbx_err message) */
};

/* Fill o for process pid.  Never fails: what could not be read is marked
 * unknown (has_* false) with the reason in why.  The user is read each
 * time; the cgroup (and so the pod) is kept for a view that asks each
 * sample, while the same /proc/PID directory stands (a reused PID is a
 * new one), for at most 10 seconds: a process moved to another cgroup
 * shows there that much later at most. */
void proc_owner(int32_t pid, struct proc_owner *o);

/* How long a cgroup read is kept (tests; 0 reads it each time). */
void proc_owner_keep(double seconds);

/* The pod with UID uid as "NAMESPACE/NAME" from its log directory; false,
 * with "uid UID" in out, when no log directory names it.  For every
 * applet that names a pod it found by its cgroup (cpu, throttle, top). */
bool owner_pod_name(const char *uid, char *out, size_t n);

/* Forget the pod and user tables read so far (tests; a long-running view
 * refreshes them between samples). */
void proc_owner_reset(void);	/* read the names again (each snapshot of a capture) */

#endif
