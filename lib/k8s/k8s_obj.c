#include "k8s_obj.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

json_t *k8s_at(json_t *o, const char *path)
{
	char key[128];

	while (o && *path) {
		size_t l = strcspn(path, ".");

		if (l >= sizeof(key))
			return NULL;
		memcpy(key, path, l);
		key[l] = '\0';
		o = json_object_get(o, key);
		path += l;
		if (*path == '.')
			path++;
	}
	return o;
}

const char *k8s_str(json_t *o, const char *path, const char *def)
{
	const char *s = json_string_value(k8s_at(o, path));

	return s ? s : def;
}

/* --- time ---------------------------------------------------------------- */

bool k8s_time_parse(const char *s, double *epoch)
{
	return rfc3339_parse(s, epoch);
}

void k8s_time_rfc1123z(const char *rfc3339, char *out, size_t n)
{
	double t;
	time_t tt;
	struct tm tm;

	if (!rfc3339 || !k8s_time_parse(rfc3339, &t)) {
		snprintf(out, n, "Mon, 01 Jan 0001 00:00:00 +0000");
		return;
	}
	tt = (time_t)floor(t);
	gmtime_r(&tt, &tm);
	strftime(out, n, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

void k8s_human_duration(double d, char *out, size_t n)
{
	long long s = (long long)d;	/* truncation, as Go's int(d.Seconds()) */
	long long minutes, hours;

	if (s < -1) {
		snprintf(out, n, "<invalid>");
		return;
	}
	if (s < 0) {
		snprintf(out, n, "0s");
		return;
	}
	if (s < 120) {
		snprintf(out, n, "%llds", s);
		return;
	}
	minutes = s / 60;
	if (minutes < 10) {
		if (s % 60)
			snprintf(out, n, "%lldm%llds", minutes, s % 60);
		else
			snprintf(out, n, "%lldm", minutes);
		return;
	}
	if (minutes < 180) {
		snprintf(out, n, "%lldm", minutes);
		return;
	}
	hours = s / 3600;
	if (hours < 8) {
		if (minutes % 60)
			snprintf(out, n, "%lldh%lldm", hours, minutes % 60);
		else
			snprintf(out, n, "%lldh", hours);
	} else if (hours < 48) {
		snprintf(out, n, "%lldh", hours);
	} else if (hours < 24 * 8) {
		if (hours % 24)
			snprintf(out, n, "%lldd%lldh", hours / 24, hours % 24);
		else
			snprintf(out, n, "%lldd", hours / 24);
	} else if (hours < 24 * 365 * 2) {
		snprintf(out, n, "%lldd", hours / 24);
	} else if (hours < 24 * 365 * 8) {
		long long dy = hours / 24 % 365;

		if (dy)
			snprintf(out, n, "%lldy%lldd", hours / 24 / 365, dy);
		else
			snprintf(out, n, "%lldy", hours / 24 / 365);
	} else {
		snprintf(out, n, "%lldy", hours / 24 / 365);
	}
}

void k8s_age(const char *rfc3339, double now, char *out, size_t n)
{
	double t;

	if (!rfc3339 || !k8s_time_parse(rfc3339, &t)) {
		snprintf(out, n, "<unknown>");
		return;
	}
	k8s_human_duration(now - t, out, n);
}

/* --- nodes --------------------------------------------------------------- */

const char *k8s_node_ready(json_t *node)
{
	json_t *conds = k8s_at(node, "status.conditions"), *c;
	size_t i;

	json_array_foreach(conds, i, c)
		if (!strcmp(k8s_str(c, "type", ""), "Ready"))
			return k8s_str(c, "status", "");
	return NULL;
}

void k8s_node_status(json_t *node, struct buf *out)
{
	const char *ready = k8s_node_ready(node);

	buf_reset(out);
	if (!ready)
		buf_adds(out, "Unknown");
	else
		buf_adds(out, !strcmp(ready, "True") ? "Ready" : "NotReady");
	if (json_is_true(k8s_at(node, "spec.unschedulable")))
		buf_adds(out, ",SchedulingDisabled");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void k8s_node_roles(json_t *labels, struct buf *out)
{
	const char *key, *roles[64];
	json_t *v;
	size_t n = 0;

	buf_reset(out);
	json_object_foreach(labels, key, v) {
		const char *role = NULL;

		if (str_starts(key, "node-role.kubernetes.io/") && key[24])
			role = key + 24;
		else if (!strcmp(key, "kubernetes.io/role") && json_string_length(v))
			role = json_string_value(v);
		if (!role || n == ARRAY_SIZE(roles))
			continue;
		for (size_t i = 0; i < n && role; i++)
			if (!strcmp(roles[i], role))
				role = NULL;
		if (role)
			roles[n++] = role;
	}
	qsort(roles, n, sizeof(roles[0]), cmp_str);
	for (size_t i = 0; i < n; i++)
		buf_addf(out, "%s%s", i ? "," : "", roles[i]);
	if (!n)
		buf_adds(out, "<none>");
}

const char *k8s_node_address(json_t *node, const char *type)
{
	json_t *a = k8s_at(node, "status.addresses"), *e;
	size_t i;

	json_array_foreach(a, i, e)
		if (!strcmp(k8s_str(e, "type", ""), type))
			return k8s_str(e, "address", "");
	return NULL;
}

void k8s_taint_string(json_t *t, struct buf *out)
{
	k8s_taint_format(k8s_str(t, "key", ""), k8s_str(t, "value", ""), k8s_str(t, "effect", ""), out);
}

void k8s_taint_format(const char *key, const char *value, const char *effect, struct buf *out)
{
	if (!*effect && !*value)
		buf_addf(out, "%s", key);
	else if (!*effect)
		buf_addf(out, "%s=%s:", key, value);
	else if (!*value)
		buf_addf(out, "%s:%s", key, effect);
	else
		buf_addf(out, "%s=%s:%s", key, value, effect);
}

/* --- quantities ---------------------------------------------------------- */

typedef __int128 i128;

static i128 pow10i(int e)
{
	i128 r = 1;

	while (e-- > 0)
		r *= 10;
	return r;
}

bool k8s_qty_parse(const char *s, struct k8s_qty *q)
{
	static const struct {
		const char *sfx;
		int exp10;
		int exp2;
	} sfx[] = {
		{ "Ki", 0, 10 }, { "Mi", 0, 20 }, { "Gi", 0, 30 }, { "Ti", 0, 40 }, { "Pi", 0, 50 },
		{ "Ei", 0, 60 }, { "n", -9, 0 },  { "u", -6, 0 },  { "m", -3, 0 },  { "k", 3, 0 },
		{ "M", 6, 0 },	 { "G", 9, 0 },	  { "T", 12, 0 },  { "P", 15, 0 },  { "E", 18, 0 },
	};
	const char *p = s;
	bool neg = false, digits = false;
	i128 m = 0;
	int scale = 0, exp2 = 0;

	if (!s)
		return false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; is_digit(*p); p++) {
		m = m * 10 + (*p - '0');
		digits = true;
		if (m > (i128)1 << 100)
			return false;
	}
	if (*p == '.') {
		for (p++; is_digit(*p); p++) {
			m = m * 10 + (*p - '0');
			scale--;
			digits = true;
			if (m > (i128)1 << 100)
				return false;
		}
	}
	if (!digits)
		return false;
	q->fmt = QF_DECIMAL_SI;
	/* "E" and "Ei" are suffixes (exa, exbi); an exponent has digits */
	if ((*p == 'e' || *p == 'E') &&
	    (is_digit(p[1]) || ((p[1] == '+' || p[1] == '-') && is_digit(p[2])))) {
		long e = strtol(p + 1, (char **)&p, 10);

		if (e < -30 || e > 30)
			return false;
		scale += (int)e;
		q->fmt = QF_DECIMAL_EXP;
	} else if (*p) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(sfx); i++)
			if (!strcmp(p, sfx[i].sfx))
				break;
		if (i == ARRAY_SIZE(sfx))
			return false;
		scale += sfx[i].exp10;
		exp2 = sfx[i].exp2;
		if (exp2)
			q->fmt = QF_BINARY_SI;
		p += strlen(sfx[i].sfx);
	}
	if (*p)
		return false;
	if (exp2) {
		/* checked before the shift: 2^100 Ei would wrap an i128 to 0 */
		if (m > (i128)1 << (120 - exp2))
			return false;
		m <<= exp2;
	}
	/* Go keeps at most nano precision, rounding up (away from zero). */
	while (scale < -9) {
		m = m / 10 + (m % 10 != 0);
		scale++;
	}
	/* Normalise: drop trailing zeros of fractions, then fit in int64. */
	while (scale < 0 && m % 10 == 0 && m) {
		m /= 10;
		scale++;
	}
	/* more digits than an int64 holds: keep 18 or 19 of them, rounded up
	 * (away from zero), as Go rounds what it cannot hold exactly */
	while (m > INT64_MAX) {
		m = m / 10 + (m % 10 != 0);
		scale++;
	}
	q->v = neg ? -(int64_t)m : (int64_t)m;
	q->scale = scale;
	if (q->v == 0)
		q->scale = 0;
	return true;
}

