#include "k8s_node.h"

#include "k8s_obj.h"
#include "root.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const k8s_lease_drop[] = {
	"items.*.metadata.*",
	"+items.*.metadata.name",
	"items.*.spec.*",
	"+items.*.spec.holderIdentity",
	"+items.*.spec.renewTime",
	"+items.*.spec.acquireTime",
	"+items.*.spec.leaseDurationSeconds",
	"items.*.apiVersion",
	"items.*.kind",
	"metadata.managedFields",
	NULL,
};

void k8s_node_sum_free(struct k8s_node_sum *s)
{
	buf_free(&s->status);
	buf_free(&s->problems);
	buf_free(&s->taints);
	free(s->conds);
	s->conds = NULL;
	s->nconds = s->aconds = 0;
}

void k8s_node_sum_init(struct k8s_node_sum *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "");
}

void k8s_node_sum_condition(struct k8s_node_sum *s, const char *type, const char *status,
			    const char *reason)
{
	struct k8s_node_cond *c;

	ALLOC_GROW(s->conds, s->nconds + 1, s->aconds);
	c = &s->conds[s->nconds++];
	snprintf(c->type, sizeof(c->type), "%s", type ? type : "");
	snprintf(c->status, sizeof(c->status), "%s", status ? status : "");
	snprintf(c->reason, sizeof(c->reason), "%s", reason ? reason : "");
}

void k8s_node_sum_taint(struct k8s_node_sum *s, const char *key, const char *value,
			const char *effect)
{
	if (s->taints.len)
		buf_addc(&s->taints, ',');
	k8s_taint_format(key ? key : "", value ? value : "", effect ? effect : "", &s->taints);
}

void k8s_node_sum_done(struct k8s_node_sum *s)
{
	buf_reset(&s->status);
	for (size_t i = 0; i < s->nconds; i++)
		if (!strcmp(s->conds[i].type, "Ready")) {
			snprintf(s->ready, sizeof(s->ready), "%s", s->conds[i].status);
			snprintf(s->ready_reason, sizeof(s->ready_reason), "%s", s->conds[i].reason);
		}
	/* kubectl's STATUS (printers.go printNode) */
	buf_adds(&s->status, !*s->ready ? "Unknown" : !strcmp(s->ready, "True") ? "Ready" : "NotReady");
	if (s->unschedulable)
		buf_adds(&s->status, ",SchedulingDisabled");
	for (size_t i = 0; i < s->nconds; i++) {
		const char *type = s->conds[i].type, *st = s->conds[i].status;

		if (!strcmp(type, "Ready") || !strcmp(st, "False"))
			continue;
		/* Everything turns Unknown with an unreachable kubelet: that is
		 * already said by Ready=Unknown. */
		if (strcmp(st, "True") && !strcmp(s->ready, "Unknown"))
			continue;
		buf_addf(&s->problems, "%s%s%s%s", s->problems.len ? "," : "", type,
			 strcmp(st, "True") ? "=" : "", strcmp(st, "True") ? st : "");
		s->nproblems++;
	}
	if (strcmp(s->ready, "True"))
		s->state = ST_CRITICAL;
	else if (s->unschedulable || s->nproblems)
		s->state = ST_WARNING;
	else
		s->state = ST_OK;
}

void k8s_node_sum(json_t *node, struct k8s_node_sum *s)
{
	json_t *c;
	size_t i;

	k8s_node_sum_init(s, k8s_str(node, "metadata.name", ""));
	s->unschedulable = json_is_true(k8s_at(node, "spec.unschedulable"));
	json_array_foreach(k8s_at(node, "status.conditions"), i, c)
		k8s_node_sum_condition(s, k8s_str(c, "type", ""), k8s_str(c, "status", ""),
				       k8s_str(c, "reason", ""));
	json_array_foreach(k8s_at(node, "spec.taints"), i, c)
		k8s_node_sum_taint(s, k8s_str(c, "key", ""), k8s_str(c, "value", ""),
				   k8s_str(c, "effect", ""));
	k8s_node_sum_done(s);
}

void k8s_node_sum_lease(struct k8s_node_sum *s, json_t *lease, double now)
{
	k8s_node_sum_renew(s, k8s_str(lease, "spec.renewTime", NULL),
			   (double)json_integer_value(k8s_at(lease, "spec.leaseDurationSeconds")), now);
}

