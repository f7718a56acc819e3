/* srebox top's recordings; see toprec.h. */
#include "toprec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

json_t *toprec_line(const char *d, size_t n, struct sbx_err *err)
{
	json_error_t je;
	json_t *j, *t, *f;
	const char *st;

	while (n && (d[n - 1] == '\n' || d[n - 1] == '\r'))
		n--;
	if (!n) {
		sbx_err_set(err, 0, "an empty line");
		return NULL;
	}
	if (n > TOPREC_MAX_LINE) {
		sbx_err_set(err, 0, "a line of %zu bytes, more than a sample", n);
		return NULL;
	}
	j = json_loadb(d, n, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		sbx_err_set(err, 0, "not JSON: %s at byte %d", je.text, je.position);
		return NULL;
	}
	t = json_object_get(j, "t");
	st = json_string_value(json_object_get(j, "state"));
	f = json_object_get(j, "findings");
	if (!json_is_object(j) || !json_is_number(t) || !isfinite(json_number_value(t))) {
		sbx_err_set(err, 0, "not a sample: no time \"t\"");
	} else if (!st || (strcmp(st, "OK") && strcmp(st, "WARNING") && strcmp(st, "CRITICAL") &&
			   strcmp(st, "UNKNOWN"))) {
		sbx_err_set(err, 0, "not a sample: no state");
	} else if ((f && !json_is_array(f)) ||
		   (json_object_get(j, "panes") && !json_is_object(json_object_get(j, "panes"))) ||
		   (json_object_get(j, "node") && !json_is_object(json_object_get(j, "node")))) {
		sbx_err_set(err, 0, "not a sample: findings, panes or node of the wrong type");
	} else {
		return j;
	}
	json_decref(j);
	return NULL;
}

static bool ago(const char *s, double now, double *out)
{
	char *end;
	double v, mul;

	if (!is_digit(*s) && *s != '.')
		return false;
	v = strtod(s, &end);
	if (end == s || !isfinite(v) || v < 0)
		return false;
	s = end;
	while (*s == ' ')
		s++;
	if (str_starts(s, "min"))
		mul = 60, s += 3;
	else if (*s == 's' || *s == 'm' || *s == 'h' || *s == 'd')
		mul = *s == 's' ? 1 : *s == 'm' ? 60 : *s == 'h' ? 3600 : 86400, s++;
	else
		return false;
	if (*s != ' ')
		return false;
	while (*s == ' ')
		s++;
	if (strcmp(s, "ago") || v * mul > 1e12)
		return false;
	*out = now - v * mul;
	return true;
}

bool toprec_when(const char *s, double now, double *out)
{
	static const char *const dated[] = { "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
					     "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M" };
	static const char *const clock[] = { "%H:%M:%S", "%H:%M" };
	struct tm tm;
	const char *end;
	time_t t;

	while (*s == ' ')
		s++;
	if (ago(s, now, out))
		return true;
	if (!isfinite(now) || fabs(now) > 1e15)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(dated); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, dated[i], &tm);
		if (!end)
			continue;
		if (!strcmp(end, "Z") || !strcmp(end, "+00:00")) {
			t = timegm(&tm);
		} else if (!*end) {
			tm.tm_isdst = -1;
			t = mktime(&tm);
		} else {
			continue;
		}
		if (t == (time_t)-1)
			return false;
		*out = (double)t;
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(clock); i++) {
		struct tm hm;

		memset(&hm, 0, sizeof(hm));
		end = strptime(s, clock[i], &hm);
		if (!end || *end)
			continue;
		t = (time_t)now;
		localtime_r(&t, &tm);
		tm.tm_hour = hm.tm_hour;
		tm.tm_min = hm.tm_min;
		tm.tm_sec = hm.tm_sec;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t == (time_t)-1)
			return false;
		*out = (double)t;
		return true;
	}
	return false;
}
