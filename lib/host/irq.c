#include "irq.h"
#include "node.h"
#include "root.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int irq_snap_read(struct irq_snap *s, struct sbx_err *err)
{
	struct buf b = { 0 };
	struct sbx_err e2;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	s->uptime = -1;
	s->when = root_clock();	/* a capture: its own clock */
	if (root_read("/proc/interrupts", &b, &s->err) < 0 ||
	    parse_interrupts(b.s, b.len, rooted("/proc/interrupts"), &s->hard, &s->err) < 0) {
		*err = s->err;
		goto out;
	}
	s->ok = true;
	s->have_stat = node_stat(&s->stat, &s->stat_err) == 0;
	if (root_read("/proc/softirqs", &b, &s->soft_err) == 0 &&
	    parse_interrupts(b.s, b.len, rooted("/proc/softirqs"), &s->soft, &s->soft_err) == 0)
		s->have_soft = true;
	if (root_read("/proc/uptime", &b, &e2) == 0 &&
	    parse_uptime(b.s, b.len, rooted("/proc/uptime"), &s->uptime, &e2) < 0)
		s->uptime = -1;
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

void irq_snap_free(struct irq_snap *s)
{
	irq_table_free(&s->hard);
	irq_table_free(&s->soft);
	if (s->have_stat)
		proc_stat_free(&s->stat);
	s->have_stat = false;
}

static long find_row(const struct irq_table *t, const char *name, size_t hint)
{
	if (hint < t->nrows && !strcmp(t->rows[hint].name, name))
		return (long)hint;
	for (size_t i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].name, name))
			return (long)i;
	return -1;
}

bool irq_row_delta(const struct irq_table *cur, size_t i, const struct irq_table *prev,
		   uint64_t *delta, const char **why)
{
	const struct irq_row *r = &cur->rows[i], *pr;
	long j;

	if (!r->counts) {
		*why = "no per-CPU counts";
		return false;
	}
	if (!prev) {
		memcpy(delta, r->counts, cur->ncpu * sizeof(uint64_t));
		return true;
	}
	j = find_row(prev, r->name, i);
	if (j < 0) {
		*why = "appeared during the interval";
		return false;
	}
	pr = &prev->rows[j];
	if (!pr->counts) {
		*why = "no per-CPU counts";
		return false;
	}
	for (size_t c = 0; c < cur->ncpu; c++) {
		long pc = cur->ncpu == prev->ncpu && cur->cpu[c] == prev->cpu[c]
				  ? (long)c
				  : irq_table_col(prev, cur->cpu[c]);
		uint64_t before = pc < 0 ? 0 : pr->counts[pc];

		if (r->counts[c] < before) {
			*why = "counter went backwards (CPU hotplug or IRQ reused)";
			return false;
		}
		delta[c] = r->counts[c] - before;
	}
	return true;
}

bool irq_row_total_delta(const struct irq_table *cur, size_t i, const struct irq_table *prev,
			 uint64_t *delta, const char **why)
{
	long j;

	if (!prev) {
		*delta = cur->rows[i].total;
		return true;
	}
	j = find_row(prev, cur->rows[i].name, i);
	if (j < 0) {
		*why = "appeared during the interval";
		return false;
	}
	if (cur->rows[i].total < prev->rows[j].total) {
		*why = "counter went backwards";
		return false;
	}
	*delta = cur->rows[i].total - prev->rows[j].total;
	return true;
}

bool irq_row_counted(const struct irq_table *t, size_t i)
{
	const struct irq_row *r = &t->rows[i];
	const char *d = r->devices, *e;

	if (r->numeric || !d || d[0] != '[' || !(e = strchr(d, ']')))
		return true;
	for (size_t k = 0; k < t->nrows; k++)
		if (k != i && t->rows[k].counts && strlen(t->rows[k].name) == (size_t)(e - d - 1) &&
		    !memcmp(t->rows[k].name, d + 1, (size_t)(e - d - 1)))
			return false;
	return true;
}

/* Words that say which way a queue carries data, not which device it is. */
static bool kind_word(const char *p, size_t n)
{
	static const char *const words[] = { "rx", "tx", "txrx", "rxtx", "input", "output", "req",
					     "comp", "queue", "q", "fp", "ch", "combined" };

	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strlen(words[i]) == n && !strncasecmp(words[i], p, n))
			return true;
	return false;
}

