/* /proc/diskstats parser: see diskstats.h. */
#include "diskstats.h"

#include "procfs.h"

#include <stdlib.h>
#include <string.h>

/* Where the 4 counters of a 2.6 partition line go. */
static const unsigned short_slot[4] = { DS_RD_IOS, DS_RD_SECTORS, DS_WR_IOS, DS_WR_SECTORS };

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && is_space(*p))
		p++;
	return p;
}

/* One line (without its newline) into *d; false when it is not a diskstats line. */
static bool parse_line(const char *p, const char *le, struct disk_stat *d)
{
	uint64_t v, c[DS_NFIELDS];
	const char *name;
	unsigned n = 0;

	memset(d, 0, sizeof(*d));
	p = skip_ws(p, le);
	if (!scan_u64(&p, le, &v) || v > UINT32_MAX || p >= le || !is_space(*p))
		return false;
	d->major = (unsigned)v;
	p = skip_ws(p, le);
	if (!scan_u64(&p, le, &v) || v > UINT32_MAX || p >= le || !is_space(*p))
		return false;
	d->minor = (unsigned)v;
	p = skip_ws(p, le);
	name = p;
	while (p < le && !is_space(*p) && *p)
		p++;
	if (p == name || (size_t)(p - name) >= sizeof(d->name) || p >= le || !is_space(*p))
		return false;
	memcpy(d->name, name, (size_t)(p - name));
	for (;;) {
		p = skip_ws(p, le);
		if (p >= le)
			break;
		if (!scan_u64(&p, le, &v) || (p < le && !is_space(*p)))
			return false;
		if (n < DS_NFIELDS)
			c[n] = v;
		n++;
	}
	d->ncounters = n;
	if (n == 4) {
		d->short_form = true;
		for (unsigned i = 0; i < 4; i++)
			d->v[short_slot[i]] = c[i];
		return true;
	}
	if (n != 11 && n != 15 && n < 17)
		return false;
	memcpy(d->v, c, sizeof(uint64_t) * (n < DS_NFIELDS ? n : DS_NFIELDS));
	d->has_discard = n >= 15;
	d->has_flush = n >= 17;
	return true;
}

int parse_diskstats(const char *text, size_t len, const char *fname, struct diskstats *out,
		    struct sbx_err *err)
{
	const char *p = text, *end = text + len;
	size_t alloc = 0, lineno = 0;

	memset(out, 0, sizeof(*out));
	if (text_truncated(text, len, fname, err) < 0)
		return -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct disk_stat d;

		lineno++;
		if (skip_ws(p, le) < le) {
			if (!parse_line(p, le, &d)) {
				sbx_err_set(err, 0, "%s:%zu: not a diskstats line", fname, lineno);
				diskstats_free(out);
				return -1;
			}
			ALLOC_GROW(out->dev, out->n + 1, alloc);
			out->dev[out->n++] = d;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

void diskstats_free(struct diskstats *s)
{
	free(s->dev);
	s->dev = NULL;
	s->n = 0;
}

const struct disk_stat *diskstats_find(const struct diskstats *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->dev[i].name, name))
			return &s->dev[i];
	return NULL;
}
