/* The streaming node-list decoder (lib/k8s_nodes.c) over what the real
 * kubectl 1.32 saw of the fixture cluster: its `get nodes -o json` output
 * (fixtures/k8s/kubectl-1.32-transcripts/get_nodes_json.stdout, the seven
 * Node objects) read as a NodeList, as server-side Tables and in chunks;
 * the cells must be the ones kubectl printed (get_nodes_wide.stdout).
 * Then truncated and garbage pages. */
#include "unit.h"
#include "k8s_nodes.h"
#include "k8s_obj.h"

#include <jansson.h>

/* The transcripts' clock: the test server pretends it is this time
 * (fixtures/k8s/SOURCE.md), so kubectl's AGE cells are against it. */
#define NOW 1597226400.0	/* 2020-08-12T10:00:00Z */
#define NNODES 7
#define TRANSCRIPTS "k8s/kubectl-1.32-transcripts/"

static const char *const col_names[K8S_NC_N] = {
	"Name", "Status", "Roles", "Age", "Version", "Internal-IP", "External-IP", "OS-Image",
	"Kernel-Version", "Container-Runtime",
};

/* kubectl's printed table, cut at its header's column starts. */
struct printed {
	char *cell[NNODES][K8S_NC_N];
	size_t n, ncols;
};

static void printed_load(struct printed *pr, const char *rel)
{
	size_t len, starts[K8S_NC_N], ns = 0;
	char *s = fixture(rel, &len), *line, *save;

	memset(pr, 0, sizeof(*pr));
	line = strtok_r(s, "\n", &save);
	for (size_t i = 0; line[i] && ns < K8S_NC_N; i++)
		if (line[i] != ' ' && (i == 0 || line[i - 1] == ' '))
			starts[ns++] = i;
	assert_true(ns == K8S_NC_N || ns == K8S_NC_VERSION + 1);	/* -o wide or not */
	pr->ncols = ns;
	while ((line = strtok_r(NULL, "\n", &save)) && pr->n < NNODES) {
		size_t ll = strlen(line);

		for (size_t k = 0; k < ns; k++) {
			size_t a = starts[k] < ll ? starts[k] : ll;
			size_t b = k + 1 < ns && starts[k + 1] < ll ? starts[k + 1] : ll;
			char *c = strndup(line + a, b - a);

			pr->cell[pr->n][k] = xstrdup(str_trim(c));
			free(c);
		}
		pr->n++;
	}
	assert_int_equal(pr->n, NNODES);
	free(s);
}

static void printed_free(struct printed *pr)
{
	for (size_t i = 0; i < pr->n; i++)
		for (size_t k = 0; k < pr->ncols; k++)
			free(pr->cell[i][k]);
}

/* kubectl's -o json: {"kind":"List","items":[seven Nodes]} */
static json_t *kubectl_list(void)
{
	size_t n;
	char *s = fixture(TRANSCRIPTS "get_nodes_json.stdout", &n);
	json_t *j = json_loadb(s, n, 0, NULL);

	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "items")), NNODES);
	free(s);
	return j;
}

static char *dump(json_t *j, size_t *n)
{
	char *s = json_dumps(j, JSON_COMPACT);

	*n = strlen(s);
	return s;
}

static void nodes_open(struct k8s_nodes *nl, unsigned limit)
{
	k8s_nodes_init(nl, NULL, NULL, limit, true);
	nl->now = NOW;
}

/* One page; its rows appended to *rows (name and cells, for comparing). */
static int take(struct k8s_nodes *nl, json_t *doc, struct sbx_err *err)
{
	size_t n;
	char *s = dump(doc, &n);
	int rc = k8s_nodes_take(nl, s, n, err);

	free(s);
	return rc;
}

static void expect_cells(const struct k8s_node_row *row, char *const want[K8S_NC_N],
			 const char *what)
{
	for (size_t k = 0; k < K8S_NC_N; k++) {
		if (!row->cell[k])
			fail_msg("%s %s: %s unknown (%s), kubectl printed '%s'", what, row->sum.name,
				 col_names[k], row->cell_why[k], want[k]);
		if (strcmp(row->cell[k], want[k]))
			fail_msg("%s %s: %s '%s', kubectl printed '%s'", what, row->sum.name,
				 col_names[k], row->cell[k], want[k]);
	}
}

