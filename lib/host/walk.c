#include "walk.h"

#include "child.h"
#include "hung.h"
#include "root.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool pod_dir_parse(const char *name, char *ns, size_t nsl, char *pod, size_t podl)
{
	/* namespace_pod_uid: DNS-1123 names hold no '_', the uid is 36 chars */
	const char *a = strchr(name, '_'), *b = a ? strchr(a + 1, '_') : NULL;

	if (!a || !b || a == name || b == a + 1 || strchr(b + 1, '_') || strlen(b + 1) != 36)
		return false;
	if ((size_t)(a - name) >= nsl || (size_t)(b - a - 1) >= podl)
		return false;
	snprintf(ns, nsl, "%.*s", (int)(a - name), name);
	snprintf(pod, podl, "%.*s", (int)(b - a - 1), a + 1);
	return true;
}

/* --- the child: a parallel walk ----------------------------------------- */

#define CHUNK 4096
#define MAXCHUNKS 65536

struct wdir {
	uint32_t parent;	/* index; UINT32_MAX for a root */
	uint32_t root;
	uint16_t depth;
	bool skipped;
	char *name;		/* base name; the root's full path for a root */
	uint64_t alloc, apparent, files;	/* own entries, then cumulative */
};

struct wfile {
	uint64_t alloc, apparent;
	uint32_t root;
	char *path;
};

struct walker;

struct worker {
	struct walker *w;
	pthread_t th;
	struct wfile *top;	/* min-heap on alloc */
	size_t ntop;
	uint64_t errors_seen;
};

struct walker {
	const struct walk_opts *o;
	struct wdir *chunks[MAXCHUNKS];
	atomic_uint ndirs;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* work to do, or all done */
	pthread_cond_t done;	/* the coordinator: finished */
	uint32_t *stack;	/* dirs to read */
	size_t nstack, astack;
	unsigned busy;		/* workers reading a dir */
	bool finished;
	atomic_bool stop;
	double deadline;
	dev_t *root_dev;
	/* hard links: (dev, ino) seen */
	pthread_mutex_t hl_lock;
	struct {
		dev_t dev;
		ino_t ino;
	} *hl;
	size_t hl_n, hl_cap;
	/* mount points below the roots (ROOT prefixed), sorted */
	char **skip;
	size_t nskip;
	/* root-level files, errors */
	struct wfile *rfiles;
	size_t nrfiles, arfiles;
	uint64_t *root_errors;
	char (*root_error)[400];
	atomic_ullong seen, seen_alloc;
	double t0;
};

static struct wdir *dir_at(struct walker *w, uint32_t i)
{
	return &w->chunks[i / CHUNK][i % CHUNK];
}

static uint32_t dir_new(struct walker *w)
{
	uint32_t i = atomic_fetch_add(&w->ndirs, 1);

	if (i / CHUNK >= MAXCHUNKS)
		return UINT32_MAX;
	pthread_mutex_lock(&w->lock);
	if (!w->chunks[i / CHUNK])
		w->chunks[i / CHUNK] = xcalloc(CHUNK, sizeof(struct wdir));
	pthread_mutex_unlock(&w->lock);
	return i;
}

/* Full path of dir i, with the root as the user gave it (prefix: ROOT). */
static void dir_path(struct walker *w, uint32_t i, struct buf *b)
{
	struct wdir *d = dir_at(w, i);

	if (d->parent == UINT32_MAX) {
		buf_reset(b);
		buf_adds(b, d->name);
		return;
	}
	dir_path(w, d->parent, b);
	if (b->len && b->s[b->len - 1] != '/')
		buf_addc(b, '/');
	buf_adds(b, d->name);
}

