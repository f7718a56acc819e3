#include "klog.h"

#include <string.h>

static bool dig(const char *s, size_t n, unsigned *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

/* "Lmmdd hh:mm:ss.uuuuuu" then spaces, a thread id, a space, file:line] */
static bool klog_header(const char *s, size_t n, struct klog_line *o)
{
	unsigned mo, d, h, mi, se, us = 0;
	size_t i = 14, us_digits = 0;
	const char *close;

	if (n < 20 || !strchr("IWEF", s[0]) || s[5] != ' ' || s[8] != ':' || s[11] != ':')
		return false;
	if (!dig(s + 1, 2, &mo) || !dig(s + 3, 2, &d) || !dig(s + 6, 2, &h) || !dig(s + 9, 2, &mi) ||
	    !dig(s + 12, 2, &se) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return false;
	if (i < n && s[i] == '.') {
		for (i++; i < n && is_digit(s[i]) && us_digits < 9; i++, us_digits++)
			us = us * 10 + (unsigned)(s[i] - '0');
	}
	close = memchr(s + i, ']', n - i);
	if (!close || close - (s + i) > 200)
		return false;
	o->sev = s[0] == 'I' ? KLOG_INFO : s[0] == 'W' ? KLOG_WARN : s[0] == 'E' ? KLOG_ERROR : KLOG_FATAL;
	o->has_mday = true;
	o->month = mo;
	o->day = d;
	o->day_seconds = h * 3600.0 + mi * 60.0 + se;
	if (us_digits) {
		double f = us;

		for (size_t k = 0; k < us_digits; k++)
			f /= 10;
		o->day_seconds += f;
	}
	o->msg = close + 1;
	while (o->msg < s + n && *o->msg == ' ')
		o->msg++;
	o->msg_len = (size_t)(s + n - o->msg);
	return true;
}

/* A logrus field's value: key="quoted" or key=bare. */
static bool field(const char *s, size_t n, const char *key, const char **v, size_t *vl)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i + kl + 1 <= n; i++) {
		if ((i && s[i - 1] != ' ') || memcmp(s + i, key, kl) || s[i + kl] != '=')
			continue;
		i += kl + 1;
		if (i < n && s[i] == '"') {
			size_t j = ++i;

			while (j < n && s[j] != '"')
				j += s[j] == '\\' && j + 1 < n ? 2 : 1;
			*v = s + i;
			*vl = (j < n ? j : n) - i;
		} else {
			size_t j = i;

			while (j < n && s[j] != ' ')
				j++;
			*v = s + i;
			*vl = j - i;
		}
		return true;
	}
	return false;
}

static bool logrus(const char *s, size_t n, struct klog_line *o)
{
	const char *lv, *t, *m;
	size_t lvl, tl, ml;

	if (!field(s, n, "level", &lv, &lvl) || !field(s, n, "msg", &m, &ml))
		return false;
	if (lvl == 5 && !memcmp(lv, "error", 5))
		o->sev = KLOG_ERROR;
	else if ((lvl == 5 && !memcmp(lv, "fatal", 5)) || (lvl == 5 && !memcmp(lv, "panic", 5)))
		o->sev = KLOG_FATAL;
	else if (lvl == 7 && !memcmp(lv, "warning", 7))
		o->sev = KLOG_WARN;
	else
		o->sev = KLOG_INFO;
	o->msg = m;
	o->msg_len = ml;
	if (field(s, n, "time", &t, &tl) && rfc3339_scan(t, tl, true, &o->epoch))
		o->has_epoch = true;
	return true;
}

bool klog_parse(const char *s, size_t n, struct klog_line *out)
{
	memset(out, 0, sizeof(*out));
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (klog_header(s, n, out))
		return true;
	/* syslog or k3s prefixes: the header after ": " or "] " */
	for (size_t i = 0; i + 2 < n && i < 256; i++)
		if ((s[i] == ':' || s[i] == ']') && s[i + 1] == ' ' &&
		    klog_header(s + i + 2, n - i - 2, out))
			return true;
	memset(out, 0, sizeof(*out));
	return logrus(s, n, out);
}

size_t klog_key(const char *msg, size_t len, char *out, size_t n)
{
	size_t o = 0, i = 0, end = len;

	if (!n)
		return 0;
	if (len && msg[0] == '"') {
		/* structured: "text" key=value ... */
		for (i = 1; i < len && o + 1 < n; i++) {
			if (msg[i] == '\\' && i + 1 < len) {
				out[o++] = msg[++i];
				continue;
			}
			if (msg[i] == '"')
				break;
			out[o++] = msg[i];
		}
		out[o] = '\0';
		return o;
	}
	/* the first " key=" ends the text */
	for (size_t k = 1; k < len; k++) {
		if (msg[k] != '=' || k + 1 >= len)
			continue;
		size_t b = k;

		while (b > 0 && (msg[b - 1] == '_' || msg[b - 1] == '.' ||
				 (msg[b - 1] >= 'a' && msg[b - 1] <= 'z') || (msg[b - 1] >= 'A' && msg[b - 1] <= 'Z')))
			b--;
		if (b < k && b > 0 && msg[b - 1] == ' ') {
			end = b - 1;
			break;
		}
	}
	while (i < end && o + 1 < n) {
		if (is_digit(msg[i])) {
			out[o++] = '#';
			while (i < end && (is_digit(msg[i]) ||
					   (msg[i] == '.' && i + 1 < end && is_digit(msg[i + 1]))))
				i++;
			continue;
		}
		out[o++] = (unsigned char)msg[i] < 0x20 ? ' ' : msg[i];
		i++;
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return o;
}

double klog_epoch(const struct klog_line *l, double now)
{
	int64_t y, days;
	double t;

	if (l->has_epoch)
		return l->epoch;
	if (!l->has_mday)
		return -1;
	/* the year of `now`, from days since the epoch */
	{
		int64_t z = (int64_t)(now / 86400) + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
		unsigned doe = (unsigned)(z - era * 146097), yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
		unsigned m = mp + (mp < 10 ? 3 : -9);

		y = (int64_t)yoe + era * 400 + (m <= 2);
	}
	days = days_from_civil(y, l->month, l->day);
	t = (double)days * 86400 + l->day_seconds;
	if (t > now + 86400)	/* December's lines read in January */
		t = (double)days_from_civil(y - 1, l->month, l->day) * 86400 + l->day_seconds;
	return t;
}

bool unit_show_get(const char *text, size_t n, const char *key, char *out, size_t on)
{
	size_t kl = strlen(key);
	const char *p = text, *end = text + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;

		if ((size_t)(le - p) > kl && !memcmp(p, key, kl) && p[kl] == '=') {
			size_t l = (size_t)(le - p) - kl - 1;

			if (on) {
				if (l >= on)
					l = on - 1;
				memcpy(out, p + kl + 1, l);
				out[l] = '\0';
			}
			return true;
		}
		p = le + 1;
	}
	return false;
}
