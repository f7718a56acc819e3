#include "base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool base64_decode(const char *s, size_t n, struct buf *out)
{
	unsigned acc = 0, bits = 0;
	bool pad = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int v;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == '=') {
			pad = true;
			continue;
		}
		if (pad || (v = value(c)) < 0)
			return false;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)((acc >> bits) & 0xff));
		}
	}
	/* Leftover bits must be padding zeros of a final partial group. */
	return bits < 6 && (acc & ((1u << bits) - 1)) == 0;
}

void base64_encode(const void *data, size_t n, struct buf *out)
{
	const unsigned char *p = data;

	if (!n)
		return;
	buf_grow(out, (n + 2) / 3 * 4);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		size_t left = n - i;

		if (left > 1)
			v |= (unsigned)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		buf_addc(out, alphabet[(v >> 18) & 63]);
		buf_addc(out, alphabet[(v >> 12) & 63]);
		buf_addc(out, left > 1 ? alphabet[(v >> 6) & 63] : '=');
		buf_addc(out, left > 2 ? alphabet[v & 63] : '=');
	}
}
