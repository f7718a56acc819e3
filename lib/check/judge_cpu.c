/* Per-CPU and per-process judgments; see judge_cpu.h. */
#include "judge_cpu.h"

#include "owner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A finding judged by rule still carries the busiest CPU's share as its
 * perfdata and metric, so the series does not come and go with the rule. */
static struct sbx_finding *with_value(struct sbx_finding *f, double busy)
{
	finding_perf(f, sbx_checks[CHK_CPU_HOT].id, busy, sbx_checks[CHK_CPU_HOT].uom,
		     check_warn(CHK_CPU_HOT), check_crit(CHK_CPU_HOT));
	finding_bounds(f, 0, 100);
	return f;
}

struct sbx_finding *judge_cpu_hot(struct sbx_report *r, const struct cpu_share *per, size_t nper,
				  const struct cpu_share *all, bool since_boot,
				  const struct procs_use *u, int *hot)
{
	const struct cpu_share *h = NULL;
	size_t nok = 0;
	double rest = 0;
	struct sbx_finding *f;
	const char *when = since_boot ? " (averages since boot)" : "";

	*hot = -1;
	for (size_t i = 0; i < nper; i++) {
		if (!per[i].ok)
			continue;
		nok++;
		if (!h || per[i].busy > h->busy)
			h = &per[i];
	}
	if (!nok)
		return check_unknown(r, CHK_CPU_HOT, NULL, "busiest CPU: %s",
				     all->ok ? "no per-CPU lines in /proc/stat" : all->why);
	if (nok == 1)
		return with_value(check_rule(r, CHK_CPU_HOT, ST_OK, NULL,
					     "CPU%d %.0f%% busy%s: the only CPU with a share, none "
					     "to compare", h->cpu, h->busy, when), h->busy);
	for (size_t i = 0; i < nper; i++)
		if (per[i].ok && &per[i] != h)
			rest += per[i].busy;
	rest /= (double)(nok - 1);
	*hot = h->cpu;
	if (rest >= CPU_HOT_REST)
		return with_value(check_rule(r, CHK_CPU_HOT, ST_OK, NULL,
					     "busiest CPU%d %.0f%% busy, the other %s %.0f%% busy%s: "
					     "the work is spread, not one CPU's (saturation is "
					     "runqueue's and psi_cpu's)", h->cpu, h->busy,
					     nok == 2 ? "CPU" : "CPUs on average", rest, when), h->busy);
	f = check_value(r, CHK_CPU_HOT, NULL, h->busy,
			"CPU%d %.0f%% busy (usr %.0f%%, sys %.0f%%, irq+soft %.0f%%) while the other "
			"%s %.0f%% busy%s%s%s",
			h->cpu, h->busy, h->pct[SH_USR] + h->pct[SH_NICE], h->pct[SH_SYS],
			h->pct[SH_IRQ] + h->pct[SH_SOFT], nok == 2 ? "CPU is" : "CPUs are on average", rest,
			when, all->why[0] ? "; " : "", all->why);
	if (f->state != ST_OK && u)
		cpu_who_hot(f, u, h->cpu);
	return f;
}

static void who(struct sbx_finding *f, const char *name, int32_t pid, double v, const char *unit)
{
	struct proc_owner o;

	proc_owner(pid, &o);
	finding_who(f, "process", name, pid, o.has_cgroup ? o.cgroup : NULL,
		    o.has_pod ? o.pod : NULL, true, v, unit);
}

static const char *comm(const struct task *k)
{
	return k->has_name ? k->comm : "?";
}

void cpu_who_hot(struct sbx_finding *f, const struct procs_use *u, int cpu)
{
	const struct thread_use *t = procs_busiest_on(u, cpu);
	char name[96];

	if (!t || t->pct <= 0)
		return;
	if (t->k->tid != t->k->tgid)
		snprintf(name, sizeof(name), "%s thread %d", comm(t->k), (int)t->k->tid);
	else
		snprintf(name, sizeof(name), "%s", comm(t->k));
	who(f, name, t->k->tgid, t->pct, "%");
}

size_t cpu_who_cpu(struct sbx_finding *f, const struct procs_use *u)
{
	size_t n, named = 0, *idx = procs_by_cpu(u, &n);

	for (size_t i = 0; i < n && named < CPU_WHO_N; i++) {
		const struct proc_use *p = &u->p[idx[i]];

		/* a share under one tick's worth is noise, not a culprit */
		if (!p->ok || p->pct < 1)
			break;
		who(f, comm(p->leader), p->pid, p->pct, "%");
		named++;
	}
	free(idx);
	return named;
}

size_t cpu_who_mem(struct sbx_finding *f, const struct procs_use *u)
{
	size_t n, named = 0, *idx = procs_by_rss(u, &n);

	for (size_t i = 0; i < n && named < CPU_WHO_N; i++) {
		const struct proc_use *p = &u->p[idx[i]];

		if (!p->has_rss || !p->rss)
			break;
		who(f, comm(p->leader), p->pid, (double)p->rss, "B");
		named++;
	}
	free(idx);
	return named;
}
