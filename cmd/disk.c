/* srebox disk: disk pressure the way the kubelet sees it, what is eating
 * the space, space held by deleted files still open, filesystem errors,
 * and never a hang on a dead mount.  Replaces `df -h`, `df -i`,
 * `du -sh /var/log/pods/NS_POD_UID`, `lsof +L1` and `dmesg | grep EXT4-fs`. */
#include "applet.h"
#include "top.h"
#include "sample.h"
#include "disk.h"
#include "hung.h"
#include "judge_disk.h"
#include "root.h"
#include "walk.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool o_all, o_top;
static double o_timeout = 5, o_top_timeout = 60;
/* the walk of a capture (disk --top replays it): bounded, as the capture is */
#define CAPTURE_WALK_SECONDS 5.0
static const char *o_kubelet = "/var/lib/kubelet", *o_runtime;

static const struct sbx_opt disk_opts[] = {
	{ 'a', "all", OPT_FLAG, &o_all, NULL,
	  "also pseudo filesystems, bind mounts, overlays and mounts hidden under others", NULL,
	  NULL },
	{ 't', "timeout", OPT_SECONDS, &o_timeout, "SECONDS",
	  "give up on a filesystem that has not answered statfs within SECONDS (default 5)", NULL,
	  NULL },
	{ 0, "top", OPT_FLAG, &o_top, NULL,
	  "walk PATHs (default: the kubelet's and runtime's dirs and /var/log) for the largest "
	  "entries",
	  NULL, NULL },
	{ 0, "top-timeout", OPT_SECONDS, &o_top_timeout, "SECONDS",
	  "stop the --top walk after SECONDS and report how far it got (default 60)", NULL, NULL },
	{ 0, "kubelet-dir", OPT_STRING, &o_kubelet, "DIR",
	  "the kubelet's root dir, for nodefs (default /var/lib/kubelet)", "dirs", NULL },
	{ 0, "runtime-dir", OPT_STRING, &o_runtime, "DIR",
	  "the container runtime's dir, for imagefs (default: the first of /var/lib/containerd, "
	  "/var/lib/containers/storage, /var/lib/docker)",
	  "dirs", NULL },
	OPT_END,
};

static const enum sbx_check_id disk_checks[] = {
	CHK_SPACE, CHK_INODES, CHK_NODEFS_AVAILABLE, CHK_NODEFS_INODES, CHK_IMAGEFS_AVAILABLE,
	CHK_IMAGEFS_INODES, CHK_DELETED, CHK_ERRORS, CHK_READONLY, CHK_HUNG, CHK_FILL, CHK_STATFS, CHK_PATH,
	CHK_TOP, CHK_N,
};

/* FILL/s and TO-FULL last: without -i the table has no such columns. */
enum { F_MOUNT, F_DEV, F_TYPE, F_SIZE, F_USED, F_AVAIL, F_USE, F_INODES, F_IFREE, F_IUSE, F_RO,
       F_FREE, F_MAJMIN, F_OPTS, F_NOTE, F_FILL, F_TOFULL, F_NCOLS };

static const struct sbx_col fs_cols[] = {
	[F_MOUNT] = { "MOUNT", "mountpoint", CT_STR, COL_LABEL, .prio = 1 },
	[F_DEV] = { "DEVICE", "device", CT_STR, COL_LABEL, .prio = 6 },
	[F_TYPE] = { "TYPE", "fstype", CT_STR, COL_LABEL, .prio = 7 },
	[F_SIZE] = { "SIZE", "size_bytes", CT_BYTES, 0, "disk_size_bytes",
		     "Filesystem size: f_blocks * f_frsize.", .prio = 4 },
	[F_USED] = { "USED", "used_bytes", CT_BYTES, 0, "disk_used_bytes",
		     "Used: (f_blocks - f_bfree) * f_frsize.", .prio = 6 },
	[F_AVAIL] = { "AVAIL", "avail_bytes", CT_BYTES, 0, "disk_avail_bytes",
		      "Available to unprivileged users: f_bavail * f_frsize.", .prio = 3 },
	[F_USE] = { "USE%", "used_ratio", CT_RATIO, 0, "disk_used_ratio",
		    "Used share as df computes it: used / (used + avail).", .prio = 2 },
	[F_INODES] = { "INODES", "inodes", CT_COUNT, 0, "disk_inodes", "Inodes: f_files.", .prio = 8 },
	[F_IFREE] = { "IFREE", "inodes_free", CT_COUNT, 0, "disk_inodes_free",
		      "Free inodes: f_ffree.", .prio = 8 },
	[F_IUSE] = { "IUSE%", "inodes_used_ratio", CT_RATIO, 0, "disk_inodes_used_ratio",
		     "Used share of the inodes.", .prio = 5 },
	[F_RO] = { "RO", "readonly", CT_BOOL, 0, "disk_readonly",
		   "1 if mounted or turned read-only.", .prio = 5 },
	[F_FILL] = { "FILL/s", "fill_bytes_per_second", CT_BYTES, 0,
		     "disk_fill_bytes_per_second", "Bytes/s consumed over the interval (-i)." },
	[F_TOFULL] = { "TO-FULL", "seconds_to_full", CT_SECONDS, 0, "disk_seconds_to_full",
		       "Seconds until full at the rate over the interval." },
	[F_FREE] = { "FREE", "free_bytes", CT_BYTES, COL_WIDE, "disk_free_bytes",
		     "Free, root's reserve included: f_bfree * f_frsize." },
	[F_MAJMIN] = { "MAJ:MIN", "major_minor", CT_STR, COL_WIDE },
	[F_OPTS] = { "OPTIONS", "options", CT_STR, COL_WIDE },
	[F_NOTE] = { "NOTE", "note", CT_STR, COL_WIDE },
};

