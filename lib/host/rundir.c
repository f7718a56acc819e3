#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Make `path` a directory of ours, mode 0700, never through a symlink. */
static bool own_dir(const char *path, struct sbx_err *err)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		struct stat st;
		int fd;

		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			sbx_err_set(err, errno, "%s: %s", path, strerror(errno));
			return false;
		}
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;

			/* a symlink or a file where the directory should be:
			 * remove it (only its owner or root can, in /tmp) */
			if ((e == ELOOP || e == ENOTDIR) && lstat(path, &st) == 0 &&
			    !S_ISDIR(st.st_mode) && unlink(path) == 0)
				continue;
			sbx_err_set(err, e, "%s: %s, not used", path,
				    e == ELOOP ? "a symlink that cannot be removed" : strerror(e));
			return false;
		}
		if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
			sbx_err_set(err, EPERM, "%s: owned by uid %u, not %u: not used", path,
				    (unsigned)st.st_uid, (unsigned)geteuid());
			close(fd);
			return false;
		}
		if ((st.st_mode & 077) && fchmod(fd, 0700) < 0) {
			sbx_err_set(err, errno, "%s: mode %o: %s", path, st.st_mode & 07777,
				    strerror(errno));
			close(fd);
			return false;
		}
		close(fd);
		return true;
	}
	sbx_err_set(err, EEXIST, "%s: keeps coming back as a symlink: not used", path);
	return false;
}

bool rundir_get(char *out, size_t n, struct sbx_err *err)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	/* the user's own runtime dir only: an inherited one (sudo, setpriv)
	 * is someone else's */
	if (x && x[0] == '/' && stat(x, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid() && access(x, W_OK | X_OK) == 0) {
		if ((size_t)snprintf(out, n, "%s/srebox", x) >= n) {
			sbx_err_set(err, ENAMETOOLONG, "$XDG_RUNTIME_DIR is too long");
			return false;
		}
	} else if (geteuid() == 0) {
		snprintf(out, n, "/run/srebox");
	} else {
		snprintf(out, n, "/tmp/srebox-%u", (unsigned)geteuid());
	}
	return own_dir(out, err);
}

bool rundir_file_ok(int fd, size_t max)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	       !(st.st_mode & 022) && (size_t)st.st_size <= max;
}
