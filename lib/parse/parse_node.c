/* Parsers for the node-wide files `health` reads: key/value files
 * (meminfo, vmstat, memory.stat), PSI, number lines, and the kernel log
 * records that tell of OOM kills and hung tasks.  See procfs.h. */
#include "procfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

int parse_kv(const char *text, size_t len, const char *fname, struct kv_list *out,
	     struct sbx_err *err)
{
	const char *p = text, *end = text + len;
	size_t alloc = 0, lineno = 0;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		const char *ls = p, *k = skip_ws(p, le), *ke = k, *v;
		struct kv_entry *e;

		lineno++;
		p = nl ? nl + 1 : end;
		if (k == le)
			continue;
		while (ke < le && *ke != ' ' && *ke != '\t' && *ke != ':')
			ke++;
		v = ke < le && *ke == ':' ? ke + 1 : ke;
		v = skip_ws(v, le);
		if (ke == k || (size_t)(ke - k) >= sizeof(e->key))
			goto bad;
		ALLOC_GROW(out->e, out->n + 1, alloc);
		e = &out->e[out->n];
		memcpy(e->key, k, (size_t)(ke - k));
		e->key[ke - k] = '\0';
		if (!scan_u64(&v, le, &e->value))
			goto bad;
		v = skip_ws(v, le);
		if (le - v >= 2 && !memcmp(v, "kB", 2)) {
			if (e->value > UINT64_MAX / 1024)
				goto bad;
			e->value *= 1024;
			v += 2;
		}
		if (skip_ws(v, le) != le)
			goto bad;
		out->n++;
		continue;
bad:
		sbx_err_set(err, 0, "%s:%zu: expected 'key value', got '%.*s'", fname, lineno,
			    (int)(le - ls > 40 ? 40 : le - ls), ls);
		kv_free(out);
		return -1;
	}
	if (!out->n) {
		sbx_err_set(err, 0, "%s: empty", fname);
		return -1;
	}
	return 0;
}

bool kv_get(const struct kv_list *l, const char *key, uint64_t *value)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->e[i].key, key)) {
			*value = l->e[i].value;
			return true;
		}
	return false;
}

void kv_free(struct kv_list *l)
{
	free(l->e);
	memset(l, 0, sizeof(*l));
}

static bool psi_field(const char **pp, const char *e, const char *name, double *d, uint64_t *u)
{
	const char *p = skip_ws(*pp, e);
	size_t n = strlen(name);
	char tmp[32];
	size_t l;

	if ((size_t)(e - p) <= n || memcmp(p, name, n) || p[n] != '=')
		return false;
	p += n + 1;
	if (u) {
		if (!scan_u64(&p, e, u))
			return false;
		*pp = p;
		return true;
	}
	l = 0;
	while (p + l < e && (is_digit(p[l]) || p[l] == '.'))
		l++;
	if (l == 0 || l >= sizeof(tmp))
		return false;
	memcpy(tmp, p, l);
	tmp[l] = '\0';
	if (!parse_double(tmp, d))
		return false;
	*pp = p + l;
	return true;
}

int parse_psi(const char *text, size_t len, const char *fname, struct psi *out,
	      struct sbx_err *err)
{
	const char *p = text, *end = text + len;
	size_t lineno = 0;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end, *q = p;
		struct psi_line *l;

		lineno++;
		p = nl ? nl + 1 : end;
		if (skip_ws(q, le) == le)
			continue;
		if (le - q > 5 && !memcmp(q, "some ", 5))
			l = &out->some;
		else if (le - q > 5 && !memcmp(q, "full ", 5))
			l = &out->full;
		else
			goto bad;
		q += 5;
		if (!psi_field(&q, le, "avg10", &l->avg10, NULL) ||
		    !psi_field(&q, le, "avg60", &l->avg60, NULL) ||
		    !psi_field(&q, le, "avg300", &l->avg300, NULL) ||
		    !psi_field(&q, le, "total", NULL, &l->total))
			goto bad;
		l->has = true;
		continue;
bad:
		sbx_err_set(err, 0, "%s:%zu: expected 'some|full avg10=.. avg60=.. avg300=.. total=..'",
			    fname, lineno);
		return -1;
	}
	if (!out->some.has && !out->full.has) {
		sbx_err_set(err, 0, "%s: empty", fname);
		return -1;
	}
	return 0;
}

int parse_numbers(const char *text, size_t len, const char *fname, uint64_t *out, size_t want,
		  struct sbx_err *err)
{
	const char *p = text, *end = text + len;
	size_t n = 0;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
			p++;
		if (p == end)
			break;
		if (n == want || !scan_u64(&p, end, &out[n]) ||
		    (p < end && *p != ' ' && *p != '\t' && *p != '\n')) {
			sbx_err_set(err, 0, "%s: expected %zu number%s, got '%.*s'", fname, want,
				    want == 1 ? "" : "s", (int)(len > 40 ? 40 : len), text);
			return -1;
		}
		n++;
	}
	if (n != want) {
		sbx_err_set(err, 0, "%s: expected %zu number%s, got %zu", fname, want,
			    want == 1 ? "" : "s", n);
		return -1;
	}
	return 0;
}

