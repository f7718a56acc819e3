/* srebox drain NODE...: kubectl drain's algorithm and flags, with the plan
 * first.  The plan (pods to evict or delete, pods left and why, budgets
 * that would refuse right now) is a report of its own and the whole output
 * of --dry-run=client; acting needs a yes on a terminal or --yes.  Then:
 * cordon, evict through policy/v1 Evictions with refusals retried
 * (lib/retry.h), wait until each pod is gone, and a report of what
 * happened that says what state the node is left in. */
#include "cordon.h"

#include "k8s_obj.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool o_ignore_ds, o_emptydir, o_force, o_disable_eviction, o_yes;
static const char *o_dry = "none", *o_pod_selector, *o_selector;
static long o_grace = -1;
static double o_timeout, o_skip_wait;

static int cb_grace(const char *arg)
{
	int64_t v;

	if (!parse_i64(arg, &v) || v < -1 || v > 1000000000)
		return 1;
	o_grace = (long)v;
	return 0;
}

static int cb_skip_wait(const char *arg)
{
	if (!parse_seconds(arg, &o_skip_wait) || o_skip_wait < 0)
		return 1;
	return 0;
}

static int cb_timeout(const char *arg)
{
	if (!parse_seconds(arg, &o_timeout) || o_timeout < 0)
		return 1;
	return 0;
}

static const struct sbx_opt drain_opts[] = {
	{ 0, "ignore-daemonsets", OPT_FLAG, &o_ignore_ds, NULL,
	  "leave DaemonSet-managed pods (they are never deleted)", NULL, NULL },
	{ 0, "delete-emptydir-data", OPT_FLAG, &o_emptydir, NULL,
	  "evict pods with emptyDir volumes: their data is lost", NULL, NULL },
	{ 0, "force", OPT_FLAG, &o_force, NULL,
	  "also delete pods no controller manages: they do not come back", NULL, NULL },
	{ 0, "grace-period", OPT_CALL, NULL, "SECONDS",
	  "termination grace period for each pod (default -1: the pod's own)", NULL, cb_grace },
	{ 0, "timeout", OPT_CALL, NULL, "SECONDS",
	  "give up after SECONDS of evicting and waiting (default 0: never; 90, 5m)", NULL,
	  cb_timeout },
	{ 0, "pod-selector", OPT_STRING, &o_pod_selector, "SELECTOR",
	  "only the pods with these labels", NULL, NULL },
	{ 0, "skip-wait-for-delete-timeout", OPT_CALL, NULL, "SECONDS",
	  "do not wait for pods terminating for longer than SECONDS (default 0: wait)", NULL,
	  cb_skip_wait },
	{ 0, "disable-eviction", OPT_FLAG, &o_disable_eviction, NULL,
	  "DELETE the pods instead of evicting them: bypasses PodDisruptionBudgets", NULL, NULL },
	{ 0, "dry-run", OPT_CHOICE, &o_dry, "MODE",
	  "client: show the plan and send nothing that changes anything; server: also ask "
	  "the API server (?dryRun=All) whether each eviction would go through; none",
	  "none client server", NULL, "client" },
	{ 'y', "yes", OPT_FLAG, &o_yes, NULL,
	  "act without asking (needed when not on a terminal)", NULL, NULL },
	{ 'l', "selector", OPT_STRING, &o_selector, "SELECTOR",
	  "the nodes with these labels, as well as NODE...", NULL, NULL },
	OPT_END,
};

/* --- the plan report ----------------------------------------------------- */

enum { PL_NODE, PL_NS, PL_POD, PL_ACTION, PL_WHY, PL_PDB, PL_OWNER, PL_NCOLS };
static const struct sbx_col plan_cols[] = {
	[PL_NODE] = { "NODE", "node", CT_STR, COL_LABEL | COL_WIDE },
	[PL_NS] = { "NAMESPACE", "namespace", CT_STR, COL_LABEL },
	[PL_POD] = { "POD", "pod", CT_STR, COL_LABEL },
	[PL_ACTION] = { "ACTION", "action", CT_STR },
	[PL_WHY] = { "WHY", "why", CT_STR },
	[PL_PDB] = { "BUDGET", "budgets", CT_STR },
	[PL_OWNER] = { "CONTROLLER", "controller", CT_STR, COL_WIDE },
};

