/* srebox cordon NODE... and srebox uncordon NODE...: mark nodes
 * unschedulable, or schedulable again, with the one PATCH kubectl sends
 * ({"spec":{"unschedulable":true}}, {"spec":{"unschedulable":null}}),
 * nothing when a node is already so.  One run for both applets. */
#include "cordon.h"

#include "k8s_node.h"

#include <string.h>

static const char *o_dry = "none", *o_selector;

static const struct sbx_opt cordon_opts[] = {
	{ 0, "dry-run", OPT_CHOICE, &o_dry, "MODE",
	  "none; client (--dry-run alone, as kubectl): send nothing, say what would change; server: ask the API server "
	  "(?dryRun=All)",
	  "none client server", NULL, "client" },
	{ 'l', "selector", OPT_STRING, &o_selector, "SELECTOR",
	  "the nodes with these labels (kubectl's -l), as well as NODE...", NULL, NULL },
	OPT_END,
};

bool cordon_dry(const char *s, enum drain_dry *out)
{
	*out = !strcmp(s, "client") ? DRY_CLIENT : !strcmp(s, "server") ? DRY_SERVER : DRY_NONE;
	return true;
}

void cordon_nodes_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char **cordon_nodes(struct k8s *k, struct sbx_ctx *ctx, const char *selector, size_t *n,
		    struct sbx_err *err)
{
	char **v = NULL;
	size_t alloc = 0;

	*n = 0;
	for (int i = 0; i < ctx->nargs; i++) {
		ALLOC_GROW(v, *n + 1, alloc);
		v[(*n)++] = xstrdup(ctx->args[i]);
	}
	if (selector) {
		size_t nsel;
		char **sel = k8s_node_names(k, selector, &nsel, err);

		if (!sel) {
			cordon_nodes_free(v, *n);
			*n = 0;
			return NULL;
		}
		for (size_t i = 0; i < nsel; i++) {
			ALLOC_GROW(v, *n + 1, alloc);
			v[(*n)++] = sel[i];
		}
		free(sel);
	}
	return v;
}

static void objs_free(json_t **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(v[i]);
	free(v);
}

/* Every node is read before any changes, as kubectl resolves every name
 * first: `cordon a nosuch b` changes nothing, and names each node that
 * could not be read (all of them, where kubectl stops at the first).
 * NULL with the report's findings (or its failure) set. */
static json_t **resolve(struct k8s *k, struct sbx_report *rep, const char *verb, char **nodes,
			size_t n)
{
	json_t **v = xcalloc(n ? n : 1, sizeof(*v));
	size_t missing = 0;

	for (size_t i = 0; i < n; i++) {
		struct sbx_err err;
		long code = 0;

		v[i] = drain_node_get(k, nodes[i], &code, &err);
		if (v[i])
			continue;
		if (code != 404) {
			report_fail(rep, "%s", err.msg);
			objs_free(v, n);
			return NULL;
		}
		missing++;
		report_finding(rep, ST_UNKNOWN, verb, nodes[i], "unable to %s node \"%s\": %s", verb,
			       nodes[i], err.msg);
	}
	if (!missing)
		return v;
	report_summary(rep, "%zu of %zu node%s not found: none %sed", missing, n,
		       plural(n, "s"), verb);
	objs_free(v, n);
	return NULL;
}

enum { CN_NODE, CN_WAS, CN_NOW, CN_RESULT, CN_NCOLS };
static const struct sbx_col cols[] = {
	[CN_NODE] = { "NODE", "node", CT_STR, COL_LABEL },
	[CN_WAS] = { "WAS", "was", CT_STR },
	[CN_NOW] = { "NOW", "now", CT_STR },
	[CN_RESULT] = { "RESULT", "result", CT_STR },
};

