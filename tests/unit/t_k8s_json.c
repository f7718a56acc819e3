/* The JSON projector, the YAML converter and base64, over real fixtures
 * and every bad shape of input. */
#include "unit.h"
#include "base64.h"
#include "json_proj.h"
#include "yaml_json.h"

#include <jansson.h>

static const char *const node_drop[] = {
	"items.*.status.images",
	"items.*.metadata.annotations",
	"items.*.status.nodeInfo.machineID",
	NULL,
};

/* The fixture node as a one-item NodeList, compact or pretty. */
static char *node_list(size_t *len, bool pretty)
{
	size_t n;
	char *s = fixture("k8s/nodes/ocp-ci-ln-d53y532-f76d1-2btqq-master-0.json", &n);
	json_t *node = json_loadb(s, n, 0, NULL), *list = json_object();
	char *out;

	assert_non_null(node);
	json_object_set_new(node, "status",
			    json_pack("{s:o, s:[{s:[s,s], s:i}], s:{s:s, s:s}}", "conditions",
				      json_deep_copy(json_object_get(json_object_get(node, "status"),
								     "conditions")),
				      "images", "names", "quay.io/a\"b}]", "c\\d", "sizeBytes", 123,
				      "nodeInfo", "machineID", "m-1", "kernelVersion", "4.18"));
	json_object_set_new(list, "kind", json_string("NodeList"));
	json_object_set_new(list, "items", json_pack("[o]", node));
	json_object_set_new(list, "metadata", json_pack("{s:s}", "continue", "tok"));
	out = json_dumps(list, pretty ? JSON_INDENT(3) : JSON_COMPACT);
	*len = strlen(out);
	json_decref(list);
	free(s);
	return out;
}

static json_t *project(const char *s, size_t n, const char *const *drop, size_t step)
{
	struct buf out = { 0 };
	struct jproj p;
	json_t *j;

	jproj_init(&p, drop, &out, 1u << 30);
	for (size_t i = 0; i < n; i += step)
		assert_int_equal(jproj_feed(&p, s + i, i + step > n ? n - i : step), 0);
	assert_int_equal(jproj_finish(&p), 0);
	jproj_free(&p);
	j = json_loadb(out.s, out.len, JSON_DECODE_ANY, NULL);
	if (!j)
		fail_msg("projection is not JSON: %s", out.s);
	buf_free(&out);
	return j;
}

/* What the projection must equal: the document with the members deleted. */
static void expect_dropped(json_t *j)
{
	json_t *st;

	st = json_object_get(json_array_get(json_object_get(j, "items"), 0), "status");
	json_object_del(st, "images");
	json_object_del(json_object_get(st, "nodeInfo"), "machineID");
	json_object_del(json_object_get(json_array_get(json_object_get(j, "items"), 0), "metadata"),
			"annotations");
}

static void drops_exactly_the_paths(void **state)
{
	size_t n;

	(void)state;
	for (int pretty = 0; pretty < 2; pretty++) {
		char *s = node_list(&n, pretty);
		json_t *want = json_loadb(s, n, 0, NULL);
		static const size_t steps[] = { 1, 2, 3, 7, 64, 4096, 1 << 20 };

		expect_dropped(want);
		for (size_t k = 0; k < ARRAY_SIZE(steps); k++) {
			json_t *got = project(s, n, node_drop, steps[k]);

			if (!json_equal(got, want))
				fail_msg("projection in steps of %zu differs", steps[k]);
			json_decref(got);
		}
		json_decref(want);
		free(s);
	}
}

static void nothing_dropped_is_identity(void **state)
{
	size_t n;
	char *s = node_list(&n, true);
	json_t *want = json_loadb(s, n, 0, NULL), *got = project(s, n, NULL, 5);

	(void)state;
	assert_true(json_equal(got, want));
	json_decref(got);
	json_decref(want);
	free(s);
}

static void tricky_strings_and_wildcards(void **state)
{
	static const char doc[] =
		"{\"a\":\"x\\\"}],{\",\"b\":[1,{\"c\":2}],\"k\\\"ey\":true,\"items\":[{\"x\":1},{\"x\":2,\"y\":null}],"
		"\"n\":-1.5e+3,\"e\":{}, \"z\":[]}";
	static const char *const drop[] = { "b", "items.*.x", "e", "nope.deeper", NULL };
	static const char *const all[] = { "items.*", NULL };
	json_t *got = project(doc, strlen(doc), drop, 1);
	json_t *want = json_loads("{\"a\":\"x\\\"}],{\",\"k\\\"ey\":true,\"items\":[{},{\"y\":null}],"
				  "\"n\":-1.5e+3,\"z\":[]}",
				  0, NULL);

	(void)state;
	assert_true(json_equal(got, want));
	json_decref(got);
	json_decref(want);
	got = project(doc, strlen(doc), all, 3);
	assert_int_equal(json_array_size(json_object_get(got, "items")), 0);
	json_decref(got);
	/* a top-level scalar ends at the end of input */
	got = project("42", 2, NULL, 1);
	assert_int_equal(json_integer_value(got), 42);
	json_decref(got);
}

