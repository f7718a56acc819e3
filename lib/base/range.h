/* Check states and monitoring-plugins threshold ranges
 * (monitoring-plugins doc/developer-guidelines.sgml, "Threshold and ranges"). */
#ifndef SREBOX_RANGE_H
#define SREBOX_RANGE_H

#include <stdbool.h>

enum sbx_state { ST_OK = 0, ST_WARNING = 1, ST_CRITICAL = 2, ST_UNKNOWN = 3 };

/* Worst of two, ordered OK < UNKNOWN < WARNING < CRITICAL: an unreadable
 * source must not hide a real problem found elsewhere. */
enum sbx_state state_worst(enum sbx_state a, enum sbx_state b);
const char *state_name(enum sbx_state s);	/* "OK", "WARNING", ... */

/* `10` alert outside 0..10; `10:` below 10; `~:10` above 10; `10:20`
 * outside 10..20; `@10:20` inside 10..20.  An unset range never alerts. */
struct sbx_range {
	bool set;
	bool inside;		/* '@' */
	bool no_start;		/* '~' */
	bool no_end;		/* "N:" */
	double start, end;
	char text[40];		/* as given, for perfdata and messages */
};

bool range_parse(const char *s, struct sbx_range *r);
bool range_alert(const struct sbx_range *r, double v);

/* State of v against a warning and a critical range. */
enum sbx_state range_state(const struct sbx_range *warn, const struct sbx_range *crit, double v);

#endif