bool irq_queue_of(const char *devices, char *dev, size_t n, unsigned *queue)
{
	struct {
		const char *p;
		size_t len;
		char sep;	/* the separator before it, 0 for the first */
	} tok[16];
	size_t nt = 0, blen, qi = (size_t)-1, qdigits = 0;
	const char *at;
	struct buf b = { 0 };
	unsigned long long q;

	if (!devices || !*devices || strchr(devices, ',') || n < 2)
		return false;
	at = strchr(devices, '@');
	blen = at ? (size_t)(at - devices) : strlen(devices);
	/* tokens split at "-. :", never inside [...] (ahci[0000:00:1f.2]) */
	for (size_t i = 0, depth = 0; i < blen;) {
		char sep = 0;
		size_t start;

		for (; i < blen && strchr("-. :", devices[i]); i++)
			if (!sep)
				sep = devices[i];
		if (i >= blen)
			break;
		if (nt == ARRAY_SIZE(tok))
			return false;
		start = i;
		while (i < blen && (depth || !strchr("-. :", devices[i]))) {
			depth += devices[i] == '[';
			depth -= depth && devices[i] == ']';
			i++;
		}
		tok[nt].p = devices + start;
		tok[nt].len = i - start;
		tok[nt].sep = nt ? sep : 0;
		nt++;
	}
	if (!nt)
		return false;
	/* the last number after the device's own name, skipping kind words
	 * after it ("eth0-q1-rx") */
	for (size_t k = nt; k-- > 1;) {
		size_t l = tok[k].len, d = l;

		while (d > 0 && is_digit(tok[k].p[d - 1]))
			d--;
		if (d == 0 || (d < l && kind_word(tok[k].p, d))) {
			qi = k;
			qdigits = l - d;
			break;
		}
		if (!kind_word(tok[k].p, l))
			break;
	}
	if (qi == (size_t)-1 && nt == 1) {
		/* one word: "nvme0q3" (a digit, 'q', the queue) or
		 * "mlx5_comp3" (an underscore, letters, the queue) */
		const char *p = tok[0].p;
		size_t l = tok[0].len, d = l, s;

		while (d > 0 && is_digit(p[d - 1]))
			d--;
		if (d == l || d == 0)
			return false;
		if (d >= 2 && p[d - 1] == 'q' && is_digit(p[d - 2])) {
			s = d - 1;
		} else {
			s = d;
			while (s > 0 && isalpha((unsigned char)p[s - 1]))
				s--;
			if (s == d || s == 0 || p[s - 1] != '_')
				return false;
			s = d;
		}
		q = strtoull(p + d, NULL, 10);
		if (q > 1u << 20)
			return false;
		buf_addf(&b, "%.*s%s", (int)s, p, at ? at : "");
		goto done;
	}
	if (qi == (size_t)-1)
		return false;
	q = strtoull(tok[qi].p + tok[qi].len - qdigits, NULL, 10);
	if (q > 1u << 20)
		return false;
	for (size_t k = 0; k < nt; k++) {
		if (k == qi || (k > 0 && kind_word(tok[k].p, tok[k].len)))
			continue;
		if (b.len && tok[k].sep)
			buf_addf(&b, "%c", tok[k].sep);
		buf_addf(&b, "%.*s", (int)tok[k].len, tok[k].p);
	}
	if (at)
		buf_addf(&b, "%s", at);
done:
	snprintf(dev, n, "%s", b.s ? b.s : "");
	buf_free(&b);
	*queue = (unsigned)q;
	return dev[0] != '\0';
}

int irq_affinity(const char *irq, const char *file, char *out, size_t n, struct sbx_err *err)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/irq/%s/%s", irq, file);
	return root_read_line(path, out, n, err);
}

long irqbalance_pid(void)
{
	struct sbx_err err;
	DIR *d = root_opendir("/proc", &err);
	struct dirent *de;
	long found = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) && !found) {
		char comm[32], path[300];
		uint64_t pid;

		if (!parse_u64(de->d_name, &pid))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (root_read_line(path, comm, sizeof(comm), &err) == 0 &&
		    !strcmp(comm, "irqbalance"))
			found = (long)pid;
	}
	closedir(d);
	return found;
}