enum { PB_NS, PB_NAME, PB_ALLOWED, PB_CUR, PB_DES, PB_EXP, PB_HERE, PB_VERDICT, PB_NCOLS };
static const struct sbx_col pdb_cols[] = {
	[PB_NS] = { "NAMESPACE", "namespace", CT_STR, COL_LABEL },
	[PB_NAME] = { "BUDGET", "name", CT_STR, COL_LABEL },
	[PB_ALLOWED] = { "ALLOWED", "disruptions_allowed", CT_INT, COL_EXACT },
	[PB_CUR] = { "HEALTHY", "current_healthy", CT_INT, COL_EXACT },
	[PB_DES] = { "DESIRED", "desired_healthy", CT_INT, COL_EXACT },
	[PB_EXP] = { "EXPECTED", "expected_pods", CT_INT, COL_EXACT | COL_WIDE },
	[PB_HERE] = { "HERE", "pods_here", CT_INT, COL_EXACT },
	[PB_VERDICT] = { "NOW", "verdict", CT_STR },
};

/* final: the plan is all there is (a dry run): a budget refusing now is a
 * warning.  Otherwise what happens decides, and the plan only informs. */
static void add_plan(struct sbx_report *rep, struct drain_node *nodes, size_t n,
		     const struct drain_opts *o, bool final)
{
	struct sbx_table *t = report_table(rep, "pods", plan_cols, PL_NCOLS);
	struct sbx_table *b = report_table(rep, "budgets", pdb_cols, PB_NCOLS);
	size_t act = 0, skip = 0, block = 0, blocking = 0;
	struct buf nodes_s = { 0 };

	table_title(t, "Pods:");
	table_title(b, "PodDisruptionBudgets of those pods, now:");
	for (size_t i = 0; i < n; i++) {
		struct drain_node *dn = &nodes[i];
		/* kubectl's refusals, grouped by its message: "msg: ns/p, ns/p" */
		const char *fatals[8];
		struct buf groups[8] = { 0 };
		size_t nf = 0;

		buf_addf(&nodes_s, "%s%s", i ? ", " : "", dn->name);
		for (size_t j = 0; j < dn->npods; j++) {
			struct drain_pod *p = &dn->pods[j];
			struct sbx_cell *c = table_row(t);
			size_t g;

			cell_str(&c[PL_NODE], dn->name);
			cell_str(&c[PL_NS], p->ns);
			cell_str(&c[PL_POD], p->name);
			cell_str(&c[PL_ACTION], drain_action_name(p->v.action));
			cell_str(&c[PL_WHY], p->v.why);
			if (p->pdbs)
				cell_strf(&c[PL_PDB], "%s%s", p->pdbs, p->pdb_blocks ? " (refuses now)" : "");
			else if (dn->pdb_error && (p->v.action == DA_EVICT || p->v.action == DA_BLOCK))
				cell_unknown(&c[PL_PDB], dn->pdb_error);
			cell_str(&c[PL_OWNER], p->owner);
			switch (p->v.action) {
			case DA_EVICT:
			case DA_DELETE:
				act++;
				break;
			case DA_SKIP:
				skip++;
				break;
			case DA_BLOCK:
				block++;
				for (g = 0; g < nf && strcmp(fatals[g], p->v.fatal); g++)
					;
				if (g == nf && nf < ARRAY_SIZE(fatals))
					fatals[nf++] = p->v.fatal;
				if (g < nf)
					buf_addf(&groups[g], "%s%s/%s", groups[g].len ? ", " : "", p->ns,
						 p->name);
				break;
			}
		}
		for (size_t g = 0; g < nf; g++) {
			/* kubectl prints "cannot delete cannot delete Pods that
			 * declare no controller": one "cannot delete" is enough */
			report_finding(rep, ST_WARNING, "filter", dn->name, "%s: %s%s: %s", dn->name,
				       str_starts(fatals[g], "cannot delete ") ? "" : "cannot delete ",
				       fatals[g], groups[g].s);
			buf_free(&groups[g]);
		}
		for (size_t j = 0; j < dn->npdbs; j++) {
			struct drain_pdb *d = &dn->pdbs[j];
			struct sbx_cell *c = table_row(b);

			cell_str(&c[PB_NS], d->ns);
			cell_str(&c[PB_NAME], d->name);
			cell_i64(&c[PB_HERE], (int64_t)d->here);
			if (!d->has_status) {
				for (int k = PB_ALLOWED; k <= PB_EXP; k++)
					cell_unknown(&c[k], "the budget has no status yet (no controller "
						     "has looked at it)");
				cell_str(&c[PB_VERDICT], "unknown");
				continue;
			}
			cell_i64(&c[PB_ALLOWED], d->allowed);
			cell_i64(&c[PB_CUR], d->current);
			cell_i64(&c[PB_DES], d->desired);
			cell_i64(&c[PB_EXP], d->expected);
			if (d->allowed < 1) {
				blocking++;
				cell_str(&c[PB_VERDICT], "refuses");
				report_finding(rep, final ? ST_WARNING : ST_OK, "budget", d->name,
					       "PodDisruptionBudget %s/%s allows no disruption now (%ld "
					       "healthy, %ld desired): evicting its %zu pod%s on %s "
					       "waits until it does%s", d->ns, d->name, d->current,
					       d->desired, d->here, plural(d->here, "s"), dn->name,
					       o->disable_eviction ? " (--disable-eviction deletes "
								      "them anyway)" : "");
			} else if ((long)d->here > d->allowed) {
				cell_strf(&c[PB_VERDICT], "%ld of %zu", d->allowed, d->here);
				report_finding(rep, ST_OK, "budget", d->name,
					       "PodDisruptionBudget %s/%s allows %ld disruption%s now for "
					       "%zu pods on %s: the rest wait for replacements", d->ns,
					       d->name, d->allowed, plural(d->allowed, "s"), d->here,
					       dn->name);
			} else {
				cell_str(&c[PB_VERDICT], "allows");
			}
		}
		if (dn->pdb_error)
			report_finding(rep, ST_OK, "budget", dn->name,
				       "PodDisruptionBudgets could not be listed (%s): refusals will "
				       "show while evicting", dn->pdb_error);
	}
	report_summary(rep, "drain plan for %s: %s %zu pod%s, leave %zu, %zu blocked; %zu "
		       "budget%s refusing now", nodes_s.s, o->disable_eviction ? "delete" : "evict",
		       act, plural(act, "s"), skip, block, blocking, plural(blocking, "s"));
	if (!block)
		report_finding(rep, ST_OK, "plan", nodes_s.s, "%s %zu pod%s from %s, leave %zu",
			       o->disable_eviction ? "delete" : "evict", act, plural(act, "s"),
			       nodes_s.s, skip);
	buf_free(&nodes_s);
}

