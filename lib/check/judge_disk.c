/* The disk checks, judged once: see judge_disk.h. */
#include "judge_disk.h"
#include "hung.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static bool judge_fill(struct sbx_report *rep, const struct mnt *m, const struct disk_fs *f,
		       double *worst, const char **worst_at, double *iworst)
{
	char a[32], b[32], p[32], q[32];
	double freep, ifree;
	bool flagged = false;

	if (isnan(fs_used_ratio(f)))
		return false;
	freep = 100 - fs_used_ratio(f) * 100;
	if (isnan(*worst) || freep < *worst) {
		*worst = freep;
		*worst_at = m->point;
	}
	if (check_judge(CHK_SPACE, freep) != ST_OK) {
		check_value(rep, CHK_SPACE, m->point, freep, "%s: %s free (%s of %s), %s used",
			    m->point, fmt_pct(p, sizeof(p), freep), fmt_bytes_s(a, sizeof(a), (double)fs_avail(f)),
			    fmt_bytes_s(b, sizeof(b), (double)(fs_used(f) + fs_avail(f))),
			    fmt_pct(q, sizeof(q), 100 - freep));
		flagged = true;
	}
	ifree = 100 - fs_inodes_used_ratio(f) * 100;
	if (isnan(ifree))
		return flagged;
	if (isnan(*iworst) || ifree < *iworst)
		*iworst = ifree;
	if (check_judge(CHK_INODES, ifree) != ST_OK) {
		check_value(rep, CHK_INODES, m->point, ifree, "%s: %s of inodes free (%llu of %llu)",
			    m->point, fmt_pct(p, sizeof(p), ifree), (unsigned long long)f->ffree,
			    (unsigned long long)f->files);
		flagged = true;
	}
	return flagged;
}

static void judge_rate(struct sbx_report *rep, const struct mnt *m, const struct disk_fs *f,
		       const struct disk_fs *pf, double seconds)
{
	double rate, left;
	char a[32], d[32];

	if (pf->status != FS_OK || seconds <= 0)
		return;
	rate = ((double)fs_avail(pf) - (double)fs_avail(f)) / seconds;
	if (rate <= 0)
		return;
	left = (double)fs_avail(f) / rate;
	if (check_judge(CHK_FILL, left) == ST_OK)
		return;
	fmt_duration(d, sizeof(d), left);
	check_value(rep, CHK_FILL, m->point, left, "%s: full in %s at %s/s", m->point, d,
		    fmt_bytes_s(a, sizeof(a), rate));
}

void judge_filesystems(struct sbx_report *rep, const struct disk_snap *s, const bool *want,
		       const bool *judge, const struct disk_snap *prev, bool with_empty,
		       struct fs_verdict *v)
{
	double worst = NAN, iworst = NAN;
	const char *worst_at = NULL;
	char a[32], p[32];

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < s->mt.n; i++) {
		const struct mnt *m = &s->mt.m[i];
		const struct disk_fs *f = &s->fs[i];

		if (!want[i])
			continue;
		if (f->status == FS_HUNG) {
			check_value(rep, CHK_HUNG, m->point, 1, "%s", fs_why(f));
			v->shown++;
			v->hung++;
			continue;
		}
		if (f->status == FS_ERROR && !strstr(fs_why(f), "permission")) {
			check_unknown(rep, CHK_STATFS, m->point, "%s", fs_why(f));
			v->shown++;
			continue;
		}
		if (f->status != FS_OK || (f->blocks == 0 && !with_empty))
			continue;
		if (judge && !judge[i]) {
			v->unjudged++;
			continue;
		}
		v->shown++;
		if (m->super_ro && !m->ro)
			check_value(rep, CHK_READONLY, m->point, 1,
				    "%s (%s): the kernel turned the filesystem read-only under a "
				    "read-write mount (an error?)",
				    m->point, m->source);
		if (m->ro || m->super_ro)	/* a read-only filesystem cannot fill up */
			continue;
		v->flagged += judge_fill(rep, m, f, &worst, &worst_at, &iworst);
		if (prev)
			judge_rate(rep, m, f, &prev->fs[i], s->when - prev->when);
	}
	if (v->hung && hung_registry_problem())
		report_note(rep, "%s%sstuck helpers not remembered between runs: %s",
			    rep->note ? rep->note : "", rep->note ? "; " : "", hung_registry_problem());
	if (v->flagged || !v->shown)
		return;
	if (isnan(worst))
		check_rule(rep, CHK_SPACE, ST_OK, NULL, "%zu filesystem%s%s", v->shown,
			   v->shown == 1 ? "" : "s",
			   v->unjudged ? "; network/FUSE ones asked only whether they answer" : "");
	else
		check_value(rep, CHK_SPACE, NULL, worst,
			    "%zu filesystem%s, the fullest %s with %s free%s%s%s", v->shown,
			    v->shown == 1 ? "" : "s", worst_at, fmt_pct(p, sizeof(p), worst),
			    isnan(iworst) ? "" : "; fewest inodes free: ",
			    isnan(iworst) ? "" : fmt_pct(a, sizeof(a), iworst),
			    v->unjudged ? "; network/FUSE ones asked only whether they answer" : "");
}

enum sbx_state judge_signal(struct sbx_report *rep, const struct disk_snap *s,
			    const struct disk_signal *g)
{
	enum sbx_check_id id = check_find(g->name);
	const char *point;
	char a[32], b[32];

	if (id == CHK_N)
		die(3, "internal error: signal %s is not in the catalogue", g->name);
	if (!g->dir)
		return ST_OK;	/* no container runtime here: no imagefs */
	if (g->mount < 0) {
		check_unknown(rep, id, g->dir, "%s: %s", g->name, g->why);
		return ST_UNKNOWN;
	}
	point = s->mt.m[g->mount].point;
	if (isnan(g->pct)) {
		if (s->fs[g->mount].status == FS_HUNG)
			return ST_UNKNOWN;	/* the hung check says so */
		if (g->inodes)
			return ST_OK;	/* a filesystem without an inode limit */
		check_unknown(rep, id, point, "%s: %s", g->name, g->why);
		return ST_UNKNOWN;
	}
	if (g->inodes)
		snprintf(b, sizeof(b), "%llu inodes", (unsigned long long)g->avail);
	else
		fmt_bytes(b, sizeof(b), (double)g->avail);
	return check_value(rep, id, point, g->pct,
			   "%s %s on %s (%s free; the kubelet evicts below %g%%)", g->name,
			   fmt_pct(a, sizeof(a), g->pct), point, b, g->hard_pct)->state;
}
