/* The user, cgroup and pod of a process: see owner.h. */
#include "owner.h"
#include "hung.h"
#include "cgroup.h"
#include "root.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct pod_name {
	char uid[72];
	char pod[160];
};

static struct pod_name *pods;
static size_t npods, apods;
static bool pods_read;

struct user_name {
	uint32_t uid;
	char name[40];
};

static struct user_name *users;
static size_t nusers, ausers;
static bool users_read;

/* The cgroups read lately, for a view that asks again each sample: the
 * cgroup file is dearer to the kernel than a task's stat (it takes the
 * cgroup lock and prints a path per hierarchy), and a process seldom
 * moves.  A kept cgroup is of the same process: the /proc/PID directory
 * it was read under is still there (its inode; the kernel makes a new
 * one for a new process with a reused PID).  It is read again once
 * owner_keep seconds old (10), so a process moved to another cgroup shows in
 * its new one that much later at most. */
static double owner_keep = 10.0;
struct kept_cgroup {
	int32_t pid;
	dev_t dev;
	ino_t ino;
	double at;		/* monotonic */
	struct proc_owner o;	/* its cgroup, pod and container; why */
};

/* kept[] in the order read, found by PID through slot[] (open
 * addressing, a power of two at least twice nkept; 0 is empty, else the
 * index + 1).  When kept[] is full, the entries too old to be used are
 * dropped first, so it holds what was asked for in the last owner_keep
 * seconds. */
static struct kept_cgroup *kept;
static size_t nkept, akept;
static uint32_t *slot;
static size_t nslot;

void proc_owner_reset(void)
{
	free(pods);
	pods = NULL;
	npods = apods = 0;
	pods_read = false;
	free(users);
	users = NULL;
	nusers = ausers = 0;
	users_read = false;
	free(kept);
	kept = NULL;
	nkept = akept = 0;
	free(slot);
	slot = NULL;
	nslot = 0;
}

void proc_owner_keep(double seconds)
{
	owner_keep = seconds;
}

static size_t slot_of(int32_t pid)
{
	size_t i = ((uint32_t)pid * 2654435761u) & (nslot - 1);

	while (slot[i] && kept[slot[i] - 1].pid != pid)
		i = (i + 1) & (nslot - 1);
	return i;
}

static void reindex(void)
{
	size_t want = 16;

	while (want < 2 * akept)
		want *= 2;
	free(slot);
	slot = xcalloc(want, sizeof(*slot));
	nslot = want;
	for (size_t i = 0; i < nkept; i++)
		slot[slot_of(kept[i].pid)] = (uint32_t)(i + 1);
}

/* The entry kept for pid, fresh or not; NULL none. */
static struct kept_cgroup *kept_of(int32_t pid)
{
	size_t i;

	if (!nslot)
		return NULL;
	i = slot_of(pid);
	return slot[i] ? &kept[slot[i] - 1] : NULL;
}

/* Keep o as pid's cgroup: in its old entry, else in a new one. */
static void keep(struct kept_cgroup *k, int32_t pid, const struct stat *st, double now,
		 const struct proc_owner *o)
{
	if (!k) {
		if (nkept == akept) {
			size_t j = 0;

			for (size_t i = 0; i < nkept; i++)
				if (now - kept[i].at <= owner_keep)
					kept[j++] = kept[i];
			nkept = j;
			if (nkept >= akept / 2)
				ALLOC_GROW(kept, nkept + 1, akept);
			reindex();
		}
		k = &kept[nkept];
		slot[slot_of(pid)] = (uint32_t)++nkept;
	}
	*k = (struct kept_cgroup){ .pid = pid, .dev = st->st_dev, .ino = st->st_ino, .at = now, .o = *o };
}

/* The names are the tree's: read again when the tree in force changes
 * (a capture's second snapshot, replayed, has its own /etc/passwd). */
static char names_root[4096];

static void names_of_root(void)
{
	if (strcmp(names_root, root_get())) {
		proc_owner_reset();
		snprintf(names_root, sizeof(names_root), "%s", root_get());
	}
}

static void read_pods(void)
{
	struct sbx_err err;
	DIR *d;
	struct dirent *e;

	pods_read = true;
	d = root_opendir("/var/log/pods", &err);
	if (!d)
		return;
	while ((e = readdir(d)) && npods < 100000) {
		struct pod_name p;

		if (e->d_name[0] == '.' || !parse_pod_log_dir(e->d_name, p.pod, sizeof(p.pod), p.uid, sizeof(p.uid)))
			continue;
		ALLOC_GROW(pods, npods + 1, apods);
		pods[npods++] = p;
	}
	closedir(d);
}

