/* CPU time shares over an interval: see cpu_share.h. */
#include "cpu_share.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_name[CPU_NFIELDS] = { "user", "nice", "system", "idle", "iowait",
						     "irq", "softirq", "steal", "guest",
						     "guest_nice" };

/* Deltas of one CPU's counters; false (with why) when one went backwards. */
static bool deltas(const struct cpu_times *c, const struct cpu_times *p, uint64_t *d,
		   char *why, size_t wn)
{
	unsigned n = c->nfields;

	if (p && p->nfields < n)
		n = p->nfields;
	memset(d, 0, sizeof(uint64_t) * CPU_NFIELDS);
	for (unsigned i = 0; i < n; i++) {
		uint64_t before = p ? p->t[i] : 0;

		if (c->t[i] < before) {
			snprintf(why, wn, "its %s counter went backwards (%llu to %llu)", field_name[i],
				 (unsigned long long)before, (unsigned long long)c->t[i]);
			return false;
		}
		d[i] = c->t[i] - before;
	}
	return true;
}

/* Shares from deltas: mpstat's arithmetic (guest inside user, gnice inside nice). */
static void shares(const uint64_t *d, unsigned nfields, struct cpu_share *s)
{
	double total = 0, usr, nice;

	for (unsigned i = 0; i < nfields && i <= CPU_STEAL; i++)
		total += (double)d[i];
	for (unsigned i = 0; i < SH_N; i++)
		s->has[i] = i < nfields;
	s->ticks = total;
	if (total <= 0) {
		s->ok = false;
		snprintf(s->why, sizeof(s->why), "no CPU time passed between the readings");
		return;
	}
	usr = (double)d[CPU_USER] - (nfields > CPU_GUEST ? (double)d[CPU_GUEST] : 0);
	nice = (double)d[CPU_NICE] - (nfields > CPU_GUEST_NICE ? (double)d[CPU_GUEST_NICE] : 0);
	s->pct[SH_USR] = (usr > 0 ? usr : 0) / total * 100;
	s->pct[SH_NICE] = (nice > 0 ? nice : 0) / total * 100;
	for (unsigned i = CPU_SYSTEM; i < CPU_NFIELDS; i++)
		s->pct[i] = i < nfields ? (double)d[i] / total * 100 : 0;
	s->busy = 100 - s->pct[SH_IDLE] - s->pct[SH_IOWAIT];
	if (s->busy < 0)
		s->busy = 0;
	s->ok = true;
}

static const struct cpu_times *find_cpu(const struct proc_stat *s, int cpu)
{
	for (size_t i = 0; i < s->ncpus; i++)
		if (s->cpus[i].cpu == cpu)
			return &s->cpus[i];
	return NULL;
}

void cpu_shares(const struct proc_stat *cur, const struct proc_stat *prev, struct cpu_share *all,
		struct cpu_share **per, size_t *nper)
{
	uint64_t sum[CPU_NFIELDS] = { 0 }, d[CPU_NFIELDS];
	unsigned nf = CPU_NFIELDS;
	size_t known = 0, excluded = 0;
	char first_why[120] = "";
	struct cpu_share *v = NULL;

	memset(all, 0, sizeof(*all));
	all->cpu = -1;
	if (per) {
		v = calloc(cur->ncpus + 1, sizeof(*v));
		if (!v)
			abort();
		*per = v;
		*nper = cur->ncpus;
	}
	for (size_t i = 0; i < cur->ncpus; i++) {
		const struct cpu_times *c = &cur->cpus[i];
		const struct cpu_times *p = prev ? find_cpu(prev, c->cpu) : NULL;
		struct cpu_share tmp, *s = v ? &v[i] : &tmp;
		bool good;

		memset(s, 0, sizeof(*s));
		s->cpu = c->cpu;
		if (prev && !p) {
			snprintf(s->why, sizeof(s->why), "came online during the interval");
			excluded++;
			continue;
		}
		good = deltas(c, p, d, s->why, sizeof(s->why));
		if (good)
			shares(d, p && p->nfields < c->nfields ? p->nfields : c->nfields, s);
		if (!good || !s->ok) {
			s->ok = false;
			if (!first_why[0])
				snprintf(first_why, sizeof(first_why), "CPU%d: %.100s", c->cpu, s->why);
			excluded++;
			continue;
		}
		known++;
		if (c->nfields < nf)
			nf = c->nfields;
		if (p && p->nfields < nf)
			nf = p->nfields;
		for (unsigned k = 0; k < CPU_NFIELDS; k++)
			sum[k] += d[k];
	}
	if (!cur->ncpus) {
		/* no per-CPU lines: the aggregate line alone */
		if (!deltas(&cur->all, prev ? &prev->all : NULL, d, all->why, sizeof(all->why)))
			return;
		nf = prev && prev->all.nfields < cur->all.nfields ? prev->all.nfields
								  : cur->all.nfields;
		shares(d, nf, all);
		return;
	}
	if (!known) {
		snprintf(all->why, sizeof(all->why), "no CPU has a share: %s",
			 first_why[0] ? first_why : "every CPU came online during the interval");
		return;
	}
	shares(sum, nf, all);
	if (excluded && all->ok)
		snprintf(all->why, sizeof(all->why), "%zu of %zu CPU%s left out (%s)", excluded,
			 known + excluded, plural(known + excluded, "s"), first_why[0] ? first_why : "hot-plugged");
}
