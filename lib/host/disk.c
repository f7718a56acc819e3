#include "disk.h"

#include "child.h"
#include "kmsg.h"
#include "root.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/klog.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

double fs_used_ratio(const struct disk_fs *f)
{
	double used = (double)fs_used(f), avail = (double)fs_avail(f);

	return used + avail > 0 ? used / (used + avail) : NAN;
}

double fs_inodes_used_ratio(const struct disk_fs *f)
{
	if (f->files == 0)
		return NAN;
	return (double)(f->files - (f->ffree < f->files ? f->ffree : f->files)) / (double)f->files;
}

int disk_read_mounts(struct disk_snap *s, struct sbx_err *err)
{
	memset(s, 0, sizeof(*s));
	if (mnt_read(&s->mt, s->source, sizeof(s->source), err) < 0)
		return -1;
	s->fs = xcalloc(s->mt.n, sizeof(*s->fs));
	return 0;
}

void disk_fs_free(struct disk_fs *fs, size_t n)
{
	for (size_t i = 0; fs && i < n; i++)
		free(fs[i].why);
	free(fs);
}

void disk_snap_free(struct disk_snap *s)
{
	disk_fs_free(s->fs, s->mt.n);
	mnt_table_free(&s->mt);
	memset(s, 0, sizeof(*s));
}

static void fill(struct disk_fs *f, const struct statfs *st)
{
	f->status = FS_OK;
	f->bsize = st->f_frsize ? (uint64_t)st->f_frsize : (uint64_t)st->f_bsize;
	f->blocks = st->f_blocks;
	f->bfree = st->f_bfree;
	f->bavail = st->f_bavail;
	f->files = st->f_files;
	f->ffree = st->f_ffree;
}

void disk_probe(struct disk_snap *s, const bool *want, double timeout)
{
	/* each asked mount's is set whole below: 1.3 KB a mount, for
	 * every mount of a node with hundreds of pod mounts, not zeroed */
	struct fsq *q = xreallocarray(NULL, s->mt.n + 1, sizeof(*q));
	size_t *at = xcalloc(s->mt.n + 1, sizeof(size_t)), n = 0;
	double t0 = now_monotonic();

	for (size_t i = 0; i < s->mt.n; i++) {
		if (want ? !want[i] : s->mt.m[i].hide != MNT_SHOWN)
			continue;
		q[n] = (struct fsq){ .op = FSQ_STATFS, .path = s->mt.m[i].point, .m = &s->mt.m[i] };
		at[n++] = i;
	}
	fs_ask(q, n, timeout);
	for (size_t k = 0; k < n; k++) {
		struct disk_fs *f = &s->fs[at[k]];
		const char *path = rooted(s->mt.m[at[k]].point);
		char why[800];

		s->nchildren += q[k].forked;
		if (!q[k].err) {
			fill(f, &q[k].sfs);
		} else if (q[k].why[0]) {
			f->status = FS_ERROR;
			snprintf(why, sizeof(why), "statfs %s: %s", path, q[k].why);
		} else if (q[k].err == ETIMEDOUT) {
			f->status = FS_HUNG;
			hung_text(&q[k].hung, FSQ_STATFS, why, sizeof(why));
		} else {
			f->status = FS_ERROR;
			snprintf(why, sizeof(why), "statfs %s: %s", path, sbx_errno_word(q[k].err));
		}
		if (f->status != FS_OK) {
			free(f->why);
			f->why = xstrdup(why);
		}
	}
	free(q);
	free(at);
	s->when = root_clock();	/* a capture: its own clock */
	s->probe_seconds = s->when - t0;
}

long disk_mount_of(const struct disk_snap *s, const char *path, double timeout,
		   struct sbx_err *err)
{
	char fullc[4096];
	long lex = mnt_find_path(&s->mt, path), i;
	struct stat st;

