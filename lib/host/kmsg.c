#include "kmsg.h"
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <unistd.h>

/* Each complete line of text, as a record in syslog(2) or /dev/kmsg form. */
static void each_line(const char *text, size_t len, bool syslog, kmsg_fn fn, void *arg)
{
	for (size_t off = 0; off < len;) {
		const char *line = text + off, *nl = memchr(line, '\n', len - off);
		size_t n = nl ? (size_t)(nl - line) : len - off;
		struct kmsg_rec r;
		int rc;

		off += n + 1;
		if (!n || line[0] == ' ')
			continue;	/* continuation: " SUBSYSTEM=..." */
		rc = syslog ? parse_syslog_record(line, n, &r) : parse_kmsg_record(line, n, &r);
		if (rc >= 0)
			fn(arg, &r, rc == 0);
	}
}

static int read_syslog(kmsg_fn fn, void *arg, struct sbx_err *err)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), n;
	char *b;

	if (size <= 0) {
		sbx_err_set(err, errno, "kernel log: %s", sbx_errno_word(errno));
		return -1;
	}
	b = xmalloc((size_t)size);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, b, size);
	if (n < 0) {
		sbx_err_set(err, errno, "kernel log: %s", sbx_errno_word(errno));
		free(b);
		return -1;
	}
	each_line(b, (size_t)n, true, fn, arg);
	free(b);
	return 0;
}

int kmsg_tail_key(uint64_t *key, struct sbx_err *err)
{
	int size, n;
	char *b;
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	*key = 0;
	if (!root_is_live()) {
		sbx_err_set(err, 0, "kernel log: a saved log under --root has no key");
		return -1;
	}
	size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	if (size <= 0) {
		sbx_err_set(err, errno, "kernel log: %s", sbx_errno_word(errno));
		return -1;
	}
	b = xmalloc(KMSG_TAIL);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, b, KMSG_TAIL);
	if (n <= 0) {
		/* nothing, or a newest record longer than the tail: no key */
		sbx_err_set(err, n < 0 ? errno : 0, "kernel log: %s",
			    n < 0 ? sbx_errno_word(errno) : "no records in the tail");
		free(b);
		return -1;
	}
	for (int i = 0; i < n; i++)
		h = (h ^ (unsigned char)b[i]) * 1099511628211ULL;
	h ^= (uint64_t)n << 32 ^ (uint64_t)size;
	free(b);
	*key = h ? h : 1;
	return 0;
}

int kmsg_follow_changed(void)
{
	static int fd = -2;	/* -2 not opened yet, -1 refused */
	char rec[8192];
	bool seen = false;

	if (!root_is_live() || root_recording())
		return -1;
	if (fd == -2) {
		fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
			close(fd);
			fd = -1;
		}
		return fd < 0 ? -1 : 1;
	}
	if (fd < 0)
		return -1;
	/* a log storm: after the budget, changed, and the rest next time */
	for (int budget = 0; budget < 4096; budget++) {
		ssize_t n = read(fd, rec, sizeof(rec));

		if (n > 0 || (n < 0 && errno == EPIPE))
			seen = true;	/* EPIPE: records overwritten before we read them */
		else if (n == 0 || errno == EAGAIN)
			return seen;
		else if (errno != EINTR)
			return 1;	/* a read error: the next scan says what */
	}
	return 1;
}