/* --- progress on stderr -------------------------------------------------- */

struct progress {
	bool tty;		/* stderr is a terminal: a progress line that updates */
	bool line;		/* it is on the screen */
	const struct drain_opts *o;
};

static void clear_line(struct progress *pg)
{
	if (pg->line) {
		fputs("\r\033[K", stderr);
		pg->line = false;
	}
}

static void on_event(void *arg, const struct drain_event *e)
{
	struct progress *pg = arg;
	const struct drain_pod *p = e->pod;
	char d[32];

	if (e->kind == DE_TICK) {
		if (!pg->tty)
			return;
		clear_line(pg);
		fmt_duration(d, sizeof(d), e->elapsed);
		fprintf(stderr, "drain %s: %zu pod%s left, %s elapsed", e->dn->name, e->pending,
			plural(e->pending, "s"), d);
		if (e->left >= 0) {
			fmt_duration(d, sizeof(d), e->left);
			fprintf(stderr, ", %s to the deadline", d);
		}
		pg->line = true;
		fflush(stderr);
		return;
	}
	clear_line(pg);
	switch (e->kind) {
	case DE_EVICT:
		if (p->attempts == 1)
			fprintf(stderr, "%s pod %s/%s%s\n", pg->o->disable_eviction ? "deleting" : "evicting",
				p->ns, p->name, pg->o->dry == DRY_SERVER ? " (server dry run)" : "");
		break;
	case DE_REFUSED:
		fprintf(stderr, "refused: pod %s/%s, budget %s, attempt %u: %s", p->ns, p->name,
			p->budget ? p->budget : "?", p->attempts, p->error ? p->error : "");
		if (e->delay >= 0) {
			snprintf(d, sizeof(d), "%.1fs", e->delay);
			fprintf(stderr, "; next try in %s\n", d);
		} else {
			fputs("; no more tries\n", stderr);
		}
		break;
	case DE_GONE:
		fprintf(stderr, "pod/%s %s\n", p->name, drain_outcome(p, pg->o));
		break;
	case DE_SKIPPED_WAIT:
		fprintf(stderr, "pod %s/%s has been terminating for more than %gs: not waiting\n",
			p->ns, p->name, pg->o->skip_wait);
		break;
	case DE_ERROR:
		fprintf(stderr, "error: pod %s/%s: %s\n", p->ns, p->name, p->error ? p->error : "?");
		break;
	case DE_TICK:
		break;
	}
	fflush(stderr);
}

