#include "netsnmp.h"

#include <stdlib.h>
#include <string.h>

static void add(struct net_stats *t, size_t *cap, char *proto, char *key, int64_t v)
{
	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		t->v = xrealloc(t->v, *cap * sizeof(*t->v));
	}
	t->v[t->n++] = (struct net_stat){ .proto = proto, .key = key, .value = v };
}

/* Split "Proto: rest" in place; NULL when there is no "Proto:". */
static char *proto_of(char *line, char **rest)
{
	char *c = strchr(line, ':');

	if (!c || c == line || c[1] != ' ' || memchr(line, ' ', (size_t)(c - line)))
		return NULL;
	*c = '\0';
	*rest = c + 1;
	return line;
}

static size_t words(char *s, char ***out)
{
	size_t n = 0, cap = 0;
	char *save = NULL;

	*out = NULL;
	for (char *w = strtok_r(s, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[n++] = w;
	}
	return n;
}

/* The start both parsers share: a private NUL-terminated copy of a text
 * that is whole, and not empty. */
static int stats_open(struct net_stats *out, const char *text, size_t len, const char *fname,
		      struct sbx_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!(out->arena = net_text_copy(text, len, fname, err)))
		return -1;
	if (!len) {
		sbx_err_set(err, 0, "%s: empty", fname);
		net_stats_free(out);
		return -1;
	}
	return 0;
}

int parse_netsnmp(const char *text, size_t len, const char *fname, struct net_stats *out,
		  struct sbx_err *err)
{
	char *p, *nl;
	size_t cap = 0, lineno = 0;

	if (stats_open(out, text, len, fname, err) < 0)
		return -1;
	for (p = out->arena; *p; p = nl + 1) {
		char *names_line = p, *vals_line, *np, *vp, *nrest, *vrest, **names, **vals;
		size_t nn, nv;

		nl = strchr(p, '\n');
		*nl = '\0';
		lineno++;
		if (!nl[1]) {
			sbx_err_set(err, 0, "%s:%zu: a names line without its values line", fname,
				    lineno);
			goto fail;
		}
		vals_line = nl + 1;
		nl = strchr(vals_line, '\n');
		*nl = '\0';
		lineno++;
		np = proto_of(names_line, &nrest);
		vp = proto_of(vals_line, &vrest);
		if (!np || !vp || strcmp(np, vp)) {
			sbx_err_set(err, 0, "%s:%zu: not a \"Proto: names\" / \"Proto: values\" pair",
				    fname, lineno - 1);
			goto fail;
		}
		nn = words(nrest, &names);
		nv = words(vrest, &vals);
		if (nn != nv || !nn) {
			sbx_err_set(err, 0, "%s:%zu: %s: %zu values for %zu names", fname, lineno, np,
				    nv, nn);
			free(names);
			free(vals);
			goto fail;
		}
		for (size_t i = 0; i < nn; i++) {
			int64_t v;

			if (!parse_i64(vals[i], &v)) {
				sbx_err_set(err, 0, "%s:%zu: %s %s: not a number", fname, lineno, np,
					    names[i]);
				free(names);
				free(vals);
				goto fail;
			}
			add(out, &cap, np, names[i], v);
		}
		free(names);
		free(vals);
	}
	return 0;
fail:
	net_stats_free(out);
	return -1;
}

int parse_sockstat(const char *text, size_t len, const char *fname, struct net_stats *out,
		   struct sbx_err *err)
{
	char *p, *nl;
	size_t cap = 0, lineno = 0;

	if (stats_open(out, text, len, fname, err) < 0)
		return -1;
	for (p = out->arena; *p; p = nl + 1) {
		char *proto, *rest, **w;
		size_t n;

		nl = strchr(p, '\n');
		*nl = '\0';
		lineno++;
		proto = proto_of(p, &rest);
		n = proto ? words(rest, &w) : 0;
		if (!n || n % 2) {
			sbx_err_set(err, 0, "%s:%zu: not \"PROTO: key value ...\"", fname, lineno);
			if (proto)
				free(w);
			goto fail;
		}
		for (size_t i = 0; i < n; i += 2) {
			int64_t v;

			if (!parse_i64(w[i + 1], &v)) {
				sbx_err_set(err, 0, "%s:%zu: %s %s: not a number", fname, lineno,
					    proto, w[i]);
				free(w);
				goto fail;
			}
			add(out, &cap, proto, w[i], v);
		}
		free(w);
	}
	return 0;
fail:
	net_stats_free(out);
	return -1;
}

void net_stats_free(struct net_stats *t)
{
	free(t->v);
	free(t->arena);
	memset(t, 0, sizeof(*t));
}

bool net_stats_get(const struct net_stats *t, const char *proto, const char *key, int64_t *out)
{
	/* a few hundred counters, a score of lookups a sample: the first
	 * byte turns most away without a call */
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].key[0] == key[0] && !strcmp(t->v[i].key, key) &&
		    !strcmp(t->v[i].proto, proto)) {
			*out = t->v[i].value;
			return true;
		}
	return false;
}