int parse_kmsg_record(const char *line, size_t len, struct kmsg_rec *r)
{
	const char *p = line, *e = line + len, *semi = memchr(line, ';', len);
	uint64_t prio;
	const char *nl;

	memset(r, 0, sizeof(*r));
	/* prio,seq,usec,flags[,more...];text -- later fields are ignored, as
	 * the ABI asks */
	if (!semi || !scan_u64(&p, semi, &prio) || prio > 1023 || p >= semi || *p++ != ',' ||
	    !scan_u64(&p, semi, &r->seq) || p >= semi || *p++ != ',' ||
	    !scan_u64(&p, semi, &r->usec) || p >= semi || *p != ',')
		return -1;
	r->prio = (unsigned)prio;
	r->text = semi + 1;
	/* a record read from the device carries its continuation lines */
	nl = memchr(r->text, '\n', (size_t)(e - r->text));
	r->tlen = (size_t)((nl ? nl : e) - r->text);
	while (r->tlen && (r->text[r->tlen - 1] == '\n' || r->text[r->tlen - 1] == '\r'))
		r->tlen--;
	return 0;
}

int parse_syslog_record(const char *line, size_t len, struct kmsg_rec *r)
{
	const char *p = line, *e = line + len;
	uint64_t prio, sec, frac;
	size_t digits;
	const char *f;

	memset(r, 0, sizeof(*r));
	if (p >= e || *p++ != '<' || !scan_u64(&p, e, &prio) || prio > 1023 || p >= e ||
	    *p++ != '>')
		return -1;
	r->prio = (unsigned)prio;
	if (p < e && *p == '[') {
		p++;
		p = skip_ws(p, e);
		if (!scan_u64(&p, e, &sec) || sec > UINT64_MAX / 1000000 - 1 || p >= e ||
		    *p++ != '.')
			return -1;
		f = p;
		if (!scan_u64(&p, e, &frac) || p >= e || *p++ != ']')
			return -1;
		digits = (size_t)(p - 1 - f);
		while (digits < 6)
			frac *= 10, digits++;
		while (digits > 6)
			frac /= 10, digits--;
		r->usec = sec * 1000000 + frac;
		if (p < e && *p == ' ')
			p++;
	} else {
		r->text = p;
		r->tlen = (size_t)(e - p);
		return 1;
	}
	r->text = p;
	r->tlen = (size_t)(e - p);
	while (r->tlen && (r->text[r->tlen - 1] == '\n' || r->text[r->tlen - 1] == '\r'))
		r->tlen--;
	return 0;
}

/* Position of needle in text[0..len), or NULL. */
static const char *find(const char *text, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = text; (size_t)(text + len - p) >= n; p++) {
		p = memchr(p, needle[0], (size_t)(text + len - p));
		if (!p || (size_t)(text + len - p) < n)
			return NULL;
		if (!memcmp(p, needle, n))
			return p;
	}
	return NULL;
}

bool match_oom_kill(const char *text, size_t len, struct oom_kill *o)
{
	const char *e = text + len, *p = find(text, len, "Killed process "), *open, *close, *rss;
	uint64_t pid;

	memset(o, 0, sizeof(*o));
	if (!p)
		return false;
	p += strlen("Killed process ");
	if (!scan_u64(&p, e, &pid) || p + 2 > e || p[0] != ' ' || p[1] != '(')
		return false;
	open = p + 1;
	/* comm may contain ") ": the name ends at the ") " before "total-vm:" */
	rss = find(open, (size_t)(e - open), ") total-vm:");
	close = rss;
	if (!close)
		return false;
	o->pid = (int64_t)pid;
	snprintf(o->comm, sizeof(o->comm), "%.*s", (int)(close - open - 1), open + 1);
	o->memcg = find(text, (size_t)(p - text), "Memory cgroup") != NULL;
	rss = find(close, (size_t)(e - close), "anon-rss:");
	if (rss) {
		uint64_t kb;

		rss += strlen("anon-rss:");
		if (scan_u64(&rss, e, &kb))
			o->anon_rss = kb * 1024;
	}
	return true;
}

bool match_oom_memcg(const char *text, size_t len, char *memcg, size_t n, int64_t *pid)
{
	const char *e = text + len, *p = find(text, len, "oom-kill:"), *m, *me, *q;
	uint64_t v;

	if (!p || !(m = find(p, (size_t)(e - p), "task_memcg=")))
		return false;
	m += strlen("task_memcg=");
	me = memchr(m, ',', (size_t)(e - m));
	if (!me)
		me = e;
	snprintf(memcg, n, "%.*s", (int)(me - m), m);
	*pid = -1;
	q = find(me, (size_t)(e - me), ",pid=");
	if (q) {
		q += 5;
		if (scan_u64(&q, e, &v))
			*pid = (int64_t)v;
	}
	return true;
}

bool match_hung_task(const char *text, size_t len, char *task, size_t n, int64_t *pid)
{
	const char *e = text + len, *p = find(text, len, "task "), *b, *colon = NULL;
	uint64_t v;

	if (!p || !(b = find(p, (size_t)(e - p), " blocked for more than ")))
		return false;
	p += 5;
	/* "kworker/0:1:123": the pid follows the last colon */
	for (const char *q = p; q < b; q++)
		if (*q == ':')
			colon = q;
	if (!colon)
		return false;
	{
		const char *q = colon + 1;

		if (!scan_u64(&q, b, &v) || q != b)
			return false;
	}
	snprintf(task, n, "%.*s", (int)(colon - p), p);
	*pid = (int64_t)v;
	return true;
}