/* --- the result report --------------------------------------------------- */

enum { RS_NODE, RS_NS, RS_POD, RS_OUTCOME, RS_ATTEMPTS, RS_REFUSED, RS_BUDGET, RS_SECONDS,
       RS_ERROR, RS_NCOLS };
static const struct sbx_col res_cols[] = {
	[RS_NODE] = { "NODE", "node", CT_STR, COL_LABEL | COL_WIDE },
	[RS_NS] = { "NAMESPACE", "namespace", CT_STR, COL_LABEL },
	[RS_POD] = { "POD", "pod", CT_STR, COL_LABEL },
	[RS_OUTCOME] = { "OUTCOME", "outcome", CT_STR },
	[RS_ATTEMPTS] = { "ASKED", "attempts", CT_COUNT, COL_EXACT },
	[RS_REFUSED] = { "REFUSED", "refusals", CT_COUNT, COL_EXACT },
	[RS_BUDGET] = { "BUDGET", "budget", CT_STR },
	[RS_SECONDS] = { "AFTER", "seconds", CT_SECONDS },
	[RS_ERROR] = { "LAST-ERROR", "last_error", CT_STR, COL_WIDE },
};

static bool acts(const struct drain_pod *p)
{
	return p->v.action == DA_EVICT || p->v.action == DA_DELETE;
}

static bool left_behind(const struct drain_pod *p)
{
	return acts(p) && (p->state == PS_TODO || p->state == PS_WAIT || p->state == PS_FAILED ||
			   p->state == PS_REFUSED);
}