enum { S_SIGNAL, S_DIR, S_MOUNT, S_FREE, S_EVICT, S_AVAIL, S_TOEVICT, S_STATE, S_AVAILN, S_CAP,
       S_NCOLS };

static const struct sbx_col sig_cols[] = {
	[S_SIGNAL] = { "SIGNAL", "signal", CT_STR, COL_LABEL },
	[S_DIR] = { "DIR", "dir", CT_STR },
	[S_MOUNT] = { "MOUNT", "mountpoint", CT_STR, COL_LABEL },
	[S_FREE] = { "FREE", "free_ratio", CT_RATIO, 0, "disk_eviction_signal_ratio",
		     "The kubelet's eviction signal: available / capacity." },
	[S_EVICT] = { "EVICT-BELOW", "hard_threshold_ratio", CT_RATIO, 0,
		      "disk_eviction_threshold_ratio",
		      "The kubelet's default hard eviction threshold." },
	[S_AVAIL] = { "AVAILABLE", "available_text", CT_STR },
	[S_TOEVICT] = { "TO-EVICT", "seconds_to_threshold", CT_SECONDS, 0,
			"disk_eviction_seconds_to_threshold",
			"Seconds until the threshold at the rate over the interval." },
	[S_STATE] = { "STATE", "state", CT_STATE },
	[S_AVAILN] = { "AVAILN", "available", CT_NUM, COL_HIDE },
	[S_CAP] = { "CAPACITY", "capacity", CT_NUM, COL_HIDE },
};

enum { D_PID, D_COMM, D_FILES, D_SIZE, D_MOUNT, D_FILE, D_APPARENT, D_NCOLS };

static const struct sbx_col del_cols[] = {
	[D_PID] = { "PID", "pid", CT_INT, COL_LABEL },
	[D_COMM] = { "COMMAND", "command", CT_STR, COL_LABEL },
	[D_FILES] = { "FILES", "files", CT_COUNT },
	[D_SIZE] = { "SIZE", "size_bytes", CT_BYTES, 0, "disk_deleted_open_bytes",
		     "Space held by deleted files this process keeps open (allocated)." },
	[D_MOUNT] = { "MOUNT", "mountpoint", CT_STR, COL_LABEL },
	[D_FILE] = { "LARGEST", "largest", CT_STR },
	[D_APPARENT] = { "APPARENT", "apparent_bytes", CT_BYTES, COL_WIDE },
};

enum { W_ROOT, W_SIZE, W_APPARENT, W_FILES, W_DONE, W_ERRORS, W_NCOLS };

static const struct sbx_col walk_cols[] = {
	[W_ROOT] = { "WALKED", "path", CT_STR, COL_LABEL },
	[W_SIZE] = { "SIZE", "size_bytes", CT_BYTES, 0, "disk_walk_bytes",
		     "Allocated bytes below the path (du -s)." },
	[W_APPARENT] = { "APPARENT", "apparent_bytes", CT_BYTES },
	[W_FILES] = { "FILES", "files", CT_COUNT },
	[W_DONE] = { "COMPLETE", "complete", CT_BOOL },
	[W_ERRORS] = { "UNREADABLE", "unreadable", CT_COUNT },
};

enum { T_PATH, T_SIZE, T_APPARENT, T_FILES, T_NCOLS };

static const struct sbx_col top_cols[] = {
	[T_PATH] = { "PATH", "path", CT_STR, COL_LABEL },
	[T_SIZE] = { "SIZE", "size_bytes", CT_BYTES, 0, "disk_top_bytes",
		     "Allocated bytes of the largest entries (du -s)." },
	[T_APPARENT] = { "APPARENT", "apparent_bytes", CT_BYTES },
	[T_FILES] = { "FILES", "files", CT_COUNT },
};

static const struct sbx_col file_cols[] = {
	[T_PATH] = { "PATH", "path", CT_STR, COL_LABEL },
	[T_SIZE] = { "SIZE", "size_bytes", CT_BYTES, 0, "disk_largest_file_bytes",
		     "Allocated bytes of the largest files below the walked paths." },
	[T_APPARENT] = { "APPARENT", "apparent_bytes", CT_BYTES },
	[T_FILES] = { "FILES", "files", CT_COUNT, COL_HIDE },
};

enum { P_NS, P_POD, P_CONT, P_SIZE, P_FILES, P_PATH, P_NCOLS };

static const struct sbx_col pod_cols[] = {
	[P_NS] = { "NAMESPACE", "namespace", CT_STR, COL_LABEL },
	[P_POD] = { "POD", "pod", CT_STR, COL_LABEL },
	[P_CONT] = { "CONTAINER", "container", CT_STR, COL_LABEL },
	[P_SIZE] = { "SIZE", "size_bytes", CT_BYTES, 0, "disk_pod_log_bytes",
		     "Allocated bytes of a container's log directory." },
	[P_FILES] = { "FILES", "files", CT_COUNT },
	[P_PATH] = { "PATH", "path", CT_STR, COL_WIDE },
};

