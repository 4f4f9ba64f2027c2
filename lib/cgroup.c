// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "procfs.h"

struct cg_entry {
	uint64_t id;		/* 0: empty slot */
	char *path;
};

const char *cgroup_root(void)
{
	const char *r = getenv("KSM_CGROUP_ROOT");
	struct statfs sfs;

	if (r && *r)
		return r;
	if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup";
	if (statfs("/sys/fs/cgroup/unified", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup/unified";
	return NULL;
}

/* Normalise "a//b/" and "/a/b" to "/a/b"; the root is "/". */
static void normalise(const char *in, char *out, size_t len)
{
	size_t o = 0;

	out[o++] = '/';
	while (*in && o + 1 < len) {
		while (*in == '/')
			in++;
		while (*in && *in != '/' && o + 1 < len)
			out[o++] = *in++;
		if (*in == '/' && in[strspn(in, "/")])
			out[o++] = '/';
	}
	out[o] = '\0';
	if (o > 1 && out[o - 1] == '/')
		out[o - 1] = '\0';
}

static bool has_dotdot(const char *p)
{
	size_t n = strlen(p);

	return strstr(p, "/../") || (n >= 3 && !strcmp(p + n - 3, "/.."));
}

int cgroup_resolve(const char *arg, uint64_t *id, int *level, char *rel, size_t rel_len)
{
	const char *root = cgroup_root();
	char full[4096], norm[4096];
	size_t rlen;
	struct stat st;
	struct statfs sfs;
	int lv = 0;

	if (!root)
		return -EINVAL;
	rlen = strlen(root);
	if (!strncmp(arg, root, rlen) && (arg[rlen] == '/' || !arg[rlen]))
		arg += rlen;
	normalise(arg, norm, sizeof(norm));
	if (has_dotdot(norm))
		return -EINVAL;
	snprintf(full, sizeof(full), "%s%s", root, norm);
	if (stat(full, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (statfs(full, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -EINVAL;
	for (const char *p = norm; *p; p++)
		lv += *p == '/' && p[1];
	*id = st.st_ino;
	*level = lv;
	if (rel)
		snprintf(rel, rel_len, "%s", norm);
	return 0;
}

static unsigned int slot_of(const struct cgroup_cache *c, uint64_t id)
{
	unsigned int i = (unsigned int)((id * 0x9E3779B97F4A7C15ULL) >> 32) & (c->cap - 1);

	while (c->tab[i].id && c->tab[i].id != id)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static int cache_put(struct cgroup_cache *c, uint64_t id, const char *path)
{
	unsigned int i;

	if ((c->len + 1) * 2 > c->cap) {
		struct cg_entry *old = c->tab;
		unsigned int ocap = c->cap;

		c->cap = c->cap ? c->cap * 2 : 256;
		c->tab = calloc(c->cap, sizeof(*c->tab));
		if (!c->tab) {
			c->tab = old;
			c->cap = ocap;
			return -ENOMEM;
		}
		for (unsigned int j = 0; j < ocap; j++)
			if (old[j].id)
				c->tab[slot_of(c, old[j].id)] = old[j];
		free(old);
	}
	i = slot_of(c, id);
	if (c->tab[i].id) {
		if (strcmp(c->tab[i].path, path)) {
			free(c->tab[i].path);
			c->tab[i].path = strdup(path);
		}
		return 0;
	}
	c->tab[i].id = id;
	c->tab[i].path = strdup(path);
	c->len++;
	return 0;
}

/* nftw has no user pointer: the walk is single-threaded, so a static will do. */
static struct cgroup_cache *walking;

static int walk_one(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	if (type != FTW_D)
		return FTW_CONTINUE;
	cache_put(walking, sb->st_ino, fpath[strlen(walking->root)] ?
		  fpath + strlen(walking->root) : "/");
	return FTW_CONTINUE;
}

static void rescan(struct cgroup_cache *c)
{
	walking = c;
	nftw(c->root, walk_one, 16, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL);
	walking = NULL;
	clock_gettime(CLOCK_MONOTONIC, &c->last_scan);
}

int cgroup_cache_init(struct cgroup_cache *c)
{
	const char *root = cgroup_root();

	memset(c, 0, sizeof(*c));
	if (!root)
		return -ENOENT;
	snprintf(c->root, sizeof(c->root), "%s", root);
	rescan(c);
	return 0;
}

void cgroup_cache_free(struct cgroup_cache *c)
{
	for (unsigned int i = 0; i < c->cap; i++)
		free(c->tab[i].path);
	free(c->tab);
	memset(c, 0, sizeof(*c));
}

const char *cgroup_cache_path(struct cgroup_cache *c, uint64_t id)
{
	struct timespec now;
	unsigned int i;

	if (!id || !c->root[0])
		return NULL;
	if (c->cap) {
		i = slot_of(c, id);
		if (c->tab[i].id)
			return c->tab[i].path;
	}
	/* A new cgroup: walk again, but at most every 200 ms. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - c->last_scan.tv_sec) * 1000 +
	    (now.tv_nsec - c->last_scan.tv_nsec) / 1000000 < 200)
		return NULL;
	rescan(c);
	if (!c->cap)
		return NULL;
	i = slot_of(c, id);
	return c->tab[i].id ? c->tab[i].path : NULL;
}

uint64_t cgroup_id_of_pid(int pid, char *rel, size_t rel_len)
{
	char path[4096];
	uint64_t id;
	int level;

	if (proc_read_cgroup(pid, path, sizeof(path)) ||
	    cgroup_resolve(path, &id, &level, rel, rel_len))
		return 0;
	return id;
}

bool cgroup_in_subtree(const char *path, const char *root)
{
	size_t n;

	if (!root || !strcmp(root, "/"))
		return true;
	n = strlen(root);
	return !strncmp(path, root, n) && (path[n] == '\0' || path[n] == '/');
}
