#include "yaml_json.h"

#include <string.h>
#include <strings.h>
#include <yaml.h>

#define MAX_DEPTH 64

/* Anchors by name in an open-addressing hash table, so that a document of
 * 100,000 anchors and aliases parses in linear time.  A later anchor of
 * the same name replaces the earlier one, as YAML says an alias refers to
 * the most recent. */
struct anchor {
	char *name;		/* NULL: free slot */
	json_t *node;
	bool open;		/* its collection has not ended: an alias to it would be a cycle */
};

struct builder {
	json_t *stack[MAX_DEPTH];
	char *keys[MAX_DEPTH];	/* pending mapping key at each level, or NULL */
	struct anchor *open_at[MAX_DEPTH];	/* the anchor of each open collection */
	int depth;
	json_t *root;
	struct anchor *anchors;
	size_t nanchors, slots;
};

static size_t anchor_hash(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static struct anchor *anchor_slot(struct anchor *t, size_t slots, const char *name)
{
	size_t i = anchor_hash(name) & (slots - 1);

	while (t[i].name && strcmp(t[i].name, name))
		i = (i + 1) & (slots - 1);
	return &t[i];
}

static json_t *plain_scalar(const char *v, size_t n)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };

	if (n == 0 || (n == 1 && v[0] == '~') || (n == 4 && !strncasecmp(v, "null", 4)))
		return json_null();
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strlen(yes[i]) == n && !strncasecmp(v, yes[i], n))
			return json_true();
		if (strlen(no[i]) == n && !strncasecmp(v, no[i], n))
			return json_false();
	}
	return json_stringn(v, n);
}

static struct anchor *anchor_add(struct builder *b, const yaml_char_t *name, json_t *node, bool open)
{
	struct anchor *a;

	if (!name)
		return NULL;
	if ((b->nanchors + 1) * 2 > b->slots) {
		size_t slots = b->slots ? b->slots * 2 : 64;
		struct anchor *t = xcalloc(slots, sizeof(*t));

		for (size_t i = 0; i < b->slots; i++)
			if (b->anchors[i].name)
				*anchor_slot(t, slots, b->anchors[i].name) = b->anchors[i];
		free(b->anchors);
		b->anchors = t;
		b->slots = slots;
		/* the open collections' anchors moved */
		for (int d = 0; d < b->depth; d++)
			if (b->open_at[d])
				b->open_at[d] = NULL;
		for (size_t i = 0; i < slots; i++)
			if (t[i].name && t[i].open)
				for (int d = 0; d < b->depth; d++)
					if (b->stack[d] == t[i].node)
						b->open_at[d] = &t[i];
	}
	a = anchor_slot(b->anchors, b->slots, (const char *)name);
	if (a->name) {
		json_decref(a->node);	/* redefined: the newest counts */
	} else {
		a->name = xstrdup((const char *)name);
		b->nanchors++;
	}
	a->node = json_incref(node);
	a->open = open;
	return a;
}

/* The node of anchor name (a new reference); NULL, with *open set when the
 * alias sits inside its own anchor's collection. */
static json_t *anchor_find(struct builder *b, const yaml_char_t *name, bool *open)
{
	struct anchor *a;

	*open = false;
	if (!b->slots)
		return NULL;
	a = anchor_slot(b->anchors, b->slots, (const char *)name);
	if (!a->name)
		return NULL;
	if (a->open) {
		*open = true;
		return NULL;
	}
	return json_incref(a->node);
}

/* Attach a finished node to its parent (or make it the root).  Takes the
 * reference.  Returns false when a mapping key is not a scalar. */
static bool attach(struct builder *b, json_t *node, bool is_scalar_key_candidate)
{
	json_t *parent;

	if (b->depth == 0) {
		if (!b->root)
			b->root = node;
		else
			json_decref(node);
		return true;
	}
	parent = b->stack[b->depth - 1];
	if (json_is_array(parent))
		return json_array_append_new(parent, node) == 0;
	if (!b->keys[b->depth - 1]) {
		/* This node is a key. */
		if (!is_scalar_key_candidate) {
			json_decref(node);
			return false;
		}
		if (json_is_string(node))
			b->keys[b->depth - 1] = xstrdup(json_string_value(node));
		else if (json_is_null(node))
			b->keys[b->depth - 1] = xstrdup("null");
		else
			b->keys[b->depth - 1] = xstrdup(json_is_true(node) ? "true" : "false");
		json_decref(node);
		return true;
	}
	json_object_set_new(parent, b->keys[b->depth - 1], node);
	free(b->keys[b->depth - 1]);
	b->keys[b->depth - 1] = NULL;
	return true;
}