/* Mounts to probe: the visible ones, all with -a, or those holding PATHs. */
static bool *choose(struct sbx_ctx *ctx, struct disk_snap *s, struct sbx_report *rep)
{
	bool *want = xcalloc(s->mt.n + 1, sizeof(bool));

	for (size_t i = 0; i < s->mt.n; i++)
		want[i] = (!ctx->nargs || o_top) && (o_all || s->mt.m[i].hide == MNT_SHOWN);
	for (int a = 0; !o_top && a < ctx->nargs; a++) {
		struct sbx_err err;
		long m = disk_mount_of(s, ctx->args[a], o_timeout, &err);

		if (m < 0 && err.errnum == ETIMEDOUT) {
			/* hung: its mount is reported so (the probe finds the
			 * helper stuck and does not ask again), or the path
			 * itself when it led off its mount through a symlink */
			m = mnt_find_path(&s->mt, ctx->args[a]);
			if (m >= 0 && s->mt.m[m].suspect)
				want[m] = true;
			else
				check_value(rep, CHK_HUNG, ctx->args[a], 1, "%s", err.msg);
		} else if (m < 0) {
			check_unknown(rep, CHK_PATH, ctx->args[a], "%s", err.msg);
		} else {
			want[m] = true;
		}
	}
	return want;
}

static const char *hide_note(const struct disk_snap *s, size_t i)
{
	static char note[600];
	const struct mnt *m = &s->mt.m[i];
	const char *other = m->same_as >= 0 ? s->mt.m[m->same_as].point : "?";

	switch (m->hide) {
	case MNT_SHOWN:
		return m->super_ro && !m->ro ? "turned read-only by the kernel" : NULL;
	case MNT_HIDE_PSEUDO:
		return "pseudo filesystem";
	case MNT_HIDE_OVER:
		snprintf(note, sizeof(note), "hidden under a later mount on %s", other);
		return note;
	case MNT_HIDE_BIND:
		snprintf(note, sizeof(note), "same filesystem as %s", other);
		return note;
	case MNT_HIDE_OVERLAY:
		return "overlay: its space is its upper dir's filesystem's";
	}
	return NULL;
}

static void fs_table(struct sbx_report *rep, const struct disk_snap *s, const bool *want,
		     const struct disk_snap *prev)
{
	struct sbx_table *t = report_table(rep, "filesystems", fs_cols, prev ? F_NCOLS : F_FILL);
	double dt = prev ? s->when - prev->when : 0;

	for (size_t i = 0; i < s->mt.n; i++) {
		const struct mnt *m = &s->mt.m[i];
		const struct disk_fs *f = &s->fs[i];
		struct sbx_cell *c;
		const char *note = hide_note(s, i);

		if (!want[i])
			continue;
		/* like df: a filesystem of no size is noise unless asked for */
		if (f->status == FS_OK && f->blocks == 0 && !o_all)
			continue;
		c = table_row(t);
		cell_str(&c[F_MOUNT], m->point);
		cell_str(&c[F_DEV], m->source);
		cell_str(&c[F_TYPE], m->fstype);
		cell_strf(&c[F_MAJMIN], "%u:%u", m->major, m->minor);
		cell_str(&c[F_OPTS], m->opts);
		cell_u64(&c[F_RO], m->ro || m->super_ro);
		if (note)
			cell_str(&c[F_NOTE], note);
		if (f->status != FS_OK) {
			const char *why = f->status == FS_NOT_PROBED ? "not probed" : fs_why(f);

			for (int k = F_SIZE; k <= F_IUSE; k++)
				cell_unknown(&c[k], why);
			cell_unknown(&c[F_FREE], why);
			continue;
		}
		cell_num(&c[F_SIZE], (double)fs_size(f));
		cell_num(&c[F_USED], (double)fs_used(f));
		cell_num(&c[F_AVAIL], (double)fs_avail(f));
		cell_num(&c[F_FREE], (double)(f->bfree * f->bsize));
		if (!isnan(fs_used_ratio(f)))
			cell_num(&c[F_USE], fs_used_ratio(f));
		cell_u64(&c[F_INODES], f->files);
		cell_u64(&c[F_IFREE], f->ffree);
		if (!isnan(fs_inodes_used_ratio(f)))
			cell_num(&c[F_IUSE], fs_inodes_used_ratio(f));
		if (prev && dt > 0) {
			const struct disk_fs *p = &prev->fs[i];
			double rate;

			if (p->status != FS_OK) {
				cell_unknown(&c[F_FILL], p->status == FS_NOT_PROBED ? "not probed"
										  : p->why);
				continue;
			}
			rate = ((double)fs_avail(p) - (double)fs_avail(f)) / dt;
			cell_num(&c[F_FILL], rate);
			if (rate > 0)
				cell_num(&c[F_TOFULL], (double)fs_avail(f) / rate);
		}
	}
}

