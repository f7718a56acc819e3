/* Parsers for the smaller /proc files.  See procfs.h. */
#include "procfs.h"

#include <stdlib.h>
#include <string.h>

static const char *next_line(const char *p, const char *end, const char **le)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	*le = nl ? nl : end;
	return nl ? nl + 1 : end;
}

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* strcspn within the first n bytes (text need not be NUL-terminated) */
static size_t strcspn_n(const char *s, const char *reject, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] && !strchr(reject, s[i]))
		i++;
	return i;
}

/* "key value" with one unsigned value: the value after the key. */
static int key_u64(const char *p, const char *le, const char *key, uint64_t *v, bool *has)
{
	size_t n = strlen(key);

	if ((size_t)(le - p) <= n || memcmp(p, key, n) || (p[n] != ' ' && p[n] != '\t'))
		return 0;
	p = skip_ws(p + n, le);
	if (!scan_u64(&p, le, v) || (p < le && !is_space(*p)))
		return -1;
	*has = true;
	return 1;
}

int text_truncated(const char *text, size_t len, const char *fname, struct sbx_err *err)
{
	if (len && text[len - 1] != '\n') {
		sbx_err_set(err, 0, "%s: truncated (the last line has no newline)", fname);
		return -1;
	}
	return 0;
}

static int stat_parse(const char *text, size_t len, const char *fname, struct proc_stat *s,
		      bool rows, struct sbx_err *err)
{
	const char *p = text, *end = text + len, *le;
	size_t alloc = 0, lineno = 0;
	bool have_all = false;

	memset(s, 0, sizeof(*s));
	s->all.cpu = -1;
	if (text_truncated(text, len, fname, err) < 0)
		return -1;
	for (; p < end; p = next_line(p, end, &le)) {
		const char *q;
		int rc;

		next_line(p, end, &le);
		lineno++;
		if (le - p >= 3 && !memcmp(p, "cpu", 3)) {
			struct cpu_times ct = { .cpu = -1 };

			q = p + 3;
			if (q < le && is_digit(*q)) {
				uint64_t id;

				if (!scan_u64(&q, le, &id) || id > 1u << 22)
					goto bad;
				ct.cpu = (int)id;
			}
			if (q >= le || (*q != ' ' && *q != '\t'))
				goto bad;
			if (!rows && ct.cpu >= 0) {
				s->ncpus++;	/* counted, not read */
				continue;
			}
			while (ct.nfields < CPU_NFIELDS) {
				q = skip_ws(q, le);
				if (q >= le)
					break;
				if (!scan_u64(&q, le, &ct.t[ct.nfields]))
					goto bad;
				ct.nfields++;
			}
			if (ct.nfields < 4)
				goto bad;
			if (ct.cpu < 0) {
				s->all = ct;
				have_all = true;
			} else {
				ALLOC_GROW(s->cpus, s->ncpus + 1, alloc);
				s->cpus[s->ncpus++] = ct;
			}
			continue;
		}
		/* "intr" can be 130 kB: only its first number (the total) is used. */
		if ((rc = key_u64(p, le, "intr", &s->intr, &s->has_intr)) ||
		    (rc = key_u64(p, le, "ctxt", &s->ctxt, &s->has_ctxt)) ||
		    (rc = key_u64(p, le, "btime", &s->btime, &s->has_btime)) ||
		    (rc = key_u64(p, le, "processes", &s->processes, &s->has_processes)) ||
		    (rc = key_u64(p, le, "procs_running", &s->procs_running, &s->has_running)) ||
		    (rc = key_u64(p, le, "procs_blocked", &s->procs_blocked, &s->has_blocked)) ||
		    (rc = key_u64(p, le, "softirq", &s->softirq, &s->has_softirq))) {
			if (rc < 0)
				goto bad;
		}
	}
	if (!have_all) {
		sbx_err_set(err, 0, "%s: no 'cpu' line%s", fname, len ? "" : " (empty file)");
		proc_stat_free(s);
		return -1;
	}
	if (!s->has_ctxt || !s->has_intr) {
		sbx_err_set(err, 0, "%s: no '%s' line (file truncated?)", fname,
			    s->has_ctxt ? "intr" : "ctxt");
		proc_stat_free(s);
		return -1;
	}
	return 0;
bad:
	sbx_err_set(err, 0, "%s:%zu: cannot parse '%.*s'", fname, lineno,
		    (int)(le - p > 40 ? 40 : le - p), p);
	proc_stat_free(s);
	return -1;
}

