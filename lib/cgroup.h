/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 id <-> path. BPF sees cgroup ids (kernfs node ids, which are the
 * directories' inode numbers); people read paths.
 */
#ifndef KSM_CGROUP_H
#define KSM_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct cg_entry;

struct cgroup_cache {
	char root[256];		/* cgroup2 mount point */
	struct cg_entry *tab;
	unsigned int cap, len;
	struct timespec last_scan;
};

/* Mount point of cgroup v2 ($KSM_CGROUP_ROOT overrides); NULL if none. */
const char *cgroup_root(void);
/*
 * Resolve a user-given cgroup: an absolute path under the mount point or a
 * path relative to the cgroup root ("/a/b" or "a/b"). Fills id, level (0 is
 * the root) and the canonical path relative to the root ("/a/b").
 * Returns 0, -ENOENT (no such cgroup), -ENOTDIR, or -EINVAL (not cgroup v2).
 */
int cgroup_resolve(const char *arg, uint64_t *id, int *level, char *rel, size_t rel_len);

int cgroup_cache_init(struct cgroup_cache *c);
void cgroup_cache_free(struct cgroup_cache *c);
/* Path ("/a/b", "/" for the root) of a cgroup id; NULL if unknown. */
const char *cgroup_cache_path(struct cgroup_cache *c, uint64_t id);
/* Cgroup v2 id of a process; 0 on error. */
uint64_t cgroup_id_of_pid(int pid, char *rel, size_t rel_len);

/* Is the cgroup path ("/a/b") in the subtree of root ("/a"; "/" or NULL: all)? */
bool cgroup_in_subtree(const char *path, const char *root);

#endif