static void signals(struct sbx_ctx *ctx, struct sbx_report *rep, const struct disk_snap *s,
		    const bool *want, const struct disk_snap *prev, char *pressure, size_t plen)
{
	struct disk_signal g[SIG_N], pg[SIG_N];
	const char *runtime = o_runtime ? o_runtime : disk_runtime_dir(o_timeout);
	struct sbx_table *t = NULL;
	const char *trigger = NULL, *trigger_range = NULL;
	double trigger_pct = 0, trigger_thr = 0;
	bool any = false;
	char a[32], b[32], c2[32];

	pressure[0] = '\0';
	/* no kubelet here (a plain host, a docker host): nothing to evict;
	 * a hung one is the signals' UNKNOWN */
	{
		struct stat st;
		struct sbx_err err;

		if (sbx_stat_deadline(o_kubelet, &st, o_timeout, &err) < 0 &&
		    err.errnum != ETIMEDOUT) {
			report_note(rep, "%s%sno kubelet dir %s (%s): eviction signals not computed",
				    rep->note ? rep->note : "", rep->note ? "; " : "",
				    rooted(o_kubelet), sbx_errno_word(err.errnum));
			return;
		}
	}
	disk_signals(s, o_kubelet, runtime, o_timeout, g);
	if (prev)
		disk_signals(prev, o_kubelet, runtime, o_timeout, pg);
	if (sbx_wants_tables(ctx))
		t = report_table(rep, "signals", sig_cols, S_NCOLS);
	if (t)
		table_title(t, "Kubelet eviction signals:");
	for (int k = 0; k < SIG_N; k++) {
		enum sbx_check_id id = check_find(g[k].name);
		struct sbx_cell *c = t ? table_row(t) : NULL;
		enum sbx_state st;

		if (g[k].mount >= 0 && ctx->nargs && !want[g[k].mount]) {
			if (t)
				t->nrows--;
			continue;
		}
		any = true;
		if (c) {
			cell_str(&c[S_SIGNAL], g[k].name);
			if (g[k].dir)
				cell_str(&c[S_DIR], g[k].dir);
			cell_num(&c[S_EVICT], g[k].hard_pct / 100);
		}
		if (!g[k].dir && k >= SIG_IMAGEFS_AVAIL) {
			if (c)
				cell_unknown(&c[S_FREE], g[k].why);
			continue;
		}
		if (g[k].mount < 0 || isnan(g[k].pct)) {
			if (c) {
				cell_unknown(&c[S_FREE], g[k].why);
				if (g[k].mount >= 0)
					cell_str(&c[S_MOUNT], s->mt.m[g[k].mount].point);
			}
			judge_signal(rep, s, &g[k]);
			continue;
		}
		st = check_judge(id, g[k].pct);
		if (c) {
			cell_str(&c[S_MOUNT], s->mt.m[g[k].mount].point);
			cell_num(&c[S_FREE], g[k].pct / 100);
			if (g[k].inodes)
				cell_strf(&c[S_AVAIL], "%llu of %llu inodes",
					  (unsigned long long)g[k].avail,
					  (unsigned long long)g[k].capacity);
			else
				cell_strf(&c[S_AVAIL], "%s of %s", fmt_bytes_s(a, sizeof(a), (double)g[k].avail),
					  fmt_bytes_s(b, sizeof(b), (double)g[k].capacity));
			cell_i64(&c[S_STATE], st);
			cell_num(&c[S_AVAILN], (double)g[k].avail);
			cell_num(&c[S_CAP], (double)g[k].capacity);
			if (prev && pg[k].mount >= 0 && !isnan(pg[k].pct) && s->when > prev->when) {
				double rate = ((double)pg[k].avail - (double)g[k].avail) /
					      (s->when - prev->when);
				double above = (double)g[k].avail -
					       g[k].hard_pct / 100 * (double)g[k].capacity;

				if (rate > 0 && above > 0)
					cell_num(&c[S_TOEVICT], above / rate);
			}
		}
		/* the critical level is the eviction threshold: the kubelet's
		 * default, or what -c says this node's kubelet uses */
		if (st == ST_CRITICAL && (!trigger || g[k].pct - g[k].hard_pct <
							  trigger_pct - trigger_thr)) {
			trigger = g[k].name;
			trigger_pct = g[k].pct;
			trigger_thr = g[k].hard_pct;
			trigger_range = check_crit(id)->text;
		}
		judge_signal(rep, s, &g[k]);
	}
	if (t && !any) {
		t->nrows = 0;
		return;
	}
	if (trigger) {
		char dflt[40];

		snprintf(dflt, sizeof(dflt), "%g:", trigger_thr);
		if (!strcmp(trigger_range, dflt))
			snprintf(pressure, plen, "DiskPressure: %s is %s, below the kubelet's %g%%",
				 trigger, fmt_pct(c2, sizeof(c2), trigger_pct), trigger_thr);
		else
			snprintf(pressure, plen, "DiskPressure: %s is %s, in the critical range %s",
				 trigger, fmt_pct(c2, sizeof(c2), trigger_pct), trigger_range);
	}
	else if (any)
		snprintf(pressure, plen, "no DiskPressure");
}