static void builder_free(struct builder *b)
{
	for (int i = 0; i < b->depth; i++) {
		json_decref(b->stack[i]);
		free(b->keys[i]);
	}
	json_decref(b->root);
	for (size_t i = 0; i < b->slots; i++) {
		free(b->anchors[i].name);
		json_decref(b->anchors[i].node);
	}
	free(b->anchors);
}

json_t *yaml_to_json(const char *text, size_t len, const char *name, struct sbx_err *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct builder b = { 0 };
	bool done = false, ok = true;
	json_t *out = NULL;

	if (!yaml_parser_initialize(&p)) {
		sbx_err_set(err, 0, "%s: cannot start the YAML parser", name);
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done) {
		json_t *node;

		if (!yaml_parser_parse(&p, &ev)) {
			sbx_err_set(err, 0, "%s: line %zu column %zu: %s", name,
				    p.problem_mark.line + 1, p.problem_mark.column + 1,
				    p.problem ? p.problem : "YAML syntax error");
			ok = false;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			/* Only the first document counts. */
			done = ev.type == YAML_STREAM_END_EVENT || b.root;
			break;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;
			size_t n = ev.data.scalar.length;
			bool str_tag = ev.data.scalar.tag &&
				       !strcmp((const char *)ev.data.scalar.tag, YAML_STR_TAG);

			if (ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !str_tag)
				node = plain_scalar(v, n);
			else
				node = json_stringn(v, n);
			if (!node) {	/* not valid UTF-8 */
				sbx_err_set(err, 0, "%s: line %zu: text that is not UTF-8", name,
					    ev.start_mark.line + 1);
				ok = false;
				break;
			}
			anchor_add(&b, ev.data.scalar.anchor, node, false);
			if (!attach(&b, node, true)) {
				sbx_err_set(err, 0, "%s: line %zu: a mapping key that is not a scalar",
					    name, ev.start_mark.line + 1);
				ok = false;
			}
			break;
		}
		case YAML_ALIAS_EVENT: {
			bool open;

			node = anchor_find(&b, ev.data.alias.anchor, &open);
			if (!node) {
				sbx_err_set(err, 0, "%s: line %zu: %s *%s", name, ev.start_mark.line + 1,
					    open ? "an alias inside its own anchor (a cycle):" : "unknown alias",
					    (const char *)ev.data.alias.anchor);
				ok = false;
				break;
			}
			if (!attach(&b, node, json_is_string(node))) {
				sbx_err_set(err, 0, "%s: line %zu: a mapping key that is not a scalar",
					    name, ev.start_mark.line + 1);
				ok = false;
			}
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (b.depth >= MAX_DEPTH) {
				sbx_err_set(err, 0, "%s: line %zu: nested more than %d deep", name,
					    ev.start_mark.line + 1, MAX_DEPTH);
				ok = false;
				break;
			}
			if (b.depth > 0 && json_is_object(b.stack[b.depth - 1]) &&
			    !b.keys[b.depth - 1]) {
				sbx_err_set(err, 0, "%s: line %zu: a mapping key that is not a scalar",
					    name, ev.start_mark.line + 1);
				ok = false;
				break;
			}
			node = ev.type == YAML_SEQUENCE_START_EVENT ? json_array() : json_object();
			b.keys[b.depth] = NULL;
			b.stack[b.depth++] = node;
			b.open_at[b.depth - 1] = NULL;
			b.open_at[b.depth - 1] = anchor_add(&b, ev.type == YAML_SEQUENCE_START_EVENT
								? ev.data.sequence_start.anchor
								: ev.data.mapping_start.anchor,
							    node, true);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			node = b.stack[--b.depth];
			if (b.open_at[b.depth])
				b.open_at[b.depth]->open = false;
			b.open_at[b.depth] = NULL;
			free(b.keys[b.depth]);	/* a key without value: dropped */
			b.keys[b.depth] = NULL;
			attach(&b, node, false);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (!ok)
			break;
	}
	yaml_parser_delete(&p);
	if (ok) {
		out = b.root ? b.root : json_object();
		if (json_is_null(out)) {
			json_decref(out);
			out = json_object();
		}
		b.root = NULL;
	}
	builder_free(&b);
	return out;
}
