/* Drops the parts of a JSON document nobody will read while it arrives,
 * so that a page of 500 Nodes (status.images, managedFields: most of the
 * 5-25 MB) never sits in memory and jansson parses only what is kept.
 *
 * It tracks structure only (strings, escapes, brackets, separators) and
 * copies the kept bytes compactly; jansson parses the result.  A path is
 * dot-separated member names from the top, `*` matching any array element
 * or member: "items.*.status.images", "rows.*.object.metadata.managedFields".
 * A path starting with '+' keeps what it names (and the way to it) from
 * the drop paths: "items.*.metadata.*" with "+items.*.metadata.name"
 * keeps only the names.
 *
 * Capture: with a callback, no text is made at all.  Each value at a path
 * starting with '=' is handed to the callback as it completes (a string's
 * raw contents, a number or literal, or the end of an object or array), so
 * that a list of 5,000 rows is read without building any tree. */
#ifndef SREBOX_JSON_PROJ_H
#define SREBOX_JSON_PROJ_H

#include "util.h"

#define JPROJ_MAX_PATHS 64
#define JPROJ_MAX_DEPTH 64

struct jproj;

/* path: the index of the '=' path in the list; type 's' a string (raw,
 * escapes as written: jproj_unescape), 'l' a number, true, false or null,
 * 'e' the end of an object or array (s NULL). */
typedef void (*jproj_value_cb)(void *arg, unsigned path, const struct jproj *p, const char *s,
			       size_t n, char type);

struct jproj_frame {
	char type;		/* 'T' top level, '{' or '[' */
	unsigned char expect;
	bool any;		/* a member or element was written */
	uint64_t mask;		/* paths still matching at this container */
	uint64_t cap;		/* capture paths this container ends (called at its end) */
	long index;		/* arrays: the element being read, from 0 */
	char name[128];		/* objects: the member being read (truncated) */
};

struct jproj {
	struct buf *out;
	size_t max_out;
	const char *comp[JPROJ_MAX_PATHS][JPROJ_MAX_DEPTH];
	unsigned ncomp[JPROJ_MAX_PATHS];
	char *paths;		/* storage for comp */
	unsigned npaths;
	uint64_t keep;		/* which paths are keep paths ('+') */
	uint64_t capture;	/* which are capture paths ('=') */
	jproj_value_cb on_value;
	void *arg;

	struct jproj_frame fr[JPROJ_MAX_DEPTH + 1];
	int depth;
	unsigned char lex;	/* outside, in string, after backslash, in literal */
	bool in_key;
	struct buf key;
	struct buf val;		/* capture: the scalar being read */
	uint64_t value_mask;	/* for the value after the current key */
	uint64_t value_cap;	/* capture paths the next value completes */
	uint64_t cur_cap;	/* ... the scalar being read completes */
	bool value_drop;
	bool skipping;		/* inside a dropped value */
	int skip_at;		/* the depth whose value is being dropped */
	bool done;
	const char *error;
	size_t offset;		/* bytes fed, for error messages */
};

/* `paths`: NULL-terminated list (at most JPROJ_MAX_PATHS) of drop paths,
 * '+' keep paths and '=' capture paths.  Without a callback (on_value
 * NULL), output goes to `out` (appended), which may not grow past max_out;
 * with one, out is not used. */
void jproj_init(struct jproj *p, const char *const *paths, struct buf *out, size_t max_out);
void jproj_capture(struct jproj *p, jproj_value_cb cb, void *arg);
/* Returns 0, or -1 once the input is not JSON (p->error says why). */
int jproj_feed(struct jproj *p, const char *data, size_t n);
/* The document is complete: 0, or -1 with p->error. */
int jproj_finish(struct jproj *p);
void jproj_free(struct jproj *p);

/* In a callback: the index of the array element at depth d (1 is the
 * top-level container), and the member name being read at depth d. */
long jproj_index(const struct jproj *p, int d);
const char *jproj_name(const struct jproj *p, int d);

/* A captured string's value, escapes decoded; false if they are invalid. */
bool jproj_unescape(const char *s, size_t n, struct buf *out);

#endif