static void bad(const char *s, const char *want)
{
	struct buf out = { 0 };
	struct jproj p;
	int rc;

	jproj_init(&p, node_drop, &out, 1u << 20);
	rc = jproj_feed(&p, s, strlen(s));
	if (rc == 0)
		rc = jproj_finish(&p);
	if (rc == 0)
		fail_msg("'%s' accepted", s);
	if (want && !strstr(p.error, want))
		fail_msg("'%s': error '%s' lacks '%s'", s, p.error, want);
	jproj_free(&p);
	buf_free(&out);
}

static void garbage(void **state)
{
	struct buf deep = { 0 };

	(void)state;
	bad("", "empty");
	bad("   ", "empty");
	bad("}", "unbalanced");
	bad("[1 2]", "missing ','");
	bad("{\"a\" 1}", NULL);
	bad("{,}", "misplaced ','");
	bad("[1,]", "separator");
	bad("{\"a\":1,}", "separator");
	bad("{\"a\":1]", "unbalanced");
	bad("{} {}", "after the end");
	bad("{\"a\":\"unterminated", "string");
	bad("{\"a\":[1,2", "truncated");
	bad("<html>", "not JSON");
	bad("{\"a\"::1}", "misplaced ':'");
	bad("{1:2}", NULL);
	for (int i = 0; i < 100; i++)
		buf_addc(&deep, '[');
	bad(deep.s, "too deep");
	buf_free(&deep);
}

static void size_cap(void **state)
{
	size_t n;
	char *s = node_list(&n, false);
	struct buf out = { 0 };
	struct jproj p;

	(void)state;
	jproj_init(&p, NULL, &out, 100);
	assert_int_equal(jproj_feed(&p, s, n), -1);
	assert_string_equal(p.error, "too large");
	jproj_free(&p);
	buf_free(&out);
	free(s);
}

static void every_truncation(void **state)
{
	size_t n;
	char *s = node_list(&n, true);

	(void)state;
	for (size_t len = 0; len < n; len++) {
		struct buf out = { 0 };
		struct jproj p;

		jproj_init(&p, node_drop, &out, 1u << 20);
		/* the pretty dump ends with '}': every shorter prefix is incomplete */
		if (jproj_feed(&p, s, len) == 0 && jproj_finish(&p) == 0)
			fail_msg("truncation at %zu of %zu accepted", len, n);
		jproj_free(&p);
		buf_free(&out);
	}
	free(s);
}

/* Capture: values handed over by path, with their array indices; no text. */
struct got {
	struct buf log;
};

static void on_value(void *arg, unsigned path, const struct jproj *p, const char *s, size_t n,
		     char type)
{
	struct got *g = arg;
	struct buf v = { 0 };

	if (type == 's')
		assert_true(jproj_unescape(s, n, &v));
	else if (s)
		buf_add(&v, s, n);
	/* depth 2 is the items array; depth 5 the conditions array */
	buf_addf(&g->log, "%u %c %ld %ld %s|", path, type, jproj_index(p, 2), jproj_index(p, 5),
		 v.s ? v.s : "");
	buf_free(&v);
}

static void capture(void **state)
{
	static const char *const paths[] = {
		"items.*.status.images",
		"=items.*.metadata.name",
		"=items.*.status.conditions.*.type",
		"=items.*",
		"=metadata.continue",
		"=items.*.spec.unschedulable",
		NULL,
	};
	static const char doc[] =
		"{\"metadata\":{\"continue\":\"tok\\u00e9\"},\"items\":["
		"{\"metadata\":{\"name\":\"a\\\"b\"},\"status\":{\"images\":[{\"names\":[\"x\"]}],"
		"\"conditions\":[{\"type\":\"Ready\"},{\"type\":\"DiskPressure\"}]}},"
		"{\"metadata\":{\"name\":\"c\"},\"spec\":{\"unschedulable\":true}}]}";
	static const char want[] = "4 s -1 -1 tok\xc3\xa9|1 s 0 -1 a\"b|2 s 0 0 Ready|2 s 0 1 DiskPressure|"
				   "3 e 0 -1 |1 s 1 -1 c|5 l 1 -1 true|3 e 1 -1 |";
	struct got g = { 0 };

	(void)state;
	for (size_t step = 1; step <= sizeof(doc); step += 3) {
		struct jproj p;

		buf_reset(&g.log);
		jproj_init(&p, paths, NULL, 1u << 20);
		jproj_capture(&p, on_value, &g);
		for (size_t i = 0; i < sizeof(doc) - 1; i += step)
			assert_int_equal(jproj_feed(&p, doc + i, i + step > sizeof(doc) - 1 ? sizeof(doc) - 1 - i : step), 0);
		assert_int_equal(jproj_finish(&p), 0);
		jproj_free(&p);
		assert_string_equal(g.log.s, want);
	}
	buf_free(&g.log);
}

