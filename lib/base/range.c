#include "range.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static int state_rank(enum sbx_state s)
{
	switch (s) {
	case ST_OK:
		return 0;
	case ST_UNKNOWN:
		return 1;
	case ST_WARNING:
		return 2;
	case ST_CRITICAL:
		return 3;
	}
	return 1;
}

enum sbx_state state_worst(enum sbx_state a, enum sbx_state b)
{
	return state_rank(a) >= state_rank(b) ? a : b;
}

const char *state_name(enum sbx_state s)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

	return (unsigned)s < 4 ? names[s] : "UNKNOWN";
}

bool range_parse(const char *s, struct sbx_range *r)
{
	const char *colon;
	char num[40];

	memset(r, 0, sizeof(*r));
	if (!s || !*s || strlen(s) >= sizeof(r->text))
		return false;
	snprintf(r->text, sizeof(r->text), "%s", s);
	if (strcmp(s, "none") == 0) {
		r->text[0] = '\0';
		return true;
	}
	if (*s == '@') {
		r->inside = true;
		s++;
	}
	colon = strchr(s, ':');
	if (!colon) {
		/* "10" means 0:10 */
		if (!parse_double(s, &r->end))
			return false;
		r->start = 0;
		r->set = true;
		return true;
	}
	if (strchr(colon + 1, ':') || (size_t)(colon - s) >= sizeof(num))
		return false;
	memcpy(num, s, (size_t)(colon - s));
	num[colon - s] = '\0';
	if (strcmp(num, "~") == 0)
		r->no_start = true;
	else if (!*num)
		r->start = 0;
	else if (!parse_double(num, &r->start))
		return false;
	if (!colon[1])
		r->no_end = true;
	else if (!parse_double(colon + 1, &r->end))
		return false;
	if (!r->no_start && !r->no_end && r->start > r->end)
		return false;
	r->set = true;
	return true;
}

bool range_alert(const struct sbx_range *r, double v)
{
	bool within;

	if (!r || !r->set)
		return false;
	within = (r->no_start || v >= r->start) && (r->no_end || v <= r->end);
	return r->inside ? within : !within;
}

enum sbx_state range_state(const struct sbx_range *warn, const struct sbx_range *crit, double v)
{
	if (range_alert(crit, v))
		return ST_CRITICAL;
	if (range_alert(warn, v))
		return ST_WARNING;
	return ST_OK;
}
