#include "mountinfo.h"

#include <stdlib.h>
#include <string.h>

void mnt_unescape(char *s)
{
	char *w = s;

	for (const char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			char c = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));

			/* a NUL would cut the name short: keep the escape */
			if (c) {
				*w++ = c;
				p += 3;
				continue;
			}
		}
		*w++ = *p;
	}
	*w = '\0';
}

/* Next space-separated field of a line, NUL-terminated in place. */
static char *field(char **p)
{
	char *s = *p, *e;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	e = s;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	if (*e)
		*e++ = '\0';
	*p = e;
	return s;
}

static bool parse_uint(const char *s, unsigned *out)
{
	uint64_t v;

	if (!parse_u64(s, &v) || v > 0xffffffffu)
		return false;
	*out = (unsigned)v;
	return true;
}

static bool has_opt(const char *opts, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = opts; p && *p;) {
		size_t l = strcspn(p, ",");

		if (l == n && !strncmp(p, want, n))
			return true;
		p += l;
		if (*p == ',')
			p++;
	}
	return false;
}

static int parse_line(char *line, struct mnt *m, const char **what)
{
	char *p = line, *f, *dev, *colon;

	memset(m, 0, sizeof(*m));
	m->same_as = -1;
	if (!(f = field(&p)) || !parse_uint(f, &m->id))
		return *what = "mount id", -1;
	if (!(f = field(&p)) || !parse_uint(f, &m->parent))
		return *what = "parent id", -1;
	if (!(dev = field(&p)) || !(colon = strchr(dev, ':')))
		return *what = "major:minor", -1;
	*colon = '\0';
	if (!parse_uint(dev, &m->major) || !parse_uint(colon + 1, &m->minor))
		return *what = "major:minor", -1;
	if (!(m->root = field(&p)) || !(m->point = field(&p)) || !(m->opts = field(&p)))
		return *what = "root, mount point and options", -1;
	/* optional fields ("shared:7 master:1") up to the lone "-" */
	while ((f = field(&p)) && strcmp(f, "-"))
		;
	if (!f)
		return *what = "the '-' separator", -1;
	if (!(m->fstype = field(&p)))
		return *what = "filesystem type", -1;
	m->source = field(&p);
	m->super = field(&p);
	if (!m->source)
		return *what = "source and super options", -1;
	if (!m->super) {
		/* an empty source (older kernels print "- tmpfs  rw") */
		m->super = m->source;
		m->source = p;	/* points at the line's NUL: "" */
	}
	mnt_unescape(m->root);
	mnt_unescape(m->point);
	mnt_unescape(m->source);
	mnt_unescape(m->fstype);
	m->ro = has_opt(m->opts, "ro");
	/* 6.x kernels keep "rw" and add "emergency_ro" after an error remount */
	m->super_ro = has_opt(m->super, "ro") || has_opt(m->super, "emergency_ro");
	m->kind = mnt_kind_of(m->fstype);
	return 0;
}

int parse_mountinfo(const char *text, size_t len, const char *fname, struct mnt_table *out,
		    struct sbx_err *err)
{
	size_t alloc = 0, lineno = 0;
	char *p;

	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len)) {
		sbx_err_set(err, 0, "%s: binary data (a NUL byte)", fname);
		return -1;
	}
	out->arena = xstrndup(text, len);
	out->arena_len = len + 1;
	p = out->arena;
	while (*p) {
		char *line = p, *nl = strchr(p, '\n');
		const char *what = NULL;

		lineno++;
		if (nl) {
			*nl = '\0';
			p = nl + 1;
		} else {
			p += strlen(p);
		}
		if (!*str_trim(line))
			continue;
		ALLOC_GROW(out->m, out->n + 1, alloc);
		if (parse_line(line, &out->m[out->n], &what) < 0) {
			sbx_err_set(err, 0, "%s:%zu: bad %s", fname, lineno, what);
			mnt_table_free(out);
			return -1;
		}
		out->n++;
	}
	if (out->n == 0) {
		sbx_err_set(err, 0, "%s: no mounts", fname);
		mnt_table_free(out);
		return -1;
	}
	return 0;
}

