/* Drops the parts of a JSON document nobody will read while it arrives,
 * so that a page of 500 Nodes (status.images, managedFields: most of the
 * 5-25 MB) never sits in memory and jansson parses only what is kept.
 *
 * It tracks structure only (strings, escapes, brackets, separators) and
 * copies the kept bytes compactly; jansson parses the result.  A path is
 * dot-separated member names from the top, `*` matching any array element
 * or member: "items.*.status.images", "rows.*.object.metadata.managedFields". */
#ifndef SREBOX_JSON_PROJ_H
#define SREBOX_JSON_PROJ_H

#include "util.h"

#define JPROJ_MAX_PATHS 32
#define JPROJ_MAX_DEPTH 64

struct jproj_frame {
	char type;		/* 'T' top level, '{' or '[' */
	unsigned char expect;
	bool any;		/* a member or element was written */
	uint32_t mask;		/* paths still matching at this container */
};

struct jproj {
	struct buf *out;
	size_t max_out;
	const char *comp[JPROJ_MAX_PATHS][JPROJ_MAX_DEPTH];
	unsigned ncomp[JPROJ_MAX_PATHS];
	char *paths;		/* storage for comp */
	unsigned npaths;

	struct jproj_frame fr[JPROJ_MAX_DEPTH + 1];
	int depth;
	unsigned char lex;	/* outside, in string, after backslash, in literal */
	bool in_key;
	struct buf key;
	uint32_t value_mask;	/* for the value after the current key */
	bool value_drop;
	bool skipping;		/* inside a dropped value */
	int skip_at;		/* the depth whose value is being dropped */
	bool done;
	const char *error;
	size_t offset;		/* bytes fed, for error messages */
};

/* `drop`: NULL-terminated list of paths (at most JPROJ_MAX_PATHS).
 * Output goes to `out` (appended), which may not grow past max_out. */
void jproj_init(struct jproj *p, const char *const *drop, struct buf *out, size_t max_out);
/* Returns 0, or -1 once the input is not JSON (p->error says why). */
int jproj_feed(struct jproj *p, const char *data, size_t n);
/* The document is complete: 0, or -1 with p->error. */
int jproj_finish(struct jproj *p);
void jproj_free(struct jproj *p);

#endif