static void add_result(struct sbx_report *rep, struct drain_node *dn, const struct drain_opts *o,
		       bool cordoned_by_us)
{
	struct sbx_table *t = rep->ntables ? rep->tables[0] : report_table(rep, "pods", res_cols,
									     RS_NCOLS);
	size_t gone = 0, pend = 0, failed = 0;
	struct buf pl = { 0 };
	char el[32], state[160];

	if (t->nrows == 0 && !t->title)
		table_title(t, "Pods:");
	for (size_t j = 0; j < dn->npods; j++) {
		struct drain_pod *p = &dn->pods[j];
		struct sbx_cell *c;

		if (!acts(p))
			continue;
		c = table_row(t);
		cell_str(&c[RS_NODE], dn->name);
		cell_str(&c[RS_NS], p->ns);
		cell_str(&c[RS_POD], p->name);
		cell_str(&c[RS_OUTCOME], drain_outcome(p, o));
		cell_u64(&c[RS_ATTEMPTS], p->attempts);
		cell_u64(&c[RS_REFUSED], p->refusals);
		if (p->budget)
			cell_str(&c[RS_BUDGET], p->budget);
		if (p->state == PS_GONE || p->state == PS_SKIPPED_WAIT)
			cell_num(&c[RS_SECONDS], p->done_after);
		if (p->error)
			cell_str(&c[RS_ERROR], p->error);
		if (p->state == PS_FAILED) {
			failed++;
			report_finding(rep, ST_UNKNOWN, "pod", p->name, "could not evict %s/%s: %s",
				       p->ns, p->name, p->error ? p->error : "?");
		}
		if (left_behind(p)) {
			pend++;
			if (pend <= 10) {
				buf_addf(&pl, "%s%s/%s", pend > 1 ? ", " : "", p->ns, p->name);
				if (p->refusals)
					buf_addf(&pl, " (refused %u time%s%s%s)", p->refusals,
						 plural(p->refusals, "s"), p->budget ? " by budget " : "",
						 p->budget ? p->budget : "");
				else if (p->state == PS_WAIT)
					buf_adds(&pl, " (terminating)");
			}
		} else {
			gone++;
		}
	}
	if (pend > 10)
		buf_addf(&pl, ", and %zu more", pend - 10);
	fmt_duration(el, sizeof(el), dn->elapsed);
	if (o->dry == DRY_SERVER)
		snprintf(state, sizeof(state), "%s is as it was (server dry run)", dn->name);
	else
		snprintf(state, sizeof(state), "%s stays cordoned (unschedulable)%s; srebox uncordon %s "
			 "when it is ready again", dn->name, cordoned_by_us ? "" : ", as it was",
			 dn->name);
	if (o->dry == DRY_SERVER) {
		report_finding(rep, pend ? ST_WARNING : ST_OK, "drained", dn->name,
			       "%s: the API server would accept %zu eviction%s%s%s; %s", dn->name, gone,
			       plural(gone, "s"), pend ? " and refuse: " : "", pend ? pl.s : "",
			       state);
	} else if (!pend) {
		report_finding(rep, ST_OK, "drained", dn->name, "node/%s drained: %zu pod%s gone in %s; %s",
			       dn->name, gone, plural(gone, "s"), el, state);
	} else {
		const char *why = dn->interrupted ? "interrupted" : dn->timed_out ? "timed out" : "stopped";

		report_finding(rep, failed == pend ? ST_UNKNOWN : ST_WARNING, "drained", dn->name,
			       "node/%s not drained: %s after %s with %zu pod%s left: %s; %s", dn->name,
			       why, el, pend, plural(pend, "s"), pl.s, state);
	}
	buf_free(&pl);
}

/* --- asking -------------------------------------------------------------- */

static bool confirm(struct drain_node *nodes, size_t n, const struct drain_opts *o)
{
	char line[64];
	size_t act = 0;

	for (size_t i = 0; i < n; i++)
		act += nodes[i].n[DA_EVICT] + nodes[i].n[DA_DELETE];
	fprintf(stderr, "Cordon %s%s and %s %zu pod%s? [y/N] ", nodes[0].name, n > 1 ? " and the others" : "",
		o->disable_eviction ? "delete" : "evict", act, plural(act, "s"));
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return !strcasecmp(str_trim(line), "y") || !strcasecmp(line, "yes");
}

static void free_nodes(struct drain_node *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		drain_node_free(&nodes[i]);
	free(nodes);
}

/* Plan every node; -1 with the report failed. */
static int plan_all(struct k8s *k, char **names, size_t n, const struct drain_opts *o,
		    struct drain_node *nodes, struct sbx_report *rep)
{
	for (size_t i = 0; i < n; i++) {
		struct sbx_err err = { 0 };
		long code = 0;

		if (drain_plan(k, names[i], o, &nodes[i], &code, &err) < 0) {
			report_fail(rep, "%s", err.msg);
			return -1;
		}
	}
	return 0;
}

