/* The catalogue's rows, the thresholds in force, and findings made from them. */
#include "check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const struct sbx_check sbx_checks[CHK_N] = {
#define CHECK(e, id, uom, w, c, what, src, metric, scale) [CHK_##e] = { id, uom, w, c, what, src, metric, scale },
#define ALIAS(old, new)
#include "checks.def"
#undef CHECK
#undef ALIAS
};

static const struct {
	const char *old, *id;
} aliases[] = {
#define CHECK(...)
#define ALIAS(old, new) { old, new },
#include "checks.def"
#undef CHECK
#undef ALIAS
};

static struct {
	struct sbx_range warn, crit;
	bool ready;
} limits[CHK_N];

const char *check_alias(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		if (!strcmp(aliases[i].old, id))
			return aliases[i].id;
	return NULL;
}

enum sbx_check_id check_find(const char *id)
{
	const char *a = check_alias(id);

	if (a)
		id = a;
	for (int i = 0; i < CHK_N; i++)
		if (!strcmp(sbx_checks[i].id, id))
			return (enum sbx_check_id)i;
	return CHK_N;
}

static void defaults(enum sbx_check_id id)
{
	const struct sbx_check *c = &sbx_checks[id];

	if (!range_parse(c->warn_default ? c->warn_default : "none", &limits[id].warn) ||
	    !range_parse(c->crit_default ? c->crit_default : "none", &limits[id].crit))
		die(3, "internal error: bad default range for check %s", c->id);
	limits[id].ready = true;
}

void check_reset(void)
{
	for (int i = 0; i < CHK_N; i++)
		defaults((enum sbx_check_id)i);
}

static void ready(enum sbx_check_id id)
{
	if (id >= CHK_N)
		die(3, "internal error: check %d is not in the catalogue", (int)id);
	if (!limits[id].ready)
		defaults(id);
}

bool check_set(enum sbx_check_id id, bool crit, const char *range)
{
	ready(id);
	return range_parse(range, crit ? &limits[id].crit : &limits[id].warn);
}

const struct sbx_range *check_warn(enum sbx_check_id id)
{
	ready(id);
	return &limits[id].warn;
}

const struct sbx_range *check_crit(enum sbx_check_id id)
{
	ready(id);
	return &limits[id].crit;
}

enum sbx_state check_judge(enum sbx_check_id id, double v)
{
	ready(id);
	return range_state(&limits[id].warn, &limits[id].crit, v);
}

bool check_has_value(enum sbx_check_id id)
{
	return sbx_checks[id].metric != NULL;
}

/* Which findings get their text, label and perfdata; the others carry
 * their state and value alone (srebox top, for findings it will not show). */
static enum check_evidence evidence = EVIDENCE_ALL;

void check_evidence(enum check_evidence e)
{
	evidence = e;
}

static bool evident(enum sbx_state st)
{
	return evidence == EVIDENCE_ALL || (evidence == EVIDENCE_NOT_OK && st != ST_OK);
}

static struct sbx_finding *vfinding(struct sbx_report *r, enum sbx_check_id id, enum sbx_state st,
				    const char *subject, const char *fmt, va_list ap)
{
	struct sbx_finding *f;

	if (evident(st))
		f = report_vfinding(r, st, sbx_checks[id].id, subject, fmt, ap);
	else
		f = report_finding_bare(r, st, sbx_checks[id].id, subject);
	f->metric = sbx_checks[id].metric;
	f->metric_help = sbx_checks[id].what;
	f->metric_scale = sbx_checks[id].scale;
	return f;
}

struct sbx_finding *check_value(struct sbx_report *r, enum sbx_check_id id, const char *subject,
				double v, const char *fmt, ...)
{
	struct sbx_finding *f;
	va_list ap;

	ready(id);
	va_start(ap, fmt);
	f = vfinding(r, id, check_judge(id, v), subject, fmt, ap);
	va_end(ap);
	if (!evident(f->state)) {
		f->has_value = true;
		f->value = v;
		f->uom = sbx_checks[id].uom;
	} else if (subject) {
		char *label = xasprintf("%s:%s", sbx_checks[id].id, subject);

		finding_perf(f, label, v, sbx_checks[id].uom, &limits[id].warn, &limits[id].crit);
		free(label);
	} else {
		finding_perf(f, sbx_checks[id].id, v, sbx_checks[id].uom, &limits[id].warn,
			     &limits[id].crit);
	}
	if (!strcmp(sbx_checks[id].uom, "%"))
		finding_bounds(f, 0, 100);
	return f;
}

struct sbx_finding *check_rule(struct sbx_report *r, enum sbx_check_id id, enum sbx_state st,
			       const char *subject, const char *fmt, ...)
{
	struct sbx_finding *f;
	va_list ap;

	ready(id);
	va_start(ap, fmt);
	f = vfinding(r, id, st, subject, fmt, ap);
	va_end(ap);
	return f;
}

struct sbx_finding *check_unknown(struct sbx_report *r, enum sbx_check_id id, const char *subject,
				  const char *fmt, ...)
{
	struct sbx_finding *f;
	va_list ap;

	ready(id);
	va_start(ap, fmt);
	f = vfinding(r, id, ST_UNKNOWN, subject, fmt, ap);
	va_end(ap);
	if (check_has_value(id)) {
		char *label = subject ? xasprintf("%s:%s", sbx_checks[id].id, subject)
				      : xstrdup(sbx_checks[id].id);

		finding_perf_unknown(f, label, sbx_checks[id].uom);
		free(label);
	}
	f->metric = NULL;
	return f;
}