static void deleted(struct sbx_ctx *ctx, struct sbx_report *rep, const struct disk_snap *s,
		    const bool *want, struct disk_deleted_set *dd)
{
	struct disk_deleted_set d;
	struct sbx_table *t = NULL;
	uint64_t *per_mount = xcalloc(s->mt.n + 1, sizeof(uint64_t));
	uint64_t total = 0;
	bool flagged = false;
	char a[32], b[32], p[32];
	size_t big = 0;

	disk_deleted_collect(s, o_timeout, dd);
	d = *dd;
	memset(dd, 0, sizeof(*dd));
	if (!d.complete)
		check_unknown(rep, CHK_DELETED, NULL, "deleted files still open: %s", d.why);
	if (d.denied)
		report_note(rep, "%s%sdeleted files of %zu process%s not seen (permission denied)",
			    rep->note ? rep->note : "", rep->note ? "; " : "", d.denied,
			    d.denied == 1 ? "" : "es");
	/* per filesystem, each inode once (several processes may hold it) */
	for (size_t i = 0; i < d.n; i++) {
		bool dup = false;

		for (size_t j = 0; j < i; j++)
			if (d.v[j].dev == d.v[i].dev && d.v[j].ino == d.v[i].ino)
				dup = true;
		if (d.v[i].mount >= 0 && !dup)
			per_mount[d.v[i].mount] += d.v[i].alloc;
		if (!dup)
			total += d.v[i].alloc;
		if (d.v[i].alloc > d.v[big].alloc)
			big = i;
	}
	for (size_t m = 0; m < s->mt.n; m++) {
		const struct disk_fs *f = &s->fs[m];
		double share;

		if (!per_mount[m] || f->status != FS_OK || !fs_size(f) || (ctx->nargs && !want[m]))
			continue;
		share = (double)per_mount[m] / (double)fs_size(f) * 100;
		if (check_judge(CHK_DELETED, share) == ST_OK)
			continue;
		check_value(rep, CHK_DELETED, s->mt.m[m].point, share,
			    "%s: deleted files still open hold %s (%s of the filesystem); "
			    "restart or signal their processes to free it",
			    s->mt.m[m].point, fmt_bytes_s(a, sizeof(a), (double)per_mount[m]),
			    fmt_pct(p, sizeof(p), share));
		flagged = true;
	}
	if (!flagged && total > 0)
		check_rule(rep, CHK_DELETED, ST_OK, NULL,
			       "deleted files still open hold %s (most: pid %ld %s, %s)",
			       fmt_bytes_s(a, sizeof(a), (double)total), d.v[big].pid, d.v[big].comm,
			       fmt_bytes_s(b, sizeof(b), (double)d.v[big].alloc));
	if (sbx_wants_tables(ctx) && d.n) {
		t = report_table(rep, "deleted", del_cols, D_NCOLS);
		table_title(t, "Deleted files still open (lsof +L1):");
		/* one row per process and filesystem */
		for (size_t i = 0; i < d.n; i++) {
			uint64_t sum = 0, app = 0;
			unsigned n = 0;
			size_t largest = i;
			bool seen = false;
			struct sbx_cell *c;

			for (size_t j = 0; j < i; j++)
				if (d.v[j].pid == d.v[i].pid && d.v[j].mount == d.v[i].mount)
					seen = true;
			if (seen || (ctx->nargs && (d.v[i].mount < 0 || !want[d.v[i].mount])))
				continue;
			for (size_t j = i; j < d.n; j++) {
				if (d.v[j].pid != d.v[i].pid || d.v[j].mount != d.v[i].mount)
					continue;
				sum += d.v[j].alloc;
				app += d.v[j].size;
				n++;
				if (d.v[j].alloc > d.v[largest].alloc)
					largest = j;
			}
			c = table_row(t);
			cell_i64(&c[D_PID], d.v[i].pid);
			cell_str(&c[D_COMM], d.v[i].comm);
			cell_u64(&c[D_FILES], n);
			cell_num(&c[D_SIZE], (double)sum);
			cell_num(&c[D_APPARENT], (double)app);
			if (d.v[i].mount >= 0)
				cell_str(&c[D_MOUNT], s->mt.m[d.v[i].mount].point);
			cell_str(&c[D_FILE], d.v[largest].path);
		}
		/* largest first */
		for (size_t i = 1; i < t->nrows; i++)
			for (size_t j = i; j > 0 && table_cell(t, j, D_SIZE)->d >
							    table_cell(t, j - 1, D_SIZE)->d;
			     j--) {
				struct sbx_cell tmp[D_NCOLS];

				memcpy(tmp, table_cell(t, j, 0), sizeof(tmp));
				memcpy(table_cell(t, j, 0), table_cell(t, j - 1, 0), sizeof(tmp));
				memcpy(table_cell(t, j - 1, 0), tmp, sizeof(tmp));
			}
		t->limit = 10;
	}
	free(per_mount);
	disk_deleted_free(&d);
}

