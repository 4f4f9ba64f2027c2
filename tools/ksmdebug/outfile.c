// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "outfile.h"

int outfile_open(struct outfile *o, const char *path, bool atomic)
{
	const char *name = path;

	*o = (struct outfile){ .path = path, .atomic = atomic };
	if (atomic) {
		if (snprintf(o->tmp, sizeof(o->tmp), "%s.tmp", path) >= (int)sizeof(o->tmp))
			return cli_err("cannot write %s: %s", path, strerror(ENAMETOOLONG));
		name = o->tmp;
	}
	o->f = fopen(name, "w");
	if (!o->f)
		return cli_err("cannot write %s: %s", name, strerror(errno));
	return 0;
}

int outfile_close(struct outfile *o)
{
	/* a write error anywhere (a full disk) shows in ferror or in the last flush */
	bool failed = ferror(o->f);
	int err;

	failed |= fclose(o->f) != 0;
	err = errno;
	o->f = NULL;
	if (!failed && o->atomic && rename(o->tmp, o->path)) {
		failed = true;
		err = errno;
	}
	if (!failed)
		return 0;
	if (o->atomic)
		unlink(o->tmp);
	return cli_err("cannot write %s: %s", o->path, strerror(err ? err : EIO));
}
