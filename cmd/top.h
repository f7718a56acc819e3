/* The samplers srebox top draws from, each set up as its applet's run sets
 * it up with the applet's default options: top reads and judges nothing of
 * its own, it shows what these applets build. */
#ifndef SREBOX_TOP_H
#define SREBOX_TOP_H

#include "sample.h"

const struct sbx_sampler *health_sampler(void);
const struct sbx_sampler *cpu_sampler(void);
const struct sbx_sampler *cswitch_sampler(void);
const struct sbx_sampler *irq_sampler(void);
const struct sbx_sampler *throttle_sampler(void);
const struct sbx_sampler *io_sampler(void);
const struct sbx_sampler *disk_sampler(void);
const struct sbx_sampler *net_sampler(struct sbx_ctx *ctx);

/* health's next reading takes these (any may be NULL: read as ever)
 * instead of reading them again: the readings of top's irq, throttle,
 * cswitch, net and io samplers of the same sample, which stay theirs and
 * must outlive health's build of it.  Cleared by that reading. */
struct health_borrowed {
	const struct irq_snap *irq;
	const struct thr_snap *thr;
	const struct cs_snap *cs;
	const struct net_snap *net;
	const struct io_snap *io;
};
void health_borrow(const struct health_borrowed *b);
/* The block devices' part of an io sampler's reading. */
const struct io_snap *io_sampler_devices(const void *snap);

/* The model both front ends draw: one sample is a JSON object (jansson),
 * the same whether it was just built, read back from a recording or is
 * printed as a batch line.  Its fields are documented in srebox-top(1). */
#include <jansson.h>

struct top_pane_col {
	const char *key, *head;
	int width;		/* negative: left-aligned text */
	char fmt;		/* 's' text, 'p' ratio as %, 'r' rate, 'b' bytes, 'n' number, 'm' ms */
};

struct top_pane {
	const char *name, *title;
	const char *applet, *table;	/* where its rows come from */
	const struct top_pane_col *cols;
	size_t ncols;
	const char *sort;		/* default sort key, descending */
	const char *cpu_key;		/* the column naming a CPU, for the CPU-set filter */
};

extern const struct top_pane top_panes[];
extern const size_t top_npanes;

/* A cell as the screen and the batch text show it. */
void top_cell_text(const json_t *v, char fmt, char *out, size_t n);
/* A pane's row (its header when row is NULL) as one line of columns. */
void top_row_text(const struct top_pane *p, const json_t *row, char *out, size_t n);
/* The state of a sample or finding: "OK" ... */
enum sbx_state top_state_of(const json_t *o);

struct top_view {
	json_t **frames;	/* replay: every sample; live: the newest */
	size_t nframes, cur;
	bool replay, paused;
	bool color;		/* --color and NO_COLOR, as every applet */
	double interval;
	volatile int *stop;
	/* live: take the next sample into frames[0] (replacing it); the
	 * screen calls it when the interval is up.  Returns false on failure. */
	bool (*next)(struct top_view *v, void *arg);
	/* live: the run queue's reading (sample.h's tick); true when the
	 * readings inside the interval are wanted as well */
	bool (*tick)(void *arg);
	bool ticks;		/* what the last one said */
	void *arg;
	const char *source;	/* "live", or the recording's name */
	/* live, on a screen without --record: the pane shown, whose report
	 * is the only topic report made (with cpu's and cswitch's, which
	 * the header and the strip draw on); -1: every pane is made */
	int pane;
};

/* The ncurses front end (top_screen.c).  Returns the exit status. */
int top_screen(struct top_view *v);
/* Index of the first sample at or after t (replay), or nframes. */
size_t top_find_time(const struct top_view *v, double t);
/* Index of the next sample after i whose state is not OK, or nframes. */
size_t top_find_bad(const struct top_view *v, size_t i);

#endif
