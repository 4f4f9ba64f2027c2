// SPDX-License-Identifier: GPL-2.0
/*
 * The rows of a sample: which processes and cgroups the filters let
 * through, in the chosen order, and the cgroups as a tree. Rebuilt from the
 * model's sums without reading anything, so a filter or order change in
 * the view costs no system call.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

static struct top_row *push_row(struct top_row **rows, int *n, int *cap)
{
	if (*n == *cap) {
		int ncap = *cap ? *cap * 2 : 64;
		struct top_row *nr = realloc(*rows, ncap * sizeof(*nr));

		if (!nr)
			return NULL;
		*rows = nr;
		*cap = ncap;
	}
	memset(&(*rows)[*n], 0, sizeof(**rows));
	return &(*rows)[(*n)++];
}

static bool proc_shown(const struct top_model *m, const struct proc_ent *p)
{
	return p->valid && p->ksm && (!m->filter.pid || p->pid == m->filter.pid) &&
	       top_cgroup_in(p->cgroup, m->filter.cgroup);
}

static void proc_row(const struct proc_ent *p, struct top_row *r)
{
	r->tree_depth = 0;
	r->tree_last = false;
	r->pid = p->pid;
	memcpy(r->comm, p->comm, sizeof(r->comm));
	r->cgroup = p->cgroup ? p->cgroup : "?";
	r->cg = p->cg;
	r->s = p->now;
}

/*
 * Which cgroups get a row: those in the -c subtree, no deeper than
 * --cgroup-depth, and with -p only the process's own and its ancestors'.
 */
static bool cgroup_shown(const struct top_model *m, const struct top_cgroup *c)
{
	const struct proc_ent *p;

	if (m->filter.depth >= 0 && c->depth > m->filter.depth)
		return false;
	if (c->path[0] == '/' ? !top_cgroup_in(c->path, m->filter.cgroup) : !!m->filter.cgroup[0])
		return false;
	if (!m->filter.pid)
		return true;
	p = proc_table_find((struct proc_table *)&m->procs, m->filter.pid);
	for (const struct top_cgroup *a = p && p->valid ? p->cg : NULL; a; a = a->parent)
		if (a == c)
			return true;
	return false;
}

static void cgroup_rows(struct top_model *m)
{
	for (unsigned int i = 0; i < m->cgroups.n; i++) {
		const struct top_cgroup *c = m->cgroups.node[i];
		struct top_row *r;

		if (!cgroup_shown(m, c))
			continue;
		r = push_row(&m->cgrows, &m->ncgrows, &m->cgrows_cap);
		if (!r)
			return;
		r->cgroup = c->path;
		r->cg = c;
		r->s = c->subtree;
	}
}

struct sort_by {
	enum top_sort key;
	bool ascending;
};