static void fs_errors(struct sbx_ctx *ctx, struct sbx_report *rep, const struct disk_snap *s,
		      const bool *want)
{
	struct disk_fserrs e;

	disk_fserrs_read(s, &e);
	if (!e.kmsg_read)
		report_note(rep, "%s%skernel log not read: %s", rep->note ? rep->note : "",
			    rep->note ? "; " : "", e.kmsg_why);
	for (size_t i = 0; i < e.n; i++) {
		const struct disk_fserr *x = &e.v[i];
		const struct mnt *m = &s->mt.m[x->mount];
		struct sbx_finding *fd;
		char *label;
		char age[32] = "";
		struct buf b = { 0 };
		enum sbx_state st;
		double n = x->count + (x->ext4_errors > 0 ? (double)x->ext4_errors : 0);

		if (ctx->nargs && !want[x->mount])
			continue;
		if (x->last_age >= 0)
			fmt_duration(age, sizeof(age), x->last_age);
		if (x->ext4_errors > 0)
			buf_addf(&b, "ext4 has recorded %lld error%s", (long long)x->ext4_errors,
				 x->ext4_errors == 1 ? "" : "s");
		if (x->count)
			buf_addf(&b, "%s%u kernel log message%s%s%s%s%s: %s", b.len ? "; " : "",
				 x->count, x->count == 1 ? "" : "s",
				 x->remount_ro ? " (remounted read-only)" : "",
				 age[0] ? ", the last " : "", age, age[0] ? " ago" : "", x->last);
		st = check_judge(CHK_ERRORS, n);
		/* the read-only state itself is the readonly check's finding */
		if (x->remount_ro && !m->super_ro && !m->ro)
			st = state_worst(st, ST_WARNING);
		fd = check_rule(rep, CHK_ERRORS, st, m->point, "%s (%s): %s", m->point, x->dev,
				b.s ? b.s : "");
		label = xasprintf("errors:%s", m->point);
		finding_perf(fd, label, n, "", check_warn(CHK_ERRORS), check_crit(CHK_ERRORS));
		free(label);
		buf_free(&b);
	}
	disk_fserrs_free(&e);
}

/* The walk's progress on a terminal (stdout and stderr both, the table
 * view), from its second second on; erased before the report. */
static void walk_progress(uint64_t files, uint64_t alloc, double elapsed, void *arg)
{
	char b[32];

	if (elapsed < 1)
		return;
	*(bool *)arg = true;
	fprintf(stderr, "\r\033[K%s: --top: %llu file%s scanned, %s, %.0fs %s %gs (Ctrl-C stops)",
		sbx_progname, (unsigned long long)files, plural(files, "s"),
		fmt_bytes_s(b, sizeof(b), (double)alloc), elapsed,
		elapsed <= o_top_timeout ? "of at most" : "(the walk is stuck) past its deadline of",
		o_top_timeout);
}

static void top(struct sbx_ctx *ctx, struct sbx_report *rep, const struct disk_snap *s)
{
	const char *defaults[4];
	const char **roots = (const char **)ctx->args;
	size_t nroots = (size_t)ctx->nargs;
	/* srebox capture walks the usual roots too, within its own few seconds */
	struct walk_opts o = { .mt = &s->mt, .nfiles = 20, .stat_timeout = o_timeout,
			       .seconds = ctx->discard && o_top_timeout > CAPTURE_WALK_SECONDS
						  ? CAPTURE_WALK_SECONDS
						  : o_top_timeout };
	struct walk_result r;
	struct sbx_table *t;
	char **norm;
	bool shown = false;

	if (!nroots) {
		const char *rt = o_runtime ? o_runtime : disk_runtime_dir(o_timeout);
		struct stat st;
		struct sbx_err err;

		if (sbx_stat_deadline(o_kubelet, &st, o_timeout, &err) == 0)
			defaults[nroots++] = o_kubelet;
		if (rt)
			defaults[nroots++] = rt;
		defaults[nroots++] = "/var/log";
		roots = defaults;
	}
	/* "/var/log/" and "/var/log" are one root; mount points match either */
	norm = xcalloc(nroots + 1, sizeof(char *));
	for (size_t i = 0; i < nroots; i++) {
		size_t l = strlen(roots[i]);

		while (l > 1 && roots[i][l - 1] == '/')
			l--;
		norm[i] = xstrndup(roots[i], l);
	}
	o.roots = (const char *const *)norm;
	o.nroots = nroots;
	if (ctx->width > 0 && isatty(2) && (ctx->format == FMT_TABLE || ctx->format == FMT_WIDE)) {
		o.progress = walk_progress;
		o.progress_arg = &shown;
	}
	walk_run(&o, 2 + o_timeout, &r);
	if (shown)
		fputs("\r\033[K", stderr);
	if (!r.answered) {
		check_unknown(rep, CHK_TOP, NULL, "%s", r.why);
	}
	t = report_table(rep, "walked", walk_cols, W_NCOLS);
	table_title(t, "%s (du -sx; each inode once; symlinks not followed):",
		    r.replayed ? "Walked when the capture was taken" : "Walked");
	for (size_t i = 0; i < r.nroots; i++) {
		const struct walk_root *w = &r.roots[i];
		struct sbx_cell *c = table_row(t);

		cell_str(&c[W_ROOT], w->path);
		if (!w->walked) {
			const char *why = w->error[0] ? w->error : r.why;

			for (int k = W_SIZE; k <= W_ERRORS; k++)
				cell_unknown(&c[k], why);
			if (w->error[0] && r.answered)
				check_unknown(rep, CHK_TOP, w->path, "%s", w->error);
			continue;
		}
		cell_num(&c[W_SIZE], (double)w->alloc);
		cell_num(&c[W_APPARENT], (double)w->apparent);
		cell_u64(&c[W_FILES], w->files);
		cell_u64(&c[W_DONE], w->complete);
		cell_u64(&c[W_ERRORS], w->errors);
		if (!w->complete) {
			char a[32];

			check_unknown(rep, CHK_TOP, w->path,
				       "%s: the walk stopped at its %gs deadline after %llu file%s (%s): "
				       "sizes are partial",
				       w->path, r.deadline, (unsigned long long)w->files,
				       plural(w->files, "s"),
				       fmt_bytes_s(a, sizeof(a), (double)w->alloc));
		}
		if (w->errors)
			report_note(rep, "%s%s%s: %llu entr%s unreadable, first %s",
				    rep->note ? rep->note : "", rep->note ? "; " : "", w->path,
				    (unsigned long long)w->errors, w->errors == 1 ? "y" : "ies", w->error);
	}
	t = report_table(rep, "top", top_cols, T_NCOLS);
	table_title(t, "Largest entries (du -s PATH/*):");
	t->limit = 20;
	for (size_t i = 0; i < r.nchildren; i++) {
		struct sbx_cell *c = table_row(t);

		cell_strf(&c[T_PATH], "%s%s", r.children[i].path, r.children[i].dir ? "/" : "");
		cell_num(&c[T_SIZE], (double)r.children[i].alloc);
		cell_num(&c[T_APPARENT], (double)r.children[i].apparent);
		cell_u64(&c[T_FILES], r.children[i].files);
	}
	if (r.npods) {
		t = report_table(rep, "pod_logs", pod_cols, P_NCOLS);
		table_title(t, "Pod logs:");
		t->limit = 20;
		for (size_t i = 0; i < r.npods; i++) {
			struct sbx_cell *c = table_row(t);
			char ns[256], pod[256], *path = r.pods[i].path;
			char *cont = strrchr(path, '/'), *pd;

			*cont = '\0';
			pd = strrchr(path, '/');
			if (pd && pod_dir_parse(pd + 1, ns, sizeof(ns), pod, sizeof(pod))) {
				cell_str(&c[P_NS], ns);
				cell_str(&c[P_POD], pod);
			}
			*cont = '/';
			cell_str(&c[P_CONT], cont + 1);
			cell_num(&c[P_SIZE], (double)r.pods[i].alloc);
			cell_u64(&c[P_FILES], r.pods[i].files);
			cell_str(&c[P_PATH], path);
		}
	}
	if (r.nfiles) {
		t = report_table(rep, "files", file_cols, T_NCOLS);
		table_title(t, "Largest files:");
		t->limit = 10;
		for (size_t i = 0; i < r.nfiles; i++) {
			struct sbx_cell *c = table_row(t);

			cell_str(&c[T_PATH], r.files[i].path);
			cell_num(&c[T_SIZE], (double)r.files[i].alloc);
			cell_num(&c[T_APPARENT], (double)r.files[i].apparent);
			cell_u64(&c[T_FILES], 1);
		}
	}
	for (size_t i = 0; i < nroots; i++)
		free(norm[i]);
	free(norm);
	walk_result_free(&r);
}

