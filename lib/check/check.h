/* The catalogue of checks (checks.def) and judging them.  Every finding a
 * probe applet makes names a check of the catalogue; its state comes from
 * the check's thresholds in force (defaults, then -w/-c), its perfdata label
 * and unit and its Prometheus metric from the catalogue row, so health and
 * the topic applet cannot disagree on the same reading. */
#ifndef SREBOX_CHECK_H
#define SREBOX_CHECK_H

#include "range.h"
#include "report.h"

enum sbx_check_id {
#define CHECK(e, ...) CHK_##e,
#define ALIAS(old, new)
#include "checks.def"
#undef CHECK
#undef ALIAS
	CHK_N
};

struct sbx_check {
	const char *id;
	const char *uom;
	const char *warn_default, *crit_default;
	const char *what;
	const char *source;
	const char *metric;	/* after "srebox_check_"; NULL: none */
	double scale;
};

extern const struct sbx_check sbx_checks[CHK_N];

/* The check named id (or an old alias of it); CHK_N if none. */
enum sbx_check_id check_find(const char *id);
/* The id an alias stands for, or NULL when id is no alias. */
const char *check_alias(const char *id);

/* The thresholds in force.  check_reset() sets every check's defaults;
 * check_set() replaces one range (-w/-c) and returns false on a bad range. */
void check_reset(void);
bool check_set(enum sbx_check_id id, bool crit, const char *range);
const struct sbx_range *check_warn(enum sbx_check_id id);
const struct sbx_range *check_crit(enum sbx_check_id id);
/* The state of value v for check id. */
enum sbx_state check_judge(enum sbx_check_id id, double v);
/* Whether the check judges a value (which -w/-c can set thresholds for),
 * rather than a rule (the kubelet answers; a source could be read). */
bool check_has_value(enum sbx_check_id id);

/* Findings.  check_value() judges v and attaches perfdata (label = id) and
 * the metric; check_rule() records a state decided by a rule (a hung mount,
 * the kubelet's answer), with the value as perfdata when has_v; check_unknown()
 * records a check that could not be judged, with the reason. */
struct sbx_finding *check_value(struct sbx_report *r, enum sbx_check_id id, const char *subject,
				double v, const char *fmt, ...) SBX_PRINTF(5, 6);
struct sbx_finding *check_rule(struct sbx_report *r, enum sbx_check_id id, enum sbx_state st,
			       const char *subject, const char *fmt, ...) SBX_PRINTF(5, 6);
struct sbx_finding *check_unknown(struct sbx_report *r, enum sbx_check_id id, const char *subject,
				  const char *fmt, ...) SBX_PRINTF(4, 5);
/* Which findings get a text and perfdata (EVIDENCE_ALL, the default); the
 * others are judged and kept with their state and value alone: for
 * reports whose findings, or whose OK findings, nobody will read. */
enum check_evidence { EVIDENCE_ALL, EVIDENCE_NOT_OK, EVIDENCE_NONE };
void check_evidence(enum check_evidence e);

#endif