static int cordon_run(struct sbx_ctx *ctx, bool on)
{
	const char *verb = on ? "cordon" : "uncordon";
	struct sbx_report *rep = report_new(ctx->applet->name);
	struct sbx_err err = { 0 };
	struct sbx_table *t;
	enum drain_dry dry;
	struct k8s *k;
	char **nodes;
	json_t **objs;
	size_t n, changed = 0, same = 0, failed = 0;
	const char *suffix;

	cordon_dry(o_dry, &dry);
	suffix = dry == DRY_CLIENT ? " (dry run)" : dry == DRY_SERVER ? " (server dry run)" : "";
	if (!ctx->nargs && !o_selector) {
		warnx_("give NODE... or -l SELECTOR");
		report_free(rep);
		return 3;
	}
	k = k8s_open(&ctx->kube, &err);
	if (!k) {
		report_fail(rep, "%s", err.msg);
		sbx_emit(ctx, rep);
		return 0;
	}
	nodes = cordon_nodes(k, ctx, o_selector, &n, &err);
	if (!nodes) {
		report_fail(rep, "%s", err.msg);
		k8s_close(k);
		sbx_emit(ctx, rep);
		return 0;
	}
	t = report_table(rep, "nodes", cols, CN_NCOLS);
	objs = resolve(k, rep, verb, nodes, n);
	if (!objs) {
		cordon_nodes_free(nodes, n);
		k8s_close(k);
		sbx_emit(ctx, rep);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct sbx_cell *c = table_row(t);
		bool ch;
		long code = 0;

		cell_str(&c[CN_NODE], nodes[i]);
		sbx_err_clear(&err);
		if (drain_cordon_node(k, nodes[i], objs[i], on, dry, &ch, &code, &err) < 0) {
			failed++;
			cell_unknown(&c[CN_WAS], err.msg);
			cell_unknown(&c[CN_NOW], err.msg);
			cell_strf(&c[CN_RESULT], "error: %s", err.msg);
			report_finding(rep, ST_UNKNOWN, verb, nodes[i], "unable to %s node \"%s\": %s",
				       verb, nodes[i], err.msg);
			continue;
		}
		/* the node was as `on` says unless it changed */
		cell_str(&c[CN_WAS], (ch ? !on : on) ? "cordoned" : "schedulable");
		cell_str(&c[CN_NOW], (ch && dry != DRY_NONE ? !on : on) ? "cordoned" : "schedulable");
		if (ch) {
			changed++;
			cell_strf(&c[CN_RESULT], "%sed%s", verb, suffix);
			report_finding(rep, ST_OK, verb, nodes[i], "node/%s %sed%s", nodes[i], verb,
				       suffix);
		} else {
			same++;
			cell_strf(&c[CN_RESULT], "already %sed", verb);
			report_finding(rep, ST_OK, verb, nodes[i], "node/%s already %sed", nodes[i],
				       verb);
		}
	}
	objs_free(objs, n);
	report_summary(rep, "%zu node%s %sed%s, %zu already %sed%s%.0zu%s", changed,
		       plural(changed, "s"), verb, suffix, same, verb, failed ? ", " : "", failed,
		       failed ? " could not be changed" : "");
	if (on && changed && dry == DRY_NONE)
		report_note(rep, "new pods will not be scheduled there; running pods stay (srebox "
			    "drain moves them)");
	cordon_nodes_free(nodes, n);
	k8s_close(k);
	sbx_emit(ctx, rep);
	return 0;
}

static int run_cordon(struct sbx_ctx *ctx)
{
	return cordon_run(ctx, true);
}

static int run_uncordon(struct sbx_ctx *ctx)
{
	return cordon_run(ctx, false);
}

const struct sbx_applet applet_cordon = {
	.name = "cordon",
	.formats = "table json prom check name",	/* no wide column */
	.examples =
		"# before a drain, so that nothing new lands on the node\n"
		"srebox cordon NODE\n"
		"# every node of one zone, asking the API server first\n"
		"srebox cordon -l topology.kubernetes.io/zone=eu-west-1a --dry-run=server\n",
	.summary = "mark Kubernetes nodes unschedulable, as kubectl cordon",
	.usage = "[OPTIONS] NODE...",
	.description =
		"Mark each NODE unschedulable (spec.unschedulable) with the strategic merge\n"
		"patch kubectl cordon sends; a node already cordoned gets no request.  Pods\n"
		"already on the node stay: srebox drain moves them.  Exit 0 when every node\n"
		"is cordoned, 3 when one could not be read or changed.",
	.flags = AP_K8S | AP_OUTPUT,
	.opts = cordon_opts,
	.args_complete = "k8s:nodes",
	.run = run_cordon,
};

const struct sbx_applet applet_uncordon = {
	.name = "uncordon",
	.examples =
		"# the node is fixed: let the scheduler use it again\n"
		"srebox uncordon node-7\n"
		"# every node of a pool, what would change first\n"
		"srebox uncordon -l pool=batch --dry-run\n",
	.formats = "table json prom check name",	/* no wide column */
	.summary = "mark Kubernetes nodes schedulable again, as kubectl uncordon",
	.usage = "[OPTIONS] NODE...",
	.description =
		"Mark each NODE schedulable again with the patch kubectl uncordon sends\n"
		"(spec.unschedulable removed); a node already schedulable gets no request.\n"
		"Exit 0 when every node is schedulable, 3 when one could not be read or\n"
		"changed.",
	.flags = AP_K8S | AP_OUTPUT,
	.opts = cordon_opts,
	.args_complete = "k8s:nodes",
	.run = run_uncordon,
};