/* Decimal digits of |v| plus the scale: the order of magnitude of q. */
static int magnitude(const struct k8s_qty *q)
{
	uint64_t u = q->v < 0 ? (uint64_t)0 - (uint64_t)q->v : (uint64_t)q->v;
	int d = 0;

	for (; u; u /= 10)
		d++;
	return d + q->scale;
}

/* a and b brought to the same (smaller) scale */
static void align(const struct k8s_qty *a, const struct k8s_qty *b, i128 *x, i128 *y, int *scale)
{
	int s = a->scale < b->scale ? a->scale : b->scale;

	*x = (i128)a->v * pow10i(a->scale - s);
	*y = (i128)b->v * pow10i(b->scale - s);
	*scale = s;
}

bool k8s_qty_add(struct k8s_qty *a, const struct k8s_qty *b)
{
	i128 x, y, r;
	int s;

	if (a->v == 0)
		a->fmt = b->fmt;
	if (b->v == 0)
		return true;
	if (a->v && abs(a->scale - b->scale) > 18) {
		/* far apart: the smaller is below the larger's last digit; the
		 * sum is the larger, rounded up (away from zero) when both
		 * have the same sign */
		const struct k8s_qty *big = magnitude(a) >= magnitude(b) ? a : b;
		bool same = (a->v > 0) == (b->v > 0);
		struct k8s_qty r2 = *big;

		if (same && r2.v != INT64_MAX && r2.v != -INT64_MAX)
			r2.v += r2.v > 0 ? 1 : -1;
		r2.fmt = a->fmt;
		*a = r2;
		return true;
	}
	align(a, b, &x, &y, &s);
	r = x + y;
	while (s < 0 && r % 10 == 0 && r) {
		r /= 10;
		s++;
	}
	while (r > INT64_MAX || r < -INT64_MAX) {
		r = r / 10 + (r % 10 > 0) - (r % 10 < 0);
		s++;
	}
	a->v = (int64_t)r;
	a->scale = r ? s : 0;
	return true;
}

