#include "netsnmp.h"
#include "netconn.h"

#include <stdlib.h>
#include <string.h>

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
		unsigned n = 0;

		nl = strchr(p, '\n');
		*nl = '\0';
		for (char *w = strtok_r(p, " \t", &save); w; w = strtok_r(NULL, " \t", &save), n++) {
			uint64_t v;

			if (n == SOFTNET_LIMIT || !net_hex_u64(w, strlen(w), &v)) {
				sbx_err_set(err, 0, "%s:%zu: %s", fname, row,
					    n == SOFTNET_LIMIT ? "more than 64 columns" : "a field is not hex");
				goto fail;
			}
			if (n < SOFTNET_MAXCOLS)
				r.col[r.ncols++] = v;
		}
		/* 9 since 2.6 (cpu_collision); fewer is not this file */
		if (n < 9) {
			sbx_err_set(err, 0, "%s:%zu: %u columns, expected 9 or more", fname, row, n);
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