/* dd: the scan of deleted files, started before the statfs calls so that
 * its child works on the other CPU meanwhile. */
static struct sbx_report *build(struct sbx_ctx *ctx, struct disk_snap *s, const bool *want,
				const struct disk_snap *prev, struct disk_deleted_set *dd)
{
	struct sbx_report *rep = report_new("disk");
	char pressure[300];
	struct fs_verdict v;

	rep->interval = prev ? s->when - prev->when : 0;
	judge_filesystems(rep, s, want, NULL, prev, o_all, &v);
	if (sbx_wants_tables(ctx))
		fs_table(rep, s, want, prev);
	signals(ctx, rep, s, want, prev, pressure, sizeof(pressure));
	fs_errors(ctx, rep, s, want);
	deleted(ctx, rep, s, want, dd);
	if (o_top || (ctx->discard && root_recording()))
		top(ctx, rep, s);
	report_summary(rep, "%zu filesystem%s%s%s", v.shown, v.shown == 1 ? "" : "s",
		       pressure[0] ? "; " : "", pressure);
	return rep;
}

/* The shared sampling loop (lib/cli/sample.c) drives the readings.  The
 * mounts are read once, with the first reading: later readings statfs the
 * same mounts, so that rates line up, and own only their statfs results. */
struct disk_run {
	struct sbx_ctx *ctx;
	struct disk_snap first;	/* owns the mount table */
	bool have_first;
	bool *want;
	struct sbx_report *pre;	/* findings about PATHs, made while choosing */
	struct disk_deleted_set dd;
	bool have_dd;
};

static int disk_reading(void *snap, struct sbx_err *err, void *arg)
{
	struct disk_run *d = arg;
	struct disk_snap *s = snap;

	bool once = !d->ctx->interval_given || d->ctx->interval == 0;

	if (d->have_dd)
		disk_deleted_free(&d->dd);
	d->have_dd = false;
	/* the scan of deleted files starts before the statfs calls, so that
	 * its child works on the other CPU meanwhile; over -i, the first
	 * reading is only the start of the interval and has none */
	if (d->have_first || once) {
		disk_deleted_start(&d->dd);
		d->have_dd = true;
	}
	if (!d->have_first) {
		if (disk_read_mounts(&d->first, err) < 0)
			return -1;
		d->have_first = true;
		d->want = choose(d->ctx, &d->first, d->pre);
	}
	*s = d->first;
	s->fs = xcalloc(d->first.mt.n + 1, sizeof(*s->fs));
	disk_probe(s, d->want, o_timeout);
	return 0;
}

static void disk_reading_free(void *snap, void *arg)
{
	struct disk_snap *s = snap;

	(void)arg;
	disk_fs_free(s->fs, s->mt.n);
	s->fs = NULL;
}

