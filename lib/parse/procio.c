/* /proc/PID/io and stat's I/O fields: see procio.h. */
#include "procio.h"
#include "procfs.h"

#include <string.h>

static bool value(const char *p, const char *end, uint64_t *out)
{
	while (p < end && is_space(*p))
		p++;
	if (!scan_u64(&p, end, out))
		return false;
	while (p < end && is_space(*p))
		p++;
	return p == end;
}

int parse_proc_io(const char *text, size_t len, const char *fname, struct proc_io_counts *out,
		  struct sbx_err *err)
{
	const char *p = text, *end = text + len;
	unsigned have = 0, lineno = 0;

	memset(out, 0, sizeof(*out));
	if (!len) {
		sbx_err_set(err, 0, "%s: empty file", fname);
		return -1;
	}
	if (text_truncated(text, len, fname, err) < 0)
		return -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *colon;
		size_t kl;
		uint64_t v;

		lineno++;
		colon = memchr(p, ':', (size_t)(nl - p));
		if (!colon) {
			sbx_err_set(err, 0, "%s:%u: no 'key: value' in '%.*s'", fname, lineno,
				    (int)(nl - p > 40 ? 40 : nl - p), p);
			return -1;
		}
		kl = (size_t)(colon - p);
		if (!value(colon + 1, nl, &v)) {
			sbx_err_set(err, 0, "%s:%u: cannot parse '%.*s'", fname, lineno,
				    (int)(nl - p > 40 ? 40 : nl - p), p);
			return -1;
		}
#define KEY(k) (kl == sizeof(k) - 1 && !memcmp(p, k, kl))
		if (KEY("read_bytes")) {
			out->read_bytes = v;
			have |= 1;
		} else if (KEY("write_bytes")) {
			out->write_bytes = v;
			have |= 2;
		} else if (KEY("cancelled_write_bytes")) {
			out->cancelled_write_bytes = v;
			have |= 4;
		} else if (KEY("rchar")) {
			out->rchar = v;
			out->has_rchar = true;
		} else if (KEY("wchar")) {
			out->wchar = v;
		}
#undef KEY
		p = nl + 1;
	}
	if (have != 7) {
		sbx_err_set(err, 0, "%s: no %s line", fname,
			    !(have & 1) ? "read_bytes" : !(have & 2) ? "write_bytes"
							     : "cancelled_write_bytes");
		return -1;
	}
	return 0;
}

int parse_proc_io_stat(const char *text, size_t len, const char *fname,
		       struct proc_io_stat *out, struct sbx_err *err)
{
	const char *end = memchr(text, '\n', len), *open, *close = NULL, *p;
	size_t cl, field = 2;
	bool cut;

	memset(out, 0, sizeof(*out));
	if (!len) {
		sbx_err_set(err, 0, "%s: empty file", fname);
		return -1;
	}
	/* without a newline the last field may have lost digits */
	cut = !end;
	if (!end)
		end = text + len;
	open = memchr(text, '(', (size_t)(end - text));
	for (const char *q = open; q && q < end; q++)
		if (*q == ')')
			close = q;
	if (!open || !close)
		goto bad;
	cl = (size_t)(close - open - 1);
	if (cl >= sizeof(out->comm))
		cl = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, cl);
	out->comm[cl] = '\0';
	for (p = close + 1; p < end && field < 42;) {
		const char *w;
		uint64_t v;

		if (*p != ' ')
			goto bad;
		p++;
		w = p;
		field++;
		while (p < end && *p != ' ')
			p++;
		if (p == w)
			goto bad;
		if (field == 3)
			continue;	/* the state letter */
		{
			const char *q = w;

			/* some fields are signed (priority, nice, ...) */
			if (*q == '-')
				q++;
			if (!scan_u64(&q, p, &v) || q != p)
				goto bad;
		}
		if (cut && p == end && (field == 22 || field == 42))
			goto cutshort;
		if (field == 22)
			out->starttime = v;
		if (field == 42) {
			out->blkio_ticks = v;
			out->has_blkio = true;
		}
	}
	if (field < 22)
		goto bad;
	return 0;
cutshort:
	sbx_err_set(err, 0, "%s: truncated (the last line has no newline)", fname);
	return -1;
bad:
	sbx_err_set(err, 0, "%s: not a /proc/PID/stat line: '%.*s'", fname,
		    (int)(end - text > 60 ? 60 : end - text), text);
	return -1;
}
