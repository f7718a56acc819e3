/* The bump arena; see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ALIGN 16

bool arena_init(struct arena *a, size_t size)
{
	void *p;

	memset(a, 0, sizeof(*a));
	size &= ~(size_t)(ALIGN - 1);
	if (!size)
		return false;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		return false;
	a->base = p;
	a->size = size;
	POISON(a->base, a->size);
	return true;
}

void arena_fini(struct arena *a)
{
	if (a->base) {
		UNPOISON(a->base, a->size);
		munmap(a->base, a->size);
	}
	memset(a, 0, sizeof(*a));
}

void *arena_alloc(struct arena *a, size_t n)
{
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	char *p;

	if (!need)
		need = ALIGN;
	if (need < n || need > a->size - a->used) {
		a->spilled = true;
		return NULL;
	}
	p = a->base + a->used;
	a->used += need;
	UNPOISON(p, n);
	return p;
}

void arena_reset(struct arena *a)
{
	if (a->base)
		POISON(a->base, a->used);
	a->used = 0;
	a->spilled = false;
}