/* The summary read from the stream equals the one from the object. */
static void expect_sum(const struct k8s_node_row *row, json_t *node)
{
	struct k8s_node_sum s;

	k8s_node_sum(node, &s);
	assert_string_equal(row->sum.name, s.name);
	assert_string_equal(row->sum.status.s, s.status.s);
	assert_string_equal(row->sum.ready, s.ready);
	assert_int_equal(row->sum.state, s.state);
	assert_int_equal(row->sum.unschedulable, s.unschedulable);
	assert_string_equal(row->sum.taints.s ? row->sum.taints.s : "", s.taints.s ? s.taints.s : "");
	assert_string_equal(row->sum.problems.s ? row->sum.problems.s : "",
			    s.problems.s ? s.problems.s : "");
	assert_string_equal(row->created, k8s_str(node, "metadata.creationTimestamp", ""));
	k8s_node_sum_free(&s);
}

/* A plain list: the cells are computed here, and must be kubectl's. */
static void node_list(void **state)
{
	json_t *list = kubectl_list(), *items = json_object_get(list, "items");
	struct printed pr;
	struct k8s_nodes nl;
	struct sbx_err err = { 0 };

	(void)state;
	printed_load(&pr, TRANSCRIPTS "get_nodes_wide.stdout");
	nodes_open(&nl, 0);
	assert_int_equal(take(&nl, list, &err), 1);
	assert_int_equal(nl.nrows, NNODES);
	assert_true(nl.list.done && nl.leases_joined);
	for (size_t i = 0; i < NNODES; i++) {
		const struct k8s_node_row *row = &nl.rows[i];

		expect_cells(row, pr.cell[i], "NodeList");
		expect_sum(row, json_array_get(items, i));
		/* no client, so no Lease, and it says so */
		assert_false(row->sum.has_lease);
		assert_string_equal(row->lease_why, "not asked");
	}
	/* what the fixture cluster's nodes come to */
	assert_int_equal(nl.rows[3].sum.state, ST_WARNING);	/* worker-b cordoned */
	assert_true(nl.rows[3].sum.unschedulable);
	assert_string_equal(nl.rows[4].sum.problems.s, "MemoryPressure,DiskPressure");
	assert_int_equal(nl.rows[5].sum.state, ST_CRITICAL);	/* worker-d Unknown */
	assert_string_equal(nl.rows[5].sum.ready, "Unknown");
	assert_int_equal(nl.rows[6].sum.state, ST_OK);		/* minikube */
	/* the list is complete: another page is none */
	assert_int_equal(k8s_nodes_take(&nl, "{}", 2, &err), 0);
	assert_int_equal(nl.nrows, 0);
	k8s_nodes_free(&nl);
	printed_free(&pr);
	json_decref(list);
}

/* A server-side Table (includeObject=Object) of the nodes from..to, its
 * columns in the order `order` gives (indexes into our cells; -1 ends),
 * the cells kubectl printed. */
static json_t *table_page(json_t *items, const struct printed *pr, size_t from, size_t to,
			  const int *order, const char *cont)
{
	json_t *t = json_object(), *cols = json_array(), *rows = json_array();

	for (const int *o = order; *o >= 0; o++)
		json_array_append_new(cols, json_pack("{s:s, s:s, s:s, s:i}", "name", col_names[*o],
						      "type", "string", "format", "", "priority",
						      *o >= K8S_NC_IIP));
	for (size_t i = from; i < to; i++) {
		json_t *cells = json_array();

		for (const int *o = order; *o >= 0; o++)
			json_array_append_new(cells, json_string(pr->cell[i][*o]));
		json_array_append_new(rows, json_pack("{s:o, s:O}", "cells", cells, "object",
						      json_array_get(items, i)));
	}
	json_object_set_new(t, "kind", json_string("Table"));
	json_object_set_new(t, "apiVersion", json_string("meta.k8s.io/v1"));
	json_object_set_new(t, "metadata", cont ? json_pack("{s:s}", "continue", cont) : json_object());
	json_object_set_new(t, "columnDefinitions", cols);
	json_object_set_new(t, "rows", rows);
	return t;
}

