/* The bump arena under srebox top's model: alignment, ownership, a full
 * arena that says it spilled, a reset that hands the same memory out
 * again, and jansson's values carved from it and dropped with it. */
#include "unit.h"
#include "arena.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

static void alloc_and_reset(void **state)
{
	struct arena a;
	char *p, *q, *first;

	(void)state;
	assert_true(arena_init(&a, 4096));
	first = p = arena_alloc(&a, 1);
	assert_non_null(p);
	assert_true(arena_owns(&a, p));
	q = arena_alloc(&a, 17);
	assert_int_equal((uintptr_t)q % 16, 0);
	assert_ptr_equal(q, p + 16);
	memset(q, 'x', 17);
	assert_non_null(arena_alloc(&a, 0));	/* a distinct, valid pointer */
	assert_false(a.spilled);
	assert_null(arena_alloc(&a, 8192));	/* does not fit: the caller mallocs */
	assert_true(a.spilled);
	assert_null(arena_alloc(&a, SIZE_MAX));	/* no wrap-around */
	while ((p = arena_alloc(&a, 100)))
		assert_true(arena_owns(&a, p) && arena_owns(&a, p + 99));
	assert_true(a.used <= a.size);
	arena_reset(&a);
	assert_false(a.spilled);
	assert_int_equal(a.used, 0);
	assert_ptr_equal(arena_alloc(&a, 8), first);
	assert_false(arena_owns(&a, &a));
	arena_fini(&a);
	assert_false(arena_owns(&a, first));
	assert_null(arena_alloc(&a, 8));
}

static void failed_init(void **state)
{
	struct arena a;

	(void)state;
	assert_false(arena_init(&a, 8));	/* less than one aligned unit */
	assert_null(arena_alloc(&a, 1));
	assert_false(arena_owns(&a, "x"));
	arena_reset(&a);
	arena_fini(&a);
}

static struct arena ja;
static bool jin;

static void *jmalloc(size_t n)
{
	void *p = jin ? arena_alloc(&ja, n) : NULL;

	return p ? p : malloc(n);
}

static void jfree(void *p)
{
	if (!arena_owns(&ja, p))
		free(p);
}

/* What top does: a model made in the arena, serialised with malloc's
 * memory, dropped by a reset; values made outside it freed as usual. */
static void jansson_in_arena(void **state)
{
	json_t *o, *outside;
	char *s;

	(void)state;
	assert_true(arena_init(&ja, 1 << 20));
	json_set_alloc_funcs(jmalloc, jfree);
	outside = json_pack("{s:i}", "kept", 1);
	for (int round = 0; round < 3; round++) {
		jin = true;
		o = json_object();
		for (int i = 0; i < 200; i++) {
			char k[16];

			snprintf(k, sizeof(k), "k%d", i);
			json_object_set_new(o, k, json_pack("[i,s,f]", i, "text", i / 2.0));
		}
		jin = false;
		assert_true(arena_owns(&ja, o) && !ja.spilled);
		s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
		assert_false(arena_owns(&ja, s));
		assert_non_null(strstr(s, "\"k199\":[199,\"text\",99.5]"));
		free(s);
		json_decref(o);	/* a walk of no-op frees: harmless */
		arena_reset(&ja);
	}
	/* a model bigger than the arena spills to malloc and says so */
	jin = true;
	o = json_array();
	for (int i = 0; i < 40000; i++)
		json_array_append_new(o, json_string("a string of some length"));
	jin = false;
	assert_true(ja.spilled);
	assert_int_equal(json_array_size(o), 40000);
	json_decref(o);	/* frees what malloc made, not what the arena did */
	arena_reset(&ja);
	assert_int_equal(json_integer_value(json_object_get(outside, "kept")), 1);
	json_decref(outside);
	json_set_alloc_funcs(malloc, free);
	arena_fini(&ja);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alloc_and_reset),
		cmocka_unit_test(failed_init),
		cmocka_unit_test(jansson_in_arena),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
