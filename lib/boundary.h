/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Security boundaries between cgroups, named by fnmatch globs (say, every
 * cgroup under /tenants): the cgroups whose pages must not share a KSM page
 * with anyone outside them.
 * ksmadvise predicts the saving that such boundaries keep; the sharing
 * audit (ksmdebug audit) checks that no KSM frame crosses one.
 */
#ifndef KSM_BOUNDARY_H
#define KSM_BOUNDARY_H

#include <stdbool.h>
#include <stddef.h>

#define BOUNDARY_MAX 32

struct boundaries {
	int n;
	const char *glob[BOUNDARY_MAX];
};

/*
 * Add a glob (fnmatch(3) with FNM_PATHNAME: '*' stays within one directory
 * name); it must be an absolute cgroup path.  0, -EINVAL (not absolute),
 * or -ENOSPC (more than BOUNDARY_MAX).  The string is kept, not copied.
 */
int boundary_add(struct boundaries *b, const char *glob);

/*
 * The boundary a cgroup lies in: the deepest of the cgroup and its
 * ancestors that a glob matches, the way a ksmpolicy rule applies to its
 * subtree.  Writes it to out and returns true; false (out "") when the
 * cgroup is in no boundary.
 */
bool boundary_of(const struct boundaries *b, const char *cgroup, char *out, size_t len);

#endif