static void tables(void **state)
{
	static const int kubectl_order[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1 };
	static const int shuffled[] = { 9, 3, 0, 8, 1, 7, 2, 6, 4, 5, -1 };
	static const int no_roles[] = { 0, 1, 3, 4, 5, 6, 7, 8, 9, -1 };
	json_t *list = kubectl_list(), *items = json_object_get(list, "items"), *t;
	struct printed pr;
	struct k8s_nodes nl;
	struct sbx_err err = { 0 };

	(void)state;
	printed_load(&pr, TRANSCRIPTS "get_nodes_wide.stdout");
	/* the server's columns in kubectl's order */
	nodes_open(&nl, 0);
	t = table_page(items, &pr, 0, NNODES, kubectl_order, NULL);
	assert_int_equal(take(&nl, t, &err), 1);
	assert_int_equal(nl.nrows, NNODES);
	for (size_t i = 0; i < NNODES; i++) {
		expect_cells(&nl.rows[i], pr.cell[i], "Table");
		expect_sum(&nl.rows[i], json_array_get(items, i));
	}
	json_decref(t);
	k8s_nodes_free(&nl);
	/* in another order: the columnDefinitions decide */
	nodes_open(&nl, 0);
	t = table_page(items, &pr, 0, NNODES, shuffled, NULL);
	assert_int_equal(take(&nl, t, &err), 1);
	for (size_t i = 0; i < NNODES; i++)
		expect_cells(&nl.rows[i], pr.cell[i], "shuffled Table");
	json_decref(t);
	k8s_nodes_free(&nl);
	/* a column missing: unknown, never another column's cell */
	nodes_open(&nl, 0);
	t = table_page(items, &pr, 0, 2, no_roles, NULL);
	assert_int_equal(take(&nl, t, &err), 1);
	assert_int_equal(nl.nrows, 2);
	assert_null(nl.rows[0].cell[K8S_NC_ROLES]);
	assert_string_equal(nl.rows[0].cell_why[K8S_NC_ROLES], "the server's Table lacks this column");
	assert_string_equal(nl.rows[0].cell[K8S_NC_AGE], "91m");
	json_decref(t);
	k8s_nodes_free(&nl);
	/* a row short of cells */
	nodes_open(&nl, 0);
	t = table_page(items, &pr, 0, 1, kubectl_order, NULL);
	json_array_remove(json_object_get(json_array_get(json_object_get(t, "rows"), 0), "cells"), 9);
	assert_int_equal(take(&nl, t, &err), 1);
	assert_null(nl.rows[0].cell[K8S_NC_RUNTIME]);
	assert_string_equal(nl.rows[0].cell_why[K8S_NC_RUNTIME],
			    "the server's Table row lacks this cell");
	assert_string_equal(nl.rows[0].cell[K8S_NC_KERNEL], pr.cell[0][K8S_NC_KERNEL]);
	json_decref(t);
	k8s_nodes_free(&nl);
	printed_free(&pr);
	json_decref(list);
}

/* Chunks of two as in the get_nodes_chunk2 transcript: kubectl asked
 * limit=2, then continue=2, 4, 6.  Each page's rows come alone, the next
 * request carries the token, and the last page ends the list.  Tables and
 * plain lists alternate, as they could behind an aggregator. */