static void read_users(void)
{
	struct buf b = { 0 };
	struct sbx_err err;
	char *p, *eol;

	users_read = true;
	if (root_read("/etc/passwd", &b, &err) < 0) {
		buf_free(&b);	/* root_read allocates even when the open fails */
		return;
	}
	for (p = b.s; p && *p; p = eol ? eol + 1 : NULL) {
		char *f[4] = { p };
		unsigned nf = 1;
		char *end;
		unsigned long uid;

		eol = strchr(p, '\n');
		if (eol)
			*eol = '\0';
		for (char *c = p; *c && nf < 4; c++)
			if (*c == ':') {
				*c = '\0';
				f[nf++] = c + 1;
			}
		if (nf < 4 || !f[0][0] || strlen(f[0]) >= sizeof(users[0].name))
			continue;
		errno = 0;
		uid = strtoul(f[2], &end, 10);
		if (errno || end == f[2] || *end || uid > UINT32_MAX)
			continue;
		ALLOC_GROW(users, nusers + 1, ausers);
		users[nusers].uid = (uint32_t)uid;
		snprintf(users[nusers].name, sizeof(users[nusers].name), "%s", f[0]);
		nusers++;
	}
	buf_free(&b);
}

bool owner_pod_name(const char *uid, char *out, size_t n)
{
	names_of_root();
	if (!pods_read)
		read_pods();
	for (size_t i = 0; i < npods; i++)
		if (!strcmp(pods[i].uid, uid)) {
			snprintf(out, n, "%s", pods[i].pod);
			return true;
		}
	snprintf(out, n, "uid %s", uid);
	return false;
}

/* o's cgroup, pod and container, or why the cgroup is unknown. */
static void read_cgroup(int32_t pid, struct proc_owner *o)
{
	struct buf b = { 0 };
	struct sbx_err err;
	char fname[48];

	snprintf(fname, sizeof(fname), "/proc/%d/cgroup", (int)pid);
	if (root_read(fname, &b, &err) < 0) {
		snprintf(o->why, sizeof(o->why), "%s", err.msg);
	} else if (parse_proc_cgroup(b.s ? b.s : "", b.len, fname, o->cgroup, sizeof(o->cgroup), &err) < 0) {
		snprintf(o->why, sizeof(o->why), "%s", err.msg);
	} else {
		struct k8s_cgroup k;

		o->has_cgroup = true;
		if (k8s_cgroup_parse(o->cgroup, &k) && k.level >= K8S_POD && k.pod_uid[0]) {
			o->has_pod = true;
			owner_pod_name(k.pod_uid, o->pod, sizeof(o->pod));
			if (k.level == K8S_CONTAINER)
				snprintf(o->container, sizeof(o->container), "%.12s", k.container_id);
		}
	}
	buf_free(&b);
}

void proc_owner(int32_t pid, struct proc_owner *o)
{
	struct stat st;
	char fname[48];
	bool has_st;
	double now = now_monotonic();
	struct kept_cgroup *k = NULL;

	memset(o, 0, sizeof(*o));
	names_of_root();
	/* The directory's owner is the effective uid, as ps shows it: for a
	 * process that is not dumpable (one that dropped root without exec)
	 * the kernel makes the files in it root's, never the directory. */
	snprintf(fname, sizeof(fname), "/proc/%d", (int)pid);
	has_st = root_stat(fname, &st) == 0;
	if (has_st)
		k = kept_of(pid);
	if (k && k->dev == st.st_dev && k->ino == st.st_ino && now - k->at <= owner_keep) {
		*o = k->o;
	} else {
		read_cgroup(pid, o);
		if (has_st)
			keep(k, pid, &st, now, o);
	}
	if (has_st) {
		o->has_uid = true;
		o->uid = (uint32_t)st.st_uid;
		if (!users_read)
			read_users();
		snprintf(o->user, sizeof(o->user), "%u", o->uid);
		for (size_t i = 0; i < nusers; i++)
			if (users[i].uid == o->uid) {
				snprintf(o->user, sizeof(o->user), "%s", users[i].name);
				break;
			}
	}
}