int parse_stat(const char *text, size_t len, const char *fname, struct proc_stat *s,
	       struct sbx_err *err)
{
	return stat_parse(text, len, fname, s, true, err);
}

int parse_stat_head(const char *text, size_t len, const char *fname, struct proc_stat *s,
		    struct sbx_err *err)
{
	return stat_parse(text, len, fname, s, false, err);
}

void proc_stat_free(struct proc_stat *s)
{
	free(s->cpus);
	s->cpus = NULL;
	s->ncpus = 0;
}

/* The value of a "Key:\tvalue" line: one integer, then only blanks. */
static bool field_i64(const char *v, const char *le, int64_t *out)
{
	char tmp[32];
	size_t n = 0;

	v = skip_ws(v, le);
	while (v + n < le && !is_space(v[n]))
		n++;
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	return parse_i64(tmp, out);
}

static bool field_u64(const char *v, const char *le, uint64_t *out)
{
	v = skip_ws(v, le);
	if (!scan_u64(&v, le, out))
		return false;
	return skip_ws(v, le) == le;
}


int parse_task_status(const char *text, size_t len, const char *fname, struct task_status *t,
		      struct sbx_err *err)
{
	const char *p = text, *end = text + len, *le;
	size_t lineno = 0;
	bool have_name = false, have_vol = false, have_nonvol = false;

	memset(t, 0, sizeof(*t));
	t->tgid = t->pid = t->ppid = t->threads = t->uid = -1;
	/* nonvoluntary_ctxt_switches is the last line: a file cut short
	 * would lose its last digits, not the line. */
	if (text_truncated(text, len, fname, err) < 0)
		return -1;
	for (; p < end; p = next_line(p, end, &le)) {
		const char *colon, *v;
		size_t kl;
		bool ok = true;

		next_line(p, end, &le);
		lineno++;
		colon = memchr(p, ':', (size_t)(le - p));
		if (!colon)
			continue;
		kl = (size_t)(colon - p);
		v = colon + 1;
#define KEY(k) (kl == sizeof(k) - 1 && !memcmp(p, k, kl))
		if (KEY("Name")) {
			size_t n;

			/* the rest of the line (the kernel escapes \n and \\) */
			v = skip_ws(v, le);
			n = (size_t)(le - v);
			if (n >= sizeof(t->name))
				n = sizeof(t->name) - 1;
			memcpy(t->name, v, n);
			t->name[n] = '\0';
			have_name = true;
		} else if (KEY("State")) {
			v = skip_ws(v, le);
			ok = v < le && *v >= 'A' && *v <= 'z';
			if (ok)
				t->state = *v;
		} else if (KEY("Tgid")) {
			ok = field_i64(v, le, &t->tgid);
		} else if (KEY("Pid")) {
			ok = field_i64(v, le, &t->pid) && t->pid > 0;
		} else if (KEY("PPid")) {
			ok = field_i64(v, le, &t->ppid);
		} else if (KEY("Threads")) {
			ok = field_i64(v, le, &t->threads) && t->threads >= 0;
		} else if (KEY("Uid")) {
			ok = field_i64(v, le, &t->uid);
		} else if (KEY("voluntary_ctxt_switches")) {
			ok = have_vol = field_u64(v, le, &t->vol);
		} else if (KEY("nonvoluntary_ctxt_switches")) {
			ok = have_nonvol = field_u64(v, le, &t->nonvol);
		}
#undef KEY
		if (!ok) {
			sbx_err_set(err, 0, "%s:%zu: cannot parse '%.*s'", fname, lineno,
				    (int)(le - p > 40 ? 40 : le - p), p);
			return -1;
		}
	}
	if (!have_name || t->pid < 0) {
		sbx_err_set(err, 0, "%s: no %s line%s", fname, have_name ? "Pid" : "Name",
			    len ? "" : " (empty file)");
		return -1;
	}
	t->has_ctxt = have_vol && have_nonvol;
	return 0;
}