static char *rebase(const char *s, const struct mnt_table *from, const struct mnt_table *to)
{
	return s ? to->arena + (s - from->arena) : NULL;
}

void mnt_table_copy(struct mnt_table *dst, const struct mnt_table *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->arena = xmalloc(src->arena_len ? src->arena_len : 1);
	memcpy(dst->arena, src->arena, src->arena_len);
	dst->arena_len = src->arena_len;
	dst->n = src->n;
	dst->m = xcalloc(src->n ? src->n : 1, sizeof(*dst->m));
	for (size_t i = 0; i < src->n; i++) {
		struct mnt *d = &dst->m[i];
		const struct mnt *s = &src->m[i];

		*d = *s;
		d->root = rebase(s->root, src, dst);
		d->point = rebase(s->point, src, dst);
		d->opts = rebase(s->opts, src, dst);
		d->fstype = rebase(s->fstype, src, dst);
		d->source = rebase(s->source, src, dst);
		d->super = rebase(s->super, src, dst);
	}
}

void mnt_table_free(struct mnt_table *t)
{
	free(t->m);
	free(t->arena);
	memset(t, 0, sizeof(*t));
}

enum mnt_kind mnt_kind_of(const char *fstype)
{
	/* Filesystems whose statfs answers from memory or a local block
	 * device.  Anything else (network, FUSE, cluster filesystems, types
	 * srebox does not know) may wait on something that never answers. */
	static const char *const local[] = {
		"ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "msdos", "exfat", "ntfs", "ntfs3",
		"f2fs", "jfs", "reiserfs", "tmpfs", "devtmpfs", "ramfs", "squashfs", "iso9660",
		"udf", "erofs", "nilfs2", "hfs", "hfsplus", "bcachefs", "zfs", "overlay", "aufs",
		"shm", "minix", "romfs", "cramfs", "zonefs",
	};
	static const char *const pseudo[] = {
		"proc", "sysfs", "devpts", "cgroup", "cgroup2", "securityfs", "debugfs",
		"tracefs", "pstore", "bpf", "configfs", "fusectl", "mqueue", "hugetlbfs",
		"autofs", "binfmt_misc", "nsfs", "rpc_pipefs", "selinuxfs", "efivarfs",
		"rootfs", "devfs", "usbfs", "nfsd", "sockfs", "pipefs", "anon_inodefs",
		"xenfs", "ipathfs", "smackfs", "apparmorfs", "ramfs_none", "bdev",
	};

	for (size_t i = 0; i < ARRAY_SIZE(local); i++)
		if (!strcmp(fstype, local[i]))
			return MNT_LOCAL;
	for (size_t i = 0; i < ARRAY_SIZE(pseudo); i++)
		if (!strcmp(fstype, pseudo[i]))
			return MNT_PSEUDO;
	return MNT_REMOTE;
}

struct id_idx {
	unsigned id;
	size_t idx;
};

static int cmp_id(const void *a, const void *b)
{
	unsigned x = ((const struct id_idx *)a)->id, y = ((const struct id_idx *)b)->id;

	return x < y ? -1 : x > y;
}

static long by_id(const struct id_idx *ids, size_t n, unsigned id)
{
	struct id_idx key = { id, 0 };
	const struct id_idx *f = bsearch(&key, ids, n, sizeof(*ids), cmp_id);

	return f ? (long)f->idx : -1;
}

/* Among mounts of one device, the one to report: the whole filesystem
 * (root "/") before a bind of a subdirectory, then the shorter mount
 * point, then the earlier mount. */
static bool better_rep(const struct mnt *a, const struct mnt *b)
{
	bool ar = !strcmp(a->root, "/"), br = !strcmp(b->root, "/");
	size_t al = strlen(a->point), bl = strlen(b->point);

	if (ar != br)
		return ar;
	return al < bl;
}