static size_t blocked(const struct drain_node *nodes, size_t n)
{
	size_t b = 0;

	for (size_t i = 0; i < n; i++)
		b += nodes[i].n[DA_BLOCK];
	return b;
}

static int drain_main(struct sbx_ctx *ctx)
{
	struct drain_opts o = {
		.ignore_daemonsets = o_ignore_ds, .delete_emptydir = o_emptydir, .force = o_force,
		.disable_eviction = o_disable_eviction, .grace = o_grace, .skip_wait = o_skip_wait,
		.timeout = o_timeout, .pod_selector = o_pod_selector, .poll = 1,
		/* kubectl waits a fixed 5 s after each refusal; a budget usually
		 * clears within seconds (a replacement becomes ready) or stays
		 * shut for long: start at 1 s, double, stay under 30 s */
		.retry = { .initial = 1, .factor = 2, .max_delay = 30, .jitter = 0.2,
			   .deadline = o_timeout },
	};
	struct sbx_report *plan = report_new("drain"), *res;
	struct sbx_err err = { 0 };
	struct progress pg = { .tty = isatty(2), .o = &o };
	struct drain_node *nodes = NULL;
	char **names = NULL;
	size_t n = 0;
	struct k8s *k;
	int rc = 0;
	bool *cordoned;

	cordon_dry(o_dry, &o.dry);
	if (!ctx->nargs && !o_selector) {
		warnx_("give NODE... or -l SELECTOR");
		report_free(plan);
		return 3;
	}
	k = k8s_open(&ctx->kube, &err);
	if (!k) {
		report_fail(plan, "%s", err.msg);
		sbx_emit(ctx, plan);
		return 0;
	}
	names = cordon_nodes(k, ctx, o_selector, &n, &err);
	if (!names) {
		report_fail(plan, "%s", err.msg);
		k8s_close(k);
		sbx_emit(ctx, plan);
		return 0;
	}
	nodes = xcalloc(n, sizeof(*nodes));
	cordoned = xcalloc(n, sizeof(*cordoned));
	if (plan_all(k, names, n, &o, nodes, plan) < 0) {
		sbx_emit(ctx, plan);
		goto out;
	}
	add_plan(plan, nodes, n, &o, o.dry == DRY_CLIENT);
	if (blocked(nodes, n))
		report_note(plan, "nothing done: the node%s stay%s as %s (give the flags named above, "
			    "or move those pods yourself)", plural(n, "s"), n == 1 ? "s" : "",
			    n == 1 ? "it was" : "they were");
	else if (o.dry == DRY_CLIENT)
		report_note(plan, "dry run: nothing was sent that changes anything");
	sbx_emit(ctx, plan);
	if (blocked(nodes, n) || o.dry == DRY_CLIENT)
		goto out;
	if (o.dry == DRY_NONE && !o_yes) {
		if (!isatty(0) || !isatty(2)) {
			warnx_("not acting without --yes when not on a terminal: the plan above is "
			       "what --yes would do; nothing was changed");
			rc = 3;
			goto out;
		}
		if (!confirm(nodes, n, &o)) {
			fprintf(stderr, "nothing done: the node%s stay%s as before\n", plural(n, "s"),
				n == 1 ? "s" : "");
			rc = 1;
			goto out;
		}
	}

	res = report_new("drain");
	/* cordon every node first, as kubectl: nothing new lands while pods leave */
	for (size_t i = 0; i < n; i++) {
		bool ch;

		sbx_err_clear(&err);
		if (drain_cordon(k, nodes[i].name, true, o.dry, &ch, NULL, &err) < 0) {
			report_fail(res, "unable to cordon node \"%s\": %s; nothing evicted%s",
				    nodes[i].name, err.msg, i ? " (the nodes before it stay cordoned)" : "");
			sbx_emit(ctx, res);
			goto out;
		}
		cordoned[i] = ch;
		if (ch)
			fprintf(stderr, "node/%s cordoned%s\n", nodes[i].name,
				o.dry == DRY_SERVER ? " (server dry run)" : "");
	}
	for (size_t i = 0; i < n && !*ctx->stop; i++) {
		struct drain_node fresh;
		long code = 0;

		/* what is on the node now that it is cordoned (the plan may be
		 * minutes old after a confirmation) */
		sbx_err_clear(&err);
		if (drain_plan(k, nodes[i].name, &o, &fresh, &code, &err) < 0) {
			report_finding(res, ST_UNKNOWN, "drained", nodes[i].name,
				       "node/%s: its pods could not be listed: %s; it stays cordoned",
				       nodes[i].name, err.msg);
			continue;
		}
		drain_node_free(&nodes[i]);
		nodes[i] = fresh;
		if (fresh.n[DA_BLOCK]) {
			report_finding(res, ST_WARNING, "drained", fresh.name,
				       "node/%s not drained: pods arrived that need a flag (run again to "
				       "see the plan); it stays cordoned", fresh.name);
			continue;
		}
		drain_run(k, &nodes[i], &o, ctx->stop, on_event, &pg);
		clear_line(&pg);
		add_result(res, &nodes[i], &o, cordoned[i]);
	}
	if (*ctx->stop) {
		report_note(res, "interrupted (Ctrl-C)");
		for (size_t i = 0; i < n; i++)
			if (!nodes[i].interrupted && !nodes[i].elapsed)
				report_finding(res, ST_WARNING, "drained", nodes[i].name,
					       "node/%s not drained: interrupted before its turn; it stays "
					       "cordoned (unschedulable)", nodes[i].name);
	}
	if (!res->ntables)
		report_table(res, "pods", res_cols, RS_NCOLS);
	{
		size_t done = 0;

		for (size_t f = 0; f < res->nfind; f++)
			done += res->findings[f].state == ST_OK;
		report_summary(res, "drain: %zu of %zu node%s drained%s", done, n, plural(n, "s"),
			       o.dry == DRY_SERVER ? " (server dry run)" : "");
	}
	sbx_emit(ctx, res);
out:
	free(cordoned);
	free_nodes(nodes, n);
	cordon_nodes_free(names, n);
	k8s_close(k);
	return rc;
}