int parse_task_stat(const char *text, size_t len, const char *fname, struct task_stat *t,
		    struct sbx_err *err)
{
	const char *end = memchr(text, '\n', len), *open, *close = NULL, *p;
	uint64_t f[19];
	size_t n = 0, cl, field = 2;

	memset(t, 0, sizeof(*t));
	/* One line; the comm is in parentheses and may hold both.  A cut
	 * line is caught below: more fields must follow starttime. */
	if (!end)
		end = text + len;
	if (!len) {
		sbx_err_set(err, 0, "%s: empty file", fname);
		return -1;
	}
	open = memchr(text, '(', (size_t)(end - text));
	for (const char *q = open; q && q < end; q++)
		if (*q == ')')
			close = q;
	if (!open || !close)
		goto bad;
	cl = (size_t)(close - open - 1);
	if (cl >= sizeof(t->comm))
		cl = sizeof(t->comm) - 1;
	memcpy(t->comm, open + 1, cl);
	t->comm[cl] = '\0';
	p = close + 1;
	field = 3;
	if (end - p < 3 || *p != ' ' || !((p[1] >= 'A' && p[1] <= 'Z') || (p[1] >= 'a' && p[1] <= 'z')))
		goto bad;
	t->state = p[1];
	p += 2;
	/* fields 4..22: ppid is field 4, num_threads 20, starttime 22;
	 * some in between (priority, nice, tty_pgrp) may be negative. */
	for (n = 0; n < ARRAY_SIZE(f); n++) {
		field = n + 4;
		if (p >= end || *p != ' ')
			goto bad;
		p++;
		if (p < end && *p == '-' && n != 0 && n != 16 && n != 18)
			p++;
		if (!scan_u64(&p, end, &f[n]))
			goto bad;
	}
	/* more fields follow: a line that stops here was cut short */
	field = 23;
	if (p >= end || *p != ' ')
		goto bad;
	t->ppid = (int64_t)f[0];
	t->num_threads = f[16] > INT32_MAX ? -1 : (int64_t)f[16];
	t->starttime = f[18];
	t->utime = f[10];
	t->stime = f[11];
	/* fields 23 (vsize) .. 39 (processor), optional: one counts when a
	 * space or the line's newline follows it (exit_signal, 38, is an int) */
	for (field = 23; field <= 39; field++) {
		uint64_t v;
		const char *q = p + 1;

		if (p >= end || *p != ' ')
			break;
		if (q < end && *q == '-' && field != 24 && field != 39)
			q++;
		if (!scan_u64(&q, end, &v))
			break;
		if (q < end ? *q != ' ' : !(end < text + len && *end == '\n'))
			break;
		p = q;
		if (field == 24) {
			t->rss = v;
			t->has_rss = true;
		} else if (field == 39 && v <= INT32_MAX) {
			t->processor = (int32_t)v;
			t->has_processor = true;
		}
	}
	return 0;
bad:
	sbx_err_set(err, 0, "%s: cannot parse field %zu of '%.*s'", fname, field,
		    (int)(end - text > 60 ? 60 : end - text), text);
	return -1;
}

int parse_loadavg(const char *text, size_t len, const char *fname, struct loadavg *l,
		  struct sbx_err *err)
{
	char buf[256], *save = NULL, *tok[5], *slash;
	const char *nl = memchr(text, '\n', len);
	size_t n = nl ? (size_t)(nl - text) : len;
	int i;