	snprintf(fullc, sizeof(fullc), "%s", rooted(path));
	if (sbx_stat_deadline(path, &st, timeout, err) < 0)
		return -1;
	i = mnt_find_dev(&s->mt, major(st.st_dev), minor(st.st_dev));
	/* btrfs subvolumes and the like: st_dev is not the mount's; the
	 * longest mount point that holds the path is (realpath's lstats are
	 * not guarded: not on a mount that may hang). */
	if (i < 0 && root_is_live() && lex >= 0 && !s->mt.m[lex].suspect) {
		char *real = realpath(fullc, NULL);

		if (real) {
			i = mnt_find_path(&s->mt, real);
			free(real);
		}
	}
	if (i < 0)
		i = lex;
	if (i >= 0 && s->mt.m[i].hide == MNT_HIDE_BIND && s->mt.m[i].same_as >= 0)
		i = s->mt.m[i].same_as;
	if (i < 0)
		sbx_err_set(err, 0, "%s: on no mount in %s", fullc, s->source);
	return i;
}

const char *disk_runtime_dir(double timeout)
{
	static const char *const dirs[] = { "/var/lib/containerd", "/var/lib/containers/storage",
					    "/var/lib/docker" };
	struct stat st;
	struct sbx_err err;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (sbx_stat_deadline(dirs[i], &st, timeout, &err) == 0 && S_ISDIR(st.st_mode))
			return dirs[i];
	return NULL;
}

void disk_signals(const struct disk_snap *s, const char *kubelet_dir, const char *runtime_dir,
		  double timeout, struct disk_signal out[SIG_N])
{
	static const struct {
		const char *name;
		bool image, inodes;
		double hard;
	} defs[SIG_N] = {
		[SIG_NODEFS_AVAIL] = { "nodefs.available", false, false, 10 },
		[SIG_NODEFS_INODES] = { "nodefs.inodesFree", false, true, 5 },
		[SIG_IMAGEFS_AVAIL] = { "imagefs.available", true, false, 15 },
		[SIG_IMAGEFS_INODES] = { "imagefs.inodesFree", true, true, 5 },
	};
	long node = -1, image = -1;
	struct sbx_err nerr = { 0 }, ierr = { 0 };

	if (kubelet_dir)
		node = disk_mount_of(s, kubelet_dir, timeout, &nerr);
	if (runtime_dir)
		image = disk_mount_of(s, runtime_dir, timeout, &ierr);
	for (int k = 0; k < SIG_N; k++) {
		struct disk_signal *g = &out[k];
		long m = defs[k].image ? image : node;
		const struct disk_fs *f;

		memset(g, 0, sizeof(*g));
		g->name = defs[k].name;
		g->dir = defs[k].image ? runtime_dir : kubelet_dir;
		g->hard_pct = defs[k].hard;
		g->inodes = defs[k].inodes;
		g->mount = m;
		g->pct = NAN;
		if (!g->dir) {
			snprintf(g->why, sizeof(g->why), "%s",
				 defs[k].image ? "no container runtime dir found" : "no kubelet dir");
			g->mount = -1;
			continue;
		}
		if (m < 0) {
			snprintf(g->why, sizeof(g->why), "%s", (defs[k].image ? ierr : nerr).msg);
			continue;
		}
		f = &s->fs[m];
		if (f->status != FS_OK) {
			snprintf(g->why, sizeof(g->why), "%.399s",
				 f->status == FS_NOT_PROBED ? "not probed" : fs_why(f));
			g->mount = -1;
			continue;
		}
		/* cadvisor's figures: available = f_bavail * f_frsize,
		 * capacity = f_blocks * f_frsize, inodesFree = f_ffree */
		if (g->inodes) {
			g->avail = f->ffree;
			g->capacity = f->files;
		} else {
			g->avail = fs_avail(f);
			g->capacity = fs_size(f);
		}
		if (g->capacity)
			g->pct = (double)g->avail / (double)g->capacity * 100;
		else
			snprintf(g->why, sizeof(g->why), "%s reports no %s limit", s->mt.m[m].point,
				 g->inodes ? "inode" : "size");
	}
}

