#include "netdev.h"

#include "procfs.h"

#include <stdlib.h>
#include <string.h>

/* A NUL-terminated copy, refused when cut short or holding a NUL. */
char *net_text_copy(const char *text, size_t len, const char *fname, struct sbx_err *err)
{
	char *s;

	if (text_truncated(text, len, fname, err) < 0)
		return NULL;
	if (memchr(text, '\0', len)) {
		sbx_err_set(err, 0, "%s: binary data (a NUL byte)", fname);
		return NULL;
	}
	s = xmalloc(len + 1);
	memcpy(s, text, len);
	s[len] = '\0';
	return s;
}

static size_t count_words(const char *s, const char *e)
{
	size_t n = 0;
	bool in = false;

	for (; s < e; s++) {
		bool sp = *s == ' ' || *s == '\t';

		if (!sp && !in)
			n++;
		in = !sp;
	}
	return n;
}

/* " face |bytes ... multicast|bytes ... compressed": 8 and 8 columns. */
static bool header_ok(const char *l1, const char *l2, size_t *nrx, size_t *ntx)
{
	const char *a, *b;

	*nrx = *ntx = 0;
	if (strncmp(l1, "Inter-|", 7) || !strstr(l1, "Receive") || !strstr(l1, "Transmit"))
		return false;
	a = strchr(l2, '|');
	if (!a || !strstr(l2, "face"))
		return false;
	b = strchr(a + 1, '|');
	if (!b)
		return false;
	*nrx = count_words(a + 1, b);
	*ntx = count_words(b + 1, b + 1 + strlen(b + 1));
	return *nrx == 8 && *ntx == 8 && !strncmp(a + 1, "bytes", 5) && !strncmp(b + 1, "bytes", 5);
}

int parse_netdev(const char *text, size_t len, const char *fname, struct netdev_table *out,
		 struct sbx_err *err)
{
	char *s, *p, *nl, *l1, *l2;
	size_t cap = 0, lineno = 2, nrx, ntx;

	memset(out, 0, sizeof(*out));
	if (!(s = net_text_copy(text, len, fname, err)))
		return -1;
	l1 = s;
	nl = strchr(l1, '\n');
	l2 = nl ? nl + 1 : NULL;
	nl = l2 ? strchr(l2, '\n') : NULL;
	if (!nl) {
		sbx_err_set(err, 0, "%s: no header (empty or not /proc/net/dev)", fname);
		goto fail;
	}
	*strchr(l1, '\n') = '\0';
	*nl = '\0';
	if (!header_ok(l1, l2, &nrx, &ntx)) {
		sbx_err_set(err, 0, "%s: unknown header (%zu receive and %zu transmit columns, "
			    "expected 8 and 8)", fname, nrx, ntx);
		goto fail;
	}
	for (p = nl + 1; *p; p = nl + 1) {
		uint64_t v[16];
		char *colon, *name, *tok, *save = NULL;
		size_t nv = 0, nl_len;
		struct netdev_if *f;

		nl = strchr(p, '\n');
		*nl = '\0';
		lineno++;
		/* counters hold no ':', so the name ends at the last one */
		colon = strrchr(p, ':');
		if (!colon) {
			sbx_err_set(err, 0, "%s:%zu: no ':' after the interface name", fname, lineno);
			goto fail;
		}
		*colon = '\0';
		name = p + strspn(p, " \t");
		nl_len = strlen(name);
		while (nl_len && (name[nl_len - 1] == ' ' || name[nl_len - 1] == '\t'))
			name[--nl_len] = '\0';
		if (!nl_len || nl_len > 15) {
			sbx_err_set(err, 0, "%s:%zu: interface name of %zu bytes (1 to 15)", fname,
				    lineno, nl_len);
			goto fail;
		}
		for (tok = strtok_r(colon + 1, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			if (nv == 16 || !parse_u64(tok, &v[nv])) {
				sbx_err_set(err, 0, "%s:%zu: %s: %s", fname, lineno, name,
					    nv == 16 ? "more than 16 counters" : "a counter is not a number");
				goto fail;
			}
			nv++;
		}
		if (nv != 16) {
			sbx_err_set(err, 0, "%s:%zu: %s: %zu counters, expected 16", fname, lineno,
				    name, nv);
			goto fail;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->ifs = xrealloc(out->ifs, cap * sizeof(*out->ifs));
		}
		f = &out->ifs[out->n++];
		memset(f, 0, sizeof(*f));
		memcpy(f->name, name, nl_len + 1);
		f->rx = (struct netdev_dir){ .bytes = v[0], .packets = v[1], .errs = v[2], .drop = v[3],
					     .fifo = v[4], .frame = v[5], .compressed = v[6],
					     .multicast = v[7] };
		f->tx = (struct netdev_dir){ .bytes = v[8], .packets = v[9], .errs = v[10],
					     .drop = v[11], .fifo = v[12], .colls = v[13],
					     .carrier = v[14], .compressed = v[15] };
	}
	free(s);
	return 0;
fail:
	free(s);
	netdev_table_free(out);
	return -1;
}

void netdev_table_free(struct netdev_table *t)
{
	free(t->ifs);
	t->ifs = NULL;
	t->n = 0;
}

const struct netdev_if *netdev_find(const struct netdev_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->ifs[i].name, name))
			return &t->ifs[i];
	return NULL;
}
