#include "kmsg.h"

#include <string.h>

bool kmsg_parse(const char *rec, size_t len, struct kmsg_rec *out)
{
	const char *p = rec, *end = rec + len, *semi, *nl;
	uint64_t prio;

	memset(out, 0, sizeof(*out));
	semi = memchr(rec, ';', len);
	if (!semi)
		return false;
	if (!scan_u64(&p, semi, &prio) || prio > 1023 || p >= semi || *p++ != ',')
		return false;
	if (!scan_u64(&p, semi, &out->seq) || p >= semi || *p++ != ',')
		return false;
	if (!scan_u64(&p, semi, &out->usec) || p >= semi || *p != ',')
		return false;
	/* flags and any later fields up to ';' are ignored, as the ABI asks */
	out->prio = (unsigned)prio;
	out->text = semi + 1;
	nl = memchr(out->text, '\n', (size_t)(end - out->text));
	out->text_len = (size_t)((nl ? nl : end) - out->text);
	return true;
}

bool kmsg_parse_syslog(const char *line, size_t len, struct kmsg_rec *out)
{
	const char *p = line, *end = line + len;
	uint64_t prio, sec, usec = 0;

	memset(out, 0, sizeof(*out));
	if (p >= end || *p++ != '<' || !scan_u64(&p, end, &prio) || prio > 1023 || p >= end ||
	    *p++ != '>')
		return false;
	out->prio = (unsigned)prio;
	if (p < end && *p == '[') {
		const char *q = p + 1, *f;

		while (q < end && *q == ' ')
			q++;
		if (!scan_u64(&q, end, &sec) || q >= end || *q++ != '.')
			return false;
		f = q;
		if (!scan_u64(&q, end, &usec) || q - f != 6 || q >= end || *q++ != ']')
			return false;
		if (sec > UINT64_MAX / 1000000 - 1)
			return false;
		out->usec = sec * 1000000 + usec;
		p = q;
		if (p < end && *p == ' ')
			p++;
	}
	out->text = p;
	out->text_len = (size_t)(end - p);
	return true;
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
