#include "drain.h"

#include "k8s_obj.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- cordon -------------------------------------------------------------- */

static void node_path(struct buf *p, const char *node)
{
	buf_adds(p, "/api/v1/nodes");
	k8s_path_add(p, node);
}

static const char *const node_drop[] = {
	"metadata.managedFields", "status.images", "status.volumesAttached", "status.volumesInUse",
	NULL,
};

json_t *drain_node_get(struct k8s *k, const char *node, long *code, struct sbx_err *err)
{
	struct buf p = { 0 };
	json_t *n;
	long c = 0;

	node_path(&p, node);
	n = k8s_get(k, p.s, NULL, node_drop, &c, err);
	if (code)
		*code = c;
	buf_free(&p);
	return n;
}

int drain_cordon_node(struct k8s *k, const char *node, json_t *n, bool on, enum drain_dry dry,
		      bool *changed, long *code, struct sbx_err *err)
{
	struct buf p = { 0 };
	int rc = 0;
	/* omitempty: uncordoning removes the field, as kubectl's two-way merge patch says */
	const char *body = on ? "{\"spec\":{\"unschedulable\":true}}"
			      : "{\"spec\":{\"unschedulable\":null}}";

	*changed = json_is_true(k8s_at(n, "spec.unschedulable")) != on;
	if (!*changed || dry == DRY_CLIENT)
		return 0;
	node_path(&p, node);
	{
		struct k8s_req rq = { .method = "PATCH", .path = p.s,
				      .query = dry == DRY_SERVER ? "dryRun=All" : NULL,
				      .content_type = "application/strategic-merge-patch+json",
				      .body = body, .body_len = strlen(body), .drop = node_drop };
		struct k8s_resp rs;

		rc = k8s_request(k, &rq, &rs, err);
		if (code)
			*code = rs.code;
		k8s_resp_free(&rs);
	}
	buf_free(&p);
	return rc;
}

int drain_cordon(struct k8s *k, const char *node, bool on, enum drain_dry dry, bool *changed,
		 long *code, struct sbx_err *err)
{
	json_t *n = drain_node_get(k, node, code, err);
	int rc;

	*changed = false;
	if (!n)
		return -1;
	rc = drain_cordon_node(k, node, n, on, dry, changed, code, err);
	json_decref(n);
	return rc;
}

/* --- filters ------------------------------------------------------------- */

/* kubectl's messages (pkg/drain/filters.go l.31-38) */
static const char DS_FATAL[] = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
static const char DS_WARNING[] = "ignoring DaemonSet-managed Pods";
static const char LOCAL_FATAL[] = "Pods with local storage (use --delete-emptydir-data to override)";
static const char UNMANAGED_FATAL[] =
	"cannot delete Pods that declare no controller (use --force to override)";
static const char UNMANAGED_WARNING[] = "deleting Pods that declare no controller";

static json_t *controller_ref(json_t *pod)
{
	json_t *r;
	size_t i;

	json_array_foreach(k8s_at(pod, "metadata.ownerReferences"), i, r)
		if (json_is_true(json_object_get(r, "controller")))
			return r;
	return NULL;
}

static bool finished(json_t *pod)
{
	const char *ph = k8s_str(pod, "status.phase", "");

	return !strcmp(ph, "Succeeded") || !strcmp(ph, "Failed");
}

const char *drain_pod_daemonset(json_t *pod)
{
	json_t *r = controller_ref(pod);

	if (!r || strcmp(k8s_str(r, "kind", ""), "DaemonSet") || finished(pod))
		return NULL;
	return k8s_str(r, "name", NULL);
}

static bool has_local_storage(json_t *pod)
{
	json_t *v;
	size_t i;

	json_array_foreach(k8s_at(pod, "spec.volumes"), i, v)
		if (json_object_get(v, "emptyDir"))
			return true;
	return false;
}

