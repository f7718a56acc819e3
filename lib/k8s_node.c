#include "k8s_node.h"

#include "k8s_obj.h"
#include "root.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const k8s_node_list_drop[] = {
	/* a Table's rows: the cells carry roles, addresses and versions */
	"rows.*.object.metadata.managedFields",
	"rows.*.object.metadata.annotations",
	"rows.*.object.metadata.labels",
	"rows.*.object.status.images",
	"rows.*.object.status.nodeInfo",
	"rows.*.object.status.addresses",
	"rows.*.object.status.capacity",
	"rows.*.object.status.allocatable",
	"rows.*.object.status.volumesInUse",
	"rows.*.object.status.volumesAttached",
	"rows.*.object.status.daemonEndpoints",
	"rows.*.object.status.config",
	"rows.*.object.status.conditions.*.message",
	"rows.*.object.status.conditions.*.lastHeartbeatTime",
	/* a NodeList: the cells are computed here */
	"items.*.metadata.managedFields",
	"items.*.metadata.annotations",
	"items.*.status.images",
	"items.*.status.volumesInUse",
	"items.*.status.volumesAttached",
	"items.*.status.capacity",
	"items.*.status.allocatable",
	"items.*.status.conditions.*.message",
	"items.*.status.conditions.*.lastHeartbeatTime",
	NULL,
};

const char *const k8s_lease_drop[] = {
	"items.*.metadata.managedFields",
	"items.*.metadata.ownerReferences",
	"metadata.managedFields",
	NULL,
};

void k8s_node_sum_free(struct k8s_node_sum *s)
{
	buf_free(&s->status);
	buf_free(&s->problems);
	buf_free(&s->taints);
}

void k8s_node_sum(json_t *node, struct k8s_node_sum *s)
{
	json_t *c;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->name = k8s_str(node, "metadata.name", "");
	k8s_node_status(node, &s->status);
	s->unschedulable = json_is_true(k8s_at(node, "spec.unschedulable"));
	json_array_foreach(k8s_at(node, "status.conditions"), i, c) {
		const char *type = k8s_str(c, "type", ""), *st = k8s_str(c, "status", "");

		if (!strcmp(type, "Ready")) {
			s->ready = st;
			s->ready_reason = k8s_str(c, "reason", "");
		}
	}
	json_array_foreach(k8s_at(node, "status.conditions"), i, c) {
		const char *type = k8s_str(c, "type", ""), *st = k8s_str(c, "status", "");

		if (!strcmp(type, "Ready") || !strcmp(st, "False"))
			continue;
		/* Everything turns Unknown with an unreachable kubelet: that is
		 * already said by Ready=Unknown. */
		if (strcmp(st, "True") && s->ready && !strcmp(s->ready, "Unknown"))
			continue;
		buf_addf(&s->problems, "%s%s%s%s", s->problems.len ? "," : "", type,
			 strcmp(st, "True") ? "=" : "", strcmp(st, "True") ? st : "");
		s->nproblems++;
	}
	json_array_foreach(k8s_at(node, "spec.taints"), i, c) {
		if (s->taints.len)
			buf_addc(&s->taints, ',');
		k8s_taint_string(c, &s->taints);
	}
	if (!s->ready || strcmp(s->ready, "True"))
		s->state = ST_CRITICAL;
	else if (s->unschedulable || s->nproblems)
		s->state = ST_WARNING;
	else
		s->state = ST_OK;
}

void k8s_node_sum_lease(struct k8s_node_sum *s, json_t *lease, double now)
{
	double renew;
	json_int_t dur = json_integer_value(k8s_at(lease, "spec.leaseDurationSeconds"));

	if (!k8s_time_parse(k8s_str(lease, "spec.renewTime", NULL), &renew))
		return;
	s->has_lease = true;
	s->renew_age = now - renew < 0 ? 0 : now - renew;
	s->lease_seconds = dur > 0 ? (double)dur : 40;
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
	if (j->per_node)
		json_decref(j->items);
	memset(j, 0, sizeof(*j));
}

static json_t *lease_get(struct k8s_lease_join *j, const char *node)
{
	struct buf p = { 0 };
	struct sbx_err err;
	long code = 0;

	json_decref(j->items);
	buf_adds(&p, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases");
	k8s_path_add(&p, node);
	j->items = k8s_get(j->k, p.s, NULL, k8s_lease_drop, &code, &err);
	buf_free(&p);
	if (!j->items)
		snprintf(j->why, sizeof(j->why), code == 404 ? "no Lease kube-node-lease/%s"
				 : "Lease kube-node-lease/%s: %s", node, err.msg);
	return j->items;
}

json_t *k8s_lease_join_find(struct k8s_lease_join *j, const char *node)
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
			      NULL, K8S_OBJECTS, k8s_lease_drop);
		j->listing = true;
	}
	for (;;) {
		json_t *page;
		int rc;

		while (j->items && j->idx < json_array_size(j->items)) {
			json_t *l = json_array_get(j->items, j->idx);
			int c = strcmp(k8s_str(l, "metadata.name", ""), node);

			if (c == 0)
				return l;
			if (c > 0) {
				snprintf(j->why, sizeof(j->why), "no Lease kube-node-lease/%s", node);
				return NULL;
			}
			j->idx++;
		}
		if (j->done) {
			snprintf(j->why, sizeof(j->why), "no Lease kube-node-lease/%s", node);
			return NULL;
		}
		rc = k8s_list_next(&j->list, &page, &err);
		if (rc < 0) {
			snprintf(j->why, sizeof(j->why), "Leases: %s", err.msg);
			j->failed = true;
			return NULL;
		}
		if (rc == 0) {
			j->done = true;
			j->items = NULL;
			continue;
		}
		j->items = k8s_list_items(page);
		j->idx = 0;
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
