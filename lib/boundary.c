// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "boundary.h"

int boundary_add(struct boundaries *b, const char *glob)
{
	if (glob[0] != '/')
		return -EINVAL;
	if (b->n >= BOUNDARY_MAX)
		return -ENOSPC;
	b->glob[b->n++] = glob;
	return 0;
}

static bool matches(const struct boundaries *b, const char *path)
{
	for (int i = 0; i < b->n; i++)
		if (!fnmatch(b->glob[i], path, FNM_PATHNAME))
			return true;
	return false;
}

bool boundary_of(const struct boundaries *b, const char *cgroup, char *out, size_t len)
{
	char path[4096], *slash;
	size_t n = strlen(cgroup);

	if (len)
		out[0] = '\0';
	if (n >= sizeof(path))
		return false;
	memcpy(path, cgroup, n + 1);
	/* from the cgroup itself up to the root: the deepest match wins */
	for (;;) {
		if (matches(b, path)) {
			if (len)
				snprintf(out, len, "%s", path);
			return true;
		}
		if (!strcmp(path, "/"))
			return false;
		slash = strrchr(path, '/');
		if (!slash)
			return false;
		/* "/a" goes up to "/" */
		slash[slash == path] = '\0';
	}
}