static int cmp_num(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int cmp_key(const struct top_row *a, const struct top_row *b, enum top_sort key)
{
	bool procs = a->pid || b->pid;

	switch (key) {
	case TOP_SORT_PID:
		return procs ? cmp_num(a->pid, b->pid) : cmp_num(a->s.nprocs, b->s.nprocs);
	case TOP_SORT_COMM:
		return procs ? strcmp(a->comm, b->comm) : strcmp(a->cgroup, b->cgroup);
	case TOP_SORT_CGROUP:
		return strcmp(a->cgroup, b->cgroup);
	case TOP_SORT_MERGING:
		return cmp_num(a->s.merging_pages, b->s.merging_pages);
	case TOP_SORT_RMAP:
		return cmp_num(a->s.rmap_items, b->s.rmap_items);
	case TOP_SORT_ZERO:
		return cmp_num(a->s.zero_pages, b->s.zero_pages);
	case TOP_SORT_PROFIT:
		return cmp_num(a->s.profit, b->s.profit);
	case TOP_SORT_MERGES:
		return cmp_num(a->s.merges_per_s, b->s.merges_per_s);
	case TOP_SORT_UNMERGES:
		return cmp_num(a->s.unmerges_per_s, b->s.unmerges_per_s);
	case TOP_SORT_MODE:
		return strcmp(top_row_mode(a), top_row_mode(b));
	default:
		return 0;
	}
}

static int cmp_row(const void *pa, const void *pb, void *arg)
{
	const struct top_row *a = pa, *b = pb;
	const struct sort_by *by = arg;
	int c = cmp_key(a, b, by->key);

	if (!c) /* stable, readable ties */
		c = a->pid || b->pid ? cmp_num(b->pid, a->pid) : strcmp(b->cgroup, a->cgroup);
	return by->ascending ? c : -c;
}

/* A row's number under a numeric sort key; false for the keys that sort names. */
static bool num_key(const struct top_stats *s, int pid, enum top_sort key, double *v)
{
	switch (key) {
	case TOP_SORT_PID:
		*v = pid;
		return true;
	case TOP_SORT_MERGING:
		*v = s->merging_pages;
		return true;
	case TOP_SORT_RMAP:
		*v = s->rmap_items;
		return true;
	case TOP_SORT_ZERO:
		*v = s->zero_pages;
		return true;
	case TOP_SORT_PROFIT:
		*v = s->profit;
		return true;
	case TOP_SORT_MERGES:
		*v = s->merges_per_s;
		return true;
	case TOP_SORT_UNMERGES:
		*v = s->unmerges_per_s;
		return true;
	default:
		return false;
	}
}

struct proc_key {
	double v;
	int pid;
	const struct proc_ent *p;
};

static int cmp_key_asc(const void *pa, const void *pb)
{
	const struct proc_key *a = pa, *b = pb;
	int c = cmp_num(a->v, b->v);

	return c ? c : cmp_num(b->pid, a->pid); /* cmp_row's ties */
}

static int cmp_key_desc(const void *pa, const void *pb)
{
	return -cmp_key_asc(pa, pb);
}

/*
 * The process rows, in order.  By a number, small keys are sorted and each
 * row is written once, in place (10,000 rows of 150 bytes are not moved
 * around by the sort, the order is cmp_row's); by a name, qsort_r sorts the
 * rows.
 */
static void proc_rows(struct top_model *m)
{
	struct sort_by by = { m->sort, m->ascending };
	struct proc_key *k = malloc((m->procs.len + 1) * sizeof(*k));
	struct proc_ent *p;
	unsigned int i = 0;
	bool num = true;
	int n = 0;

	if (!k)
		return;
	while ((p = proc_table_next(&m->procs, &i))) {
		if (!proc_shown(m, p))
			continue;
		num = num_key(&p->now, p->pid, m->sort, &k[n].v);
		k[n].pid = p->pid;
		k[n++].p = p;
	}
	if (num && n)
		qsort(k, n, sizeof(*k), m->ascending ? cmp_key_asc : cmp_key_desc);
	if (n > m->rows_cap) {
		struct top_row *r = reallocarray(m->rows, n, sizeof(*r));

		if (!r) {
			free(k);
			return;
		}
		m->rows = r;
		m->rows_cap = n;
	}
	for (int j = 0; j < n; j++)
		proc_row(k[j].p, &m->rows[j]);
	m->nrows = n;
	free(k);
	if (!num && n)
		qsort_r(m->rows, m->nrows, sizeof(*m->rows), cmp_row, &by);
}

void top_model_rebuild(struct top_model *m)
{
	struct sort_by by = { m->sort, m->ascending };

	m->nrows = m->ncgrows = 0;
	proc_rows(m);
	cgroup_rows(m);
	if (m->ncgrows)
		qsort_r(m->cgrows, m->ncgrows, sizeof(*m->cgrows), cmp_row, &by);
	top_model_tree(m);
}

/* The row of the nearest ancestor that has one; -1 if none (a root of the view). */
static int shown_parent(const struct top_row *r, const int *row_of)
{
	for (const struct top_cgroup *a = r->cg->parent; a; a = a->parent)
		if (row_of[a->idx] >= 0)
			return row_of[a->idx];
	return -1;
}

/*
 * Depth first from the first root (siblings are linked by next, the roots
 * too), children in the order of the rows, which is the sort order.  The
 * stack has room for n levels: a tree of n rows is no deeper.
 */
static void walk(struct top_model *m, const int *first, const int *next, int *stack)
{
	int depth = 0, n = 0;

	while (depth >= 0) {
		int k = stack[depth];

		if (k < 0) { /* no sibling left at this level */
			if (--depth >= 0)
				stack[depth] = next[stack[depth]];
			continue;
		}
		m->cgrows[k].tree_depth = depth;
		m->cgrows[k].tree_last = next[k] < 0;
		m->tree[n++] = k;
		if (first[k] >= 0)
			stack[++depth] = first[k];
		else
			stack[depth] = next[k];
	}
}

void top_model_tree(struct top_model *m)
{
	int n = m->ncgrows, *t, *buf, *first, *next, *last, *stack, *row_of;

	t = realloc(m->tree, (n + 1) * sizeof(*t));
	if (!t)
		return;
	m->tree = t;
	/* first child, next sibling, last child: index n stands for the roots */
	buf = malloc((4 * (n + 1) + m->cgroups.n) * sizeof(*buf));
	if (!buf)
		return;
	first = buf;
	next = first + n + 1;
	last = next + n + 1;
	stack = last + n + 1;
	row_of = stack + n + 1;
	for (unsigned int i = 0; i < m->cgroups.n; i++)
		row_of[i] = -1;
	for (int k = 0; k < n; k++)
		row_of[m->cgrows[k].cg->idx] = k;
	for (int k = 0; k <= n; k++)
		first[k] = next[k] = last[k] = -1;
	for (int k = 0; k < n; k++) {
		int p = shown_parent(&m->cgrows[k], row_of);

		if (p < 0)
			p = n;
		if (last[p] < 0)
			first[p] = k;
		else
			next[last[p]] = k;
		last[p] = k;
	}
	stack[0] = first[n];
	walk(m, first, next, stack);
	free(buf);
}