/* --- YAML ---------------------------------------------------------------- */

static json_t *yaml(const char *s)
{
	struct sbx_err err;
	json_t *j = yaml_to_json(s, strlen(s), "t.yaml", &err);

	if (!j)
		fail_msg("%s", err.msg);
	return j;
}

static void kubeconfig_fixtures(void **state)
{
	static const char *const files[] = {
		"kubeconfig/kubectl-generated/kubeconfig.yaml",
		"kubeconfig/kubectl-generated/exec-relative-command.yaml",
		"kubeconfig/k9s-testdata/multi-context-insecure.yaml",
		"kubeconfig/k9s-testdata/users-null.yaml",
		"kubeconfig/merge/b.config.yaml",
	};
	size_t n;
	struct sbx_err err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *s = fixture(files[i], &n);
		json_t *j = yaml_to_json(s, n, files[i], &err);

		if (!j)
			fail_msg("%s", err.msg);
		assert_true(json_is_object(j));
		assert_true(json_is_array(json_object_get(j, "clusters")));
		if (i == 0) {
			json_t *lab = json_array_get(json_object_get(j, "clusters"), 1);
			json_t *exec = json_object_get(
				json_object_get(json_array_get(json_object_get(j, "users"), 3), "user"),
				"exec");

			assert_true(json_is_true(json_object_get(json_object_get(lab, "cluster"),
							   "insecure-skip-tls-verify")));
			assert_true(json_is_null(json_object_get(exec, "env")) ||
				    json_is_array(json_object_get(exec, "env")));
			assert_true(json_is_false(json_object_get(exec, "provideClusterInfo")) ||
				    json_is_true(json_object_get(exec, "provideClusterInfo")));
		}
		if (i == 3)
			assert_true(json_is_null(json_object_get(j, "users")));
		if (i == 4)	/* flow style and a quoted URL */
			assert_string_equal(json_string_value(json_object_get(
				json_object_get(json_array_get(json_object_get(j, "clusters"), 1),
						"cluster"), "proxy-url")), "socks5://127.0.0.1:1080");
		json_decref(j);
		free(s);
	}
}

static void scalars(void **state)
{
	json_t *j = yaml("a: true\nb: 'true'\nc: 12345\nd: ~\ne:\nf: !!str yes\ng: No\n"
			 "h: \"x\\ty\"\ni: &anc {k: v}\nj: *anc\nk: |\n  two\n  lines\n");

	(void)state;
	assert_true(json_is_true(json_object_get(j, "a")));
	assert_string_equal(json_string_value(json_object_get(j, "b")), "true");
	assert_string_equal(json_string_value(json_object_get(j, "c")), "12345");
	assert_true(json_is_null(json_object_get(j, "d")));
	assert_true(json_is_null(json_object_get(j, "e")));
	assert_string_equal(json_string_value(json_object_get(j, "f")), "yes");
	assert_true(json_is_false(json_object_get(j, "g")));
	assert_string_equal(json_string_value(json_object_get(j, "h")), "x\ty");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "j"), "k")), "v");
	assert_string_equal(json_string_value(json_object_get(j, "k")), "two\nlines\n");
	json_decref(j);
	j = yaml("");
	assert_true(json_is_object(j) && json_object_size(j) == 0);
	json_decref(j);
	j = yaml("---\nfirst: 1\n---\nsecond: 2\n");
	assert_non_null(json_object_get(j, "first"));
	assert_null(json_object_get(j, "second"));
	json_decref(j);
}

static void yaml_bad(const char *s, const char *want)
{
	struct sbx_err err;
	json_t *j = yaml_to_json(s, strlen(s), "bad.yaml", &err);

	if (j)
		fail_msg("'%s' accepted", s);
	assert_non_null(strstr(err.msg, "bad.yaml"));
	if (want && !strstr(err.msg, want))
		fail_msg("'%s': '%s' lacks '%s'", s, err.msg, want);
}

