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

/* A target that may be replaced: absent, a regular file, or a symlink. */
static int target_ok(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	return S_ISREG(st.st_mode) || S_ISLNK(st.st_mode) ? 0 : -EINVAL;
}

int outfile_check(const char *path)
{
	int err = target_ok(path);

	if (err)
		return cli_err("cannot write %s: %s", path,
			       err == -EINVAL ? "not a regular file" : strerror(-err));
	return 0;
}

int outfile_open(struct outfile *o, const char *path)
{
	char dir[PATH_MAX];
	int fd, err;

	*o = (struct outfile){ .path = path };
	if (outfile_check(path))
		return CLI_EXIT_ERROR;
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
	bool failed = fflush(o->f) || ferror(o->f) || fsync(fileno(o->f));
	int err = errno;

	failed |= fclose(o->f) != 0;
	if (failed && !err)
		err = errno;
	o->f = NULL;
	if (!failed && rename(o->tmp, o->path)) {
		failed = true;
		err = errno;
	}
	if (!failed)
		return 0;
	unlink(o->tmp);
	return cli_err("cannot write %s: %s", o->path, strerror(err ? err : EIO));
}