bool disk_dev_name(unsigned major, unsigned minor, char *out, size_t n)
{
	char link[512];
	const char *path = rootedf("/sys/dev/block/%u:%u", major, minor);
	ssize_t l = readlink(path, link, sizeof(link) - 1);
	const char *base;

	if (l <= 0)
		return false;
	link[l] = '\0';
	base = strrchr(link, '/');
	snprintf(out, n, "%s", base ? base + 1 : link);
	return out[0] != '\0';
}

/* --- deleted files still open ------------------------------------------ */

struct del_rec {
	int32_t pid;
	uint32_t major, minor, pathlen;
	uint64_t ino, size, blocks;
	char comm[64];
};

static bool only_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void deleted_child(int fd, void *arg)
{
	DIR *proc = opendir(rooted("/proc"));
	struct dirent *de;
	uint32_t denied = 0;

	(void)arg;
	if (!proc)
		return;
	while ((de = readdir(proc))) {
		char fddir[300], comm[64] = "";
		bool hidden = false;
		DIR *fds;
		struct dirent *fe;
		struct sbx_err e;

		if (!only_digits(de->d_name))
			continue;
		snprintf(fddir, sizeof(fddir), "/proc/%s/fd", de->d_name);
		fds = opendir(rooted(fddir));
		if (!fds) {
			if (errno == EACCES || errno == EPERM)
				denied++;
			continue;
		}
		while ((fe = readdir(fds))) {
			char lpath[4096 + 600], target[4096];
			ssize_t l;
			struct statx sx;
			struct del_rec r = { 0 };

			if (!only_digits(fe->d_name))
				continue;
			snprintf(lpath, sizeof(lpath), "%s%s/%s", root_get(), fddir, fe->d_name);
			l = readlink(lpath, target, sizeof(target) - 1);
			if (l < 0 && (errno == EACCES || errno == EPERM) && !hidden) {
				hidden = true;
				denied++;
			}
			if (l <= 10)
				continue;
			target[l] = '\0';
			if (!str_ends(target, " (deleted)") || target[0] != '/' ||
			    str_starts(target, "/memfd:"))
				continue;
			/* cached attributes only: a dead server cannot hold us here */
			if (statx(AT_FDCWD, lpath, AT_STATX_DONT_SYNC,
				  STATX_TYPE | STATX_INO | STATX_NLINK | STATX_SIZE | STATX_BLOCKS,
				  &sx) < 0)
				continue;
			/* another name still holds the data: closing frees nothing */
			if (sx.stx_nlink > 0 || !S_ISREG(sx.stx_mode))
				continue;
			if (!comm[0]) {
				char cpath[300];

				snprintf(cpath, sizeof(cpath), "/proc/%s/comm", de->d_name);
				if (root_read_line(cpath, comm, sizeof(comm), &e) < 0)
					snprintf(comm, sizeof(comm), "?");
			}
			r.pid = atoi(de->d_name);
			r.major = sx.stx_dev_major;
			r.minor = sx.stx_dev_minor;
			r.ino = sx.stx_ino;
			r.size = sx.stx_size;
			r.blocks = sx.stx_blocks;
			memcpy(r.comm, comm, sizeof(r.comm));
			target[l - 10] = '\0';
			r.pathlen = (uint32_t)(l - 10);
			if (!child_write(fd, "D", 1) || !child_write(fd, &r, sizeof(r)) ||
			    !child_write(fd, target, r.pathlen))
				goto out;
		}
		closedir(fds);
	}
	if (child_write(fd, "E", 1))
		child_write(fd, &denied, sizeof(denied));
out:
	closedir(proc);
}

/* A capture holds the scan's answer (.srebox/deleted), not the fd links:
 * replayed, the answer is read back; a capture without it says so. */
static bool replay_deleted(struct child *c, struct disk_deleted_set *out)
{
	struct sbx_err err;
	struct stat st;

	if (root_is_live() || stat(rooted("/.srebox"), &st) != 0)
		return false;
	memset(c, 0, sizeof(*c));
	c->done = true;
	c->fd = -1;
	c->pid = -1;
	if (read_file(rooted("/.srebox/deleted"), &c->out, 64u << 20, &err) < 0)
		snprintf(out->why, sizeof(out->why), "not in the capture (%s)", err.msg);
	return true;
}