int kmsg_read_each(kmsg_fn fn, void *arg, struct sbx_err *err)
{
	const char *path = rooted("/dev/kmsg");
	char rec[8192];
	struct stat st;
	int fd;

	struct buf rec_log = { 0 };
	bool recording = root_recording();

	/* a capture records /dev/kmsg's records, the form a saved log is read in */
	if (root_is_live() && !recording && read_syslog(fn, arg, err) == 0)
		return 0;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && recording && root_is_live()) {
		root_record_failure("/dev/kmsg", errno);
		return read_syslog(fn, arg, err);
	}
	if (fd < 0) {
		sbx_err_set(err, errno, "%s: %s", path, sbx_errno_word(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && !S_ISCHR(st.st_mode)) {
		/* a saved log (fixture trees): one record per line */
		struct buf b = { 0 };
		int rc;

		close(fd);
		rc = read_file(path, &b, 64u << 20, err);
		if (rc == 0)
			each_line(b.s, b.len, false, fn, arg);
		buf_free(&b);
		return rc < 0 ? -1 : 0;
	}
	/* the device: one record per read; a log storm must not stall us */
	for (long budget = 200000; budget > 0; budget--) {
		ssize_t n = read(fd, rec, sizeof(rec));

		if (n < 0 && (errno == EINTR || errno == EPIPE))
			continue;	/* EPIPE: overwritten while we read; go on */
		if (n < 0 && errno == EAGAIN)
			break;		/* no more records */
		if (n < 0) {
			sbx_err_set(err, errno, "%s: %s", path, sbx_errno_word(errno));
			close(fd);
			buf_free(&rec_log);
			return -1;
		}
		if (n == 0)
			break;
		/* the record's text ends at its first newline */
		{
			const char *nl = memchr(rec, '\n', (size_t)n);
			size_t l = nl ? (size_t)(nl - rec) : (size_t)n;

			each_line(rec, l, false, fn, arg);
			if (recording) {
				buf_add(&rec_log, rec, l);
				buf_adds(&rec_log, "\n");
			}
		}
	}
	close(fd);
	if (recording)
		root_record_file("/dev/kmsg", rec_log.s ? rec_log.s : "", rec_log.len);
	buf_free(&rec_log);
	return 0;
}

static const char *find(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (!memcmp(s + i, needle, m))
			return s + i;
	return NULL;
}

/* Copy the device name that starts at p (ends at ')', ',', ':' or space). */
static bool take_dev(const char *p, const char *end, char *dev, size_t devlen)
{
	size_t n = 0;

	while (p + n < end && !strchr("),: ", p[n]))
		n++;
	if (n == 0 || n >= devlen)
		return false;
	memcpy(dev, p, n);
	dev[n] = '\0';
	return true;
}

enum kmsg_fs kmsg_fs_match(const char *t, size_t n, char *dev, size_t devlen)
{
	static const char *const fs[] = { "EXT4-fs", "EXT3-fs", "EXT2-fs", "XFS", "BTRFS",
					  "F2FS-fs", "JBD2" };
	const char *end = t + n, *p;

	dev[0] = '\0';
	if ((p = find(t, n, "Buffer I/O error on dev ")) &&
	    take_dev(p + strlen("Buffer I/O error on dev "), end, dev, devlen))
		return KFS_IO_ERROR;
	if ((p = find(t, n, "I/O error, dev ")) && take_dev(p + strlen("I/O error, dev "), end, dev,
							     devlen))
		return KFS_IO_ERROR;
	if ((p = find(t, n, "Aborting journal on device ")) &&
	    take_dev(p + strlen("Aborting journal on device "), end, dev, devlen)) {
		char *dash = strrchr(dev, '-');

		/* "loop0-8": the journal's inode number follows the device */
		if (dash && dash[1] >= '0' && dash[1] <= '9')
			*dash = '\0';
		return KFS_ERROR;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fs); i++) {
		size_t l = strlen(fs[i]);
		const char *q;

		if (n < l || memcmp(t, fs[i], l))
			continue;
		/* "EXT4-fs error (device sda1): ...", "BTRFS error (device sda1)",
		 * "EXT4-fs (sda1): Remounting ...", "XFS (dm-0): Corruption ..." */
		if ((q = find(t, n, "(device ")))
			q += strlen("(device ");
		else if (n > l + 1 && t[l] == ' ' && t[l + 1] == '(')
			q = t + l + 2;
		else
			return KFS_NONE;
		if (!take_dev(q, end, dev, devlen))
			return KFS_NONE;
		if (find(t, n, "Remounting filesystem read-only") || find(t, n, "forced readonly") ||
		    find(t, n, "hutting down filesystem") || find(t, n, "has been shut down") ||
		    find(t, n, "Filesystem has been shut down"))
			return KFS_REMOUNT_RO;
		if (find(t, n, " error") || find(t, n, "Corruption") || find(t, n, "corrupt") ||
		    find(t, n, "I/O error"))
			return KFS_ERROR;
		dev[0] = '\0';
		return KFS_NONE;
	}
	return KFS_NONE;
}
