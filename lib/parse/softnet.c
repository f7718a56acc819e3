#include "netsnmp.h"

#include <stdlib.h>
#include <string.h>

static bool hex_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	for (; *s; s++, n++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (n == 16)
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return n > 0;
}

int parse_softnet(const char *text, size_t len, const char *fname, struct softnet_table *out,
		  struct sbx_err *err)
{
	char *s, *p, *nl;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	if (!(s = net_text_copy(text, len, fname, err)))
		return -1;
	if (!len) {
		sbx_err_set(err, 0, "%s: empty", fname);
		goto fail;
	}
	for (p = s; *p; p = nl + 1) {
		struct softnet_row r = { 0 };
		char *save = NULL;
		size_t row = out->n + 1;

		nl = strchr(p, '\n');
		*nl = '\0';
		for (char *w = strtok_r(p, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
			if (r.ncols == SOFTNET_MAXCOLS || !hex_u64(w, &r.col[r.ncols])) {
				sbx_err_set(err, 0, "%s:%zu: %s", fname, row,
					    r.ncols == SOFTNET_MAXCOLS ? "more than 13 columns"
								       : "a field is not hex");
				goto fail;
			}
			r.ncols++;
		}
		/* 9 since 2.6 (cpu_collision); fewer is not this file */
		if (r.ncols < 9) {
			sbx_err_set(err, 0, "%s:%zu: %u columns, expected 9 to 13", fname, row,
				    r.ncols);
			goto fail;
		}
		if (r.ncols > SOFTNET_CPU_INDEX) {
			if (r.col[SOFTNET_CPU_INDEX] > 0xffffffffu) {
				sbx_err_set(err, 0, "%s:%zu: CPU index out of range", fname, row);
				goto fail;
			}
			r.cpu = (unsigned)r.col[SOFTNET_CPU_INDEX];
		} else {
			r.cpu = (unsigned)out->n;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->rows = xrealloc(out->rows, cap * sizeof(*out->rows));
		}
		out->rows[out->n++] = r;
	}
	free(s);
	return 0;
fail:
	free(s);
	softnet_table_free(out);
	return -1;
}

void softnet_table_free(struct softnet_table *t)
{
	free(t->rows);
	t->rows = NULL;
	t->n = 0;
}
