/* A bump arena: memory handed out in order from one reservation and
 * taken back all at once.  For values that are made by the thousand and
 * die together (a sample of srebox top's model), where a malloc and a
 * free of each cost more than making them.
 *
 * The reservation is virtual (mmap, MAP_NORESERVE): pages are resident
 * once touched, so the arena holds as much memory as its largest use
 * between two resets, no more.  When it is full, arena_alloc returns
 * NULL and the caller falls back on malloc (arena_spilled says so).
 * Under AddressSanitizer a reset poisons what it took back, so a use
 * after the reset is reported as a use after free. */
#ifndef SREBOX_ARENA_H
#define SREBOX_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct arena {
	char *base;
	size_t size, used;
	bool spilled;		/* an allocation did not fit since the last reset */
};

/* Reserve size bytes; false (and an arena that hands out nothing) when
 * the reservation fails. */
bool arena_init(struct arena *a, size_t size);
void arena_fini(struct arena *a);

/* n bytes aligned for any type, or NULL when they do not fit. */
void *arena_alloc(struct arena *a, size_t n);

/* Whether p lies in the arena's reservation. */
static inline bool arena_owns(const struct arena *a, const void *p)
{
	return a->base && (const char *)p >= a->base && (const char *)p < a->base + a->size;
}

/* Take everything back: what was handed out must not be used again. */
void arena_reset(struct arena *a);

#endif