int k8s_qty_cmp(const struct k8s_qty *a, const struct k8s_qty *b)
{
	int sa = (a->v > 0) - (a->v < 0), sb = (b->v > 0) - (b->v < 0);
	int ma, mb;
	i128 x, y;
	int s;

	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (!sa)
		return 0;
	/* scales far apart (1e30 against 1n) would overflow the alignment:
	 * the larger magnitude decides, and equal magnitudes are close */
	ma = magnitude(a);
	mb = magnitude(b);
	if (ma != mb)
		return (ma < mb) == (sa > 0) ? -1 : 1;
	align(a, b, &x, &y, &s);
	return x < y ? -1 : x > y;
}

static int64_t scaled_ceil(const struct k8s_qty *q, int to)
{
	i128 v = q->v;
	int s = q->scale - to;

	if (s >= 0) {
		/* a value too large for an int64 saturates, visibly, not wraps */
		if (s > 18 || v * pow10i(s) > INT64_MAX)
			return v < 0 ? INT64_MIN : INT64_MAX;
		if (v * pow10i(s) < -INT64_MAX)
			return INT64_MIN;
		return (int64_t)(v * pow10i(s));
	}
	if (-s > 36)
		return v > 0 ? 1 : 0;	/* smaller than one unit: ceil of a positive is 1 */
	{
		i128 d = pow10i(-s), r = v / d;

		if (v % d && v > 0)
			r++;
		return (int64_t)r;
	}
}

int64_t k8s_qty_milli(const struct k8s_qty *q)
{
	return scaled_ceil(q, -3);
}

int64_t k8s_qty_value(const struct k8s_qty *q)
{
	return scaled_ceil(q, 0);
}