static void chunks(void **state)
{
	static const int kubectl_order[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1 };
	static const char *const want_query[] = {
		"includeObject=Object&limit=2",
		"includeObject=Object&limit=2&continue=2",
		"includeObject=Object&limit=2&continue=4",
		"includeObject=Object&limit=2&continue=6",
	};
	json_t *list = kubectl_list(), *items = json_object_get(list, "items");
	struct printed pr;
	struct k8s_nodes nl;
	struct sbx_err err = { 0 };
	size_t seen = 0;

	(void)state;
	printed_load(&pr, TRANSCRIPTS "get_nodes_chunk2.stdout");	/* no wide columns */
	nodes_open(&nl, 2);
	for (size_t p = 0; p < 4; p++) {
		size_t from = p * 2, to = from + 2 < NNODES ? from + 2 : NNODES;
		char cont[8];
		struct buf q = { 0 };
		json_t *page;

		k8s_list_query(&nl.list, &q);
		assert_string_equal(q.s, want_query[p]);
		buf_free(&q);
		snprintf(cont, sizeof(cont), "%zu", to);
		if (p % 2) {
			struct printed wide;

			printed_load(&wide, TRANSCRIPTS "get_nodes_wide.stdout");
			page = table_page(items, &wide, from, to, kubectl_order,
					  to < NNODES ? cont : NULL);
			printed_free(&wide);
		} else {
			json_t *part = json_array();

			for (size_t i = from; i < to; i++)
				json_array_append(part, json_array_get(items, i));
			page = json_pack("{s:s, s:s, s:o, s:o}", "kind", "NodeList", "apiVersion", "v1",
					 "metadata", to < NNODES ? json_pack("{s:s}", "continue", cont)
								: json_object(),
					 "items", part);
		}
		assert_int_equal(take(&nl, page, &err), 1);
		json_decref(page);
		assert_int_equal(nl.nrows, to - from);
		assert_int_equal(nl.list.pages, p + 1);
		assert_int_equal(nl.list.done, to == NNODES);
		for (size_t i = 0; i < nl.nrows; i++, seen++)
			for (size_t k = 0; k <= K8S_NC_VERSION; k++)
				assert_string_equal(nl.rows[i].cell[k], pr.cell[seen][k]);
	}
	assert_int_equal(seen, NNODES);
	assert_int_equal(k8s_nodes_take(&nl, "{}", 2, &err), 0);
	k8s_nodes_free(&nl);
	printed_free(&pr);
	json_decref(list);
}

/* A server that repeats its continue token, or never stops giving new
 * ones, ends the list with an error instead of a loop without end. */
static void endless(void **state)
{
	static const char rep[] = "{\"kind\":\"NodeList\",\"metadata\":{\"continue\":\"again\"},"
				  "\"items\":[]}";
	struct k8s_nodes nl;
	struct sbx_err err = { 0 };
	char doc[128];
	int rc = 1;

	(void)state;
	nodes_open(&nl, 2);
	assert_int_equal(k8s_nodes_take(&nl, rep, strlen(rep), &err), 1);
	assert_int_equal(k8s_nodes_take(&nl, rep, strlen(rep), &err), -1);
	assert_non_null(strstr(err.msg, "same continue token"));
	k8s_nodes_free(&nl);
	nodes_open(&nl, 2);
	nl.list.max_pages = 50;
	for (int p = 0; p < 100 && rc == 1; p++) {
		snprintf(doc, sizeof(doc),
			 "{\"kind\":\"NodeList\",\"metadata\":{\"continue\":\"t%d\"},\"items\":[]}", p);
		rc = k8s_nodes_take(&nl, doc, strlen(doc), &err);
	}
	assert_int_equal(rc, -1);
	assert_int_equal(nl.list.pages, 50);
	assert_non_null(strstr(err.msg, "past 50 pages"));
	k8s_nodes_free(&nl);
	/* and in time: a list that began over a minute ago may not go on */
	nodes_open(&nl, 2);
	assert_int_equal(k8s_nodes_take(&nl, doc, strlen(doc), &err), 1);
	nl.list.started -= K8S_LIST_MIN_SECONDS + 1;
	snprintf(doc, sizeof(doc), "{\"kind\":\"NodeList\",\"metadata\":{\"continue\":\"u\"},\"items\":[]}");
	assert_int_equal(k8s_nodes_take(&nl, doc, strlen(doc), &err), -1);
	assert_non_null(strstr(err.msg, "is not complete after 60s"));
	/* the last page of a slow list is still taken */
	k8s_nodes_free(&nl);
	nodes_open(&nl, 2);
	nl.list.started -= K8S_LIST_MIN_SECONDS + 1;
	assert_int_equal(k8s_nodes_take(&nl, "{\"kind\":\"NodeList\",\"metadata\":{},\"items\":[]}", 44, &err), 1);
	assert_true(nl.list.done);
	k8s_nodes_free(&nl);
}