void k8s_node_sum_renew(struct k8s_node_sum *s, const char *renew_time, double dur, double now)
{
	double renew;

	if (!k8s_time_parse(renew_time, &renew))
		return;
	s->has_lease = true;
	s->renew_age = now - renew < 0 ? 0 : now - renew;
	s->lease_seconds = dur > 0 ? dur : 40;
	s->stale = s->renew_age > s->lease_seconds;
	if (s->stale && s->state == ST_OK)
		s->state = ST_WARNING;
}

/* --- leases alongside a node list ---------------------------------------- */

void k8s_lease_join_init(struct k8s_lease_join *j, struct k8s *k, bool per_node)
{
	memset(j, 0, sizeof(*j));
	j->k = k;
	j->per_node = per_node;
}

void k8s_lease_join_free(struct k8s_lease_join *j)
{
	if (j->listing)
		k8s_list_free(&j->list);
	free(j->items);
	memset(j, 0, sizeof(*j));
}

static void lease_from_json(struct k8s_lease *l, json_t *o)
{
	snprintf(l->name, sizeof(l->name), "%s", k8s_str(o, "metadata.name", ""));
	snprintf(l->renew, sizeof(l->renew), "%s", k8s_str(o, "spec.renewTime", ""));
	l->duration = (double)json_integer_value(k8s_at(o, "spec.leaseDurationSeconds"));
}