void disk_deleted_start(struct disk_deleted_set *out)
{
	struct child *c = xcalloc(1, sizeof(*c));
	struct sbx_err err;

	memset(out, 0, sizeof(*out));
	if (replay_deleted(c, out)) {
		out->job = c;
		return;
	}
	if (child_start(c, deleted_child, NULL, &err) < 0) {
		snprintf(out->why, sizeof(out->why), "%s", err.msg);
		free(c);
		return;
	}
	out->job = c;
}

void disk_deleted_scan(const struct disk_snap *s, double timeout, struct disk_deleted_set *out)
{
	disk_deleted_start(out);
	disk_deleted_collect(s, timeout, out);
}

void disk_deleted_collect(const struct disk_snap *s, double timeout, struct disk_deleted_set *out)
{
	struct child *job = out->job, c;
	const char *p, *end;

	if (!job)
		return;
	c = *job;
	free(job);
	out->job = NULL;
	/* The scan ran while the mounts were asked: its time counts from
	 * now, so a hung mount's wait is not charged to it (the watchdog
	 * allows for both). */
	c.started = now_monotonic();
	if (c.pid != -1 || c.fd != -1)
		child_collect(&c, 1, timeout, NULL);
	if (root_recording() && c.out.len)
		root_record_file("/.srebox/deleted", c.out.s, c.out.len);
	p = c.out.s ? c.out.s : "";
	end = p + c.out.len;
	while (p < end) {
		struct del_rec r;
		struct disk_deleted *d = NULL;
		char *path;

		if (*p == 'E' && end - p >= 1 + (long)sizeof(uint32_t)) {
			uint32_t denied;

			memcpy(&denied, p + 1, sizeof(denied));
			out->denied = denied;
			out->complete = true;
			break;
		}
		if (*p != 'D' || end - p < 1 + (long)sizeof(r))
			break;
		memcpy(&r, p + 1, sizeof(r));
		p += 1 + sizeof(r);
		if ((size_t)(end - p) < r.pathlen)
			break;
		path = xstrndup(p, r.pathlen);
		p += r.pathlen;
		r.comm[sizeof(r.comm) - 1] = '\0';
		for (size_t i = 0; i < out->n; i++)
			if (out->v[i].pid == r.pid && out->v[i].ino == r.ino &&
			    out->v[i].dev == makedev(r.major, r.minor))
				d = &out->v[i];
		if (d) {
			d->nfds++;
			free(path);
			continue;
		}
		ALLOC_GROW(out->v, out->n + 1, out->alloc);
		d = &out->v[out->n++];
		memset(d, 0, sizeof(*d));
		d->pid = r.pid;
		memcpy(d->comm, r.comm, sizeof(d->comm));
		d->path = path;
		d->size = r.size;
		d->alloc = r.blocks * 512;
		d->dev = makedev(r.major, r.minor);
		d->ino = r.ino;
		d->nfds = 1;
		d->mount = mnt_find_dev(&s->mt, r.major, r.minor);
	}
	if (!out->complete && !out->why[0])
		snprintf(out->why, sizeof(out->why), "the scan of %s did not finish within %gs",
			 rooted("/proc/*/fd"), timeout);
	child_free(&c);
}

void disk_deleted_free(struct disk_deleted_set *d)
{
	if (d->job) {
		child_free(d->job);
		free(d->job);
	}
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].path);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* --- filesystem errors --------------------------------------------------- */

static struct disk_fserr *fserr_for(struct disk_fserrs *e, long mount, const char *dev)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].mount == mount)
			return &e->v[i];
	ALLOC_GROW(e->v, e->n + 1, e->alloc);
	memset(&e->v[e->n], 0, sizeof(e->v[0]));
	e->v[e->n].mount = mount;
	e->v[e->n].ext4_errors = -1;
	e->v[e->n].last_age = -1;
	snprintf(e->v[e->n].dev, sizeof(e->v[0].dev), "%s", dev);
	return &e->v[e->n++];
}

