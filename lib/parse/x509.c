/* A bounded DER walk: every length is checked against what encloses it,
 * only the short tags X.509 uses are accepted. */
#include "x509.h"

#include "base64.h"

#include <stdio.h>
#include <string.h>

struct tlv {
	unsigned char tag;
	const unsigned char *v;
	size_t len;
};

/* Read one TLV from [*p, end); advance *p past it. */
static bool tlv_next(const unsigned char **p, const unsigned char *end, struct tlv *t)
{
	const unsigned char *q = *p;
	size_t len = 0;

	if (end - q < 2)
		return false;
	t->tag = *q++;
	if ((t->tag & 0x1f) == 0x1f)
		return false;	/* high tag numbers: not in a certificate */
	if (*q < 0x80) {
		len = *q++;
	} else {
		unsigned k = *q++ & 0x7f;

		if (k == 0 || k > 4 || (size_t)(end - q) < k)
			return false;
		while (k--)
			len = len << 8 | *q++;
	}
	if (len > (size_t)(end - q))
		return false;
	t->v = q;
	t->len = len;
	*p = q + len;
	return true;
}

static bool digits(const unsigned char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* UTCTime YYMMDDHHMMSSZ (RFC 5280: YY < 50 is 20YY) or GeneralizedTime
 * YYYYMMDDHHMMSSZ. */
static bool asn1_time(const struct tlv *t, int64_t *out)
{
	unsigned y, mo, d, h, mi, s;
	const unsigned char *v = t->v;
	size_t yl;

	if (t->tag == 0x17 && t->len == 13)
		yl = 2;
	else if (t->tag == 0x18 && t->len == 15)
		yl = 4;
	else
		return false;
	if (v[t->len - 1] != 'Z' || !digits(v, yl, &y) || !digits(v + yl, 2, &mo) ||
	    !digits(v + yl + 2, 2, &d) || !digits(v + yl + 4, 2, &h) || !digits(v + yl + 6, 2, &mi) ||
	    !digits(v + yl + 8, 2, &s))
		return false;
	if (yl == 2)
		y += y < 50 ? 2000 : 1900;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return true;
}

/* The commonName (OID 2.5.4.3) of a Name: SEQUENCE OF SET OF
 * SEQUENCE { OID, value }. */
static void name_cn(const struct tlv *name, char *out, size_t n)
{
	static const unsigned char cn_oid[] = { 0x55, 0x04, 0x03 };
	const unsigned char *p = name->v, *end = name->v + name->len;
	struct tlv set, atv, oid, val;

	*out = '\0';
	while (p < end && tlv_next(&p, end, &set)) {
		const unsigned char *q = set.v, *qe = set.v + set.len;

		while (q < qe && tlv_next(&q, qe, &atv)) {
			const unsigned char *r = atv.v, *re = atv.v + atv.len;

			if (!tlv_next(&r, re, &oid) || !tlv_next(&r, re, &val))
				continue;
			if (oid.tag == 0x06 && oid.len == sizeof(cn_oid) &&
			    !memcmp(oid.v, cn_oid, sizeof(cn_oid))) {
				size_t l = val.len < n - 1 ? val.len : n - 1;

				for (size_t i = 0; i < l; i++)
					out[i] = val.v[i] >= 0x20 && val.v[i] < 0x7f ? (char)val.v[i] : '?';
				out[l] = '\0';
			}
		}
	}
}

int x509_der_validity(const unsigned char *der, size_t n, struct x509_info *out,
		      struct sbx_err *err)
{
	static const unsigned char none[1];
	const unsigned char *p, *end, *q, *qe;
	struct tlv cert, tbs, t, validity, nb, na;

	/* an empty PEM body decodes to no bytes at all (and maybe NULL) */
	if (!der || !n)
		der = none, n = 0;
	p = der;
	end = der + n;
	memset(out, 0, sizeof(*out));
	if (!tlv_next(&p, end, &cert) || cert.tag != 0x30) {
		sbx_err_set(err, 0, "not a DER certificate (no outer SEQUENCE)");
		return -1;
	}
	q = cert.v;
	qe = cert.v + cert.len;
	if (!tlv_next(&q, qe, &tbs) || tbs.tag != 0x30) {
		sbx_err_set(err, 0, "certificate without tbsCertificate");
		return -1;
	}
	q = tbs.v;
	qe = tbs.v + tbs.len;
	/* [0] version (optional), serial, signature algorithm, issuer, validity, subject */
	if (!tlv_next(&q, qe, &t))
		goto bad;
	if (t.tag == 0xa0 && !tlv_next(&q, qe, &t))
		goto bad;
	if (t.tag != 0x02 || !tlv_next(&q, qe, &t) || t.tag != 0x30 || !tlv_next(&q, qe, &t) ||
	    t.tag != 0x30 || !tlv_next(&q, qe, &validity) || validity.tag != 0x30)
		goto bad;
	p = validity.v;
	end = validity.v + validity.len;
	if (!tlv_next(&p, end, &nb) || !tlv_next(&p, end, &na) || !asn1_time(&nb, &out->not_before) ||
	    !asn1_time(&na, &out->not_after)) {
		sbx_err_set(err, 0, "certificate validity is not two UTCTime/GeneralizedTime values");
		return -1;
	}
	if (tlv_next(&q, qe, &t) && t.tag == 0x30)
		name_cn(&t, out->cn, sizeof(out->cn));
	return 0;
bad:
	sbx_err_set(err, 0, "certificate fields before validity are malformed");
	return -1;
}

static const char *find(const char *s, const char *end, const char *needle)
{
	size_t l = strlen(needle);

	for (; s && (size_t)(end - s) >= l; s++)
		if (*s == *needle && !memcmp(s, needle, l))
			return s;
	return NULL;
}

int pem_certs(const char *text, size_t n, struct x509_info *out, size_t max, struct sbx_err *err)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----", endm[] = "-----END CERTIFICATE-----";
	const char *p = text, *end = text + n;
	struct buf der = { 0 };
	int found = 0;

	while ((p = find(p, end, begin))) {
		const char *b = p + sizeof(begin) - 1, *e = find(b, end, endm);
		struct x509_info info;

		if (!e) {
			sbx_err_set(err, 0, "certificate %d: no END CERTIFICATE line (truncated?)", found + 1);
			goto fail;
		}
		buf_reset(&der);
		if (!base64_decode(b, (size_t)(e - b), &der)) {
			sbx_err_set(err, 0, "certificate %d: bad base64", found + 1);
			goto fail;
		}
		if (x509_der_validity((const unsigned char *)der.s, der.len, &info, err) < 0) {
			char m[sizeof(err->msg)];

			snprintf(m, sizeof(m), "%s", err->msg);
			sbx_err_set(err, 0, "certificate %d: %s", found + 1, m);
			goto fail;
		}
		if ((size_t)found < max)
			out[found] = info;
		found++;
		p = e + sizeof(endm) - 1;
	}
	buf_free(&der);
	return found;
fail:
	buf_free(&der);
	return -1;
}
