/* The disk checks, judged once for `disk` and `health`: hung, statfs,
 * readonly, space, inodes, fill, and the kubelet's nodefs/imagefs signals. */
#ifndef SREBOX_JUDGE_DISK_H
#define SREBOX_JUDGE_DISK_H

#include "check.h"
#include "disk.h"

struct fs_verdict {
	size_t shown;		/* filesystems judged or reported */
	size_t flagged;		/* space or inodes not OK */
	size_t hung;
	size_t unjudged;	/* asked only whether they answer (judge[i] false) */
};

/* Every mount i with want[i]: hung (CRITICAL by default), statfs errors
 * (UNKNOWN), a read-only remount under a rw mount; and where judge[i]
 * (NULL: all), its free space and inodes (one finding per filesystem not
 * OK, then one OK line naming the fullest when none is) and, with prev,
 * its time to full.  A read-only filesystem cannot fill up: its space is
 * not judged.  with_empty: show filesystems of size 0 too (disk -a). */
void judge_filesystems(struct sbx_report *rep, const struct disk_snap *s, const bool *want,
		       const bool *judge, const struct disk_snap *prev, bool with_empty,
		       struct fs_verdict *v);

/* One kubelet eviction signal of disk_signals(): its finding, or none when
 * there is nothing to judge (no runtime dir; the mount is hung, which the
 * hung check says).  Returns the state given. */
enum sbx_state judge_signal(struct sbx_report *rep, const struct disk_snap *s,
			    const struct disk_signal *g);

#endif