static void decimal_canonical(i128 m, int e, bool exp_fmt, char *out, size_t n)
{
	static const char *const si[] = { "n", "u", "m", "", "k", "M", "G", "T", "P", "E" };
	char digits[64];
	int len = 0;
	bool neg = m < 0;

	if (neg)
		m = -m;
	while (m && m % 10 == 0) {
		m /= 10;
		e++;
	}
	switch (((e % 3) + 3) % 3) {
	case 1:
		m *= 10;
		e--;
		break;
	case 2:
		m *= 100;
		e -= 2;
		break;
	}
	do {
		digits[len++] = (char)('0' + (int)(m % 10));
		m /= 10;
	} while (m && len < (int)sizeof(digits) - 1);
	{
		char num[64];
		int k = 0;

		if (neg)
			num[k++] = '-';
		while (len)
			num[k++] = digits[--len];
		num[k] = '\0';
		if (!exp_fmt && e >= -9 && e <= 18)
			snprintf(out, n, "%s%s", num, si[(e + 9) / 3]);
		else if (e == 0)
			snprintf(out, n, "%s", num);
		else
			snprintf(out, n, "%se%d", num, e);
	}
}

void k8s_qty_string(const struct k8s_qty *q, char *out, size_t n)
{
	static const char *const bin[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
	i128 v = q->v;

	if (v == 0) {
		snprintf(out, n, "0");
		return;
	}
	if (q->fmt == QF_BINARY_SI) {
		struct k8s_qty lo = { -1024, 0, 0 }, hi = { 1024, 0, 0 };

		if (k8s_qty_cmp(q, &lo) > 0 && k8s_qty_cmp(q, &hi) < 0) {
			decimal_canonical(v, q->scale, false, out, n);
			return;
		}
		if (q->scale >= 0) {
			i128 x = v * pow10i(q->scale);
			bool neg = x < 0;
			int e = 0;
			char num[64];
			int len = 0;
			char digits[64];

			if (neg)
				x = -x;
			while (x % 1024 == 0 && e < 6) {
				x /= 1024;
				e++;
			}
			do {
				digits[len++] = (char)('0' + (int)(x % 10));
				x /= 10;
			} while (x && len < 60);
			{
				int k = 0;

				if (neg)
					num[k++] = '-';
				while (len)
					num[k++] = digits[--len];
				num[k] = '\0';
			}
			snprintf(out, n, "%s%s", num, bin[e]);
			return;
		}
		/* not a whole number of bytes: shown as DecimalSI */
	}
	decimal_canonical(v, q->scale, q->fmt == QF_DECIMAL_EXP, out, n);
}

/* --- pods ---------------------------------------------------------------- */

static bool qty_of(json_t *list, const char *resource, struct k8s_qty *q)
{
	return k8s_qty_parse(json_string_value(json_object_get(list, resource)), q);
}

static void qty_max(struct k8s_qty *into, bool *has, const struct k8s_qty *q)
{
	if (!*has || k8s_qty_cmp(q, into) > 0)
		*into = *q;
	*has = true;
}

static json_t *status_of(json_t *pod, const char *name)
{
	json_t *a = k8s_at(pod, "status.containerStatuses"), *e;
	size_t i;

	json_array_foreach(a, i, e)
		if (!strcmp(k8s_str(e, "name", ""), name))
			return e;
	return NULL;
}

static bool restartable(json_t *c)
{
	return !strcmp(k8s_str(c, "restartPolicy", ""), "Always");
}

static void one_side(json_t *pod, const char *resource, bool limits, struct k8s_qty *out)
{
	const char *field = limits ? "resources.limits" : "resources.requests";
	json_t *cs = k8s_at(pod, "spec.containers"), *ics = k8s_at(pod, "spec.initContainers"), *c;
	struct k8s_qty sum = { 0 }, sidecars = { 0 }, init = { 0 }, q;
	bool has_sum = false, has_init = false, has_sidecars = false;
	size_t i;

	json_array_foreach(cs, i, c) {
		struct k8s_qty cq = { 0 };
		bool has = qty_of(k8s_at(c, field), resource, &cq);

		if (!limits) {
			json_t *st = status_of(pod, k8s_str(c, "name", ""));
			json_t *applied = st ? k8s_at(st, "resources.requests") : NULL;
			struct k8s_qty aq;
			bool has_applied = applied && qty_of(applied, resource, &aq);

			/* in-place resize, as kubectl 1.32 counts it: the larger of
			 * the spec and what the kubelet applied (status resources);
			 * a resize the node refused (Infeasible) leaves what was
			 * applied alone.  Limits stay the spec's. */
			if (applied && !strcmp(k8s_str(pod, "status.resize", ""), "Infeasible")) {
				has = has_applied;
				if (has)
					cq = aq;
			} else if (has_applied && (!has || k8s_qty_cmp(&aq, &cq) > 0)) {
				cq = aq;
				has = true;
			}
		}
		if (has) {
			k8s_qty_add(&sum, &cq);
			has_sum = true;
		}
	}
	json_array_foreach(ics, i, c) {
		bool has = qty_of(k8s_at(c, field), resource, &q);

		if (restartable(c)) {
			if (has) {
				k8s_qty_add(&sum, &q);
				k8s_qty_add(&sidecars, &q);
				has_sum = has_sidecars = true;
			}
			if (has_sidecars)
				qty_max(&init, &has_init, &sidecars);
		} else {
			struct k8s_qty t = { 0 };
			bool ht = false;

			if (has) {
				k8s_qty_add(&t, &q);
				ht = true;
			}
			if (has_sidecars) {
				k8s_qty_add(&t, &sidecars);
				ht = true;
			}
			if (ht)
				qty_max(&init, &has_init, &t);
		}
	}
	if (has_init)
		qty_max(&sum, &has_sum, &init);
	if (qty_of(k8s_at(pod, "spec.overhead"), resource, &q) && (!limits || has_sum))
		k8s_qty_add(&sum, &q);
	*out = sum;
}

void k8s_pod_resource(json_t *pod, const char *resource, struct k8s_qty *req, struct k8s_qty *lim)
{
	one_side(pod, resource, false, req);
	one_side(pod, resource, true, lim);
}

static bool initialized(json_t *pod)
{
	json_t *a = k8s_at(pod, "status.conditions"), *c;
	size_t i;

	json_array_foreach(a, i, c)
		if (!strcmp(k8s_str(c, "type", ""), "Initialized") &&
		    !strcmp(k8s_str(c, "status", ""), "True"))
			return true;
	return false;
}

static bool has_ready_condition(json_t *pod)
{
	json_t *a = k8s_at(pod, "status.conditions"), *c;
	size_t i;

	json_array_foreach(a, i, c)
		if (!strcmp(k8s_str(c, "type", ""), "Ready") &&
		    !strcmp(k8s_str(c, "status", ""), "True"))
			return true;
	return false;
}

static json_t *init_spec(json_t *pod, const char *name)
{
	json_t *a = k8s_at(pod, "spec.initContainers"), *c;
	size_t i;

	json_array_foreach(a, i, c)
		if (!strcmp(k8s_str(c, "name", ""), name))
			return c;
	return NULL;
}

static void terminated_reason(json_t *t, const char *prefix, char *out, size_t n)
{
	const char *r = k8s_str(t, "reason", "");
	json_int_t sig = json_integer_value(json_object_get(t, "signal"));

	if (*r)
		snprintf(out, n, "%s%s", prefix, r);
	else if (sig)
		snprintf(out, n, "%sSignal:%lld", prefix, (long long)sig);
	else
		snprintf(out, n, "%sExitCode:%lld", prefix,
			 (long long)json_integer_value(json_object_get(t, "exitCode")));
}

/* printPod of kubernetes/pkg/printers/internalversion/printers.go */
void k8s_pod_state(json_t *pod, struct k8s_pod_state *st)
{
	json_t *ics = k8s_at(pod, "status.initContainerStatuses");
	json_t *cs = k8s_at(pod, "status.containerStatuses"), *c;
	size_t i, ninit = json_array_size(k8s_at(pod, "spec.initContainers"));
	bool initializing = false;
	const char *phase = k8s_str(pod, "status.phase", "");

	memset(st, 0, sizeof(*st));
	snprintf(st->status, sizeof(st->status), "%s",
		 *k8s_str(pod, "status.reason", "") ? k8s_str(pod, "status.reason", "") : phase);
	st->total = (int)json_array_size(k8s_at(pod, "spec.containers"));
	json_array_foreach(k8s_at(pod, "spec.initContainers"), i, c)
		if (restartable(c))
			st->total++;
	json_array_foreach(ics, i, c) {
		json_t *term = k8s_at(c, "state.terminated"), *wait = k8s_at(c, "state.waiting");
		json_t *spec = init_spec(pod, k8s_str(c, "name", ""));

		st->restarts += (long)json_integer_value(json_object_get(c, "restartCount"));
		if (!strcmp(k8s_str(wait, "reason", ""), "CrashLoopBackOff"))
			st->crashloop = true;
		if (term && json_integer_value(json_object_get(term, "exitCode")) == 0)
			continue;
		if (spec && restartable(spec) && json_is_true(json_object_get(c, "started"))) {
			if (json_is_true(json_object_get(c, "ready")))
				st->ready++;
			continue;
		}
		if (term)
			terminated_reason(term, "Init:", st->status, sizeof(st->status));
		else if (wait && *k8s_str(wait, "reason", "") &&
			 strcmp(k8s_str(wait, "reason", ""), "PodInitializing"))
			snprintf(st->status, sizeof(st->status), "Init:%s", k8s_str(wait, "reason", ""));
		else
			snprintf(st->status, sizeof(st->status), "Init:%zu/%zu", i, ninit);
		initializing = true;
		break;
	}
	if (!initializing || initialized(pod)) {
		bool running = false;

		st->restarts = 0;
		for (i = json_array_size(cs); i-- > 0;) {
			json_t *e = json_array_get(cs, i);
			json_t *term = k8s_at(e, "state.terminated"), *wait = k8s_at(e, "state.waiting");

			st->restarts += (long)json_integer_value(json_object_get(e, "restartCount"));
			if (wait && *k8s_str(wait, "reason", "")) {
				snprintf(st->status, sizeof(st->status), "%s", k8s_str(wait, "reason", ""));
				if (!strcmp(k8s_str(wait, "reason", ""), "CrashLoopBackOff"))
					st->crashloop = true;
			} else if (term) {
				terminated_reason(term, "", st->status, sizeof(st->status));
			} else if (json_is_true(json_object_get(e, "ready")) &&
				   k8s_at(e, "state.running")) {
				running = true;
				st->ready++;
			}
		}
		if (!strcmp(st->status, "Completed") && running)
			snprintf(st->status, sizeof(st->status), "%s",
				 has_ready_condition(pod) ? "Running" : "NotReady");
	}
	if (k8s_at(pod, "metadata.deletionTimestamp") &&
	    !json_is_null(k8s_at(pod, "metadata.deletionTimestamp"))) {
		st->terminating = true;
		if (!strcmp(k8s_str(pod, "status.reason", ""), "NodeLost"))
			snprintf(st->status, sizeof(st->status), "Unknown");
		else if (strcmp(phase, "Succeeded") && strcmp(phase, "Failed"))
			snprintf(st->status, sizeof(st->status), "Terminating");
	}
	st->static_pod = json_object_get(k8s_at(pod, "metadata.annotations"),
					 "kubernetes.io/config.mirror") != NULL;
	json_array_foreach(k8s_at(pod, "metadata.ownerReferences"), i, c)
		if (!strcmp(k8s_str(c, "kind", ""), "Node"))
			st->static_pod = true;
}

void k8s_event_age(json_t *ev, double now, char *out, size_t n)
{
	char first[32], last[32];
	const char *et = k8s_str(ev, "eventTime", NULL);
	json_t *series = json_object_get(ev, "series");
	json_int_t count = json_integer_value(json_object_get(ev, "count"));

	if (et && *et)
		k8s_age(et, now, first, sizeof(first));
	else
		k8s_age(k8s_str(ev, "firstTimestamp", NULL), now, first, sizeof(first));
	if (json_is_object(series)) {
		k8s_age(k8s_str(series, "lastObservedTime", NULL), now, last, sizeof(last));
		snprintf(out, n, "%s (x%lld over %s)", last,
			 (long long)json_integer_value(json_object_get(series, "count")), first);
	} else if (count > 1) {
		k8s_age(k8s_str(ev, "lastTimestamp", NULL), now, last, sizeof(last));
		snprintf(out, n, "%s (x%lld over %s)", last, (long long)count, first);
	} else {
		snprintf(out, n, "%s", first);
	}
}

const char *k8s_event_source(json_t *ev)
{
	const char *s = k8s_str(ev, "source.component", "");

	return *s ? s : k8s_str(ev, "reportingController", "");
}
