/* /proc/interrupts and /proc/softirqs, in every shape the kernel has
 * printed them:
 *   - the header names the CPU of each column; offline CPUs are missing,
 *     so column 4 may be CPU7 (sysstat maps them the same way);
 *   - named rows: NMI/LOC/... with one count per CPU, ERR/MIS with a single
 *     total, FIQ with none (collectd#1189);
 *   - aarch64 rows have no space after the colon ("IPI0:2768808080 ...",
 *     node_exporter#2557) and counters have up to 20 digits, so nothing is
 *     read at a fixed width (util-linux's lsirq does, and breaks);
 *   - the description is "chip hwirq-trigger devices" on current x86,
 *     "chip-trigger devices" on old kernels, "chip hwirq Trigger devices"
 *     on GIC; device lists keep their spaces and commas. */
#include "procfs.h"

#include <stdlib.h>
#include <string.h>

/* Value of eight decimal digits already minus '0', first digit in the
 * lowest byte (little-endian load). */
static inline uint64_t swar8(uint64_t d)
{
	d = (d * 10) + (d >> 8);
	d = (((d & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
	     (((d >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >> 32;
	return d & 0xffffffffULL;
}

static const char *skip_space(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *token_end(const char *p, const char *e)
{
	while (p < e && *p != ' ' && *p != '\t')
		p++;
	return p;
}

static bool all_digits(const char *p, const char *e)
{
	if (p == e)
		return false;
	for (; p < e; p++)
		if (!is_digit(*p))
			return false;
	return true;
}

static char *dup_trim(const char *p, const char *e)
{
	p = skip_space(p, e);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return p < e ? xstrndup(p, (size_t)(e - p)) : NULL;
}

static const char *const triggers[] = { "edge", "level", "fasteoi", "simple", "percpu",
					"percpu-devid", "Edge", "Level", "none" };

static bool is_trigger(const char *p, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(triggers); i++)
		if (strlen(triggers[i]) == n && !memcmp(triggers[i], p, n))
			return true;
	return false;
}

/* Split "IR-PCI-MSI 524288-edge      nvme0q0" and its older shapes. */
static void parse_desc(struct irq_row *r, const char *p, const char *e)
{
	const char *t0, *t0e, *t1, *t1e, *dash;

	p = skip_space(p, e);
	if (p >= e)
		return;
	if (!r->numeric) {
		r->devices = dup_trim(p, e);
		return;
	}
	t0 = p;
	t0e = token_end(t0, e);
	t1 = skip_space(t0e, e);
	t1e = token_end(t1, e);
	/* "IR-IO-APIC-edge  timer": chip and trigger in one token */
	dash = NULL;
	for (const char *q = t0; q < t0e; q++)
		if (*q == '-')
			dash = q;
	if (dash && is_trigger(dash + 1, (size_t)(t0e - dash - 1))) {
		r->chip = xstrndup(t0, (size_t)(dash - t0));
		r->trigger = xstrndup(dash + 1, (size_t)(t0e - dash - 1));
		r->devices = dup_trim(t0e, e);
		return;
	}
	r->chip = xstrndup(t0, (size_t)(t0e - t0));
	if (t1 >= e) {
		return;
	}
	/* "524288-edge" */
	dash = memchr(t1, '-', (size_t)(t1e - t1));
	if (dash && all_digits(t1, dash) && is_trigger(dash + 1, (size_t)(t1e - dash - 1))) {
		r->hwirq = xstrndup(t1, (size_t)(dash - t1));
		r->trigger = xstrndup(dash + 1, (size_t)(t1e - dash - 1));
		r->devices = dup_trim(t1e, e);
		return;
	}
	/* GIC: "27 Level arch_timer" */
	if (all_digits(t1, t1e)) {
		const char *t2 = skip_space(t1e, e), *t2e = token_end(t2, e);

		r->hwirq = xstrndup(t1, (size_t)(t1e - t1));
		if (t2 < e && is_trigger(t2, (size_t)(t2e - t2))) {
			r->trigger = xstrndup(t2, (size_t)(t2e - t2));
			r->devices = dup_trim(t2e, e);
		} else {
			r->devices = dup_trim(t1e, e);
		}
		return;
	}
	r->devices = dup_trim(t0e, e);
}

static int parse_header(const char *p, const char *e, const char *fname, struct irq_table *t,
			struct sbx_err *err)
{
	size_t alloc = 0;

	for (p = skip_space(p, e); p < e; p = skip_space(p, e)) {
		const char *te = token_end(p, e), *q = p + 3;
		uint64_t id;

		if (te - p < 4 || memcmp(p, "CPU", 3) || !scan_u64(&q, te, &id) || q != te ||
		    id > 1u << 22) {
			sbx_err_set(err, 0, "%s:1: header: expected CPU columns, got '%.*s'", fname,
				    (int)(te - p > 20 ? 20 : te - p), p);
			return -1;
		}
		ALLOC_GROW(t->cpu, t->ncpu + 1, alloc);
		t->cpu[t->ncpu++] = (unsigned)id;
		p = te;
	}
	if (t->ncpu == 0) {
		sbx_err_set(err, 0, "%s:1: header: no CPU columns", fname);
		return -1;
	}
	return 0;
}

int parse_interrupts(const char *text, size_t len, const char *fname, struct irq_table *t,
		     struct sbx_err *err)
{
	const char *p = text, *end = text + len;
	size_t rows_alloc = 0, arena_used = 0, arena_alloc = 0, lineno = 0;
	size_t *offs = NULL, offs_alloc = 0;
	bool header = false;

	memset(t, 0, sizeof(*t));
	{
		/* One allocation for the rows and one for the counters: a
		 * 256-CPU x 2000-IRQ file must not be realloc'd and copied
		 * a dozen times. */
		size_t lines = 1;

		for (const char *q = p; (q = memchr(q, '\n', (size_t)(end - q))); q++)
			lines++;
		rows_alloc = lines;
		t->rows = xcalloc(lines, sizeof(*t->rows));
		offs_alloc = lines;
		offs = xcalloc(lines, sizeof(*offs));
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *colon, *q, *name;
		struct irq_row *r;
		size_t k = 0;

		lineno++;
		if (memchr(p, '\0', (size_t)(le - p))) {
			sbx_err_set(err, 0, "%s:%zu: binary data", fname, lineno);
			goto fail;
		}
		if (skip_space(p, le) == le) {
			p = le + 1;
			continue;
		}
		if (!header) {
			if (parse_header(p, le, fname, t, err) < 0)
				goto fail;
			header = true;
			/* every counter takes at least two bytes ("0 ") */
			arena_alloc = rows_alloc * t->ncpu;
			if (arena_alloc > len / 2 + t->ncpu)
				arena_alloc = len / 2 + t->ncpu;
			t->arena = xmalloc_big((arena_alloc ? arena_alloc : 1) * sizeof(uint64_t));
			p = le + 1;
			continue;
		}
		colon = memchr(p, ':', (size_t)(le - p));
		name = skip_space(p, le);
		if (!colon || colon == name || token_end(name, colon) != colon) {
			sbx_err_set(err, 0, "%s:%zu: expected 'IRQ: counts...', got '%.*s'", fname,
				    lineno, (int)(le - p > 30 ? 30 : le - p), p);
			goto fail;
		}
		ALLOC_GROW(t->rows, t->nrows + 1, rows_alloc);
		ALLOC_GROW(offs, t->nrows + 1, offs_alloc);
		r = &t->rows[t->nrows++];
		memset(r, 0, sizeof(*r));
		r->name = xstrndup(name, (size_t)(colon - name));
		r->numeric = all_digits(name, colon);
		ALLOC_GROW(t->arena, arena_used + t->ncpu, arena_alloc);
		offs[t->nrows - 1] = arena_used;
		q = colon + 1;
		/* The hot loop: 512k counters in a 256-CPU x 2000-IRQ file. */
		while (k < t->ncpu) {
			const char *s;
			uint64_t v = 0;

			/* column padding: eight spaces at a time */
			while (le - q >= 8) {
				uint64_t w;

				memcpy(&w, q, 8);
				w ^= 0x2020202020202020ULL;
				if (w) {
					q += __builtin_ctzll(w) >> 3;
					break;
				}
				q += 8;
			}
			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			s = q;
			/* eight digits at a time while they last */
			while (le - q >= 8) {
				uint64_t w, t8;

				memcpy(&w, q, 8);
				t8 = w - 0x3030303030303030ULL;
				if (((w | (w + 0x4646464646464646ULL)) & 0x8080808080808080ULL) ||
				    (t8 & 0xf0f0f0f0f0f0f0f0ULL))
					break;	/* not eight digits */
				v = v * 100000000 + swar8(t8);
				q += 8;
			}
			while (q < le && is_digit(*q))
				v = v * 10 + (uint64_t)(*q++ - '0');
			if (q == s || (q < le && *q != ' ' && *q != '\t')) {
				q = s;	/* not a counter: the description starts here */
				break;
			}
			if (q - s >= 20 && !scan_u64(&s, q, &v)) {
				sbx_err_set(err, 0, "%s:%zu: IRQ %s: counter out of range", fname, lineno,
					    r->name);
				goto fail;
			}
			t->arena[arena_used + k++] = v;
			r->total += v;
		}
		if (k != t->ncpu && (k > 1 || r->numeric)) {
			sbx_err_set(err, 0, "%s:%zu: IRQ %s: %zu counters for %zu CPUs%s", fname, lineno,
				    r->name, k, t->ncpu, nl ? "" : " (file truncated?)");
			goto fail;
		}
		if (k == t->ncpu && !nl && q == le && t->ncpu > 1 && r->numeric) {
			/* counts complete but no description and no newline:
			 * the last counter may have been cut short */
			sbx_err_set(err, 0, "%s:%zu: IRQ %s: line cut short (file truncated?)", fname,
				    lineno, r->name);
			goto fail;
		}
		r->ncounts = k;
		arena_used += k == t->ncpu ? k : 0;
		if (k != t->ncpu)
			offs[t->nrows - 1] = (size_t)-1;
		parse_desc(r, q, le);
		p = le + 1;
	}
	if (!header) {
		sbx_err_set(err, 0, "%s: empty", fname);
		goto fail;
	}
	/* The arena moved while growing: point the rows into it now. */
	for (size_t i = 0; i < t->nrows; i++)
		t->rows[i].counts = offs[i] == (size_t)-1 ? NULL : t->arena + offs[i];
	free(offs);
	return 0;
fail:
	free(offs);
	irq_table_free(t);
	return -1;
}

void irq_table_free(struct irq_table *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		free(t->rows[i].name);
		free(t->rows[i].chip);
		free(t->rows[i].hwirq);
		free(t->rows[i].trigger);
		free(t->rows[i].devices);
	}
	free(t->rows);
	free(t->cpu);
	free(t->arena);
	memset(t, 0, sizeof(*t));
}

long irq_table_col(const struct irq_table *t, unsigned cpu)
{
	for (size_t i = 0; i < t->ncpu; i++)
		if (t->cpu[i] == cpu)
			return (long)i;
	return -1;
}