static void verdict(struct drain_verdict *v, enum drain_action a, const char *fatal,
		    const char *warning, const char *fmt, ...) SBX_PRINTF(5, 6);
static void verdict(struct drain_verdict *v, enum drain_action a, const char *fatal,
		    const char *warning, const char *fmt, ...)
{
	va_list ap;

	v->action = a;
	v->fatal = fatal;
	v->warning = warning;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

/* The filters in kubectl's order (skipDeleted, daemonSet, mirrorPod,
 * localStorage, unreplicated): the first that does not delete decides; of
 * those that delete, the last one's words stand (kubectl drops the
 * local-storage warning of a managed pod the same way). */
void drain_filter(json_t *pod, const struct drain_opts *o, double now, int ds, const char *ds_err,
		  struct drain_verdict *v)
{
	enum drain_action del = o->disable_eviction ? DA_DELETE : DA_EVICT;
	json_t *ref = controller_ref(pod);
	const char *dts = k8s_str(pod, "metadata.deletionTimestamp", NULL);
	const char *dsname = drain_pod_daemonset(pod);
	double t;
	bool done = finished(pod);

	memset(v, 0, sizeof(*v));
	if (o->skip_wait > 0 && dts && k8s_time_parse(dts, &t) && now - t > o->skip_wait) {
		verdict(v, DA_SKIP, NULL, NULL, "terminating for more than %gs "
			"(--skip-wait-for-delete-timeout)", o->skip_wait);
		return;
	}
	if (dsname) {
		if (ds < 0) {
			verdict(v, DA_BLOCK, ds_err ? ds_err : "DaemonSet lookup failed", NULL,
				"its DaemonSet %s could not be looked up: %s", dsname,
				ds_err ? ds_err : "?");
			return;
		}
		if (ds == 0) {
			/* kubectl deletes such an orphan with --force; srebox never
			 * deletes a DaemonSet's pod */
			verdict(v, o->force ? DA_SKIP : DA_BLOCK,
				o->force ? NULL : "DaemonSet-managed Pods whose DaemonSet is gone "
						  "(delete them by hand)",
				NULL, "its DaemonSet %s is gone: srebox never deletes a DaemonSet's pod, "
				"delete it by hand", dsname);
			return;
		}
		if (!o->ignore_daemonsets)
			verdict(v, DA_BLOCK, DS_FATAL, NULL,
				"DaemonSet %s: give --ignore-daemonsets to leave it", dsname);
		else
			verdict(v, DA_SKIP, NULL, DS_WARNING, "DaemonSet %s (--ignore-daemonsets)",
				dsname);
		return;
	}
	if (json_object_get(k8s_at(pod, "metadata.annotations"), "kubernetes.io/config.mirror")) {
		verdict(v, DA_SKIP, NULL, NULL, "mirror pod: the kubelet runs it from a manifest file");
		return;
	}
	if (done) {
		verdict(v, del, NULL, NULL, "finished (%s)", k8s_str(pod, "status.phase", ""));
		return;
	}
	if (has_local_storage(pod) && !o->delete_emptydir) {
		verdict(v, DA_BLOCK, LOCAL_FATAL, NULL,
			"emptyDir data would be lost: give --delete-emptydir-data");
		return;
	}
	if (!ref) {
		if (!o->force)
			verdict(v, DA_BLOCK, UNMANAGED_FATAL, NULL,
				"no controller will recreate it: give --force");
		else
			verdict(v, del, NULL, UNMANAGED_WARNING,
				"no controller: gone for good (--force)%s",
				has_local_storage(pod) ? ", with its emptyDir data" : "");
		return;
	}
	if (has_local_storage(pod))
		verdict(v, del, NULL, NULL, "%s recreates it; its emptyDir data is lost "
			"(--delete-emptydir-data)", k8s_str(ref, "kind", ""));
	else
		verdict(v, del, NULL, NULL, "%s recreates it elsewhere", k8s_str(ref, "kind", ""));
}

/* --- selectors ----------------------------------------------------------- */

static bool in_values(json_t *values, const char *v)
{
	json_t *e;
	size_t i;

	json_array_foreach(values, i, e)
		if (v && json_string_value(e) && !strcmp(json_string_value(e), v))
			return true;
	return false;
}

bool drain_selector_match(json_t *sel, json_t *labels)
{
	const char *k;
	json_t *v, *e;
	size_t i;

	if (!json_is_object(sel))
		return false;
	json_object_foreach(json_object_get(sel, "matchLabels"), k, v) {
		const char *have = json_string_value(json_object_get(labels, k));

		if (!have || !json_string_value(v) || strcmp(have, json_string_value(v)))
			return false;
	}
	json_array_foreach(json_object_get(sel, "matchExpressions"), i, e) {
		const char *key = k8s_str(e, "key", ""), *op = k8s_str(e, "operator", "");
		const char *have = json_string_value(json_object_get(labels, key));
		json_t *vals = json_object_get(e, "values");
		bool ok;

		if (!strcmp(op, "In"))
			ok = have && in_values(vals, have);
		else if (!strcmp(op, "NotIn"))
			ok = !have || !in_values(vals, have);
		else if (!strcmp(op, "Exists"))
			ok = have != NULL;
		else if (!strcmp(op, "DoesNotExist"))
			ok = have == NULL;
		else
			ok = false;	/* an operator we do not know selects nothing */
		if (!ok)
			return false;
	}
	return true;
}

/* --- the plan ------------------------------------------------------------ */

static const char *const pod_drop[] = {
	"items.*.metadata.managedFields",
	"items.*.spec.containers",
	"items.*.spec.initContainers",
	"items.*.spec.tolerations",
	"items.*.status.containerStatuses",
	"items.*.status.initContainerStatuses",
	"items.*.status.conditions",
	NULL,
};

static void pod_free(struct drain_pod *p)
{
	free(p->ns);
	free(p->name);
	free(p->uid);
	free(p->owner);
	free(p->pdbs);
	free(p->budget);
	free(p->error);
}

void drain_node_free(struct drain_node *dn)
{
	for (size_t i = 0; i < dn->npods; i++)
		pod_free(&dn->pods[i]);
	free(dn->pods);
	for (size_t i = 0; i < dn->npdbs; i++) {
		free(dn->pdbs[i].ns);
		free(dn->pdbs[i].name);
	}
	free(dn->pdbs);
	free(dn->pdb_error);
	free(dn->name);
	memset(dn, 0, sizeof(*dn));
}

/* One GET per DaemonSet, as kubectl: 1 exists, 0 not found, -1 error. */
static int daemonset_exists(struct k8s *k, const char *ns, const char *name, char *why, size_t n)
{
	struct buf p = { 0 };
	struct sbx_err err = { 0 };
	static const char *const drop[] = { "spec", "status", "metadata.managedFields", NULL };
	long code = 0;
	json_t *ds;

	buf_adds(&p, "/apis/apps/v1/namespaces");
	k8s_path_add(&p, ns);
	buf_adds(&p, "/daemonsets");
	k8s_path_add(&p, name);
	ds = k8s_get(k, p.s, NULL, drop, &code, &err);
	buf_free(&p);
	json_decref(ds);
	if (ds)
		return 1;
	if (code == 404)
		return 0;
	snprintf(why, n, "%s", err.msg);
	return -1;
}

static void match_pdbs(struct drain_node *dn, json_t *pdbs, json_t *pods)
{
	json_t *b, *pod;
	size_t i, j;

	json_array_foreach(pdbs, i, b) {
		struct drain_pdb *d;
		json_t *st = k8s_at(b, "status");
		size_t here = 0;
		bool blocks;

		json_array_foreach(pods, j, pod) {
			struct drain_pod *p = &dn->pods[j];

			if (strcmp(p->ns, k8s_str(b, "metadata.namespace", "")) ||
			    (p->v.action != DA_EVICT && p->v.action != DA_BLOCK) ||
			    !drain_selector_match(k8s_at(b, "spec.selector"), k8s_at(pod, "metadata.labels")))
				continue;
			here++;
		}
		if (!here)
			continue;
		ALLOC_GROW(dn->pdbs, dn->npdbs + 1, dn->apdbs);
		d = &dn->pdbs[dn->npdbs++];
		memset(d, 0, sizeof(*d));
		d->ns = xstrdup(k8s_str(b, "metadata.namespace", ""));
		d->name = xstrdup(k8s_str(b, "metadata.name", ""));
		d->here = here;
		d->has_status = json_is_integer(json_object_get(st, "disruptionsAllowed"));
		d->allowed = (long)json_integer_value(json_object_get(st, "disruptionsAllowed"));
		d->current = (long)json_integer_value(json_object_get(st, "currentHealthy"));
		d->desired = (long)json_integer_value(json_object_get(st, "desiredHealthy"));
		d->expected = (long)json_integer_value(json_object_get(st, "expectedPods"));
		blocks = d->has_status && d->allowed < 1;
		json_array_foreach(pods, j, pod) {
			struct drain_pod *p = &dn->pods[j];
			char *s;

			if (strcmp(p->ns, d->ns) || (p->v.action != DA_EVICT && p->v.action != DA_BLOCK) ||
			    !drain_selector_match(k8s_at(b, "spec.selector"), k8s_at(pod, "metadata.labels")))
				continue;
			s = p->pdbs ? xasprintf("%s, %s", p->pdbs, d->name) : xstrdup(d->name);
			free(p->pdbs);
			p->pdbs = s;
			p->pdb_blocks |= blocks;
		}
	}
}

static int list_pdbs(struct k8s *k, struct drain_node *dn, json_t *pods)
{
	struct k8s_list l;
	struct sbx_err err = { 0 };
	static const char *const drop[] = { "items.*.metadata.managedFields",
					    "items.*.metadata.annotations", NULL };
	json_t *page, *all = json_array(), *it;
	size_t i;
	int rc;

	/* one list for all namespaces: a node's pods span a few, and a
	 * per-namespace GET each would cost more round trips than bytes */
	k8s_list_init(&l, k, "/apis/policy/v1/poddisruptionbudgets", NULL, K8S_OBJECTS, drop);
	while ((rc = k8s_list_next(&l, &page, &err)) > 0)
		json_array_foreach(k8s_list_items(page), i, it)
			json_array_append(all, it);
	k8s_list_free(&l);
	if (rc < 0)
		dn->pdb_error = xstrdup(err.msg);
	else
		match_pdbs(dn, all, pods);
	json_decref(all);
	return rc < 0 ? -1 : 0;
}

int drain_plan(struct k8s *k, const char *node, const struct drain_opts *o, struct drain_node *dn,
	       long *code, struct sbx_err *err)
{
	struct buf p = { 0 }, q = { 0 }, fs = { 0 };
	struct k8s_list l;
	json_t *n, *page, *it, *pods = json_array();
	double now;
	size_t i;
	int rc;

	memset(dn, 0, sizeof(*dn));
	dn->name = xstrdup(node);
	node_path(&p, node);
	n = k8s_get(k, p.s, NULL, node_drop, code, err);
	buf_free(&p);
	if (!n) {
		json_decref(pods);
		return -1;
	}
	dn->unschedulable = json_is_true(k8s_at(n, "spec.unschedulable"));
	json_decref(n);

	buf_addf(&fs, "spec.nodeName=%s", node);
	k8s_query_add(&q, "fieldSelector", fs.s);
	if (o->pod_selector)
		k8s_query_add(&q, "labelSelector", o->pod_selector);
	k8s_list_init(&l, k, "/api/v1/pods", q.s, K8S_OBJECTS, pod_drop);
	while ((rc = k8s_list_next(&l, &page, err)) > 0)
		json_array_foreach(k8s_list_items(page), i, it)
			json_array_append(pods, it);
	k8s_list_free(&l);
	buf_free(&q);
	buf_free(&fs);
	if (rc < 0) {
		if (code)
			*code = 0;
		json_decref(pods);
		return -1;
	}
	now = k8s_now(k);
	json_array_foreach(pods, i, it) {
		struct drain_pod *pd;
		json_t *ref = controller_ref(it);
		const char *ds = drain_pod_daemonset(it);
		char why[sizeof(((struct sbx_err *)0)->msg)] = "";
		int have = 1;

		if (ds)
			have = daemonset_exists(k, k8s_str(it, "metadata.namespace", ""), ds, why,
						sizeof(why));
		ALLOC_GROW(dn->pods, dn->npods + 1, dn->apods);
		pd = &dn->pods[dn->npods++];
		memset(pd, 0, sizeof(*pd));
		pd->ns = xstrdup(k8s_str(it, "metadata.namespace", ""));
		pd->name = xstrdup(k8s_str(it, "metadata.name", ""));
		pd->uid = xstrdup(k8s_str(it, "metadata.uid", ""));
		pd->owner = ref ? xasprintf("%s/%s", k8s_str(ref, "kind", "?"), k8s_str(ref, "name", "?"))
				: xstrdup("");
		drain_filter(it, o, now, have, why, &pd->v);
		dn->n[pd->v.action]++;
	}
	if (dn->n[DA_EVICT] + dn->n[DA_BLOCK])
		list_pdbs(k, dn, pods);
	json_decref(pods);
	return 0;
}

/* --- acting -------------------------------------------------------------- */

const char *drain_action_name(enum drain_action a)
{
	static const char *const names[] = { "evict", "delete", "skip", "blocked" };

	return names[a];
}

const char *drain_outcome(const struct drain_pod *p, const struct drain_opts *o)
{
	switch (p->state) {
	case PS_TODO:
		return p->refusals ? "refused" : p->v.action == DA_SKIP ? "skipped" : "pending";
	case PS_WAIT:
		return "terminating";
	case PS_GONE:
		return p->replaced ? "replaced" : o->disable_eviction ? "deleted" : "evicted";
	case PS_SKIPPED_WAIT:
		return "left terminating";
	case PS_ACCEPTED:
		return "would go";
	case PS_REFUSED:
		return "would be refused";
	case PS_FAILED:
		return "failed";
	}
	return "?";
}

static void pod_path(struct buf *b, const struct drain_pod *p)
{
	buf_adds(b, "/api/v1/namespaces");
	k8s_path_add(b, p->ns);
	buf_adds(b, "/pods");
	k8s_path_add(b, p->name);
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

/* The budget a 429 names: "The disruption budget NAME needs ..." */
static void refusal_budget(struct drain_pod *p, const struct k8s_resp *rs)
{
	json_t *j = rs->raw.len ? json_loadb(rs->raw.s, rs->raw.len, 0, NULL) : NULL;
	json_t *c;
	size_t i;

	json_array_foreach(k8s_at(j, "details.causes"), i, c) {
		const char *m = k8s_str(c, "message", "");
		const char *pre = "The disruption budget ";

		if (!strcmp(k8s_str(c, "reason", ""), "DisruptionBudget")) {
			set_str(&p->error, m);
			if (str_starts(m, pre)) {
				const char *s = m + strlen(pre);

				free(p->budget);
				p->budget = xstrndup(s, strcspn(s, " "));
			}
			break;
		}
	}
	json_decref(j);
}

static void emit(drain_event_fn fn, void *arg, enum drain_ev kind, const struct drain_node *dn,
		 const struct drain_pod *p, double delay)
{
	struct drain_event e = { .kind = kind, .dn = dn, .pod = p, .delay = delay };

	if (fn)
		fn(arg, &e);
}

/* Ask for one pod to go: POST its Eviction, or DELETE it. */
static void ask(struct k8s *k, struct drain_node *dn, struct drain_pod *p, const struct drain_opts *o,
		double now, double start, drain_event_fn fn, void *arg)
{
	struct buf path = { 0 }, body = { 0 }, dopt = { 0 };
	struct k8s_req rq = { .method = "POST", .content_type = "application/json" };
	struct k8s_resp rs;
	struct sbx_err err = { 0 };
	static const char *const drop[] = { "spec", "status", "metadata.managedFields", NULL };

	pod_path(&path, p);
	buf_adds(&dopt, "{");
	if (o->grace >= 0)
		buf_addf(&dopt, "\"gracePeriodSeconds\":%ld", o->grace);
	if (o->dry == DRY_SERVER)
		buf_addf(&dopt, "%s\"dryRun\":[\"All\"]", o->grace >= 0 ? "," : "");
	buf_adds(&dopt, "}");
	if (o->disable_eviction) {
		rq.method = "DELETE";
		buf_addf(&body, "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\"%s%.*s}",
			 dopt.len > 2 ? "," : "", (int)(dopt.len > 2 ? dopt.len - 2 : 0), dopt.s + 1);
	} else {
		json_t *md = json_pack("{s:s,s:s}", "name", p->name, "namespace", p->ns);
		char *mds = json_dumps(md, JSON_COMPACT);

		buf_adds(&path, "/eviction");
		/* the body kubectl sends (reference §3.2 step 7) */
		buf_addf(&body, "{\"kind\":\"Eviction\",\"apiVersion\":\"policy/v1\",\"metadata\":%.*s,"
			 "\"creationTimestamp\":null},\"deleteOptions\":%s}",
			 (int)strlen(mds) - 1, mds, dopt.s);
		free(mds);
		json_decref(md);
	}
	rq.path = path.s;
	rq.body = body.s;
	rq.body_len = body.len;
	rq.drop = drop;
	p->attempts++;
	emit(fn, arg, DE_EVICT, dn, p, 0);
	if (k8s_request(k, &rq, &rs, &err) == 0) {
		if (o->dry == DRY_SERVER) {
			p->state = PS_ACCEPTED;
		} else {
			p->state = PS_WAIT;
			p->next_at = now;	/* kubectl looks at once, then every second */
		}
	} else if (rs.code == 404) {
		p->state = PS_GONE;
		p->done_after = now - start;
		emit(fn, arg, DE_GONE, dn, p, 0);
	} else if (rs.code == 429) {
		double delay;

		p->refusals++;
		set_str(&p->error, err.msg);
		refusal_budget(p, &rs);
		if (o->dry == DRY_SERVER) {
			p->state = PS_REFUSED;
		} else if (retry_next(&p->retry, now, &delay)) {
			p->next_at = now + delay;
			emit(fn, arg, DE_REFUSED, dn, p, delay);
		} else {
			p->next_at = INFINITY;	/* out of tries: pending until the deadline */
			emit(fn, arg, DE_REFUSED, dn, p, -1);
		}
	} else {
		p->state = PS_FAILED;
		set_str(&p->error, err.msg);
		emit(fn, arg, DE_ERROR, dn, p, 0);
	}
	k8s_resp_free(&rs);
	buf_free(&path);
	buf_free(&body);
	buf_free(&dopt);
}

/* Is it gone yet?  404, or a new pod under the same name (a StatefulSet's). */
static void check_gone(struct k8s *k, struct drain_node *dn, struct drain_pod *p,
		       const struct drain_opts *o, double now, double start, drain_event_fn fn,
		       void *arg)
{
	struct buf path = { 0 };
	struct sbx_err err = { 0 };
	static const char *const drop[] = { "spec", "status", "metadata.managedFields",
					    "metadata.annotations", "metadata.labels", NULL };
	long code = 0;
	json_t *pod;

	pod_path(&path, p);
	pod = k8s_get(k, path.s, NULL, drop, &code, &err);
	buf_free(&path);
	p->next_at = now + o->poll;
	if (!pod) {
		if (code == 404) {
			p->state = PS_GONE;
			p->done_after = now - start;
			emit(fn, arg, DE_GONE, dn, p, 0);
		} else {
			set_str(&p->error, err.msg);	/* keep waiting: it may pass */
		}
		return;
	}
	if (strcmp(k8s_str(pod, "metadata.uid", ""), p->uid)) {
		p->state = PS_GONE;
		p->replaced = true;
		p->done_after = now - start;
		emit(fn, arg, DE_GONE, dn, p, 0);
	} else if (o->skip_wait > 0) {
		double t;
		const char *dts = k8s_str(pod, "metadata.deletionTimestamp", NULL);

		/* the client's clock, as kubectl's waitForDelete */
		if (dts && k8s_time_parse(dts, &t) && now_realtime() - t > o->skip_wait) {
			p->state = PS_SKIPPED_WAIT;
			p->done_after = now - start;
			emit(fn, arg, DE_SKIPPED_WAIT, dn, p, 0);
		}
	}
	json_decref(pod);
}

static bool acts(const struct drain_pod *p)
{
	return p->v.action == DA_EVICT || p->v.action == DA_DELETE;
}

int drain_run(struct k8s *k, struct drain_node *dn, const struct drain_opts *o,
	      volatile int *stop, drain_event_fn fn, void *arg)
{
	double start = now_monotonic();
	double deadline = o->timeout > 0 ? start + o->timeout : INFINITY;
	size_t pending = 0;
	bool left = false;

	for (size_t i = 0; i < dn->npods; i++) {
		struct drain_pod *p = &dn->pods[i];

		p->state = PS_TODO;
		p->next_at = start;
		retry_init(&p->retry, &o->retry, start);
	}
	for (;;) {
		double now = now_monotonic(), wake = deadline;
		struct drain_event tick = { .kind = DE_TICK, .dn = dn };

		pending = 0;
		for (size_t i = 0; i < dn->npods; i++) {
			struct drain_pod *p = &dn->pods[i];

			if (!acts(p) || (p->state != PS_TODO && p->state != PS_WAIT))
				continue;
			if (stop && *stop)
				break;
			now = now_monotonic();
			if (now >= deadline)
				break;
			if (p->next_at <= now) {
				if (p->state == PS_TODO)
					ask(k, dn, p, o, now, start, fn, arg);
				else
					check_gone(k, dn, p, o, now, start, fn, arg);
			}
			if (p->state == PS_TODO || p->state == PS_WAIT) {
				pending++;
				if (p->next_at < wake)
					wake = p->next_at;
			}
		}
		now = now_monotonic();
		dn->elapsed = now - start;
		if (stop && *stop) {
			dn->interrupted = true;
			break;
		}
		if (now >= deadline) {
			dn->timed_out = true;	/* add_result tells whether any pod was left */
			break;
		}
		if (!pending)
			break;
		tick.pending = pending;
		tick.elapsed = now - start;
		tick.left = isfinite(deadline) ? deadline - now : -1;
		if (fn)
			fn(arg, &tick);
		if (wake > now)
			sleep_seconds(fmin(wake - now, 1.0), stop);
	}
	dn->elapsed = now_monotonic() - start;
	for (size_t i = 0; i < dn->npods; i++) {
		const struct drain_pod *p = &dn->pods[i];

		if (acts(p) && p->state != PS_GONE && p->state != PS_SKIPPED_WAIT &&
		    p->state != PS_ACCEPTED)
			left = true;
	}
	return left ? 1 : 0;
}
