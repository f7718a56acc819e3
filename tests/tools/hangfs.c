/* hangfs: a FUSE filesystem whose statfs never returns, the way a dead
 * NFS or FUSE server behaves.  Everything else answers: the root is an
 * empty directory.  The caller of statfs(2) then waits uninterruptibly,
 * and a process with such a thread cannot finish exiting, until this
 * server dies or the mount is aborted.
 *
 *   hangfs [-r] MOUNTPOINT       (runs in the foreground; kill -9 it to end)
 *
 * -r: readdir never returns, and statfs answers: the mount looks well
 *     and only a walk into it hangs.
 * -c: creating a file never returns, and statfs answers: a directory that
 *     looks well until something is written into it.
 * -s: statfs answers until SIGUSR2, then never: a server that dies after
 *     something (an overlay, whose mount asks statfs) was stacked on it.
 * -t: a saved tree that stopped answering: /proc and /sys are directories,
 *     every other name under them a file, and reading any file never
 *     returns (a --root on a dead NFS export or FUSE).
 * -g: like -t, but looking up or stat'ing any name below the root never
 *     returns (getattr and lookup: a dead server seen by path walks).
 * -o: like -t, but opening any file never returns (reads would answer).
 * -l DIR: a slow server: a copy of DIR (a saved tree) whose every read
 *     takes 0.2 s, the rest answering at once.
 * SIGUSR1 releases it: the statfs calls waiting and every later one
 * answer (a server that came back).
 */
#define FUSE_USE_VERSION 31
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <fuse.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int hang_tree;
static const char *slow_dir;	/* -l */

static const char *under(const char *path, char *out)
{
	snprintf(out, PATH_MAX, "%s%s", slow_dir, path);
	return out;
}

static int slow_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	char p[PATH_MAX];

	(void)fi;
	return lstat(under(path, p), st) < 0 ? -errno : 0;
}

static int slow_readlink(const char *path, char *buf, size_t n)
{
	char p[PATH_MAX];
	ssize_t l = readlink(under(path, p), buf, n - 1);

	if (l < 0)
		return -errno;
	buf[l] = '\0';
	return 0;
}

static int slow_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
			struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	char p[PATH_MAX];
	DIR *d = opendir(under(path, p));
	struct dirent *de;

	(void)off;
	(void)fi;
	(void)flags;
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		fill(buf, de->d_name, NULL, 0, 0);
	closedir(d);
	return 0;
}

static int slow_open(const char *path, struct fuse_file_info *fi)
{
	char p[PATH_MAX];
	int fd = open(under(path, p), O_RDONLY);

	if (fd < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	fi->direct_io = 1;	/* every read reaches this server */
	return 0;
}

static int slow_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	ssize_t n;

	(void)path;
	usleep(200000);
	n = pread((int)fi->fh, buf, size, off);
	return n < 0 ? -errno : (int)n;
}

static int slow_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close((int)fi->fh);
	return 0;
}

static const struct fuse_operations slow_ops = {
	.getattr = slow_getattr,
	.readlink = slow_readlink,
	.readdir = slow_readdir,
	.open = slow_open,
	.read = slow_read,
	.release = slow_release,
};

static volatile sig_atomic_t released;
static int hang_lookups, hang_opens;

static int hang_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	while (hang_lookups && !released && strcmp(path, "/"))
		usleep(20000);
	memset(st, 0, sizeof(*st));
	if (hang_tree && (!strcmp(path, "/proc") || !strcmp(path, "/sys"))) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (hang_tree && (!strncmp(path, "/proc/", 6) || !strncmp(path, "/sys/", 5))) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		return 0;
	}
	if (strcmp(path, "/"))
		return -ENOENT;
	st->st_mode = S_IFDIR | 0755;
	st->st_nlink = 2;
	return 0;
}

static int hang_dirs;

static int hang_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
			struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/"))
		return -ENOENT;
	while (hang_dirs)
		pause();
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	return 0;
}

static volatile sig_atomic_t hang_creates, stopped;

static void on_usr1(int sig)
{
	(void)sig;
	released = 1;
}

static void on_usr2(int sig)
{
	(void)sig;
	stopped = 1;
	released = 0;
}

static int hang_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	/* polled: the signal may go to another of libfuse's threads */
	while (!released && !hang_creates)
		usleep(20000);
	memset(st, 0, sizeof(*st));
	st->f_bsize = st->f_frsize = 4096;
	st->f_blocks = 1000;
	st->f_bfree = st->f_bavail = 600;
	st->f_files = 100;
	st->f_ffree = 90;
	st->f_namemax = 255;
	return 0;
}

static int hang_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)path;
	(void)mode;
	(void)fi;
	while (hang_creates && !released)
		usleep(20000);
	return -EROFS;
}

static int hang_open(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	while (hang_opens && !released)
		usleep(20000);
	fi->direct_io = 1;	/* every read reaches this server */
	return 0;
}

static int hang_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)path;
	(void)buf;
	(void)size;
	(void)off;
	(void)fi;
	while (!released && !hang_opens)
		usleep(20000);
	return 0;
}

static const struct fuse_operations ops = {
	.open = hang_open,
	.read = hang_read,
	.getattr = hang_getattr,
	.readdir = hang_readdir,
	.statfs = hang_statfs,
	.create = hang_create,
};

int main(int argc, char **argv)
{
	char *args[] = { argv[0], "-f", "-o", "fsname=hangfs,allow_other", NULL, NULL };

	if (argc == 4 && !strcmp(argv[1], "-l")) {
		slow_dir = argv[2];
		args[4] = argv[3];
		return fuse_main(5, args, &slow_ops, NULL);
	}
	if (argc == 3 && !strcmp(argv[1], "-r")) {
		hang_dirs = 1;
		released = 1;
		argv++;
		argc--;
	} else if (argc == 3 && !strcmp(argv[1], "-t")) {
		/* statfs answers; reads wait, until SIGUSR1 */
		hang_tree = 1;
		hang_creates = 1;
		argv++;
		argc--;
	} else if (argc == 3 && (!strcmp(argv[1], "-g") || !strcmp(argv[1], "-o"))) {
		/* the -t tree; lookups, or opens, wait until SIGUSR1 */
		hang_tree = 1;
		hang_creates = 1;
		if (argv[1][1] == 'g')
			hang_lookups = 1;
		else
			hang_opens = 1;
		argv++;
		argc--;
	} else if (argc == 3 && !strcmp(argv[1], "-s")) {
		/* answers until SIGUSR2 */
		released = 1;
		argv++;
		argc--;
	} else if (argc == 3 && !strcmp(argv[1], "-c")) {
		/* statfs answers; only a create waits, until SIGUSR1 */
		hang_creates = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: hangfs [-r|-c|-s|-t|-g|-o|-l DIR] MOUNTPOINT\n");
		return 2;
	}
	args[4] = argv[1];
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr2);
	return fuse_main(5, args, &ops, NULL);
}
