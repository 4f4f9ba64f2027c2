// SPDX-License-Identifier: GPL-2.0
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "cgtree.h"

static int cmp_path(const void *a, const void *b)
{
	return strcmp(((const struct top_cgroup *)a)->path, ((const struct top_cgroup *)b)->path);
}

void cgtree_init(struct cgtree *t)
{
	memset(t, 0, sizeof(*t));
}

static void free_node(void *p)
{
	struct top_cgroup *c = p;

	free(c->path);
	free(c);
}

void cgtree_free(struct cgtree *t)
{
	tdestroy(t->index, free_node);
	free(t->node);
	memset(t, 0, sizeof(*t));
}

static struct top_cgroup *find(struct cgtree *t, const char *path)
{
	struct top_cgroup key = { .path = (char *)path };
	void *hit = tfind(&key, &t->index, cmp_path);

	return hit ? *(struct top_cgroup **)hit : NULL;
}

/* "/a/b" -> "/a", "/a" -> "/", "/" and "?" -> none. */
static bool parent_path(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (path[0] != '/' || !path[1] || !slash || len < 2)
		return false;
	if (slash == path) {
		strcpy(buf, "/");
		return true;
	}
	if ((size_t)(slash - path) >= len)
		return false;
	memcpy(buf, path, slash - path);
	buf[slash - path] = '\0';
	return true;
}

static int grow(struct cgtree *t)
{
	struct top_cgroup **n;

	if (t->n < t->cap)
		return 0;
	n = reallocarray(t->node, t->cap * 2 + 64, sizeof(*n));
	if (!n)
		return -1;
	t->node = n;
	t->cap = t->cap * 2 + 64;
	return 0;
}

static struct top_cgroup *make(struct cgtree *t, const char *path, struct top_cgroup *parent)
{
	struct top_cgroup *c = calloc(1, sizeof(*c));

	if (!c || grow(t) || !(c->path = strdup(path))) {
		free(c);
		return NULL;
	}
	if (!tsearch(c, &t->index, cmp_path)) {
		free_node(c);
		return NULL;
	}
	c->parent = parent;
	c->depth = parent ? parent->depth + 1 : 0;
	workload_from_cgroup(path, &c->wl);
	top_stats_zero(&c->self);
	top_stats_zero(&c->subtree);
	/* unmarked: cgtree_add marks it and its ancestors */
	c->gen = t->gen - 1;
	c->idx = t->n;
	t->node[t->n++] = c;
	return c;
}

struct top_cgroup *cgtree_get(struct cgtree *t, const char *path)
{
	struct top_cgroup *c = find(t, path), *parent = NULL;
	char up[4096];

	if (c)
		return c;
	if (parent_path(path, up, sizeof(up))) {
		parent = cgtree_get(t, up);
		if (!parent)
			return NULL;
	}
	return make(t, path, parent);
}

void cgtree_begin(struct cgtree *t)
{
	t->gen++;
	for (unsigned int i = 0; i < t->n; i++) {
		top_stats_zero(&t->node[i]->self);
		top_stats_zero(&t->node[i]->subtree);
	}
}

void cgtree_add(struct cgtree *t, struct top_cgroup *c, const struct top_stats *s)
{
	top_stats_add(&c->self, s);
	/* an ancestor of a node marked in this sample is marked already */
	for (; c && c->gen != t->gen; c = c->parent)
		c->gen = t->gen;
}

static void drop(struct cgtree *t, struct top_cgroup *c)
{
	unsigned int i = c->idx;

	tdelete(c, &t->index, cmp_path);
	t->node[i] = t->node[--t->n];
	t->node[i]->idx = i;
	free_node(c);
}

void cgtree_end(struct cgtree *t)
{
	/* a node's own processes count in its subtree and in every ancestor's */
	for (unsigned int i = 0; i < t->n; i++) {
		struct top_cgroup *c = t->node[i];

		if (!c->self.nprocs)
			continue;
		for (struct top_cgroup *a = c; a; a = a->parent)
			top_stats_add(&a->subtree, &c->self);
	}
	for (unsigned int i = 0; i < t->n;) {
		struct top_cgroup *c = t->node[i];

		/* children go with their parents: nothing left points at c */
		if (c->gen != t->gen) {
			drop(t, c);
			continue;
		}
		top_totals_add(&c->self_total, &c->self);
		top_totals_add(&c->subtree_total, &c->subtree);
		i++;
	}
}
