#include "json_proj.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { LEX_OUT, LEX_STR, LEX_ESC, LEX_LIT };

/* What a container expects next. */
enum { E_VALUE, E_KEY_OR_END, E_KEY, E_COLON, E_COMMA_OR_END, E_VALUE_OR_END, E_DONE };

void jproj_init(struct jproj *p, const char *const *drop, struct buf *out, size_t max_out)
{
	size_t total = 0;
	char *s;

	memset(p, 0, sizeof(*p));
	p->out = out;
	p->max_out = max_out;
	for (size_t i = 0; drop && drop[i] && i < JPROJ_MAX_PATHS; i++)
		total += strlen(drop[i]) + 1;
	s = p->paths = xmalloc(total + 1);
	for (size_t i = 0; drop && drop[i] && i < JPROJ_MAX_PATHS; i++) {
		unsigned n = 0;

		bool mark = drop[i][0] == '+' || drop[i][0] == '=';

		if (drop[i][0] == '+')
			p->keep |= 1ull << i;
		if (drop[i][0] == '=')
			p->capture |= 1ull << i;
		strcpy(s, drop[i] + mark);
		for (char *c = s; n < JPROJ_MAX_DEPTH;) {
			char *dot = strchr(c, '.');

			p->comp[i][n++] = c;
			if (!dot)
				break;
			*dot = '\0';
			c = dot + 1;
		}
		p->ncomp[i] = n;
		s += strlen(drop[i]) + 1;
		p->npaths++;
	}
	p->fr[0].type = 'T';
	p->fr[0].expect = E_VALUE;
	p->fr[0].mask = p->npaths >= 64 ? ~0ull : (1ull << p->npaths) - 1;
}

void jproj_capture(struct jproj *p, jproj_value_cb cb, void *arg)
{
	p->on_value = cb;
	p->arg = arg;
}

void jproj_free(struct jproj *p)
{
	free(p->paths);
	buf_free(&p->key);
	buf_free(&p->val);
	p->paths = NULL;
}

long jproj_index(const struct jproj *p, int d)
{
	return d >= 1 && d <= p->depth && p->fr[d].type == '[' ? p->fr[d].index : -1;
}

const char *jproj_name(const struct jproj *p, int d)
{
	return d >= 1 && d <= p->depth && p->fr[d].type == '{' ? p->fr[d].name : "";
}