/* A string field sent as an object or array, or a continue token sent as
 * one: no crash (the sanitizer build once aborted in memchr(NULL)). */
static void wrong_types(void **state)
{
	static const char *const docs[] = {
		"{\"kind\":\"NodeList\",\"metadata\":{},\"items\":[{\"metadata\":{\"name\":{}}}]}",
		"{\"kind\":\"NodeList\",\"metadata\":{},\"items\":[{\"metadata\":{\"name\":[]}}]}",
		"{\"kind\":\"NodeList\",\"metadata\":{\"continue\":{}},\"items\":[]}",
		"{\"kind\":\"NodeList\",\"metadata\":{\"continue\":[1]},\"items\":[]}",
	};
	struct sbx_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
		struct k8s_nodes nl;
		int rc;

		nodes_open(&nl, 2);
		rc = k8s_nodes_take(&nl, docs[i], strlen(docs[i]), &err);
		assert_true(rc == 1 || rc == -1);
		k8s_nodes_free(&nl);
	}
}

/* Every truncation of a page fails with a message and never crashes; the
 * rows read before the cut are kept, without their Leases. */
static void truncated(void **state)
{
	json_t *list = kubectl_list(), *one = json_deep_copy(list);
	size_t n, n1;
	char *s = dump(list, &n), *s1;

	(void)state;
	while (json_array_size(json_object_get(one, "items")) > 1)
		json_array_remove(json_object_get(one, "items"), 1);
	s1 = dump(one, &n1);
	for (size_t cut = 0; cut < n1; cut++) {
		struct k8s_nodes nl;
		struct sbx_err err = { 0 };

		nodes_open(&nl, 0);
		if (k8s_nodes_take(&nl, s1, cut, &err) != -1)
			fail_msg("a page cut at byte %zu of %zu was taken", cut, n1);
		assert_true(err.msg[0]);
		assert_false(nl.leases_joined);
		assert_false(nl.list.done);
		k8s_nodes_free(&nl);
	}
	/* cut inside the fourth node: three rows read */
	{
		struct k8s_nodes nl;
		struct sbx_err err = { 0 };
		const char *fourth = strstr(s, "ci-ln-d53y532-f76d1-2btqq-worker-b-7x8mw");

		assert_non_null(fourth);
		nodes_open(&nl, 0);
		assert_int_equal(k8s_nodes_take(&nl, s, (size_t)(fourth - s), &err), -1);
		assert_int_equal(nl.nrows, 3);
		assert_string_equal(nl.rows[2].sum.name, "ci-ln-d53y532-f76d1-2btqq-master-2");
		assert_null(nl.rows[2].lease_why);
		assert_false(nl.leases_joined);
		assert_non_null(strstr(err.msg, "not valid JSON"));
		k8s_nodes_free(&nl);
	}
	free(s);
	free(s1);
	json_decref(one);
	json_decref(list);
}

