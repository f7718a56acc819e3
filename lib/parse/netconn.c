#include "netconn.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool net_hex_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (!n || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

int parse_nfct_stat(const char *text, size_t len, const char *fname, struct nfct_stat *out,
		    struct sbx_err *err)
{
	char *p, *nl, *save = NULL;
	size_t cap = 0, lineno = 1;

	memset(out, 0, sizeof(*out));
	if (!(out->arena = net_text_copy(text, len, fname, err)))
		return -1;
	nl = strchr(out->arena, '\n');
	if (!nl) {
		sbx_err_set(err, 0, "%s: empty", fname);
		goto fail;
	}
	*nl = '\0';
	for (char *w = strtok_r(out->arena, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (out->ncols == NFCT_MAXCOLS) {
			sbx_err_set(err, 0, "%s:1: more than %d columns", fname, NFCT_MAXCOLS);
			goto fail;
		}
		/* a header of names, not the first row of numbers */
		if (!((*w >= 'a' && *w <= 'z') || *w == '_')) {
			sbx_err_set(err, 0, "%s:1: no header of column names", fname);
			goto fail;
		}
		out->names[out->ncols++] = w;
	}
	if (!out->ncols || strcmp(out->names[0], "entries")) {
		sbx_err_set(err, 0, "%s:1: not /proc/net/stat/nf_conntrack (the header does not start "
			    "with \"entries\")", fname);
		goto fail;
	}
	for (p = nl + 1; *p; p = nl + 1) {
		size_t k = 0;

		nl = strchr(p, '\n');
		*nl = '\0';
		lineno++;
		if (out->nrows == cap) {
			cap = cap ? cap * 2 : 8;
			out->v = xrealloc(out->v, cap * out->ncols * sizeof(uint64_t));
		}
		save = NULL;
		for (char *w = strtok_r(p, " \t", &save); w; w = strtok_r(NULL, " \t", &save), k++) {
			if (k == out->ncols ||
			    !net_hex_u64(w, strlen(w), &out->v[out->nrows * out->ncols + k])) {
				sbx_err_set(err, 0, "%s:%zu: %s", fname, lineno,
					    k == out->ncols ? "more fields than the header names"
							    : "a field is not hex");
				goto fail;
			}
		}
		if (k != out->ncols) {
			sbx_err_set(err, 0, "%s:%zu: %zu fields for %zu column names", fname, lineno, k,
				    out->ncols);
			goto fail;
		}
		out->nrows++;
	}
	if (!out->nrows) {
		sbx_err_set(err, 0, "%s: a header and no CPU rows", fname);
		goto fail;
	}
	return 0;
fail:
	nfct_stat_free(out);
	return -1;
}

void nfct_stat_free(struct nfct_stat *t)
{
	free(t->v);
	free(t->arena);
	memset(t, 0, sizeof(*t));
}

bool nfct_stat_sum(const struct nfct_stat *t, const char *name, uint64_t *out)
{
	for (size_t c = 0; c < t->ncols; c++) {
		uint64_t s = 0;

		if (strcmp(t->names[c], name))
			continue;
		for (size_t r = 0; r < t->nrows; r++)
			s += t->v[r * t->ncols + c];
		*out = s;
		return true;
	}
	return false;
}

/* "0100007F:1F90" (or 32 hex digits for IPv6) -> "127.0.0.1:8080". */
static bool format_addr(const char *s, size_t n, bool ipv6, char *out, size_t outn)
{
	const char *colon = memchr(s, ':', n);
	size_t alen = ipv6 ? 32 : 8;
	unsigned char bytes[16];
	char host[INET6_ADDRSTRLEN];
	uint64_t port;

	if (!colon || (size_t)(colon - s) != alen ||
	    !net_hex_u64(colon + 1, n - alen - 1, &port) || port > 65535)
		return false;
	for (size_t w = 0; w < alen / 8; w++) {
		uint64_t v;
		uint32_t v32;

		if (!net_hex_u64(s + w * 8, 8, &v))
			return false;
		/* the kernel prints each 32-bit word as a host-order number */
		v32 = (uint32_t)v;
		memcpy(bytes + w * 4, &v32, 4);
	}
	if (!inet_ntop(ipv6 ? AF_INET6 : AF_INET, bytes, host, sizeof(host)))
		return false;
	snprintf(out, outn, ipv6 ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
	return true;
}

int parse_net_sockets(const char *text, size_t len, const char *fname, bool ipv6, int state,
		      struct net_socks *out, struct sbx_err *err)
{
	char *s, *p, *nl;
	size_t lineno = 1, cap = out->n;
	bool drops;

	if (!(s = net_text_copy(text, len, fname, err)))
		return -1;
	nl = strchr(s, '\n');
	if (!nl || !strstr(s, "local_address") || !strstr(s, "tx_queue")) {
		sbx_err_set(err, 0, "%s:1: no header (not /proc/net/tcp or udp)", fname);
		goto fail;
	}
	*nl = '\0';
	drops = strstr(s, " drops") != NULL;
	for (p = nl + 1; *p; p = nl + 1) {
		char *f[13], *save = NULL;
		size_t nf = 0;
		uint64_t st, txq, rxq, uid, inode;
		struct net_sock l;
		char *qc;

		nl = strchr(p, '\n');
		*nl = '\0';
		lineno++;
		for (char *w = strtok_r(p, " \t", &save); w && nf < ARRAY_SIZE(f);
		     w = strtok_r(NULL, " \t", &save))
			f[nf++] = w;
		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (nf < 10) {
			sbx_err_set(err, 0, "%s:%zu: %zu fields, expected 10 or more", fname, lineno, nf);
			goto fail;
		}
		qc = strchr(f[4], ':');
		if (!net_hex_u64(f[3], strlen(f[3]), &st) || !qc ||
		    !net_hex_u64(f[4], (size_t)(qc - f[4]), &txq) ||
		    !net_hex_u64(qc + 1, strlen(qc + 1), &rxq) || !parse_u64(f[7], &uid) ||
		    uid > UINT32_MAX || !parse_u64(f[9], &inode)) {
			sbx_err_set(err, 0, "%s:%zu: not a socket row (state, queues, uid or inode)",
				    fname, lineno);
			goto fail;
		}
		if (state != NET_ANY_STATE && st != (uint64_t)state)
			continue;
		memset(&l, 0, sizeof(l));
		if (!format_addr(f[1], strlen(f[1]), ipv6, l.addr, sizeof(l.addr))) {
			sbx_err_set(err, 0, "%s:%zu: local address %s is not %s", fname, lineno, f[1],
				    ipv6 ? "32 hex digits:port" : "8 hex digits:port");
			goto fail;
		}
		l.queue = rxq;
		l.backlog = txq;
		l.uid = (uint32_t)uid;
		l.inode = inode;
		if (drops && (nf < 13 || !parse_u64(f[12], &l.drops))) {
			sbx_err_set(err, 0, "%s:%zu: no drops count where the header has one", fname,
				    lineno);
			goto fail;
		}
		l.has_drops = drops;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		out->v[out->n++] = l;
	}
	free(s);
	return 0;
fail:
	free(s);
	return -1;
}

void net_socks_free(struct net_socks *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