bool jproj_unescape(const char *s, size_t n, struct buf *out)
{
	struct buf q = { 0 };
	json_t *j;

	if (!n)
		return true;	/* also an object or array where a string was expected: s is NULL */
	if (!memchr(s, '\\', n)) {
		buf_add(out, s, n);
		return true;
	}
	buf_addc(&q, '"');
	buf_add(&q, s, n);
	buf_addc(&q, '"');
	j = json_loadb(q.s, q.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	buf_free(&q);
	if (!json_is_string(j)) {
		json_decref(j);
		return false;
	}
	buf_add(out, json_string_value(j), json_string_length(j));
	json_decref(j);
	return true;
}

static int fail(struct jproj *p, const char *why)
{
	if (!p->error)
		p->error = why;
	return -1;
}

/* Text out: the projected document, or in capture mode the scalar. */
static void emit(struct jproj *p, const char *s, size_t n)
{
	if (p->skipping)
		return;
	if (p->on_value) {
		if (p->cur_cap)
			buf_add(&p->val, s, n);
		return;
	}
	buf_add(p->out, s, n);
}

/* Structure out (separators, keys): none in capture mode. */
static void emit_struct(struct jproj *p, const char *s, size_t n)
{
	if (!p->skipping && !p->on_value)
		buf_add(p->out, s, n);
}

static void deliver(struct jproj *p, uint64_t cap, const char *s, size_t n, char type)
{
	for (unsigned i = 0; cap && i < p->npaths; i++)
		if (cap & (1ull << i)) {
			p->on_value(p->arg, i, p, s, n, type);
			cap &= ~(1ull << i);
		}
}

/* Paths in `mask` whose component at `idx` matches `name` (NULL: an array
 * element, matched only by "*"); *drop when a drop path ends there and no
 * keep path goes through or ends there. */
static uint64_t match(struct jproj *p, uint64_t mask, unsigned idx, const char *name, bool *drop)
{
	uint64_t m = 0, cap = 0;
	bool ends = false;

	/* only the paths still alive: a row's members meet a few of 50 */
	for (uint64_t left = mask; left; left &= left - 1) {
		unsigned i = (unsigned)__builtin_ctzll(left);
		const char *c;

		if (idx >= p->ncomp[i])
			continue;
		c = p->comp[i][idx];
		if (!(c[0] == '*' && !c[1]) && (!name || c[0] != name[0] || strcmp(c, name)))
			continue;
		m |= 1ull << i;
		if (idx + 1 == p->ncomp[i]) {
			if (p->capture & (1ull << i))
				cap |= 1ull << i;
			else if (!(p->keep & (1ull << i)))
				ends = true;
		}
	}
	*drop = ends && !(m & (p->keep | p->capture));
	p->value_cap = cap;
	return m & ~cap;
}

static int begin_value_(struct jproj *p);

/* A value starts in the current container; in capture mode, note whether
 * it is one to hand over. */
static int begin_value(struct jproj *p)
{
	if (begin_value_(p) < 0)
		return -1;
	p->cur_cap = p->skipping || !p->on_value ? 0 : p->value_cap;
	if (p->cur_cap)
		buf_reset(&p->val);
	return 0;
}

/* A scalar is complete: hand it over if it is captured. */
static void end_scalar(struct jproj *p, char type)
{
	if (p->cur_cap && !p->skipping)
		deliver(p, p->cur_cap, p->val.s ? p->val.s : "", p->val.len, type);
	p->cur_cap = 0;
}

static int begin_value_(struct jproj *p)
{
	struct jproj_frame *f = &p->fr[p->depth];
	bool drop = false;

	switch (f->type) {
	case 'T':
		if (f->expect != E_VALUE)
			return fail(p, "more than one value");
		p->value_mask = f->mask;
		p->value_cap = 0;
		f->expect = E_DONE;
		return 0;
	case '[':
		if (f->expect != E_VALUE && f->expect != E_VALUE_OR_END)
			return fail(p, "missing ',' between array elements");
		f->index += f->expect == E_VALUE;	/* after a ',' */
		if (p->skipping) {
			p->value_mask = p->value_cap = 0;
		} else {
			p->value_mask = match(p, f->mask, (unsigned)p->depth - 1, NULL, &drop);
			if (drop) {
				p->skipping = true;
				p->skip_at = p->depth;
			}
		}
		if (f->any)
			emit_struct(p, ",", 1);
		if (!p->skipping)
			f->any = true;
		f->expect = E_COMMA_OR_END;
		return 0;
	default:
		if (f->expect != E_VALUE)
			return fail(p, "a value where a member name belongs");
		if (p->value_drop && !p->skipping) {
			p->skipping = true;
			p->skip_at = p->depth;
		}
		f->expect = E_COMMA_OR_END;
		return 0;
	}
}

/* The value that began at the current depth is complete. */
static void end_value(struct jproj *p)
{
	if (p->skipping && p->skip_at == p->depth)
		p->skipping = false;
	if (p->depth == 0)
		p->done = true;
}

static int end_key(struct jproj *p)
{
	struct jproj_frame *f = &p->fr[p->depth];

	p->in_key = false;
	f->expect = E_COLON;
	if (p->skipping) {
		p->value_drop = false;
		p->value_mask = p->value_cap = 0;
		return 0;
	}
	{
		size_t l = p->key.len < sizeof(f->name) - 1 ? p->key.len : sizeof(f->name) - 1;

		memcpy(f->name, p->key.s ? p->key.s : "", l);
		f->name[l] = '\0';
	}
	p->value_mask = match(p, f->mask, (unsigned)p->depth - 1, p->key.s ? p->key.s : "",
			      &p->value_drop);
	if (p->value_drop)
		return 0;
	if (p->on_value) {
		f->any = true;
		return 0;
	}
	if (f->any)
		buf_addc(p->out, ',');
	f->any = true;
	buf_addc(p->out, '"');
	buf_add(p->out, p->key.s ? p->key.s : "", p->key.len);
	buf_add(p->out, "\":", 2);
	return 0;
}

static bool is_lit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' || c == '.' ||
	       c == 'E';
}