static struct sbx_report *disk_build(struct sbx_ctx *ctx, const void *prev, const void *cur,
				     void *arg)
{
	struct disk_run *d = arg;
	struct disk_snap s = *(const struct disk_snap *)cur;
	struct sbx_report *rep = build(ctx, &s, d->want, prev, &d->dd);

	/* findings about PATHs, made while choosing: in the first report */
	for (size_t i = 0; d->pre && i < d->pre->nfind; i++) {
		struct sbx_finding *f = &d->pre->findings[i];

		report_finding(rep, f->state, f->check, f->subject, "%s", f->text);
	}
	if (d->pre) {
		report_free(d->pre);
		d->pre = NULL;
	}
	return rep;
}

/* srebox top's filesystems (cmd/top.h): the mounts disk shows, read once
 * and statfs'd each sample within -t, as the filesystems table with its
 * fill rate and time to full, judged as disk judges them.  Not the
 * deleted-files scan (a walk of every process's fds) nor the signals:
 * their findings reach top through health's disk check. */
struct disk_top {
	struct disk_snap first;	/* owns the mount table, for the process's life */
	bool have_first;
	bool *want;
};

static int top_reading(void *snap, struct sbx_err *err, void *arg)
{
	struct disk_top *d = arg;
	struct disk_snap *s = snap;

	if (!d->have_first) {
		if (disk_read_mounts(&d->first, err) < 0)
			return -1;
		d->have_first = true;
		d->want = xcalloc(d->first.mt.n + 1, sizeof(bool));
		for (size_t i = 0; i < d->first.mt.n; i++)
			d->want[i] = d->first.mt.m[i].hide == MNT_SHOWN;
	}
	*s = d->first;
	s->fs = xcalloc(d->first.mt.n + 1, sizeof(*s->fs));
	disk_probe(s, d->want, o_timeout);
	return 0;
}

static struct sbx_report *top_build(struct sbx_ctx *ctx, const void *prev_, const void *cur,
				    void *arg)
{
	struct disk_top *d = arg;
	const struct disk_snap *prev = prev_;
	struct disk_snap s = *(const struct disk_snap *)cur;
	struct sbx_report *rep = report_new("disk");
	struct fs_verdict v;

	(void)ctx;
	if (!d->have_first)
		return rep;
	rep->interval = prev ? s.when - prev->when : 0;
	judge_filesystems(rep, &s, d->want, NULL, prev, false, &v);
	fs_table(rep, &s, d->want, prev);
	report_summary(rep, "%zu filesystem%s", v.shown, v.shown == 1 ? "" : "s");
	return rep;
}

const struct sbx_sampler *disk_sampler(void)
{
	static struct disk_top d;
	static const struct sbx_sampler s = { .name = "disk", .size = sizeof(struct disk_snap),
					      .read = top_reading, .free = disk_reading_free,
					      .build = top_build, .arg = &d };

	return &s;
}

static int disk_run(struct sbx_ctx *ctx)
{
	struct disk_run d = { .ctx = ctx };
	struct sbx_sampler s = { .name = "disk", .size = sizeof(struct disk_snap),
				 .read = disk_reading, .free = disk_reading_free,
				 .build = disk_build, .arg = &d, .once_by_default = true };

	if (o_timeout <= 0) {
		warnx_("-t must be more than 0 seconds");
		return 3;
	}
	/* the mount asks and the deleted-files scan, each given -t, and the walk */
	sbx_watchdog_extend(3 * o_timeout + (o_top ? o_top_timeout : 0));
	d.pre = report_new("disk");
	sbx_sample(ctx, &s);
	if (d.pre)
		report_free(d.pre);
	if (d.have_dd)
		disk_deleted_free(&d.dd);
	free(d.want);
	if (d.have_first)
		disk_snap_free(&d.first);
	return 0;
}

const struct sbx_applet applet_disk = {
	.name = "disk",
	.examples =
		"# DiskPressure: which signal, and which filesystem\n"
		"srebox disk\n"
		"# what is filling /var/log and the pod logs\n"
		"srebox disk --top /var/log\n"
		"# how fast it fills, and when the kubelet starts evicting\n"
		"srebox disk -i 10 /var/lib/kubelet\n",
	.summary = "disk pressure as the kubelet sees it, what eats the space, never a hang",
	.usage = "[OPTIONS] [PATH...]",
	.description =
		"Without PATHs, every mounted filesystem of /proc/self/mountinfo (pseudo, bind,\n"
		"overlay and hidden mounts only with -a); with PATHs, the filesystems holding them.\n"
		"Each filesystem answers statfs within -t SECONDS or is reported hung (CRITICAL),\n"
		"and the others are still reported; a helper stuck on it is remembered, and the\n"
		"mount not asked again while it is.  The kubelet's nodefs/imagefs eviction\n"
		"signals, deleted files still open, filesystem errors; with -i, fill rate and\n"
		"time to full; with --top, the largest directories, pod logs and files.",
	.flags = AP_PROBE | AP_OUTPUT,
	.opts = disk_opts,
	.checks = disk_checks,
	.args_complete = "dirs",
	.run = disk_run,
	.interval_help = "sample twice, SECONDS apart, for the rates of filling and time to full (default: one reading, no rates)",
};
