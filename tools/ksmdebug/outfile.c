// SPDX-License-Identifier: GPL-2.0
/*
 * Output files name every process and cgroup of the host, and ksmdebug runs
 * as root, often with -o in /tmp: a file is written to a temporary that
 * mkstemp makes in the target's directory (0600, O_EXCL: nobody can plant
 * it, as a predictable PATH.tmp could be), synced, and renamed over the
 * target.  rename replaces a symlink at the target, never what it points
 * to; a target that is a directory, a FIFO or a device is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "outfile.h"

enum target { T_FILE, T_DIRECT, T_BAD };

/*
 * What path is: T_FILE (absent, a regular file, or a link to one or to
 * nothing: replaced by rename), T_DIRECT (a character device such as
 * /dev/null, or a FIFO, named directly: written in place), or T_BAD with
 * -errno in *err (a directory; a block device; a link to a device or a
 * FIFO, which may be a trap planted in /tmp).
 */
static enum target target_kind(const char *path, int *err)
{
	struct stat st, to;

	*err = 0;
	if (lstat(path, &st))
		return errno == ENOENT ? T_FILE : (*err = -errno, T_BAD);
	if (S_ISREG(st.st_mode))
		return T_FILE;
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
		return T_DIRECT;
	if (S_ISLNK(st.st_mode) && (stat(path, &to) ? errno == ENOENT : S_ISREG(to.st_mode)))
		return T_FILE;
	*err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	return T_BAD;
}

int outfile_check(const char *path)
{
	int err;

	if (target_kind(path, &err) != T_BAD)
		return 0;
	return cli_err("cannot write %s: %s", path,
		       err == -EINVAL ? "not a regular file" : strerror(-err));
}

/* A device or a FIFO, in place: never through a link, never waiting for a reader. */
static int open_direct(struct outfile *o)
{
	int fd = open(o->path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return cli_err("cannot write %s: %s", o->path,
			       errno == ENXIO ? "a FIFO with no reader" : strerror(errno));
	fcntl(fd, F_SETFL, 0);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		return cli_err("cannot write %s: %s", o->path, strerror(errno));
	}
	o->direct = true;
	return 0;
}

int outfile_open(struct outfile *o, const char *path)
{
	char dir[PATH_MAX];
	int fd, err;

	*o = (struct outfile){ .path = path };
	if (outfile_check(path))
		return CLI_EXIT_ERROR;
	if (target_kind(path, &err) == T_DIRECT)
		return open_direct(o);
	snprintf(dir, sizeof(dir), "%s", path);
	if (snprintf(o->tmp, sizeof(o->tmp), "%s/.ksmdebug.XXXXXX", dirname(dir)) >=
	    (int)sizeof(o->tmp))
		return cli_err("cannot write %s: %s", path, strerror(ENAMETOOLONG));
	fd = mkstemp(o->tmp);
	if (fd < 0)
		return cli_err("cannot write %s: %s", path, strerror(errno));
	o->f = fdopen(fd, "w");
	if (!o->f) {
		err = errno;
		close(fd);
		unlink(o->tmp);
		return cli_err("cannot write %s: %s", path, strerror(err));
	}
	return 0;
}

int outfile_close(struct outfile *o)
{
	/* a write error anywhere (a full disk) shows in ferror or in the last flush */
	bool failed = fflush(o->f) || ferror(o->f) || (!o->direct && fsync(fileno(o->f)));
	int err = errno;

	failed |= fclose(o->f) != 0;
	if (failed && !err)
		err = errno;
	o->f = NULL;
	if (o->direct)
		return failed ? cli_err("cannot write %s: %s", o->path, strerror(err ? err : EIO))
			      : 0;
	if (!failed && rename(o->tmp, o->path)) {
		failed = true;
		err = errno;
	}
	if (!failed)
		return 0;
	unlink(o->tmp);
	return cli_err("cannot write %s: %s", o->path, strerror(err ? err : EIO));
}
