/* The renderer table: one row per output format. */
#include "render.h"

#include <stdlib.h>

static void table_whole(FILE *f, const struct sbx_report *r, const struct render_opts *o)
{
	render_table(f, r, o);
}

static void name_whole(FILE *f, const struct sbx_report *r, const struct render_opts *o)
{
	render_name(f, r, o);
}

static void table_part(FILE *f, struct sbx_report *r, const struct render_opts *o, bool end)
{
	render_table_part(f, r, o, end);
}

static void json_part(FILE *f, struct sbx_report *r, const struct render_opts *o, bool end)
{
	render_json_part(f, r, o, end);
}

static void name_part(FILE *f, struct sbx_report *r, const struct render_opts *o, bool end)
{
	/* a probe applet's names are its findings', known at the end */
	if (!o->probe || end)
		render_name(f, r, o);
}

static const struct renderer {
	void (*whole)(FILE *f, const struct sbx_report *r, const struct render_opts *o);
	/* rendering in parts; NULL: the format needs the whole report (prom
	 * keeps its samples aside with render_prom_part, check needs only the
	 * findings), so the parts print nothing and the end renders whole */
	void (*part)(FILE *f, struct sbx_report *r, const struct render_opts *o, bool end);
} renderers[] = {
	[FMT_TABLE] = { table_whole, table_part },
	[FMT_WIDE] = { table_whole, table_part },
	[FMT_JSON] = { render_json, json_part },
	[FMT_PROM] = { render_prom, NULL },
	[FMT_CHECK] = { render_check, NULL },
	[FMT_NAME] = { name_whole, name_part },
};

void render_part(FILE *f, struct sbx_report *r, const struct render_opts *o)
{
	const struct renderer *rd = &renderers[o->format];

	r->streaming = true;
	for (size_t i = 0; i < r->ntables; i++)
		if (!r->tables[i]->stream)
			r->tables[i]->stream = xcalloc(1, sizeof(struct table_stream));
	if (o->prom_too || o->format == FMT_PROM)
		render_prom_part(r);
	if (rd->part)
		rd->part(f, r, o, false);
	for (size_t i = 0; i < r->ntables; i++)
		table_drop_rows(r->tables[i]);
}

void render_end(FILE *f, struct sbx_report *r, const struct render_opts *o)
{
	const struct renderer *rd = &renderers[o->format];

	if (rd->part)
		rd->part(f, r, o, true);
	else
		rd->whole(f, r, o);
}

void render(FILE *f, const struct sbx_report *r, const struct render_opts *o)
{
	renderers[o->format].whole(f, r, o);
}
