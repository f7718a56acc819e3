#include "json_proj.h"

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

		strcpy(s, drop[i]);
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
	p->fr[0].mask = p->npaths >= 32 ? 0xffffffffu : (1u << p->npaths) - 1;
}

void jproj_free(struct jproj *p)
{
	free(p->paths);
	buf_free(&p->key);
	p->paths = NULL;
}

static int fail(struct jproj *p, const char *why)
{
	if (!p->error)
		p->error = why;
	return -1;
}

static void emit(struct jproj *p, const char *s, size_t n)
{
	if (!p->skipping)
		buf_add(p->out, s, n);
}

/* Paths in `mask` whose component at `idx` matches `name` (NULL: an array
 * element, matched only by "*"); *drop when one of them ends there. */
static uint32_t match(const struct jproj *p, uint32_t mask, unsigned idx, const char *name,
		      bool *drop)
{
	uint32_t m = 0;

	*drop = false;
	for (unsigned i = 0; i < p->npaths; i++) {
		const char *c;

		if (!(mask & (1u << i)) || idx >= p->ncomp[i])
			continue;
		c = p->comp[i][idx];
		if (strcmp(c, "*") && (!name || strcmp(c, name)))
			continue;
		m |= 1u << i;
		if (idx + 1 == p->ncomp[i])
			*drop = true;
	}
	return m;
}

/* A value starts in the current container. */
static int begin_value(struct jproj *p)
{
	struct jproj_frame *f = &p->fr[p->depth];
	bool drop = false;

	switch (f->type) {
	case 'T':
		if (f->expect != E_VALUE)
			return fail(p, "more than one value");
		p->value_mask = f->mask;
		f->expect = E_DONE;
		return 0;
	case '[':
		if (f->expect != E_VALUE && f->expect != E_VALUE_OR_END)
			return fail(p, "missing ',' between array elements");
		p->value_mask = p->skipping ? 0 : match(p, f->mask, (unsigned)p->depth - 1, NULL, &drop);
		if (drop && !p->skipping) {
			p->skipping = true;
			p->skip_at = p->depth;
		}
		if (f->any)
			emit(p, ",", 1);
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
		p->value_mask = 0;
		return 0;
	}
	p->value_mask = match(p, f->mask, (unsigned)p->depth - 1, p->key.s ? p->key.s : "",
			      &p->value_drop);
	if (p->value_drop)
		return 0;
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

int jproj_feed(struct jproj *p, const char *s, size_t n)
{
	size_t i = 0;

	if (p->error)
		return -1;
	while (i < n) {
		char c = s[i];

		if (p->lex == LEX_STR) {
			size_t j = i;

			while (j < n && s[j] != '"' && s[j] != '\\')
				j++;
			if (p->in_key)
				buf_add(&p->key, s + i, j - i);
			else
				emit(p, s + i, j - i);
			if (j == n) {
				i = j;
				break;
			}
			if (s[j] == '\\') {
				if (p->in_key)
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
				emit(p, "\"", 1);
				end_value(p);
			}
			continue;
		}
		if (p->lex == LEX_ESC) {
			if (p->in_key)
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
			emit(p, &c, 1);
			p->depth++;
			p->fr[p->depth] = (struct jproj_frame){
				.type = c,
				.expect = c == '{' ? E_KEY_OR_END : E_VALUE_OR_END,
				.mask = p->value_mask,
			};
			break;
		case '}':
		case ']': {
			struct jproj_frame *f = &p->fr[p->depth];

			if (f->type != (c == '}' ? '{' : '['))
				return fail(p, "unbalanced brackets");
			if (f->expect != E_COMMA_OR_END &&
			    f->expect != (c == '}' ? E_KEY_OR_END : E_VALUE_OR_END))
				return fail(p, "a separator before the closing bracket");
			emit(p, &c, 1);
			p->depth--;
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
				emit(p, "\"", 1);
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
	if (p->out->len > p->max_out)
		return fail(p, "too large");
	return 0;
}

int jproj_finish(struct jproj *p)
{
	if (p->error)
		return -1;
	if (p->lex == LEX_LIT) {
		p->lex = LEX_OUT;
		end_value(p);
	}
	if (p->lex != LEX_OUT)
		return fail(p, "truncated inside a string");
	if (!p->done)
		return fail(p, p->depth || p->fr[0].expect == E_DONE ? "truncated" : "empty");
	return 0;
}