static void yaml_garbage(void **state)
{
	struct buf deep = { 0 };

	(void)state;
	yaml_bad("a: [1, 2\n", "line");
	yaml_bad("a: b: c\n", "line 1");
	yaml_bad("a: *nope\n", NULL);
	yaml_bad("? [1]\n: x\n", "not a scalar");
	yaml_bad("a: \"\xff\xfe\"\n", NULL);
	for (int i = 0; i < 100; i++)
		buf_adds(&deep, "[");
	yaml_bad(deep.s, NULL);
	buf_free(&deep);
}

/* Anchors: aliases share the anchored node; the newest anchor of a name
 * counts; an alias inside its own anchor is a cycle, refused (it leaked
 * before); 100,000 anchors parse in linear time (the lookup was linear,
 * so the whole parse was quadratic: over 30 s). */
static void yaml_anchors(void **state)
{
	struct buf big = { 0 };
	json_t *j;
	(void)state;
	j = yaml("base: &b {user: admin, ns: x}\nuse: *b\nname: &n first\nagain: &n second\nlast: *n\n");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "use"), "user")), "admin");
	assert_string_equal(json_string_value(json_object_get(j, "last")), "second");
	json_decref(j);
	/* a nested anchor of the same name, closed before the alias */
	j = yaml("a: &x [1, &x [2], *x]\nb: *x\n");
	assert_int_equal(json_array_size(json_object_get(j, "a")), 3);
	assert_int_equal(json_array_size(json_object_get(j, "b")), 1);
	json_decref(j);
	yaml_bad("a: &x {b: *x}\n", "cycle");
	yaml_bad("a: &x [1, [2, *x]]\n", "cycle");
	yaml_bad("a: &x [1, {k: &y [*x]}]\n", "cycle");

	buf_adds(&big, "list:\n");
	for (int i = 0; i < 100000; i++)
		buf_addf(&big, "- &a%d v%d\n", i, i);
	buf_adds(&big, "refs:\n");
	for (int i = 0; i < 100000; i++)
		buf_addf(&big, "- *a%d\n", i);
	j = yaml(big.s);	/* 0.2 s here; it took over 30 s with the linear lookup */
	assert_int_equal(json_array_size(json_object_get(j, "refs")), 100000);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "refs"), 99999)), "v99999");
	json_decref(j);
	buf_free(&big);
}

static void yaml_every_truncation(void **state)
{
	size_t n;
	char *s = fixture("kubeconfig/kubectl-generated/kubeconfig.yaml", &n);
	struct sbx_err err;

	(void)state;
	for (size_t len = 0; len <= n; len++) {
		json_t *j = yaml_to_json(s, len, "t", &err);

		json_decref(j);
	}
	free(s);
}

/* --- base64 -------------------------------------------------------------- */

static void b64(void **state)
{
	static const struct {
		const char *plain, *enc;
	} v[] = { { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		  { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
		  { "fred", "ZnJlZA==" }, { "fake-ca", "ZmFrZS1jYQ==" } };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct buf d = { 0 }, e = { 0 };

		assert_true(base64_decode(v[i].enc, strlen(v[i].enc), &d));
		assert_int_equal(d.len, strlen(v[i].plain));
		assert_memory_equal(d.s ? d.s : "", v[i].plain, d.len);
		base64_encode(v[i].plain, strlen(v[i].plain), &e);
		assert_string_equal(e.s ? e.s : "", v[i].enc);
		buf_free(&d);
		buf_free(&e);
	}
	{
		struct buf d = { 0 };

		assert_true(base64_decode("Zm9v\nYmFy\n", 10, &d));	/* wrapped lines */
		assert_memory_equal(d.s, "foobar", 6);
		buf_reset(&d);
		assert_false(base64_decode("Zm9v!", 5, &d));
		buf_reset(&d);
		assert_false(base64_decode("Zg==Zg", 6, &d));
		buf_reset(&d);
		assert_false(base64_decode("Zh", 2, &d));	/* nonzero leftover bits */
		buf_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(drops_exactly_the_paths),
		cmocka_unit_test(nothing_dropped_is_identity),
		cmocka_unit_test(tricky_strings_and_wildcards),
		cmocka_unit_test(garbage),
		cmocka_unit_test(size_cap),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(capture),
		cmocka_unit_test(kubeconfig_fixtures),
		cmocka_unit_test(scalars),
		cmocka_unit_test(yaml_garbage),
		cmocka_unit_test(yaml_every_truncation),
		cmocka_unit_test(yaml_anchors),
		cmocka_unit_test(b64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