const struct sbx_applet applet_drain = {
	.name = "drain",
	.examples =
		"# the runbook's recovery step, looked at first\n"
		"srebox drain NODE --ignore-daemonsets --dry-run\n"
		"# which evictions the budgets would refuse right now\n"
		"srebox drain NODE --ignore-daemonsets --dry-run=server\n"
		"# then done, giving up after five minutes\n"
		"srebox drain NODE --ignore-daemonsets --yes --timeout 5m\n",
	.summary = "move the pods off Kubernetes nodes as kubectl drain does, with the plan "
		   "shown first and budgets' refusals retried and shown",
	.usage = "[OPTIONS] NODE...",
	.description =
		"kubectl drain's algorithm and flags: cordon, then evict every pod through the\n"
		"policy/v1 Eviction API except DaemonSet and mirror pods, and wait until each is\n"
		"gone.  First the plan: the pods to evict, the pods left and why, and the\n"
		"PodDisruptionBudgets that would refuse right now; --dry-run=client shows only\n"
		"that.  On a terminal srebox asks before acting; elsewhere it acts only with\n"
		"--yes.  A refused eviction (HTTP 429 from a budget) is retried with exponential\n"
		"backoff and shown with its pod, budget and attempt.  Exit 0 drained, 1 not\n"
		"drained (blocked, timed out, interrupted, declined), 3 the cluster could not\n"
		"be asked or --yes is missing.  A node stays cordoned on failure.",
	.flags = AP_K8S | AP_OUTPUT,
	.opts = drain_opts,
	.args_complete = "k8s:nodes",
	.run = drain_main,
};