static bool hl_seen(struct walker *w, dev_t dev, ino_t ino)
{
	size_t h;
	bool seen = false;

	pthread_mutex_lock(&w->hl_lock);
	if (w->hl_n * 2 >= w->hl_cap) {
		size_t nc = w->hl_cap ? w->hl_cap * 2 : 1024;
		__typeof__(w->hl) n = xcalloc(nc, sizeof(*n));

		for (size_t i = 0; i < w->hl_cap; i++) {
			if (!w->hl[i].ino && !w->hl[i].dev)
				continue;
			h = (w->hl[i].ino * 0x9E3779B97F4A7C15ull ^ w->hl[i].dev) & (nc - 1);
			while (n[h].ino || n[h].dev)
				h = (h + 1) & (nc - 1);
			n[h] = w->hl[i];
		}
		free(w->hl);
		w->hl = n;
		w->hl_cap = nc;
	}
	h = (ino * 0x9E3779B97F4A7C15ull ^ dev) & (w->hl_cap - 1);
	while (w->hl[h].ino || w->hl[h].dev) {
		if (w->hl[h].ino == ino && w->hl[h].dev == dev) {
			seen = true;
			break;
		}
		h = (h + 1) & (w->hl_cap - 1);
	}
	if (!seen) {
		w->hl[h].dev = dev;
		w->hl[h].ino = ino;
		w->hl_n++;
	}
	pthread_mutex_unlock(&w->hl_lock);
	return seen;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_skip(struct walker *w, const char *path)
{
	return w->nskip && bsearch(&path, w->skip, w->nskip, sizeof(char *), cmp_str);
}

static void heap_push(struct worker *k, uint64_t alloc, uint64_t apparent, uint32_t root,
		      const char *dirpath, const char *name)
{
	size_t max = k->w->o->nfiles, i;
	struct wfile *h = k->top;

	if (!max)
		return;
	if (k->ntop == max) {
		if (alloc <= h[0].alloc)
			return;
		/* replace the smallest, sift down */
		free(h[0].path);
		h[0] = (struct wfile){ alloc, apparent, root, NULL };
		i = 0;
		for (;;) {
			size_t l = 2 * i + 1, r = l + 1, m = i;

			if (l < k->ntop && h[l].alloc < h[m].alloc)
				m = l;
			if (r < k->ntop && h[r].alloc < h[m].alloc)
				m = r;
			if (m == i)
				break;
			struct wfile t = h[i];
			h[i] = h[m];
			h[m] = t;
			i = m;
		}
	} else {
		i = k->ntop++;
		h[i] = (struct wfile){ alloc, apparent, root, NULL };
		while (i && h[(i - 1) / 2].alloc > h[i].alloc) {
			struct wfile t = h[i];
			h[i] = h[(i - 1) / 2];
			h[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
	}
	h[i].path = xasprintf("%s%s%s", dirpath,
			      dirpath[0] && dirpath[strlen(dirpath) - 1] == '/' ? "" : "/", name);
}

static void note_error(struct walker *w, uint32_t root, const char *path, int e)
{
	pthread_mutex_lock(&w->lock);
	if (!w->root_errors[root]++)
		snprintf(w->root_error[root], sizeof(w->root_error[0]), "%.300s: %s", path,
			 sbx_errno_word(e));
	pthread_mutex_unlock(&w->lock);
}

static void read_dir(struct worker *k, uint32_t di, struct buf *path, struct buf *sub)
{
	struct walker *w = k->w;
	struct wdir *d = dir_at(w, di);
	const char *prefix = root_get();
	size_t plen = strlen(prefix);
	int fd;
	DIR *dp;
	struct dirent *de;
	unsigned tick = 0;
	uint64_t n = 0, nalloc = 0;

	dir_path(w, di, path);
	/* ROOT + path: the walk reads the tree under --root */
	buf_reset(sub);
	buf_adds(sub, prefix);
	buf_add(sub, path->s, path->len);
	fd = open(sub->s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || !(dp = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		note_error(w, d->root, sub->s, errno);
		return;
	}
	while ((de = readdir(dp))) {
		struct stat st;
		const char *nm = de->d_name;

		if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
			continue;
		if (++tick % 1024 == 0) {
			atomic_fetch_add_explicit(&w->seen, n, memory_order_relaxed);
			atomic_fetch_add_explicit(&w->seen_alloc, nalloc, memory_order_relaxed);
			n = nalloc = 0;
			if (now_monotonic() > w->deadline)
				atomic_store(&w->stop, true);
			if (atomic_load_explicit(&w->stop, memory_order_relaxed))
				break;
		}
		if (w->nskip && (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN)) {
			/* a mount point is never stat'ed: that could reach a dead server */
			buf_reset(sub);
			buf_adds(sub, prefix);
			buf_add(sub, path->s, path->len);
			if (sub->len > plen && sub->s[sub->len - 1] != '/')
				buf_addc(sub, '/');
			buf_adds(sub, nm);
			if (is_skip(w, sub->s))
				continue;
		}
		if (fstatat(fd, nm, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			buf_reset(sub);
			buf_add(sub, path->s, path->len);
			buf_addc(sub, '/');
			buf_adds(sub, nm);
			note_error(w, d->root, sub->s, errno);
			continue;
		}
		if (st.st_dev != w->root_dev[d->root])
			continue;	/* another filesystem: du -x */
		if (S_ISDIR(st.st_mode)) {
			uint32_t ci = dir_new(w);
			struct wdir *c;

			if (ci == UINT32_MAX) {
				atomic_store(&w->stop, true);
				break;
			}
			c = dir_at(w, ci);
			c->parent = di;
			c->root = d->root;
			c->depth = d->depth < UINT16_MAX ? (uint16_t)(d->depth + 1) : d->depth;
			c->name = xstrdup(nm);
			c->alloc = (uint64_t)st.st_blocks * 512;
			c->apparent = (uint64_t)st.st_size;
			c->files = 1;
			n++;
			nalloc += c->alloc;
			pthread_mutex_lock(&w->lock);
			ALLOC_GROW(w->stack, w->nstack + 1, w->astack);
			w->stack[w->nstack++] = ci;
			pthread_cond_signal(&w->cond);
			pthread_mutex_unlock(&w->lock);
			continue;
		}
		if (st.st_nlink > 1 && hl_seen(w, st.st_dev, st.st_ino))
			continue;
		d->alloc += (uint64_t)st.st_blocks * 512;
		d->apparent += (uint64_t)st.st_size;
		d->files++;
		n++;
		nalloc += (uint64_t)st.st_blocks * 512;
		if (S_ISREG(st.st_mode))
			heap_push(k, (uint64_t)st.st_blocks * 512, (uint64_t)st.st_size, d->root,
				  path->s, nm);
		if (d->parent == UINT32_MAX) {
			struct wfile f = { (uint64_t)st.st_blocks * 512, (uint64_t)st.st_size,
					   d->root, NULL };

			f.path = xasprintf("%s%s%s", path->s,
					   path->s[path->len - 1] == '/' ? "" : "/", nm);
			pthread_mutex_lock(&w->lock);
			ALLOC_GROW(w->rfiles, w->nrfiles + 1, w->arfiles);
			w->rfiles[w->nrfiles++] = f;
			pthread_mutex_unlock(&w->lock);
		}
	}
	atomic_fetch_add_explicit(&w->seen, n, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->seen_alloc, nalloc, memory_order_relaxed);
	closedir(dp);
}

static void *worker_main(void *arg)
{
	struct worker *k = arg;
	struct walker *w = k->w;
	struct buf path = { 0 }, sub = { 0 };

	k->top = xcalloc(w->o->nfiles + 1, sizeof(*k->top));
	for (;;) {
		uint32_t di;

		pthread_mutex_lock(&w->lock);
		while (!w->nstack && w->busy && !atomic_load(&w->stop))
			pthread_cond_wait(&w->cond, &w->lock);
		if (!w->nstack || atomic_load(&w->stop)) {
			w->finished = true;
			pthread_cond_broadcast(&w->cond);
			pthread_cond_broadcast(&w->done);
			pthread_mutex_unlock(&w->lock);
			break;
		}
		di = w->stack[--w->nstack];
		w->busy++;
		pthread_mutex_unlock(&w->lock);
		read_dir(k, di, &path, &sub);
		pthread_mutex_lock(&w->lock);
		w->busy--;
		if (!w->busy && !w->nstack)
			pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
	}
	buf_free(&path);
	buf_free(&sub);
	return NULL;
}

/* One record: type, root, flag, five numbers, a string. */
struct wrec {
	char type;		/* P progress, R root, C child, K pod container, F file, E end */
	uint8_t flag;
	uint32_t root;
	uint64_t v[5];
	uint32_t slen;
};

static bool send_rec(int fd, char type, uint32_t root, uint8_t flag, const uint64_t *v, size_t nv,
		     const char *s)
{
	struct wrec r = { .type = type, .flag = flag, .root = root };

	for (size_t i = 0; i < nv && i < 5; i++)
		r.v[i] = v[i];
	r.slen = s ? (uint32_t)strlen(s) : 0;
	return child_write(fd, &r, sizeof(r)) && (!r.slen || child_write(fd, s, r.slen));
}

static void send_progress(struct walker *w, int fd)
{
	uint64_t v[2] = { atomic_load(&w->seen), atomic_load(&w->seen_alloc) };

	send_rec(fd, 'P', 0, 0, v, 2, NULL);
}

/* The newest progress record among what the child has said so far. */
static bool last_progress(const struct buf *out, uint64_t v[2])
{
	const char *p = out->s ? out->s : "", *end = p + out->len;
	bool found = false;

	while ((size_t)(end - p) >= sizeof(struct wrec)) {
		struct wrec rec;

		memcpy(&rec, p, sizeof(rec));
		if ((size_t)(end - p) - sizeof(rec) < rec.slen)
			break;
		p += sizeof(rec) + rec.slen;
		if (rec.type == 'P') {
			v[0] = rec.v[0];
			v[1] = rec.v[1];
			found = true;
		}
	}
	return found;
}

static bool pod_container(struct walker *w, struct wdir *d)
{
	struct wdir *pod, *pods;
	char ns[256], name[256];

	if (d->parent == UINT32_MAX || d->depth < 2)
		return false;
	pod = dir_at(w, d->parent);
	if (pod->parent == UINT32_MAX)
		return false;
	pods = dir_at(w, pod->parent);
	if (!pod_dir_parse(pod->name, ns, sizeof(ns), name, sizeof(name)))
		return false;
	if (pods->parent == UINT32_MAX)
		return str_ends(pods->name, "/pods") || !strcmp(pods->name, "pods");
	return !strcmp(pods->name, "pods");
}

static int cmp_wfile(const void *a, const void *b)
{
	uint64_t x = ((const struct wfile *)a)->alloc, y = ((const struct wfile *)b)->alloc;

	return x < y ? 1 : x > y ? -1 : 0;
}

static void walk_child(int fd, void *arg)
{
	const struct walk_opts *o = arg;
	struct walker *w = xcalloc(1, sizeof(*w));
	unsigned nth = o->threads;
	struct worker *ks;
	struct buf b = { 0 };
	struct wfile *all;
	size_t nall = 0;
	uint32_t nd;
	bool complete;

	if (!nth) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		nth = c < 1 ? 1 : c > 8 ? 8 : (unsigned)c;
	}
	w->o = o;
	w->t0 = now_monotonic();
	w->deadline = w->t0 + o->seconds;
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->hl_lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	pthread_cond_init(&w->done, NULL);
	w->root_dev = xcalloc(o->nroots + 1, sizeof(dev_t));
	w->root_errors = xcalloc(o->nroots + 1, sizeof(uint64_t));
	w->root_error = xcalloc(o->nroots + 1, sizeof(*w->root_error));
	/* mount points strictly below a root are never entered */
	for (size_t i = 0; o->mt && i < o->mt->n; i++) {
		const char *p = o->mt->m[i].point;

		for (size_t r = 0; r < o->nroots; r++) {
			size_t l = strlen(o->roots[r]);

			if (!strncmp(p, o->roots[r], l) && (p[l] == '/' || o->roots[r][l - 1] == '/') &&
			    strlen(p) > l) {
				w->skip = xreallocarray(w->skip, w->nskip + 1, sizeof(char *));
				w->skip[w->nskip++] = xasprintf("%s%s", root_get(), p);
				break;
			}
		}
	}
	if (w->nskip)
		qsort(w->skip, w->nskip, sizeof(char *), cmp_str);
	for (size_t r = 0; r < o->nroots; r++) {
		struct stat st;
		uint32_t di;
		struct wdir *d;

		if (o->unwalked && o->unwalked[r]) {
			uint64_t v[1] = { 0 };

			snprintf(w->root_error[r], sizeof(w->root_error[0]), "%.390s", o->unwalked[r]);
			send_rec(fd, 'X', (uint32_t)r, 0, v, 1, w->root_error[r]);
			w->root_dev[r] = (dev_t)-1;
			continue;
		}
		/* a root given as a symlink is followed (du -D); walk_run's
		 * guarded stat has found it answers */
		if (stat(rooted(o->roots[r]), &st) < 0 || !S_ISDIR(st.st_mode)) {
			int e = errno;
			uint64_t v[1] = { 0 };

			snprintf(w->root_error[r], sizeof(w->root_error[0]), "%.300s: %s",
				 rooted(o->roots[r]), S_ISDIR(st.st_mode) || e ? sbx_errno_word(e)
									       : "not a directory");
			send_rec(fd, 'X', (uint32_t)r, 0, v, 1, w->root_error[r]);
			w->root_dev[r] = (dev_t)-1;
			continue;
		}
		w->root_dev[r] = st.st_dev;
		di = dir_new(w);
		d = dir_at(w, di);
		d->parent = UINT32_MAX;
		d->root = (uint32_t)r;
		d->name = xstrdup(o->roots[r]);
		d->alloc = (uint64_t)st.st_blocks * 512;
		d->apparent = (uint64_t)st.st_size;
		d->files = 1;
		ALLOC_GROW(w->stack, w->nstack + 1, w->astack);
		w->stack[w->nstack++] = di;
	}
	w->busy = 0;
	ks = xcalloc(nth, sizeof(*ks));
	for (unsigned t = 0; t < nth; t++) {
		ks[t].w = w;
		if (pthread_create(&ks[t].th, NULL, worker_main, &ks[t]) != 0) {
			ks[t].th = 0;
			if (t == 0)
				worker_main(&ks[t]);
		}
	}
	/* progress while they work, so a parent that gives up knows how far we got */
	pthread_mutex_lock(&w->lock);
	while (!w->finished) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->done, &w->lock, &ts);
		pthread_mutex_unlock(&w->lock);
		send_progress(w, fd);
		if (now_monotonic() > w->deadline)
			atomic_store(&w->stop, true);
		pthread_mutex_lock(&w->lock);
		if (atomic_load(&w->stop))
			pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	for (unsigned t = 0; t < nth; t++)
		if (ks[t].th)
			pthread_join(ks[t].th, NULL);
	complete = !atomic_load(&w->stop) && !w->nstack;
	send_progress(w, fd);

	/* cumulative totals: a child always has a larger index than its parent */
	nd = atomic_load(&w->ndirs);
	if (nd > (uint32_t)MAXCHUNKS * CHUNK)
		nd = (uint32_t)MAXCHUNKS * CHUNK;
	for (uint32_t i = nd; i-- > 0;) {
		struct wdir *d = dir_at(w, i);

		if (d->parent != UINT32_MAX) {
			struct wdir *p = dir_at(w, d->parent);

			p->alloc += d->alloc;
			p->apparent += d->apparent;
			p->files += d->files;
		}
	}
	for (uint32_t i = 0; i < nd; i++) {
		struct wdir *d = dir_at(w, i);
		uint64_t v[5] = { d->alloc, d->apparent, d->files, 0, 0 };

		if (d->parent == UINT32_MAX) {
			v[3] = w->root_errors[d->root];
			send_rec(fd, 'R', d->root, complete, v, 5, w->root_error[d->root]);
		} else if (d->depth == 1) {
			dir_path(w, i, &b);
			send_rec(fd, 'C', d->root, 1, v, 3, b.s);
		} else if (pod_container(w, d)) {
			dir_path(w, i, &b);
			send_rec(fd, 'K', d->root, 1, v, 3, b.s);
		}
	}
	for (size_t i = 0; i < w->nrfiles; i++) {
		uint64_t v[3] = { w->rfiles[i].alloc, w->rfiles[i].apparent, 1 };

		send_rec(fd, 'C', w->rfiles[i].root, 0, v, 3, w->rfiles[i].path);
	}
	all = xcalloc(nth * (o->nfiles + 1) + 1, sizeof(*all));
	for (unsigned t = 0; t < nth; t++)
		for (size_t i = 0; i < ks[t].ntop; i++)
			all[nall++] = ks[t].top[i];
	if (nall)
		qsort(all, nall, sizeof(*all), cmp_wfile);
	for (size_t i = 0; i < nall && i < o->nfiles; i++) {
		uint64_t v[2] = { all[i].alloc, all[i].apparent };

		send_rec(fd, 'F', all[i].root, 0, v, 2, all[i].path);
	}
	{
		uint64_t v[2] = { nth, (uint64_t)((now_monotonic() - w->t0) * 1e6) };

		send_rec(fd, 'E', 0, complete, v, 2, NULL);
	}
	/* the process exits now: no need to free what it built */
}

/* --- the parent ----------------------------------------------------------- */

static struct walk_item *add_item(struct walk_item **v, size_t *n, const struct wrec *r,
				  const char *s)
{
	struct walk_item *it;

	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	it = &(*v)[(*n)++];
	memset(it, 0, sizeof(*it));
	it->root = r->root;
	it->dir = r->flag;
	it->path = xstrndup(s, r->slen);
	it->alloc = r->v[0];
	it->apparent = r->v[1];
	it->files = r->type == 'F' ? 1 : r->v[2];
	return it;
}

static int cmp_item(const void *a, const void *b)
{
	uint64_t x = ((const struct walk_item *)a)->alloc, y = ((const struct walk_item *)b)->alloc;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* --- the walk in a capture ----------------------------------------------- */

static void esc(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\t')
			buf_adds(b, "\\t");
		else if (*s == '\n')
			buf_adds(b, "\\n");
		else if (*s == '\\')
			buf_adds(b, "\\\\");
		else
			buf_addc(b, *s);
	}
}

static char *unesc(const char *s, size_t n)
{
	char *o = xmalloc(n + 1), *d = o;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			*d++ = s[i] == 't' ? '\t' : s[i] == 'n' ? '\n' : s[i];
		} else {
			*d++ = s[i];
		}
	}
	*d = '\0';
	return o;
}

static void fmt_item(struct buf *b, char type, const struct walk_item *it)
{
	buf_addf(b, "%c\t%u\t%d\t%llu\t%llu\t%llu\t", type, it->root, it->dir,
		 (unsigned long long)it->alloc, (unsigned long long)it->apparent,
		 (unsigned long long)it->files);
	esc(b, it->path);
	buf_addc(b, '\n');
}

void walk_format(const struct walk_result *r, struct buf *out)
{
	buf_addf(out, "walk\t%.3f\t%d\t%u\t%.6f\t%llu\t%llu\t", r->deadline, r->answered, r->threads,
		 r->seconds, (unsigned long long)r->seen, (unsigned long long)r->seen_alloc);
	esc(out, r->why);
	buf_addc(out, '\n');
	for (size_t i = 0; i < r->nroots; i++) {
		const struct walk_root *w = &r->roots[i];

		buf_addf(out, "root\t%d\t%d\t%llu\t%llu\t%llu\t%llu\t%llu\t", w->walked, w->complete,
			 (unsigned long long)w->alloc, (unsigned long long)w->apparent,
			 (unsigned long long)w->files, (unsigned long long)w->dirs,
			 (unsigned long long)w->errors);
		esc(out, w->path);
		buf_addc(out, '\t');
		esc(out, w->error);
		buf_addc(out, '\n');
	}
	for (size_t i = 0; i < r->nchildren; i++)
		fmt_item(out, 'C', &r->children[i]);
	for (size_t i = 0; i < r->npods; i++)
		fmt_item(out, 'K', &r->pods[i]);
	for (size_t i = 0; i < r->nfiles; i++)
		fmt_item(out, 'F', &r->files[i]);
}

#define WALK_FIELDS 12

/* The fields of one line (at most WALK_FIELDS), each [s, s+len). */
static size_t split_tabs(const char *s, size_t n, const char **f, size_t *fl)
{
	size_t k = 0, start = 0;

	for (size_t i = 0; i <= n && k < WALK_FIELDS; i++)
		if (i == n || s[i] == '\t') {
			f[k] = s + start;
			fl[k++] = i - start;
			start = i + 1;
		}
	return k;
}

static bool num(const char *s, size_t n, uint64_t *v)
{
	char tmp[32];

	if (!n || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return parse_u64(tmp, v);
}

static bool dbl(const char *s, size_t n, double *v)
{
	char tmp[40];

	if (!n || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return parse_double(tmp, v) && *v >= 0;
}

int walk_parse(const char *text, size_t len, struct walk_result *r)
{
	size_t i = 0;
	bool head = false;

	memset(r, 0, sizeof(*r));
	while (i < len) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i), *f[WALK_FIELDS];
		size_t n = nl ? (size_t)(nl - l) : len - i, fl[WALK_FIELDS], k;
		uint64_t v[7];

		i += n + 1;
		k = split_tabs(l, n, f, fl);
		if (k == 8 && fl[0] == 4 && !memcmp(f[0], "walk", 4) && !head) {
			if (!dbl(f[1], fl[1], &r->deadline) || !num(f[2], fl[2], &v[0]) ||
			    !num(f[3], fl[3], &v[1]) || !dbl(f[4], fl[4], &r->seconds) ||
			    !num(f[5], fl[5], &r->seen) || !num(f[6], fl[6], &r->seen_alloc) ||
			    v[0] > 1 || v[1] > 4096)
				goto bad;
			r->answered = v[0];
			r->threads = (unsigned)v[1];
			r->why[0] = '\0';
			{
				char *w = unesc(f[7], fl[7]);

				snprintf(r->why, sizeof(r->why), "%s", w);
				free(w);
			}
			head = true;
		} else if (k == 10 && fl[0] == 4 && !memcmp(f[0], "root", 4) && head) {
			struct walk_root *w;
			char *e;

			for (size_t j = 0; j < 7; j++)
				if (!num(f[1 + j], fl[1 + j], &v[j]))
					goto bad;
			if (v[0] > 1 || v[1] > 1 || !fl[8] || r->nroots >= 4096)
				goto bad;
			r->roots = xreallocarray(r->roots, r->nroots + 1, sizeof(*r->roots));
			w = &r->roots[r->nroots++];
			memset(w, 0, sizeof(*w));
			w->walked = v[0];
			w->complete = v[1];
			w->alloc = v[2];
			w->apparent = v[3];
			w->files = v[4];
			w->dirs = v[5];
			w->errors = v[6];
			w->path = unesc(f[8], fl[8]);
			e = unesc(f[9], fl[9]);
			snprintf(w->error, sizeof(w->error), "%s", e);
			free(e);
		} else if (k == 7 && fl[0] == 1 && strchr("CKF", f[0][0]) && head) {
			struct walk_item **vv = f[0][0] == 'C' ? &r->children : f[0][0] == 'K' ? &r->pods : &r->files;
			size_t *nn = f[0][0] == 'C' ? &r->nchildren : f[0][0] == 'K' ? &r->npods : &r->nfiles;
			struct walk_item *it;

			for (size_t j = 0; j < 5; j++)
				if (!num(f[1 + j], fl[1 + j], &v[j]))
					goto bad;
			if (v[0] >= r->nroots || v[1] > 1 || *nn >= 1000000)
				goto bad;
			*vv = xreallocarray(*vv, *nn + 1, sizeof(**vv));
			it = &(*vv)[(*nn)++];
			memset(it, 0, sizeof(*it));
			it->root = (unsigned)v[0];
			it->dir = v[1];
			it->alloc = v[2];
			it->apparent = v[3];
			it->files = v[4];
			it->path = unesc(f[6], fl[6]);
		} else if (n) {
			goto bad;
		}
	}
	if (!head)
		goto bad;
	return 0;
bad:
	walk_result_free(r);
	return -1;
}

#define WALK_REC "/.srebox/walk"

/* The capture's walk for o's roots: -1 when the tree holds none (walk it,
 * as before: a saved tree, a fixture), 0 with r filled from it. */
static int walk_replay(const struct walk_opts *o, struct walk_result *r)
{
	struct buf b = { 0 };
	struct sbx_err err;
	struct walk_result rec;
	struct buf names = { 0 };
	size_t *map;
	bool have;

	if (root_is_live() || !root_capture())
		return -1;
	have = read_file(rooted(WALK_REC), &b, 64u << 20, &err) == 0 &&
	       walk_parse(b.s ? b.s : "", b.len, &rec) == 0;
	buf_free(&b);
	memset(r, 0, sizeof(*r));
	r->nroots = o->nroots;
	r->roots = xcalloc(o->nroots + 1, sizeof(*r->roots));
	r->answered = true;
	r->replayed = true;
	if (!have) {
		memset(&rec, 0, sizeof(rec));
		rec.answered = true;
	}
	for (size_t j = 0; j < rec.nroots; j++)
		buf_addf(&names, "%s%s", j ? ", " : "", rec.roots[j].path);
	/* map: the recorded root of each asked one, or SIZE_MAX */
	map = xcalloc(rec.nroots + 1, sizeof(*map));
	for (size_t i = 0; i < o->nroots; i++) {
		struct walk_root *w = &r->roots[i];
		size_t j;

		for (j = 0; j < rec.nroots && strcmp(rec.roots[j].path, o->roots[i]); j++)
			;
		if (j < rec.nroots) {
			*w = rec.roots[j];
			w->path = xstrdup(o->roots[i]);
			map[j] = i + 1;
			continue;
		}
		w->path = xstrdup(o->roots[i]);
		snprintf(w->error, sizeof(w->error), "%.300s: not walked when the capture was taken (%s%.80s)",
			 o->roots[i], names.len ? "it walked " : "it holds no walk",
			 names.len ? names.s : "");
	}
	buf_free(&names);
	for (int kind = 0; kind < 3; kind++) {
		struct walk_item *src = kind == 0 ? rec.children : kind == 1 ? rec.pods : rec.files;
		size_t ns = kind == 0 ? rec.nchildren : kind == 1 ? rec.npods : rec.nfiles;
		struct walk_item **dst = kind == 0 ? &r->children : kind == 1 ? &r->pods : &r->files;
		size_t *nd = kind == 0 ? &r->nchildren : kind == 1 ? &r->npods : &r->nfiles;

		for (size_t k = 0; k < ns; k++) {
			if (!map[src[k].root])
				continue;
			*dst = xreallocarray(*dst, *nd + 1, sizeof(**dst));
			(*dst)[*nd] = src[k];
			(*dst)[*nd].root = (unsigned)(map[src[k].root] - 1);
			(*dst)[(*nd)++].path = xstrdup(src[k].path);
		}
	}
	free(map);
	r->threads = rec.threads;
	r->seconds = rec.seconds;
	r->deadline = rec.deadline;
	r->seen = rec.seen;
	r->seen_alloc = rec.seen_alloc;
	if (!rec.answered) {
		r->answered = false;
		snprintf(r->why, sizeof(r->why), "%s", rec.why);
	}
	walk_result_free(&rec);
	return 0;
}

/* The text recorded at the first snapshot, and the roots it is of: the
 * second snapshot records it again rather than walk twice. */
static struct buf walk_cache;
static char walk_cache_key[4096];

static void roots_key(const struct walk_opts *o, char *out, size_t n)
{
	struct buf b = { 0 };

	buf_addf(&b, "%s|%.3f", root_get(), o->seconds);
	for (size_t i = 0; i < o->nroots; i++)
		buf_addf(&b, "|%s", o->roots[i]);
	snprintf(out, n, "%s", b.s ? b.s : "");
	buf_free(&b);
}

static void walk_real(const struct walk_opts *o, double grace, struct walk_result *r);

void walk_run(const struct walk_opts *o, double grace, struct walk_result *r)
{
	char key[4096];

	if (walk_replay(o, r) == 0)
		return;
	if (root_recording()) {
		roots_key(o, key, sizeof(key));
		if (walk_cache.len && !strcmp(key, walk_cache_key) &&
		    walk_parse(walk_cache.s, walk_cache.len, r) == 0) {
			root_record_file(WALK_REC, walk_cache.s, walk_cache.len);
			return;
		}
	}
	walk_real(o, grace, r);
	if (root_recording()) {
		buf_reset(&walk_cache);
		walk_format(r, &walk_cache);
		snprintf(walk_cache_key, sizeof(walk_cache_key), "%s", key);
		root_record_file(WALK_REC, walk_cache.s, walk_cache.len);
	}
}

static void walk_real(const struct walk_opts *o, double grace, struct walk_result *r)
{
	struct child c;
	struct sbx_err err;
	const char *p, *end;
	bool ended = false;
	char **unwalked = xcalloc(o->nroots + 1, sizeof(char *));
	struct walk_opts oc = *o;

	memset(r, 0, sizeof(*r));
	r->nroots = o->nroots;
	r->roots = xcalloc(o->nroots + 1, sizeof(*r->roots));
	r->deadline = o->seconds;

	for (size_t i = 0; i < o->nroots; i++) {
		struct stat st;

		r->roots[i].path = xstrdup(o->roots[i]);
		if (sbx_stat_deadline(o->roots[i], &st, o->stat_timeout > 0 ? o->stat_timeout : 5,
				      &err) < 0 && err.errnum == ETIMEDOUT)
			unwalked[i] = xstrdup(err.msg);
	}
	oc.unwalked = (const char *const *)unwalked;
	if (child_start(&c, walk_child, &oc, &err) < 0) {
		snprintf(r->why, sizeof(r->why), "%s", err.msg);
		for (size_t i = 0; i < o->nroots; i++)
			free(unwalked[i]);
		free(unwalked);
		return;
	}
	for (size_t i = 0; i < o->nroots; i++)
		free(unwalked[i]);
	free(unwalked);
	if (o->progress) {
		double until = c.started + o->seconds + grace;

		while (!child_read_until(&c, now_monotonic() + 0.5 < until ? now_monotonic() + 0.5 : until) && c.fd >= 0 &&
		       now_monotonic() < until) {
			uint64_t v[2];

			if (last_progress(&c.out, v))
				o->progress(v[0], v[1], now_monotonic() - c.started, o->progress_arg);
		}
	}
	child_collect(&c, 1, o->seconds + grace, NULL);
	p = c.out.s ? c.out.s : "";
	end = p + c.out.len;
	while ((size_t)(end - p) >= sizeof(struct wrec)) {
		struct wrec rec;
		const char *s;

		memcpy(&rec, p, sizeof(rec));
		if ((size_t)(end - p) - sizeof(rec) < rec.slen)
			break;
		s = p + sizeof(rec);
		p += sizeof(rec) + rec.slen;
		if (rec.root >= o->nroots)
			continue;
		switch (rec.type) {
		case 'P':
			r->seen = rec.v[0];
			r->seen_alloc = rec.v[1];
			break;
		case 'X':
			snprintf(r->roots[rec.root].error, sizeof(r->roots[0].error), "%.*s",
				 (int)rec.slen, s);
			break;
		case 'R': {
			struct walk_root *wr = &r->roots[rec.root];

			wr->walked = true;
			wr->complete = rec.flag;
			wr->alloc = rec.v[0];
			wr->apparent = rec.v[1];
			wr->files = rec.v[2];
			wr->errors = rec.v[3];
			snprintf(wr->error, sizeof(wr->error), "%.*s", (int)rec.slen, s);
			break;
		}
		case 'C':
			add_item(&r->children, &r->nchildren, &rec, s);
			break;
		case 'K':
			add_item(&r->pods, &r->npods, &rec, s);
			break;
		case 'F':
			add_item(&r->files, &r->nfiles, &rec, s);
			break;
		case 'E':
			ended = true;
			r->threads = (unsigned)rec.v[0];
			r->seconds = (double)rec.v[1] / 1e6;
			break;
		}
	}
	r->answered = ended;
	if (!ended) {
		char got[32];

		fmt_bytes(got, sizeof(got), (double)r->seen_alloc);
		snprintf(r->why, sizeof(r->why),
			 "the walk did not answer within %gs (a hung filesystem?); it had counted "
			 "%llu file%s, %s",
			 o->seconds + grace, (unsigned long long)r->seen, plural(r->seen, "s"), got);
		r->seconds = now_monotonic() - c.started;
	}
	if (r->nchildren)
		qsort(r->children, r->nchildren, sizeof(*r->children), cmp_item);
	if (r->npods)
		qsort(r->pods, r->npods, sizeof(*r->pods), cmp_item);
	child_free(&c);
}

void walk_result_free(struct walk_result *r)
{
	for (size_t i = 0; i < r->nroots; i++)
		free(r->roots[i].path);
	for (size_t i = 0; i < r->nchildren; i++)
		free(r->children[i].path);
	for (size_t i = 0; i < r->npods; i++)
		free(r->pods[i].path);
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].path);
	free(r->roots);
	free(r->children);
	free(r->pods);
	free(r->files);
	memset(r, 0, sizeof(*r));
}
