/* Every read of /proc and /sys goes through here, so that one prefix
 * (--root DIR, SREBOX_ROOT) moves them all: the live machine, a DaemonSet
 * pod with the host under /host, or a fixture tree in the tests. */
#ifndef SREBOX_ROOT_H
#define SREBOX_ROOT_H

#include "util.h"

#include <dirent.h>

/* DIR, or NULL/"" or "/" for the live machine. */
void root_set(const char *dir);
/* Whether DIR can be a root: a directory, with proc/ in it when need_proc.
 * The error names DIR (as `what` says it was given: "--root /x"). */
int root_check(const char *dir, const char *what, bool need_proc, struct sbx_err *err);
const char *root_get(void);	/* "" for the live machine, never "/" */
bool root_is_live(void);

/* Path under the root: rooted("/proc/stat") -> "/host/proc/stat".
 * Returns a pointer to a static ring of buffers: use it at once. */
const char *rooted(const char *path);
/* Same, printf-style. */
const char *rootedf(const char *fmt, ...) SBX_PRINTF(1, 2);

/* Read a whole file (procfs files report size 0, so read until EOF).
 * Files over `max` bytes fail with EFBIG rather than exhaust memory.
 * The error names the path as the user would see it (with the root). */
#define ROOT_READ_MAX (256u << 20)
int root_read(const char *path, struct buf *out, struct sbx_err *err);
/* Between root_memo_begin and root_memo_end (one sample of top) each file
 * root_read and root_read_line give is read once and kept: every reader
 * of the sample sees the same bytes, and /proc/stat, /proc/uptime or a
 * device's sysfs files are not read again by each sampler.  A process's
 * own files (/proc/PID/...) are not kept.  Off while recording. */
void root_memo_begin(void);
void root_memo_end(void);
/* A sampler's (top, on the live node): keep the kernel's files (/proc,
 * /sys) open once read and read them again in place (root.c's "held
 * files").  root_hold_sweep(), once a sample, closes those the last two
 * samples did not read. */
void root_hold(void);
void root_hold_sweep(void);
/* Held files are in force now (asked, live, not recording). */
bool root_holding(void);
/* How many files this process may have open: its soft limit, first
 * raised towards the hard one (to 2048 at most). */
size_t root_fd_budget(void);
int root_readf(struct buf *out, struct sbx_err *err, const char *fmt, ...) SBX_PRINTF(3, 4);

/* A one-line file (sysctl, sysfs attribute): trailing newline removed. */
int root_read_line(const char *path, char *out, size_t n, struct sbx_err *err);
/* root_read_line for a file one reader reads once a sample (an
 * interface's sysfs state): held open while root_holding(), and not
 * kept by the memo. */
int root_read_attr(const char *path, char *out, size_t n, struct sbx_err *err);
/* A file holding one unsigned number. */
int root_read_u64(const char *path, uint64_t *out, struct sbx_err *err);

DIR *root_opendir(const char *path, struct sbx_err *err);

/* Guarded reads, for a root on a mount that may stop answering: each
 * read under the root waits at most `timeout` seconds; one that does not
 * come back fails naming its path, and every later one fails at once.
 * root_stuck() is that path (and the timeout), or NULL. */
void root_guard(double timeout);
const char *root_stuck(double *timeout);

/* Read a file given as a real path (not under the root), e.g. --input. */
int read_file(const char *path, struct buf *out, size_t max, struct sbx_err *err);

#endif

/* --- two snapshots: a capture, or --root DIR1 --root DIR2 ----------------
 * The roots in force are a list of one or two trees; root_select(k) makes
 * tree k the one every read goes to.  With two, the sampling loop reads
 * the first, then the second, and the time between them is their own
 * clocks' (root_clock: each tree's /proc/uptime), never the replay's. */
void root_set_pair(const char *first, const char *second);
size_t root_count(void);	/* 1, or 2 for a pair */
void root_select(size_t k);
const char *root_snapshot_dir(size_t k);
/* Seconds on the clock of the tree in force: live (or one tree), the
 * monotonic clock; in a pair, the tree's /proc/uptime (<0 unreadable). */
double root_clock(void);
/* The applet whose clock a capture holds (.srebox/clock/APPLET: the
 * uptime when it started its readings in each snapshot): its rates are
 * over its own interval, whatever the applets before it took. */
void root_clock_key(const char *applet);

/* The capture replayed, when --root named a capture file (NULL else):
 * its host and when its first snapshot was taken, for the output. */
struct root_capture {
	char host[256];
	char taken[64];		/* ISO 8601 UTC */
	char file[1024];
};
void root_set_capture(const struct root_capture *c);
const struct root_capture *root_capture(void);
/* Whether this machine's own helpers (systemctl, iptables-save, nft, a
 * service on loopback) answer for the root: NULL when they do -- the live
 * machine, and a --root DIR that is this machine seen from a container
 * (its /proc's boot id is this kernel's, or it has none to tell by) --
 * else why not: "a capture of HOST", "another machine's tree (its boot id
 * is not this kernel's)". */
const char *root_other_machine(void);
/* Text with each path into the directory the capture was unpacked in
 * shown as on the captured node, after the file's name:
 * "/tmp/srebox-replay.x/0/proc/stat: ..." -> "node.sbx:/proc/stat: ...".
 * A new string, or NULL when there is none in s (or no capture). */
char *root_capture_text(const char *s);

/* --- recording: srebox capture -------------------------------------------
 * While recording, every file the probes read under the root (root_read,
 * root_read_line, and the readers that open files themselves, through
 * root_record_file) is also kept in memory at its path, with every
 * directory listed (and the directories above each path), so that the
 * entries unpack into the tree the probes saw.  The first copy of a path
 * wins: one snapshot holds one reading of each file.  Never recorded:
 * environ, and cmdline unless root_record_cmdline(true); anything named
 * like a token, a key or a kubeconfig. */
struct root_rec_entry {
	char *path;		/* under the root: "/proc/stat" */
	char *data;
	size_t len;
	bool dir;
};
/* Start a new recording (dropping the last one's entries), or with NULL
 * stop recording; the entries stay until the next start. */
void root_record(const char *start);
/* The entries recorded, handed over (free each path and data, and v). */
struct root_rec_entry *root_record_take(size_t *n);
bool root_recording(void);
/* The live machine, not being recorded: a reader may take a shortcut
 * (another path to the same answer) or keep an answer across samples;
 * a capture must make every read of every snapshot. */
bool root_live_unrecorded(void);
void root_record_cmdline(bool yes);
void root_record_file(const char *path, const void *data, size_t len);
void root_record_dir(const char *path);
/* A read that failed with errnum other than ENOENT: the manifest lists it. */
void root_record_failure(const char *path, int errnum);
/* The failures recorded since root_record(dir): path and errno. */
struct root_failure {
	char *path;
	int errnum;
};
const struct root_failure *root_record_failures(size_t *n, size_t *dropped);
/* The first error of the recording itself (a full disk), or NULL. */
const char *root_record_error(void);
/* Whether a path may go into a capture (the deny-list above). */
bool root_record_allowed(const char *path);
/* Append to a file of the recording (the filesystem answers, the log). */
void root_record_append(const char *path, const void *data, size_t len);
