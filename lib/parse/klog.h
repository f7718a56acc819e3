/* What the kubelet says about itself, as text: its log lines (klog's
 * "E1202 05:14:35.123456  1234 file.go:12] msg" as the journal and log
 * files hold them, and logrus' time="..." level=error msg="..." of k3s),
 * and `systemctl show` Key=Value output for its unit. */
#ifndef SREBOX_PARSE_KUBELET_H
#define SREBOX_PARSE_KUBELET_H

#include "util.h"

enum klog_sev { KLOG_NONE, KLOG_INFO, KLOG_WARN, KLOG_ERROR, KLOG_FATAL };

struct klog_line {
	enum klog_sev sev;
	/* klog's header has no year: month and day, and seconds of that day */
	bool has_mday;
	unsigned month, day;
	double day_seconds;
	/* logrus' time="RFC 3339": epoch seconds */
	bool has_epoch;
	double epoch;
	const char *msg;	/* into the line: the message after the header */
	size_t msg_len;
};

/* One line (no newline needed).  A klog header at the start or after a
 * syslog prefix ("...kubelet[12]: E1202 ..."), or logrus fields.  False
 * when the line carries neither (sev KLOG_NONE). */
bool klog_parse(const char *s, size_t n, struct klog_line *out);

/* The grouping key of a message: a structured message's quoted text
 * ("Error syncing pod, skipping"), else the text up to its first key=value
 * field with digit runs as '#', at most n-1 bytes.  Returns its length. */
size_t klog_key(const char *msg, size_t len, char *out, size_t n);

/* klog's month/day/seconds in the year that makes it no later than `now`
 * (epoch seconds, UTC): the latest such moment.  -1 when invalid. */
double klog_epoch(const struct klog_line *l, double now);

/* `systemctl show -p ...` output: the value of key, or false. */
bool unit_show_get(const char *text, size_t n, const char *key, char *out, size_t on);

#endif