static const struct k8s_lease *lease_get(struct k8s_lease_join *j, const char *node)
{
	struct buf p = { 0 };
	struct sbx_err err;
	long code = 0;
	json_t *o;

	buf_adds(&p, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases");
	k8s_path_add(&p, node);
	o = k8s_get(j->k, p.s, NULL, k8s_lease_drop, &code, &err);
	buf_free(&p);
	if (!o) {
		snprintf(j->why, sizeof(j->why), code == 404 ? "no Lease kube-node-lease/%s"
				 : "Lease kube-node-lease/%s: %s", node, err.msg);
		return NULL;
	}
	lease_from_json(&j->one, o);
	json_decref(o);
	return &j->one;
}

/* A page of Leases, read without a tree. */
enum { LJ_NAME, LJ_RENEW, LJ_DURATION, LJ_ITEM };
static const char *const lease_paths[] = {
	[LJ_NAME] = "=items.*.metadata.name",
	[LJ_RENEW] = "=items.*.spec.renewTime",
	[LJ_DURATION] = "=items.*.spec.leaseDurationSeconds",
	[LJ_ITEM] = "=items.*",
	"items.*.metadata.*",
	"items.*.spec.*",
	NULL,
};

static void lease_value(void *arg, unsigned path, const struct jproj *p, const char *s, size_t n,
			char type)
{
	struct k8s_lease_join *j = arg;
	struct k8s_lease *l;
	struct buf v = { 0 };
	double d;

	(void)p;
	if (!j->in_item) {
		ALLOC_GROW(j->items, j->n + 1, j->alloc);
		memset(&j->items[j->n], 0, sizeof(j->items[0]));
		j->in_item = true;
	}
	if (path == LJ_ITEM) {
		j->n++;
		j->in_item = false;
		return;
	}
	l = &j->items[j->n];
	if (type == 's')
		jproj_unescape(s, n, &v);
	else
		buf_add(&v, s, n);
	if (path == LJ_NAME)
		snprintf(l->name, sizeof(l->name), "%s", v.s ? v.s : "");
	else if (path == LJ_RENEW)
		snprintf(l->renew, sizeof(l->renew), "%s", v.s ? v.s : "");
	else if (path == LJ_DURATION && v.s && parse_double(v.s, &d))
		l->duration = d;
	buf_free(&v);
}

const struct k8s_lease *k8s_lease_join_find(struct k8s_lease_join *j, const char *node)
{
	struct sbx_err err;

	if (j->per_node)
		return lease_get(j, node);
	if (j->failed)
		return NULL;
	if (*j->last && strcmp(node, j->last) < 0) {
		snprintf(j->why, sizeof(j->why), "the API server did not list nodes in name order");
		return NULL;
	}
	snprintf(j->last, sizeof(j->last), "%s", node);
	if (!j->listing) {
		k8s_list_init(&j->list, j->k, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
			      NULL, K8S_OBJECTS, lease_paths);
		k8s_list_capture(&j->list, lease_value, j);
		j->listing = true;
	}
	for (;;) {
		json_t *page;

		for (; j->idx < j->n; j->idx++) {
			int c = strcmp(j->items[j->idx].name, node);

			if (c == 0)
				return &j->items[j->idx];
			if (c > 0)
				break;
		}
		/* passed it, or walked the last page */
		if (j->idx < j->n || j->list.done) {
			snprintf(j->why, sizeof(j->why), "no Lease kube-node-lease/%s", node);
			return NULL;
		}
		j->n = j->idx = 0;
		j->in_item = false;
		if (k8s_list_next(&j->list, &page, &err) < 0) {
			snprintf(j->why, sizeof(j->why), "Leases: %s", err.msg);
			j->failed = true;
			return NULL;
		}
	}
}

/* --- which node is this --------------------------------------------------- */

const char *k8s_kubelet_hostname_override(const char *cmd, size_t n, char *out, size_t on)
{
	static const char *const flags[] = { "--hostname-override", "--node-name" };
	const char *end = cmd + n;

	for (const char *a = cmd; a < end; a += strnlen(a, (size_t)(end - a)) + 1) {
		for (size_t f = 0; f < ARRAY_SIZE(flags); f++) {
			size_t fl = strlen(flags[f]);
			const char *v = NULL;

			if ((size_t)(end - a) < fl || strncmp(a, flags[f], fl))
				continue;
			if (a[fl] == '=')
				v = a + fl + 1;
			else if (a[fl] == '\0' && a + fl + 1 < end)
				v = a + fl + 1;
			if (v && v < end && *v) {
				size_t l = strnlen(v, (size_t)(end - v));

				if (l >= on)
					l = on - 1;
				memcpy(out, v, l);
				out[l] = '\0';
				str_trim(out);
				if (*out)
					return out;
			}
		}
	}
	return NULL;
}

static bool kubelet_override(char *name, size_t n)
{
	struct sbx_err err;
	DIR *d = root_opendir("/proc", &err);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		char comm[64], path[300];
		struct buf cmd = { 0 };

		if (!is_digit(e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		if (root_read_line(path, comm, sizeof(comm), &err) < 0)
			continue;
		if (strcmp(comm, "kubelet") && !str_starts(comm, "k3s"))
			continue;
		if (root_readf(&cmd, &err, "/proc/%s/cmdline", e->d_name) == 0 && cmd.len &&
		    k8s_kubelet_hostname_override(cmd.s, cmd.len, name, n))
			found = true;
		buf_free(&cmd);
	}
	closedir(d);
	return found;
}

void k8s_this_node(char *name, size_t n, char *how, size_t hn)
{
	const char *env = getenv("NODE_NAME");
	char host[256] = "";

	if (env && *env) {
		snprintf(name, n, "%s", env);
		snprintf(how, hn, "$NODE_NAME");
		return;
	}
	if (kubelet_override(name, n)) {
		snprintf(how, hn, "the kubelet's --hostname-override");
		for (char *p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		return;
	}
	if (root_is_live()) {
		if (gethostname(host, sizeof(host) - 1) != 0)
			host[0] = '\0';
		snprintf(how, hn, "the hostname");
	} else {
		struct sbx_err err;

		if (root_read_line("/etc/hostname", host, sizeof(host), &err) < 0)
			host[0] = '\0';
		snprintf(how, hn, "%s", rooted("/etc/hostname"));
	}
	str_trim(host);
	for (char *p = host; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(name, n, "%s", host);
}

/* --- the node, its events ------------------------------------------------ */

static const char *const node_drop[] = {
	"metadata.managedFields",
	"status.images",
	"status.volumesAttached",
	"status.volumesInUse",
	NULL,
};

json_t *k8s_node_find(struct k8s *k, const char *name, bool prefix, char *resolved, size_t rn,
		      struct sbx_err *err)
{
	struct buf p = { 0 };
	long code = 0;
	json_t *node;
	struct k8s_list l;
	json_t *page, *row;
	struct buf matches = { 0 };
	size_t nmatch = 0, i;
	int rc;

	buf_adds(&p, "/api/v1/nodes");
	k8s_path_add(&p, name);
	node = k8s_get(k, p.s, NULL, node_drop, &code, err);
	buf_free(&p);
	snprintf(resolved, rn, "%s", name);
	if (node || code != 404 || !prefix)
		return node;
	/* kubectl describe node X also describes nodes whose names start with X */
	k8s_list_init(&l, k, "/api/v1/nodes", NULL, K8S_TABLE, NULL);
	while ((rc = k8s_list_next(&l, &page, err)) > 0) {
		json_array_foreach(k8s_list_items(page), i, row) {
			const char *n = k8s_is_table(page)
						? json_string_value(json_array_get(json_object_get(row, "cells"), 0))
						: k8s_str(row, "metadata.name", NULL);

			if (n && str_starts(n, name)) {
				if (nmatch++ < 5)
					buf_addf(&matches, "%s%s", matches.len ? ", " : "", n);
				if (nmatch == 1)
					snprintf(resolved, rn, "%s", n);
			}
		}
	}
	k8s_list_free(&l);
	if (rc < 0) {
		buf_free(&matches);
		return NULL;
	}
	if (nmatch == 1) {
		char only[256];

		snprintf(only, sizeof(only), "%s", resolved);
		buf_free(&matches);
		return k8s_node_find(k, only, false, resolved, rn, err);
	}
	if (nmatch > 1)
		sbx_err_set(err, ENOENT, "nodes \"%s\" not found; %zu nodes start with it: %s%s", name,
			    nmatch, matches.s, nmatch > 5 ? ", ..." : "");
	else
		sbx_err_set(err, ENOENT, "nodes \"%s\" not found", name);
	buf_free(&matches);
	return NULL;
}

static const char *const event_drop[] = { "items.*.metadata.managedFields", NULL };

/* Events about the node, as kubectl describe finds them: by the node's uid
 * and by its name as uid (the kubelet's), field-selector terms as it sends
 * them, involvedObject.namespace empty. */
json_t *k8s_node_events(struct k8s *k, const char *name, const char *uid, struct sbx_err *err)
{
	json_t *all = json_array();
	const char *uids[2] = { uid, name };

	for (size_t u = 0; u < 2; u++) {
		struct buf q = { 0 }, fs = { 0 };
		struct k8s_list l;
		json_t *page, *it;
		size_t i;
		int rc;

		if (u == 0 && !*uid)
			continue;
		buf_addf(&fs, "involvedObject.name=%s,involvedObject.namespace=,involvedObject.kind=Node,"
			 "involvedObject.uid=%s", name, uids[u]);
		k8s_query_add(&q, "fieldSelector", fs.s);
		k8s_list_init(&l, k, "/api/v1/events", q.s, K8S_OBJECTS, event_drop);
		while ((rc = k8s_list_next(&l, &page, err)) > 0)
			json_array_foreach(k8s_list_items(page), i, it)
				json_array_append(all, it);
		k8s_list_free(&l);
		buf_free(&q);
		buf_free(&fs);
		if (rc < 0) {
			json_decref(all);
			return NULL;
		}
	}
	return all;
}

char **k8s_node_names(struct k8s *k, const char *selector, size_t *n, struct sbx_err *err)
{
	static const char *const drop[] = { "items.*.metadata.*", "+items.*.metadata.name",
					    "items.*.spec", "items.*.status", NULL };
	struct buf q = { 0 };
	struct k8s_list l;
	json_t *page, *it;
	char **v = NULL;
	size_t alloc = 0, i;
	int rc;

	*n = 0;
	k8s_query_add(&q, "labelSelector", selector);
	k8s_list_init(&l, k, "/api/v1/nodes", q.s, K8S_OBJECTS, drop);
	while ((rc = k8s_list_next(&l, &page, err)) > 0)
		json_array_foreach(k8s_list_items(page), i, it) {
			ALLOC_GROW(v, *n + 1, alloc);
			v[(*n)++] = xstrdup(k8s_str(it, "metadata.name", ""));
		}
	k8s_list_free(&l);
	buf_free(&q);
	if (rc >= 0 && !*n)
		sbx_err_set(err, 0, "no node has the labels %s", selector);
	if (rc < 0 || !*n) {
		for (i = 0; i < *n; i++)
			free(v[i]);
		free(v);
		*n = 0;
		return NULL;
	}
	return v;
}