static const struct mnt_table *sort_tab;

/* by mount point, then mount order */
static int cmp_point(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sort_tab->m[x].point, sort_tab->m[y].point);

	return c ? c : x < y ? -1 : x > y;
}

/* by device, then mount order */
static int cmp_dev(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct mnt *p = &sort_tab->m[x], *q = &sort_tab->m[y];

	if (p->major != q->major)
		return p->major < q->major ? -1 : 1;
	if (p->minor != q->minor)
		return p->minor < q->minor ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Is one of an overlay's layer directories (lowerdir=a:b, upperdir=,
 * workdir=, and 6.5's lowerdir+= and datadir+=, with "\\" escaping ':' and
 * ',') on a suspect mount?  A statfs of the overlay asks its upper layer,
 * and a lookup goes through every layer, so a FUSE or NFS mount below any
 * of them can hold the overlay's callers (ovl_statfs -> fuse_statfs).
 * -1 when no layer could be read from the options. */
static int layers_suspect(const struct mnt_table *t, const char *super)
{
	static const char *const keys[] = { "lowerdir=", "upperdir=", "workdir=", "lowerdir+=",
					    "datadir+=" };
	char path[4096];
	int found = 0;

	for (const char *p = super; p && *p;) {
		size_t k, kl = 0;

		for (k = 0; k < ARRAY_SIZE(keys); k++)
			if (!strncmp(p, keys[k], kl = strlen(keys[k])))
				break;
		if (k == ARRAY_SIZE(keys)) {
			/* the next option */
			while (*p && *p != ',')
				p += p[0] == '\\' && p[1] ? 2 : 1;
			p += *p == ',';
			continue;
		}
		p += kl;
		while (*p && *p != ',') {
			size_t o = 0;

			while (*p && *p != ',' && *p != ':') {
				if (p[0] == '\\' && p[1])
					p++;
				if (o + 1 < sizeof(path))
					path[o++] = *p;
				p++;
			}
			path[o] = '\0';
			p += *p == ':';
			if (path[0] == '/') {
				long i = mnt_find_path(t, path);

				found = 1;
				if (i >= 0 && t->m[i].suspect)
					return 1;
			}
		}
		p += *p == ',';
	}
	return found ? 0 : -1;
}