static void garbage(void **state)
{
	static const struct {
		const char *doc, *err;	/* err NULL: a page */
		size_t rows;
	} v[] = {
		{ "", "not valid JSON" },
		{ "<html>502 Bad Gateway</html>", "not valid JSON" },
		{ "{\"items\":[]}}", "not valid JSON" },
		{ "null", "not a list (kind none)" },
		{ "[]", "not a list (kind none)" },
		{ "{\"kind\":\"Status\",\"code\":500,\"message\":\"etcdserver: timeout\"}",
		  "not a list (kind Status)" },
		{ "{\"kind\":\"Node\",\"metadata\":{\"name\":\"x\"}}", "not a list (kind Node)" },
		{ "{\"kind\":\"NodeList\",\"items\":{}}", NULL, 0 },
		{ "{\"kind\":\"NodeList\",\"items\":[]}", NULL, 0 },
		{ "{\"kind\":\"NodeList\",\"items\":[{}]}", NULL, 1 },
		{ "{\"kind\":\"NodeList\",\"items\":[1,\"x\",null]}", NULL, 0 },
		/* every value of the wrong type */
		{ "{\"kind\":\"NodeList\",\"items\":[{\"metadata\":{\"name\":5,\"labels\":[1],"
		  "\"creationTimestamp\":\"yesterday\"},\"spec\":{\"unschedulable\":\"true\","
		  "\"taints\":\"x\"},\"status\":{\"conditions\":{\"type\":\"Ready\"},"
		  "\"addresses\":[{\"type\":1}],\"nodeInfo\":[]}}]}", NULL, 1 },
		/* a Table with cells of every type, more cells than columns */
		{ "{\"kind\":\"Table\",\"columnDefinitions\":[{\"name\":\"Name\"},{\"name\":7}],"
		  "\"rows\":[{\"cells\":[\"a\\u00e9\\\"\",1.5,null,true,{},[],\"x\",\"y\",\"z\",\"w\","
		  "\"v\",\"u\"]}]}", NULL, 1 },
		/* invalid escapes in a name */
		{ "{\"kind\":\"NodeList\",\"items\":[{\"metadata\":{\"name\":\"a\\ud800\"}}]}", NULL, 1 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct k8s_nodes nl;
		struct sbx_err err = { 0 };
		int rc;

		nodes_open(&nl, 0);
		rc = k8s_nodes_take(&nl, v[i].doc, strlen(v[i].doc), &err);
		if (v[i].err) {
			if (rc != -1 || !strstr(err.msg, v[i].err))
				fail_msg("%s: rc %d, '%s', want '%s'", v[i].doc, rc, err.msg, v[i].err);
		} else {
			if (rc != 1)
				fail_msg("%s: rc %d, %s", v[i].doc, rc, err.msg);
			assert_int_equal(nl.nrows, v[i].rows);
			for (size_t r = 0; r < nl.nrows; r++) {
				/* a row always has a state and says why it has no Lease */
				assert_non_null(nl.rows[r].lease_why);
				assert_int_equal(nl.rows[r].sum.state, ST_CRITICAL);	/* no Ready */
				assert_false(nl.rows[r].sum.unschedulable);
			}
		}
		k8s_nodes_free(&nl);
	}
	/* the odd-typed node: what can be read is, the rest is kubectl's default */
	{
		struct k8s_nodes nl;
		struct sbx_err err = { 0 };

		nodes_open(&nl, 0);
		assert_int_equal(k8s_nodes_take(&nl, v[11].doc, strlen(v[11].doc), &err), 1);
		assert_string_equal(nl.rows[0].sum.name, "5");
		assert_string_equal(nl.rows[0].cell[K8S_NC_ROLES], "<none>");
		assert_string_equal(nl.rows[0].cell[K8S_NC_AGE], "<unknown>");
		assert_string_equal(nl.rows[0].cell[K8S_NC_IIP], "<none>");
		assert_string_equal(nl.rows[0].cell[K8S_NC_OS], "<unknown>");
		k8s_nodes_free(&nl);
		nodes_open(&nl, 0);
		assert_int_equal(k8s_nodes_take(&nl, v[12].doc, strlen(v[12].doc), &err), 1);
		assert_string_equal(nl.rows[0].cell[K8S_NC_NAME], "a\xc3\xa9\"");
		assert_null(nl.rows[0].cell[K8S_NC_STATUS]);	/* column 1 is named 7 */
		k8s_nodes_free(&nl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(node_list),
		cmocka_unit_test(tables),
		cmocka_unit_test(chunks),
		cmocka_unit_test(truncated),
		cmocka_unit_test(garbage),
		cmocka_unit_test(endless),
		cmocka_unit_test(wrong_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
