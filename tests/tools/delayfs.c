/* delayfs: a FUSE filesystem holding one file, /disk.img, kept in memory,
 * whose every read and write waits a fixed time before it is served: a
 * slow disk to put a loop device on, where this machine has neither
 * device-mapper (dm-delay) nor netem.
 *
 *   delayfs [-s MIB] [-d MS] MOUNTPOINT    (foreground; SIGTERM or
 *                                           fusermount3 -u to end)
 *
 * -s: the file's size in MiB (default 64); -d: the added latency of each
 * read and write in milliseconds (default 20).  The file is opened with
 * direct_io, so the kernel's page cache does not absorb the I/O: a loop
 * device over it (losetup --direct-io=on) sees the delay on every request.
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *data;
static size_t size;
static long delay_ms = 20;

static void wait_delay(void)
{
	struct timespec ts = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int d_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (strcmp(path, "/disk.img"))
		return -ENOENT;
	st->st_mode = S_IFREG | 0644;
	st->st_nlink = 1;
	st->st_size = (off_t)size;
	st->st_blocks = (blkcnt_t)(size / 512);
	return 0;
}

static int d_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		     struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "disk.img", NULL, 0, 0);
	return 0;
}

static int d_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, "/disk.img"))
		return -ENOENT;
	fi->direct_io = 1;
	return 0;
}

static int d_read(const char *path, char *buf, size_t n, off_t off, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	wait_delay();
	if (off < 0 || (size_t)off >= size)
		return 0;
	if (n > size - (size_t)off)
		n = size - (size_t)off;
	memcpy(buf, data + off, n);
	return (int)n;
}

static int d_write(const char *path, const char *buf, size_t n, off_t off,
		   struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	wait_delay();
	if (off < 0 || (size_t)off >= size)
		return -ENOSPC;
	if (n > size - (size_t)off)
		n = size - (size_t)off;
	memcpy(data + off, buf, n);
	return (int)n;
}

static int d_truncate(const char *path, off_t len, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	return (size_t)len == size ? 0 : -EPERM;
}

static const struct fuse_operations ops = {
	.getattr = d_getattr,
	.readdir = d_readdir,
	.open = d_open,
	.read = d_read,
	.write = d_write,
	.truncate = d_truncate,
};

int main(int argc, char **argv)
{
	char *args[] = { argv[0], "-f", "-o", "fsname=delayfs,allow_other", NULL, NULL };
	long mib = 64;
	int c;

	while ((c = getopt(argc, argv, "s:d:")) != -1) {
		if (c == 's')
			mib = atol(optarg);
		else if (c == 'd')
			delay_ms = atol(optarg);
		else
			goto usage;
	}
	if (optind != argc - 1 || mib <= 0 || mib > 4096 || delay_ms < 0 || delay_ms > 60000)
		goto usage;
	size = (size_t)mib << 20;
	data = calloc(1, size);
	if (!data) {
		perror("delayfs");
		return 1;
	}
	args[4] = argv[optind];
	return fuse_main(5, args, &ops, NULL);
usage:
	fprintf(stderr, "usage: delayfs [-s MIB] [-d MS] MOUNTPOINT\n");
	return 2;
}
