#include "capture.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void copy_str(json_t *o, const char *key, char *out, size_t n)
{
	json_t *v = json_object_get(o, key);

	out[0] = '\0';
	if (json_is_string(v))
		snprintf(out, n, "%s", json_string_value(v));
}

static double num_or(json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) && isfinite(json_number_value(v)) ? json_number_value(v) : dflt;
}

int capman_parse(const char *text, size_t len, struct capman *out, struct sbx_err *err)
{
	json_error_t je;
	json_t *root, *v, *snaps;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > CAPMAN_MAX) {
		sbx_err_set(err, EFBIG, "manifest.json: larger than %u bytes", CAPMAN_MAX);
		return -1;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		sbx_err_set(err, EINVAL, "manifest.json: not JSON (line %d: %s)", je.line, je.text);
		return -1;
	}
	if (!json_is_object(root) || !json_is_string(v = json_object_get(root, "format")) ||
	    strcmp(json_string_value(v), CAPMAN_FORMAT)) {
		sbx_err_set(err, EINVAL, "manifest.json: not an srebox capture manifest "
			    "(no \"format\": \"" CAPMAN_FORMAT "\")");
		goto out;
	}
	copy_str(root, "srebox", out->srebox, sizeof(out->srebox));
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		sbx_err_set(err, EINVAL, "manifest.json: no format version");
		goto out;
	}
	if (json_integer_value(v) > CAPMAN_VERSION) {
		sbx_err_set(err, EPROTONOSUPPORT,
			    "manifest.json: written by srebox %s in capture format %lld; this srebox "
			    "reads format %d and older: replay it with that srebox or newer",
			    out->srebox[0] ? out->srebox : "(unknown)",
			    (long long)json_integer_value(v), CAPMAN_VERSION);
		goto out;
	}
	out->version = (unsigned)json_integer_value(v);
	copy_str(root, "host", out->host, sizeof(out->host));
	copy_str(root, "kernel", out->kernel, sizeof(out->kernel));
	copy_str(root, "boot_id", out->boot_id, sizeof(out->boot_id));
	out->interval = num_or(root, "interval_seconds", 0);
	out->cmdline = json_is_true(json_object_get(root, "include_cmdline"));
	snaps = json_object_get(root, "snapshots");
	if (!json_is_array(snaps) || json_array_size(snaps) < 1 || json_array_size(snaps) > 2) {
		sbx_err_set(err, EINVAL, "manifest.json: \"snapshots\" is not a list of one or two");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(snaps); i++) {
		json_t *s = json_array_get(snaps, i);
		struct capman_snap *c = &out->snap[i];

		if (!json_is_object(s)) {
			sbx_err_set(err, EINVAL, "manifest.json: snapshot %zu is not an object", i + 1);
			goto out;
		}
		copy_str(s, "dir", c->dir, sizeof(c->dir));
		/* a member prefix: one path component of digits */
		if (!c->dir[0] || strspn(c->dir, "0123456789") != strlen(c->dir)) {
			sbx_err_set(err, EINVAL, "manifest.json: snapshot %zu has no \"dir\" of digits",
				    i + 1);
			goto out;
		}
		c->uptime = num_or(s, "uptime_seconds", -1);
		c->time = num_or(s, "time", 0);
	}
	out->nsnap = (unsigned)json_array_size(snaps);
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* --- the filesystem table -------------------------------------------------- */

static char *unescape(const char *s, size_t n)
{
	char *o = xmalloc(n + 1), *p = o;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			*p++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*p++ = s[i];
		}
	}
	*p = '\0';
	return o;
}

static void escape(struct buf *b, const char *s)
{
	const char *s0 = s;

	if (!s || !*s) {
		buf_adds(b, "-");	/* empty */
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		/* a lone "-" is written \055, not to be read back as empty */
		if (c == ' ' || c == '\t' || c == '\n' || c == '\\' || (c == '-' && s == s0 && !s[1]))
			buf_addf(b, "\\%03o", c);
		else
			buf_add(b, s, 1);
	}
}