	memset(l, 0, sizeof(*l));
	if (!nl || n >= sizeof(buf))
		goto bad;
	memcpy(buf, text, n);
	buf[n] = '\0';
	for (i = 0; i < 5; i++) {
		tok[i] = strtok_r(i ? NULL : buf, " ", &save);
		if (!tok[i])
			goto bad;
	}
	if (strtok_r(NULL, " ", &save))
		goto bad;
	slash = strchr(tok[3], '/');
	if (!slash)
		goto bad;
	*slash = '\0';
	if (!parse_double(tok[0], &l->load1) || !parse_double(tok[1], &l->load5) ||
	    !parse_double(tok[2], &l->load15) || l->load1 < 0 || l->load5 < 0 || l->load15 < 0 ||
	    !parse_u64(tok[3], &l->running) || !parse_u64(slash + 1, &l->tasks) ||
	    !parse_i64(tok[4], &l->last_pid))
		goto bad;
	return 0;
bad:
	n = len < 40 ? len : 40;
	sbx_err_set(err, 0, "%s: cannot parse '%.*s'%s", fname, (int)strcspn_n(text, "\n", n),
		    text, nl ? "" : " (no newline: truncated?)");
	return -1;
}

int parse_task_schedstat(const char *text, size_t len, const char *fname,
			 struct task_schedstat *out, struct sbx_err *err)
{
	const char *p = text, *nl = memchr(text, '\n', len);
	uint64_t *f[3] = { &out->run_ns, &out->wait_ns, &out->pcount };

	memset(out, 0, sizeof(*out));
	/* the newline ends it: a copy cut short would lose digits */
	if (!nl)
		goto bad;
	for (size_t i = 0; i < 3; i++) {
		if (i && (p >= nl || *p++ != ' '))
			goto bad;
		if (!scan_u64(&p, nl, f[i]))
			goto bad;
	}
	if (p != nl)
		goto bad;
	return 0;
bad:
	sbx_err_set(err, 0, "%s: cannot parse '%.*s'%s", fname,
		    (int)strcspn_n(text, "\n", len < 60 ? len : 60), text,
		    nl ? "" : " (no newline: truncated?)");
	return -1;
}

int parse_schedstat(const char *text, size_t len, const char *fname, struct sched_cpus *out,
		    struct sbx_err *err)
{
	const char *p = text, *end = text + len, *line = text;
	uint64_t v;

	memset(out, 0, sizeof(*out));
	if (text_truncated(text, len, fname, err) < 0)
		return -1;
	if (len < 8 || memcmp(p, "version ", 8))
		goto bad;
	p += 8;
	if (!scan_u64(&p, end, &v) || p >= end || *p != '\n' || v > 1000)
		goto bad;
	if (v < 15) {
		sbx_err_set(err, 0, "%s: version %llu: its fields are not known (15 or later are)",
			    fname, (unsigned long long)v);
		return -1;
	}
	out->version = (unsigned)v;
	for (p++; p < end; p++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		uint64_t f[9];

		line = p;
		if ((size_t)(nl - p) > 3 && !memcmp(p, "cpu", 3) && p[3] >= '0' && p[3] <= '9') {
			p += 3;
			if (!scan_u64(&p, nl, &v))
				goto bad;
			for (size_t i = 0; i < 9; i++) {
				if (p >= nl || *p++ != ' ' || !scan_u64(&p, nl, &f[i]))
					goto bad;
			}
			if (out->wait_ns + f[7] < out->wait_ns)
				goto bad;	/* no real sum wraps */
			out->wait_ns += f[7];
			out->ncpu++;
		}
		p = nl;
	}
	if (!out->ncpu) {
		sbx_err_set(err, 0, "%s: no cpu lines", fname);
		return -1;
	}
	return 0;
bad:
	sbx_err_set(err, 0, "%s: cannot parse '%.*s'", fname,
		    (int)strcspn_n(line, "\n", (size_t)(end - line) < 60 ? (size_t)(end - line) : 60),
		    line);
	memset(out, 0, sizeof(*out));
	return -1;
}

