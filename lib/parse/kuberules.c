#include "kuberules.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Chains made per service or endpoint fold into one row per kind. */
static void fold(const char *name, size_t l, char *out, size_t n, bool *svc)
{
	static const char *const kinds[] = { "KUBE-SVC-", "KUBE-SEP-", "KUBE-FW-", "KUBE-XLB-", "KUBE-EXT-",
					     "KUBE-SVL-", "service-", "endpoint-", "external-", "firewall-" };

	*svc = false;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		size_t kl = strlen(kinds[i]);

		/* nftables mode's per-service chains are named ns/name/proto/port */
		if (l > kl && !strncmp(name, kinds[i], kl) && (i < 6 || memchr(name, '/', l))) {
			snprintf(out, n, "%s*", kinds[i]);
			*svc = i == 0 || i == 6;
			return;
		}
	}
	snprintf(out, n, "%.*s", (int)(l < n ? l : n - 1), name);
}

static struct kube_chain *row(struct kube_rules *r, const char *table, const char *name, size_t nl,
			      bool is_new)
{
	char f[64];
	bool svc;

	fold(name, nl, f, sizeof(f), &svc);
	if (is_new && svc)
		r->services++;
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].table, table) && !strcmp(r->v[i].name, f)) {
			r->v[i].chains += is_new;
			return &r->v[i];
		}
	if (r->n == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 16;
		r->v = xreallocarray(r->v, r->alloc, sizeof(*r->v));
	}
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	snprintf(r->v[r->n].table, sizeof(r->v[0].table), "%s", table);
	snprintf(r->v[r->n].name, sizeof(r->v[0].name), "%s", f);
	r->v[r->n].chains = is_new;
	if (!strcmp(f, "KUBE-SERVICES") || (!strcmp(f, "services") && strstr(table, "kube-proxy")))
		r->has_services = true;
	return &r->v[r->n++];
}

static size_t word(const char *p, const char *e)
{
	size_t l = 0;

	while (p + l < e && p[l] != ' ' && p[l] != '\t' && p[l] != '{')
		l++;
	return l;
}

static bool kube_table(const char *table)
{
	return strstr(table, "kube-proxy") != NULL;
}

static bool kube_chain_name(const char *table, const char *name, size_t l)
{
	return (l > 5 && !strncmp(name, "KUBE-", 5)) || kube_table(table);
}

int kube_rules_parse(const char *s, size_t n, struct kube_rules *out, struct sbx_err *err)
{
	const char *p = s, *end = s + n;
	char table[48] = "", chain[64] = "";
	int depth = 0;
	bool in_chain = false;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end, *q = p;
		size_t l;

		p = le + (nl != NULL);
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		while (le > q && (le[-1] == '\r' || le[-1] == ' '))
			le--;
		l = (size_t)(le - q);
		if (!l || *q == '#')
			continue;
		if (out->fmt != KR_NFT && *q == '*' && l > 1) {
			out->fmt = KR_IPTABLES;
			snprintf(table, sizeof(table), "%.*s", (int)(l - 1), q + 1);
		} else if (out->fmt == KR_IPTABLES && *q == ':' && l > 1) {
			size_t w = word(q + 1, le);

			if (kube_chain_name(table, q + 1, w))
				row(out, table, q + 1, w, true);
		} else if (out->fmt == KR_IPTABLES && l > 3 && !strncmp(q, "-A ", 3)) {
			size_t w = word(q + 3, le);

			out->all_rules++;
			if (kube_chain_name(table, q + 3, w)) {
				row(out, table, q + 3, w, false)->rules++;
				out->rules++;
			}
		} else if (out->fmt == KR_IPTABLES && !strncmp(q, "COMMIT", l)) {
			*table = '\0';
		} else if (out->fmt != KR_IPTABLES && depth == 0 && l >= 9 && !strncmp(q, "table ", 6) &&
			   le[-1] == '{') {
			/* "table ip kube-proxy {": family and name */
			out->fmt = KR_NFT;
			snprintf(table, sizeof(table), "%.*s", (int)(l - 8 > 47 ? 47 : l - 8), q + 6);
			depth = 1;
		} else if (out->fmt == KR_NFT && depth == 1 && le[-1] == '{') {
			size_t w;

			depth = 2;
			in_chain = l > 6 && !strncmp(q, "chain ", 6);
			if (in_chain) {
				w = word(q + 6, le);
				snprintf(chain, sizeof(chain), "%.*s", (int)(w > 63 ? 63 : w), q + 6);
				if (kube_chain_name(table, chain, strlen(chain)))
					row(out, table, chain, strlen(chain), true);
			}
		} else if (out->fmt == KR_NFT && *q == '}') {
			if (depth == 2) {
				in_chain = false;
				*chain = '\0';
			}
			if (depth > 0)
				depth--;
		} else if (out->fmt == KR_NFT && depth == 2 && in_chain) {
			if ((l > 5 && !strncmp(q, "type ", 5)) || (l > 7 && !strncmp(q, "policy ", 7)) ||
			    (l > 8 && !strncmp(q, "comment ", 8)))
				continue;
			out->all_rules++;
			if (kube_chain_name(table, chain, strlen(chain))) {
				row(out, table, chain, strlen(chain), false)->rules++;
				out->rules++;
			}
		} else if (out->fmt == KR_NFT && depth >= 2 && le[-1] == '{') {
			depth++;	/* a set's elements = { ... */
		} else if (out->fmt == KR_NONE) {
			sbx_err_set(err, 0, "neither iptables-save nor nft output: \"%.*s\"",
				    (int)(l > 160 ? 160 : l), q);
			kube_rules_free(out);
			return -1;
		}
	}
	return 0;
}

void kube_rules_free(struct kube_rules *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}