static bool field_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (!n || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (x > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return true;
}

#define NF 17

static bool parse_line(const char *s, size_t n, struct capfs_rec *r)
{
	const char *f[NF];
	size_t fl[NF], nf = 0, i = 0;
	uint64_t e, w;

	memset(r, 0, sizeof(*r));
	while (nf < NF) {
		size_t j = i;

		while (j < n && s[j] != '\t')
			j++;
		f[nf] = s + i;
		fl[nf++] = j - i;
		if (j >= n)
			break;
		i = j + 1;
	}
	if (nf != 13 && nf != 17)
		return false;
	if (fl[0] == 6 && !memcmp(f[0], "statfs", 6))
		r->is_stat = false;
	else if (fl[0] == 4 && !memcmp(f[0], "stat", 4))
		r->is_stat = true;
	else
		return false;
	if (!fl[1] || f[1][0] != '/' || !field_u64(f[2], fl[2], &e) || e > 4095)
		return false;
	for (size_t k = 0; k < 10; k++)
		if (!field_u64(f[3 + k], fl[3 + k], &r->a[k]))
			return false;
	if (nf == 17) {
		if (!field_u64(f[16], fl[16], &w) || w > 86400000)
			return false;
		r->waited = (double)w / 1000;
	}
	r->err = (int)e;
	r->path = unescape(f[1], fl[1]);
	if (nf == 17) {
		r->point = fl[13] == 1 && f[13][0] == '-' ? xstrdup("") : unescape(f[13], fl[13]);
		r->fstype = fl[14] == 1 && f[14][0] == '-' ? xstrdup("") : unescape(f[14], fl[14]);
		r->source = fl[15] == 1 && f[15][0] == '-' ? xstrdup("") : unescape(f[15], fl[15]);
	}
	return true;
}

static void rec_free(struct capfs_rec *r)
{
	free(r->path);
	free(r->point);
	free(r->fstype);
	free(r->source);
}

static size_t rec_hash(bool is_stat, const char *s)
{
	uint64_t h = is_stat ? 1469598103934665603ULL : 1099511628211ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

/* Every process's stat makes tens of thousands of answers: found by hash. */
static void index_add(struct capfs_set *s, size_t i)
{
	size_t h;

	if (2 * (s->n + 1) > s->nidx) {
		size_t n = s->nidx ? 2 * s->nidx : 256;

		free(s->idx);
		s->idx = xcalloc(n, sizeof(*s->idx));
		s->nidx = n;
		for (size_t k = 0; k < s->n; k++)
			if (k != i)
				index_add(s, k);
	}
	h = rec_hash(s->v[i].is_stat, s->v[i].path) & (s->nidx - 1);
	while (s->idx[h])
		h = (h + 1) & (s->nidx - 1);
	s->idx[h] = i + 1;
}

size_t capfs_parse(const char *text, size_t len, struct capfs_set *out, size_t *bad)
{
	size_t i = 0, nbad = 0;

	memset(out, 0, sizeof(*out));
	while (i < len && out->n < CAPFS_MAX_LINES) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t l;
		struct capfs_rec r;

		if (!nl) {
			nbad++;		/* a last line cut short */
			break;
		}
		l = (size_t)(nl - (text + i));
		if (!parse_line(text + i, l, &r)) {
			nbad++;
		} else if (capfs_find(out, r.is_stat, r.path)) {
			rec_free(&r);
		} else {
			ALLOC_GROW(out->v, out->n + 1, out->alloc);
			out->v[out->n] = r;
			index_add(out, out->n);
			out->n++;
		}
		i += l + 1;
	}
	if (bad)
		*bad = nbad;
	return out->n;
}

const struct capfs_rec *capfs_find(const struct capfs_set *s, bool is_stat, const char *path)
{
	size_t h;

	if (!s->nidx)
		return NULL;
	for (h = rec_hash(is_stat, path) & (s->nidx - 1); s->idx[h]; h = (h + 1) & (s->nidx - 1)) {
		const struct capfs_rec *r = &s->v[s->idx[h] - 1];

		if (r->is_stat == is_stat && !strcmp(r->path, path))
			return r;
	}
	return NULL;
}

void capfs_format(const struct capfs_rec *r, struct buf *out)
{
	buf_adds(out, r->is_stat ? "stat\t" : "statfs\t");
	escape(out, r->path);
	buf_addf(out, "\t%d", r->err);
	for (size_t k = 0; k < 10; k++)
		buf_addf(out, "\t%llu", (unsigned long long)r->a[k]);
	if (r->err == ETIMEDOUT) {
		buf_adds(out, "\t");
		escape(out, r->point);
		buf_adds(out, "\t");
		escape(out, r->fstype);
		buf_adds(out, "\t");
		escape(out, r->source);
		buf_addf(out, "\t%llu", (unsigned long long)(r->waited > 0 ? r->waited * 1000 : 0));
	}
	buf_adds(out, "\n");
}

void capfs_free(struct capfs_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		rec_free(&s->v[i]);
	free(s->v);
	free(s->idx);
	memset(s, 0, sizeof(*s));
}

/* --- config files, scrubbed for a capture --------------------------------- */

static bool has_ci(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	for (size_t i = 0; i + w <= n; i++) {
		size_t k = 0;

		while (k < w && (s[i + k] | 0x20) == word[k])
			k++;
		if (k == w)
			return true;
	}
	return false;
}

static bool secret_key(const char *k, size_t n)
{
	static const char *const words[] = { "token", "password", "passwd", "secret", "credential",
					     "authorization", "bearer", "privatekey", "private_key",
					     "private-key", "apikey", "api_key", "api-key" };

	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (has_ci(k, n, words[i]))
			return true;
	return false;
}

/* A value that is a token whatever its key: "Bearer x", a JWT (three
 * base64url parts, the first "eyJ"), a PEM private key's armour. */
static bool secret_value(const char *v, size_t n)
{
	size_t dots = 0;

	if (has_ci(v, n, "bearer ") || has_ci(v, n, "private key-----"))
		return true;
	for (size_t i = 0; i + 3 <= n; i++) {
		if (v[i] != 'e' || v[i + 1] != 'y' || v[i + 2] != 'J')
			continue;
		dots = 0;
		for (size_t k = i; k < n && (v[k] == '.' || v[k] == '-' || v[k] == '_' ||
					     (v[k] >= '0' && v[k] <= '9') ||
					     ((v[k] | 0x20) >= 'a' && (v[k] | 0x20) <= 'z'));
		     k++)
			dots += v[k] == '.';
		if (dots == 2)
			return true;
	}
	return false;
}

size_t capture_scrub_config(const char *text, size_t len, struct buf *out)
{
	size_t i = 0, count = 0;
	long under = -1;	/* the indent of a secret key whose value is the block below */
	bool pem = false;	/* inside a private key's armour */

	buf_reset(out);
	buf_add(out, NULL, 0);
	while (i < len) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i, ind = 0, ks, ke, vs;
		bool secret = false;

		while (ind < n && (l[ind] == ' ' || l[ind] == '\t'))
			ind++;
		if (ind == n || l[ind] == '#') {
			buf_add(out, l, n);		/* blank or a comment: as it is */
			goto next;
		}
		if (under >= 0 && (long)ind <= under && l[ind] != '-')
			under = -1;
		if (has_ci(l, n, "-----begin ") && has_ci(l, n, "private key"))
			pem = true;
		/* KEY: VALUE, KEY = VALUE, "KEY": VALUE; a list item "- ..." */
		ks = ind;
		if (ks + 1 < n && l[ks] == '-' && l[ks + 1] == ' ')
			ks += 2;
		ke = ks;
		while (ke < n && l[ke] != ':' && l[ke] != '=' && l[ke] != ' ')
			ke++;
		vs = ke;
		while (vs < n && l[vs] == ' ')
			vs++;
		if (vs < n && (l[vs] == ':' || l[vs] == '=')) {
			vs++;
			while (vs < n && l[vs] == ' ')
				vs++;
			if (secret_key(l + ks, ke - ks)) {
				if (vs == n || l[vs] == '|' || l[vs] == '>')
					under = (long)ind;	/* the block below is its value */
				else
					secret = true;
			}
		} else {
			vs = ks;	/* no key: the line is a value (a list item, a block's line) */
		}
		if (pem || (under >= 0 && (long)ind > under) || (under >= 0 && l[ind] == '-'))
			secret = vs < n;
		if (!secret && vs < n && secret_value(l + vs, n - vs))
			secret = true;
		if (secret && vs < n && l[vs] == '/' && !pem && !secret_value(l + vs, n - vs))
			secret = false;		/* a path: names a file, holds no secret */
		if (secret && vs < n) {
			buf_add(out, l, vs);
			buf_adds(out, CAPTURE_REDACTED);
			count++;
		} else {
			buf_add(out, l, n);
		}
		if (pem && has_ci(l, n, "-----end "))
			pem = false;
next:
		if (nl)
			buf_addc(out, '\n');
		i += n + (nl ? 1 : 0);
	}
	return count;
}