void mnt_classify(struct mnt_table *t)
{
	struct id_idx *ids = xcalloc(t->n + 1, sizeof(*ids));
	size_t *ord;

	for (size_t i = 0; i < t->n; i++) {
		ids[i] = (struct id_idx){ t->m[i].id, i };
		t->m[i].kind = mnt_kind_of(t->m[i].fstype);
		t->m[i].hide = MNT_SHOWN;
		t->m[i].same_as = -1;
	}
	qsort(ids, t->n, sizeof(*ids), cmp_id);
	for (size_t i = 0; i < t->n; i++) {
		/* suspect if this or any ancestor is remote (the path to it
		 * goes through the remote filesystem's lookups) */
		long j = (long)i;

		t->m[i].suspect = false;
		for (size_t depth = 0; j >= 0 && depth <= t->n; depth++) {
			const struct mnt *a = &t->m[j];

			if (a->kind == MNT_REMOTE) {
				t->m[i].suspect = true;
				break;
			}
			if (a->parent == a->id)
				break;
			j = by_id(ids, t->n, a->parent);
		}
	}
	/* Stacking filesystems are local but sit on other mounts: suspect when
	 * a layer is (rounds, for an overlay whose layer is an overlay); one
	 * whose layers cannot be read is suspect when any mount is. */
	{
		bool any = false;

		for (size_t i = 0; i < t->n; i++)
			any |= t->m[i].suspect;
		for (int round = 0; any && round < 4; round++) {
			bool changed = false;

			for (size_t i = 0; i < t->n; i++) {
				struct mnt *m = &t->m[i];
				int l;

				if (m->suspect || (strcmp(m->fstype, "overlay") && strcmp(m->fstype, "aufs")))
					continue;
				l = strcmp(m->fstype, "overlay") ? -1 : layers_suspect(t, m->super);
				if (l != 0) {
					m->suspect = true;
					changed = true;
				}
			}
			if (!changed)
				break;
		}
	}
	free(ids);
	ord = xcalloc(t->n + 1, sizeof(size_t));
	for (size_t i = 0; i < t->n; i++) {
		ord[i] = i;
		if (t->m[i].kind == MNT_PSEUDO)
			t->m[i].hide = MNT_HIDE_PSEUDO;
	}
	/* a later mount on the same point hides the earlier ones from every path */
	sort_tab = t;
	qsort(ord, t->n, sizeof(size_t), cmp_point);
	for (size_t a = 0, b; a < t->n; a = b) {
		for (b = a + 1; b < t->n && !strcmp(t->m[ord[a]].point, t->m[ord[b]].point); b++)
			;
		for (size_t k = a; k + 1 < b; k++)
			if (t->m[ord[k]].hide == MNT_SHOWN) {
				t->m[ord[k]].hide = MNT_HIDE_OVER;
				t->m[ord[k]].same_as = (long)ord[b - 1];
			}
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->m[i].hide == MNT_SHOWN && !strcmp(t->m[i].fstype, "overlay"))
			t->m[i].hide = MNT_HIDE_OVERLAY;
	/* one device at several places: report it once */
	qsort(ord, t->n, sizeof(size_t), cmp_dev);
	for (size_t a = 0, b; a < t->n; a = b) {
		const struct mnt *x = &t->m[ord[a]];
		long rep = -1;

		for (b = a + 1; b < t->n && t->m[ord[b]].major == x->major &&
				t->m[ord[b]].minor == x->minor;
		     b++)
			;
		for (size_t k = a; k < b; k++)
			if (t->m[ord[k]].hide == MNT_SHOWN &&
			    (rep < 0 || better_rep(&t->m[ord[k]], &t->m[rep])))
				rep = (long)ord[k];
		for (size_t k = a; k < b; k++)
			if (t->m[ord[k]].hide == MNT_SHOWN && (long)ord[k] != rep) {
				t->m[ord[k]].hide = MNT_HIDE_BIND;
				t->m[ord[k]].same_as = rep;
			}
	}
	free(ord);
}

static bool is_prefix_path(const char *point, const char *path)
{
	size_t n = strlen(point);

	if (n == 1 && point[0] == '/')
		return path[0] == '/';
	return !strncmp(point, path, n) && (path[n] == '/' || path[n] == '\0');
}

long mnt_find_path(const struct mnt_table *t, const char *path)
{
	long best = -1;
	size_t bl = 0;

	for (size_t i = 0; i < t->n; i++) {
		size_t l = strlen(t->m[i].point);

		if (!is_prefix_path(t->m[i].point, path))
			continue;
		/* longest point; on a tie the later mount is on top */
		if (best < 0 || l >= bl) {
			best = (long)i;
			bl = l;
		}
	}
	return best;
}

long mnt_find_dev(const struct mnt_table *t, unsigned major, unsigned minor)
{
	long any = -1;

	for (size_t i = 0; i < t->n; i++) {
		if (t->m[i].major != major || t->m[i].minor != minor)
			continue;
		if (t->m[i].hide == MNT_SHOWN)
			return (long)i;
		if (t->m[i].hide == MNT_HIDE_BIND && t->m[i].same_as >= 0)
			return t->m[i].same_as;
		if (any < 0)
			any = (long)i;
	}
	return any;
}

bool mnt_is_point(const struct mnt_table *t, const char *path)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->m[i].point, path))
			return true;
	return false;
}

bool mnt_has_option(const char *opts, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = opts; p && *p;) {
		size_t l = strcspn(p, ",");

		if (l == n && !memcmp(p, word, n))
			return true;
		p += l;
		if (*p == ',')
			p++;
	}
	return false;
}