int parse_uptime(const char *text, size_t len, const char *fname, double *up, struct sbx_err *err)
{
	char buf[64];
	const char *nl = memchr(text, '\n', len), *sp;
	size_t n;

	/* "35.50 100.10\n": seconds since boot, then idle seconds */
	if (!nl)
		goto bad;
	sp = memchr(text, ' ', (size_t)(nl - text));
	n = (size_t)((sp ? sp : nl) - text);
	if (!sp || n == 0 || n >= sizeof(buf))
		goto bad;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (!parse_double(buf, up) || *up < 0)
		goto bad;
	return 0;
bad:
	sbx_err_set(err, 0, "%s: cannot parse '%.*s'%s", fname,
		    (int)strcspn_n(text, "\n", len < 30 ? len : 30), text,
		    nl ? "" : " (no newline: truncated?)");
	return -1;
}

long parse_cpulist(const char *s, unsigned *out, size_t max)
{
	size_t n = 0;
	const char *p = s, *e = s + strcspn(s, "\n");

	if (p == e)
		return 0;
	for (;;) {
		uint64_t a, b;

		if (!scan_u64(&p, e, &a) || a > 1u << 22)
			return -1;
		b = a;
		if (p < e && *p == '-') {
			p++;
			if (!scan_u64(&p, e, &b) || b < a || b > 1u << 22)
				return -1;
		}
		for (uint64_t c = a; c <= b; c++) {
			if (out && n < max)
				out[n] = (unsigned)c;
			n++;
		}
		if (p == e)
			break;
		if (*p != ',')
			return -1;
		p++;
	}
	return (long)n;
}

/* "key<TAB>: value": the value (trimmed) when the line's key is `key`. */
static bool cpuinfo_field(const char *p, const char *le, const char *key, const char **v,
			  const char **ve)
{
	size_t n = strlen(key);
	const char *q;

	if ((size_t)(le - p) < n || memcmp(p, key, n))
		return false;
	q = skip_ws(p + n, le);
	if (q >= le || *q != ':')
		return false;
	*v = skip_ws(q + 1, le);
	*ve = le;
	while (*ve > *v && ((*ve)[-1] == ' ' || (*ve)[-1] == '\t' || (*ve)[-1] == '\r'))
		(*ve)--;
	return true;
}

int parse_cpuinfo(const char *text, size_t len, const char *fname, struct cpuinfo *out,
		  struct sbx_err *err)
{
	const char *p = text, *end = text + len, *le;
	size_t alloc = 0, lineno = 0;

	memset(out, 0, sizeof(*out));
	for (; p < end; p = next_line(p, end, &le)) {
		const char *v, *ve;
		char tmp[32];

		next_line(p, end, &le);
		lineno++;
		if (cpuinfo_field(p, le, "processor", &v, &ve)) {
			uint64_t id;
			const char *q = v;

			/* s390 has "processor 0: version = ..." lines: not ours */
			if (!scan_u64(&q, ve, &id) || q != ve || id > 1u << 22)
				goto bad;
			ALLOC_GROW(out->cpus, out->n + 1, alloc);
			out->cpus[out->n++] = (struct cpuinfo_cpu){ .processor = (unsigned)id };
		} else if (cpuinfo_field(p, le, "cpu MHz", &v, &ve) && out->n) {
			struct cpuinfo_cpu *c = &out->cpus[out->n - 1];

			if ((size_t)(ve - v) >= sizeof(tmp))
				goto bad;
			memcpy(tmp, v, (size_t)(ve - v));
			tmp[ve - v] = '\0';
			if (!parse_double(tmp, &c->mhz) || c->mhz < 0)
				goto bad;
			c->has_mhz = true;
		}
	}
	if (!out->n) {
		sbx_err_set(err, 0, "%s: no 'processor' line%s", fname, len ? "" : " (empty file)");
		return -1;
	}
	return 0;
bad:
	sbx_err_set(err, 0, "%s:%zu: cannot parse '%.*s'", fname, lineno,
		    (int)(le - p > 40 ? 40 : le - p), p);
	cpuinfo_free(out);
	return -1;
}

void cpuinfo_free(struct cpuinfo *c)
{
	free(c->cpus);
	c->cpus = NULL;
	c->n = 0;
}