/* The mount of kernel device `dev` ("loop0"; "sda" also matches "sda1"). */
static long mount_of_devname(const struct disk_snap *s, char (*names)[64], const char *dev)
{
	long part = -1;

	for (size_t i = 0; i < s->mt.n; i++) {
		if (s->mt.m[i].hide != MNT_SHOWN || !names[i][0])
			continue;
		if (!strcmp(names[i], dev))
			return (long)i;
		if (part < 0 && str_starts(names[i], dev))
			part = (long)i;
	}
	return part;
}

struct fserr_arg {
	const struct disk_snap *s;
	char (*names)[64];
	struct disk_fserrs *e;
	double uptime;
};

static void kmsg_record(void *arg, const struct kmsg_rec *k, bool timed)
{
	const struct fserr_arg *a = arg;
	const struct disk_snap *s = a->s;
	char (*names)[64] = a->names;
	struct disk_fserrs *e = a->e;
	double uptime = timed ? a->uptime : -1;
	char dev[64];
	enum kmsg_fs kind;
	long m;
	struct disk_fserr *x;

	/* the kernel's own messages only: anyone may write to /dev/kmsg */
	if ((k->prio >> 3) != 0)
		return;
	kind = kmsg_fs_match(k->text, k->tlen, dev, sizeof(dev));
	if (kind == KFS_NONE || (m = mount_of_devname(s, names, dev)) < 0)
		return;
	x = fserr_for(e, m, dev);
	x->count++;
	if (kind == KFS_REMOUNT_RO)
		x->remount_ro = true;
	/* the first error says what went wrong; "Remounting..." follows it */
	if (!x->last[0] || (kind != KFS_REMOUNT_RO && x->first_is_ro)) {
		snprintf(x->last, sizeof(x->last), "%.*s", (int)k->tlen, k->text);
		x->first_is_ro = kind == KFS_REMOUNT_RO;
	}
	x->last_age = uptime >= 0 ? uptime - (double)k->usec / 1e6 : -1;
	if (x->last_age < -1)
		x->last_age = -1;
}

static void kmsg_scan(const struct disk_snap *s, char (*names)[64], struct disk_fserrs *e)
{
	struct fserr_arg a = { s, names, e, -1 };
	struct buf b = { 0 };
	struct sbx_err err;

	if (root_read("/proc/uptime", &b, &err) == 0)
		a.uptime = strtod(b.s, NULL);
	buf_free(&b);
	if (kmsg_read_each(kmsg_record, &a, &err) < 0)
		snprintf(e->kmsg_why, sizeof(e->kmsg_why), "%s", err.msg);
	else
		e->kmsg_read = true;
}

void disk_fserrs_read(const struct disk_snap *s, struct disk_fserrs *e)
{
	char (*names)[64] = xcalloc(s->mt.n + 1, sizeof(*names));

	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < s->mt.n; i++) {
		const struct mnt *m = &s->mt.m[i];
		uint64_t v;
		struct sbx_err err;
		char path[128];

		if (m->hide != MNT_SHOWN || m->major == 0 || m->kind != MNT_LOCAL)
			continue;
		if (!disk_dev_name(m->major, m->minor, names[i], sizeof(names[i]))) {
			/* no sysfs (fixture trees): the source's name */
			const char *b = strrchr(m->source, '/');

			snprintf(names[i], sizeof(names[i]), "%s", b ? b + 1 : "");
		}
		if (strcmp(m->fstype, "ext4") && strcmp(m->fstype, "ext3") &&
		    strcmp(m->fstype, "ext2"))
			continue;
		snprintf(path, sizeof(path), "/sys/fs/ext4/%s/errors_count", names[i]);
		if (root_read_u64(path, &v, &err) == 0 && v > 0)
			fserr_for(e, (long)i, names[i])->ext4_errors = (int64_t)v;
	}
	kmsg_scan(s, names, e);
	free(names);
}

void disk_fserrs_free(struct disk_fserrs *e)
{
	free(e->v);
	memset(e, 0, sizeof(*e));
}
