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
	m->super_ro = has_opt(m->super, "ro");
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

void mnt_classify(struct mnt_table *t)
{
	struct id_idx *ids = xcalloc(t->n, sizeof(*ids));

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
	free(ids);
	for (size_t i = 0; i < t->n; i++) {
		struct mnt *m = &t->m[i];

		if (m->kind == MNT_PSEUDO) {
			m->hide = MNT_HIDE_PSEUDO;
			continue;
		}
		/* a later mount on the same point hides this one from every path */
		for (size_t k = t->n; k-- > i + 1;)
			if (!strcmp(t->m[k].point, m->point)) {
				m->hide = MNT_HIDE_OVER;
				m->same_as = (long)k;
				break;
			}
		if (m->hide == MNT_SHOWN && !strcmp(m->fstype, "overlay"))
			m->hide = MNT_HIDE_OVERLAY;
	}
	for (size_t i = 0; i < t->n; i++) {
		struct mnt *m = &t->m[i];
		long rep = (long)i;

		if (m->hide != MNT_SHOWN)
			continue;
		for (size_t k = i + 1; k < t->n; k++) {
			struct mnt *o = &t->m[k];

			if (o->hide != MNT_SHOWN || o->major != m->major || o->minor != m->minor)
				continue;
			if (better_rep(o, &t->m[rep])) {
				t->m[rep].hide = MNT_HIDE_BIND;
				t->m[rep].same_as = (long)k;
				rep = (long)k;
			} else {
				o->hide = MNT_HIDE_BIND;
				o->same_as = rep;
			}
		}
		/* earlier hidden siblings point at the final representative */
		for (size_t k = i; k < t->n; k++)
			if (t->m[k].hide == MNT_HIDE_BIND && t->m[k].major == m->major &&
			    t->m[k].minor == m->minor)
				t->m[k].same_as = rep;
	}
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