/* Field by field: zeroing a whole frame (its name) per bracket costs more
 * than everything else done for the bracket. */
static void push(struct jproj *p, char type, uint64_t mask, uint64_t cap)
{
	struct jproj_frame *f = &p->fr[++p->depth];

	f->type = type;
	f->expect = type == '{' ? E_KEY_OR_END : E_VALUE_OR_END;
	f->any = false;
	f->mask = mask;
	f->cap = cap;
	f->index = 0;
	f->name[0] = '\0';
}

/* What ends a run of bytes in a dropped container. */
static const unsigned char stop_byte[256] = {
	['"'] = 1, ['{'] = 1, ['['] = 1, ['}'] = 1, [']'] = 1,
};

int jproj_feed(struct jproj *p, const char *s, size_t n)
{
	size_t i = 0;

	if (p->error)
		return -1;
	while (i < n) {
		char c;

		/* Inside a dropped object or array only brackets and strings
		 * matter: most of a page (images, managedFields) goes by here. */
		if (p->skipping && p->depth > p->skip_at && p->lex == LEX_OUT) {
			while (i < n && !stop_byte[(unsigned char)s[i]])
				i++;
			if (i == n)
				break;
			c = s[i];
			if (c == '"') {
				/* the string in one go, as far as this chunk goes */
				const char *q = memchr(s + i + 1, '"', n - i - 1);

				if (q && !memchr(s + i + 1, '\\', (size_t)(q - s - i - 1))) {
					i = (size_t)(q - s) + 1;
					continue;
				}
				p->lex = LEX_STR;
				i++;
				continue;
			}
			if (c == '{' || c == '[') {
				if (p->depth >= JPROJ_MAX_DEPTH)
					return fail(p, "nested too deep");
				push(p, c, 0, 0);
				i++;
				continue;
			}
			if (p->fr[p->depth].type != (c == '}' ? '{' : '['))
				return fail(p, "unbalanced brackets");
			if (p->depth > p->skip_at + 1) {
				p->depth--;
				i++;
				continue;
			}
			/* the dropped container's own end: the checks below */
		}
		c = s[i];
		if (p->lex == LEX_OUT && (c == ' ' || c == '\n' || c == '\t' || c == '\r')) {
			/* a run of blanks (pretty-printed JSON, or a body padded
			 * to inflate) in one tight loop */
			while (++i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'))
				;
			continue;
		}
		if (p->lex == LEX_STR) {
			/* strings are most of the bytes: let memchr run over them */
			const char *q = memchr(s + i, '"', n - i);
			const char *bs = memchr(s + i, '\\', (size_t)((q ? q : s + n) - (s + i)));
			size_t j = (size_t)((bs ? bs : q ? q : s + n) - s);

			if (p->in_key) {
				if (!p->skipping)
					buf_add(&p->key, s + i, j - i);
			} else {
				emit(p, s + i, j - i);
			}
			if (j == n) {
				i = j;
				break;
			}
			if (s[j] == '\\') {
				if (p->in_key && !p->skipping)
					buf_addc(&p->key, '\\');
				else
					emit(p, "\\", 1);
				p->lex = LEX_ESC;
				i = j + 1;
				continue;
			}
			i = j + 1;
			p->lex = LEX_OUT;
			if (p->in_key) {
				end_key(p);
			} else {
				emit_struct(p, "\"", 1);
				end_scalar(p, 's');
				end_value(p);
			}
			continue;
		}
		if (p->lex == LEX_ESC) {
			if (p->in_key && !p->skipping)
				buf_addc(&p->key, c);
			else
				emit(p, &c, 1);
			p->lex = LEX_STR;
			i++;
			continue;
		}
		if (p->lex == LEX_LIT) {
			if (is_lit(c)) {
				emit(p, &c, 1);
				i++;
				continue;
			}
			p->lex = LEX_OUT;
			end_scalar(p, 'l');
			end_value(p);
			/* c is looked at again below */
		}
		switch (c) {
		case ' ':
		case '\t':
		case '\n':
		case '\r':
			break;
		case '{':
		case '[':
			if (p->done)
				return fail(p, "data after the end of the document");
			if (begin_value(p) < 0)
				return -1;
			if (p->depth >= JPROJ_MAX_DEPTH)
				return fail(p, "nested too deep");
			emit_struct(p, &c, 1);
			push(p, c, p->value_mask, p->cur_cap);
			p->cur_cap = 0;
			break;
		case '}':
		case ']': {
			struct jproj_frame *f = &p->fr[p->depth];

			if (f->type != (c == '}' ? '{' : '['))
				return fail(p, "unbalanced brackets");
			if (f->expect != E_COMMA_OR_END &&
			    f->expect != (c == '}' ? E_KEY_OR_END : E_VALUE_OR_END))
				return fail(p, "a separator before the closing bracket");
			emit_struct(p, &c, 1);
			p->depth--;
			if (f->cap && !p->skipping)
				deliver(p, f->cap, NULL, 0, 'e');
			end_value(p);
			break;
		}
		case ',': {
			struct jproj_frame *f = &p->fr[p->depth];

			if (f->type == 'T' || f->expect != E_COMMA_OR_END)
				return fail(p, "misplaced ','");
			f->expect = f->type == '{' ? E_KEY : E_VALUE;
			break;
		}
		case ':': {
			struct jproj_frame *f = &p->fr[p->depth];

			if (f->type != '{' || f->expect != E_COLON)
				return fail(p, "misplaced ':'");
			f->expect = E_VALUE;
			break;
		}
		case '"': {
			struct jproj_frame *f = &p->fr[p->depth];

			if (p->done)
				return fail(p, "data after the end of the document");
			if (f->type == '{' && (f->expect == E_KEY_OR_END || f->expect == E_KEY)) {
				p->in_key = true;
				buf_reset(&p->key);
			} else {
				if (begin_value(p) < 0)
					return -1;
				emit_struct(p, "\"", 1);
			}
			p->lex = LEX_STR;
			break;
		}
		default:
			if (!is_lit(c) || c == '+' || c == '.' || c == 'E')
				return fail(p, "not JSON");
			if (p->done)
				return fail(p, "data after the end of the document");
			if (begin_value(p) < 0)
				return -1;
			emit(p, &c, 1);
			p->lex = LEX_LIT;
			break;
		}
		i++;
	}
	p->offset += n;
	if (p->out && p->out->len > p->max_out)
		return fail(p, "too large");
	if (p->val.len > p->max_out)
		return fail(p, "too large");
	return 0;
}

int jproj_finish(struct jproj *p)
{
	if (p->error)
		return -1;
	if (p->lex == LEX_LIT) {
		p->lex = LEX_OUT;
		end_scalar(p, 'l');
		end_value(p);
	}
	if (p->lex != LEX_OUT)
		return fail(p, "truncated inside a string");
	if (!p->done)
		return fail(p, p->depth || p->fr[0].expect == E_DONE ? "truncated" : "empty");
	return 0;
}
