// SPDX-License-Identifier: GPL-2.0
/*
 * The model's event accounting and its rows. Events arrive between samples
 * (top_model_event); the sampler turns counts into rates once per interval
 * and asks for the rows (top_model_rebuild), which a filter change in the
 * view rebuilds from the same sample without reading anything again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "policy_pin.h"

static const char *const sort_names[TOP_SORT_MAX] = {
	[TOP_SORT_PID] = "pid",		  [TOP_SORT_COMM] = "comm",
	[TOP_SORT_CGROUP] = "cgroup",	  [TOP_SORT_MERGING] = "merging",
	[TOP_SORT_RMAP] = "rmap",	  [TOP_SORT_ZERO] = "zero",
	[TOP_SORT_PROFIT] = "profit",	  [TOP_SORT_MERGES] = "merges",
	[TOP_SORT_UNMERGES] = "unmerges", [TOP_SORT_MODE] = "mode",
};

const char *top_sort_name(enum top_sort s)
{
	return s < TOP_SORT_MAX ? sort_names[s] : "?";
}

int top_sort_by_name(const char *name)
{
	for (int i = 0; i < TOP_SORT_MAX; i++)
		if (!strcmp(name, sort_names[i]))
			return i;
	return -1;
}

bool top_sort_ascending(enum top_sort s)
{
	return s == TOP_SORT_PID || s == TOP_SORT_COMM || s == TOP_SORT_CGROUP ||
	       s == TOP_SORT_MODE;
}

const char *top_sort_names(void)
{
	static char names[TOP_SORT_MAX * 12];

	if (!names[0])
		for (int i = 0; i < TOP_SORT_MAX; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", sort_names[i]);
	return names;
}

bool top_kind_active(const struct top_model *m, unsigned int kind)
{
	return kind < KSM_EV_MAX && (m->active_kinds & (1u << kind));
}

int64_t top_sysfs(const struct ksm_sysfs *s, const char *name)
{
	int64_t v = 0;

	ksm_sysfs_get(s, name, &v);
	return v;
}

int top_model_init(struct top_model *m)
{
	memset(m, 0, sizeof(*m));
	m->nr_nodes = 1;
	m->sort = TOP_SORT_MERGING;
	m->g.ksmd_cpu_percent = -1;
	m->policy_fd = -1;
	return proc_table_init(&m->procs);
}

void top_model_free(struct top_model *m)
{
	proc_table_free(&m->procs);
	if (m->policy_fd >= 0)
		close(m->policy_fd);
	free(m->rows);
	free(m->cgrows);
	memset(m, 0, sizeof(*m));
}

/* The node of a page: the event's own, else the pfn's zone; NULL if unknown. */
static struct top_node *node_of(struct top_model *m, int nid, uint64_t pfn)
{
	if (nid < 0 && pfn && m->have_numa)
		nid = numa_pfn_to_nid(&m->numa, pfn);
	if (nid < 0)
		nid = m->nr_nodes == 1 ? 0 : -1;
	if (nid < 0 || nid >= TOP_MAX_NODES)
		return NULL;
	if (nid >= m->nr_nodes)
		m->nr_nodes = nid + 1;
	return &m->node[nid];
}

static void scan_event(struct top_model *m, const struct ksm_event *e)
{
	if (e->kind == KSM_EV_START_SCAN) {
		m->scan_start_ts = e->ts_ns;
		return;
	}
	if (m->scan_start_ts && e->ts_ns > m->scan_start_ts)
		m->last_scan_s = (e->ts_ns - m->scan_start_ts) / 1e9;
	m->scan_start_ts = 0;
}

static void merge_event(struct top_model *m, struct proc_ent *p, const struct ksm_event *e)
{
	struct top_node *n;

	if (e->err)
		return;
	m->merges_total++;
	if (p)
		p->ev.merges++;
	/* pfn is the KSM page's: into an existing one, or the page that becomes one */
	n = node_of(m, e->nid, e->pfn);
	if (!n)
		return;
	n->merges++;
	/* aux[0] says "into an existing KSM page"; the patched kernel counts creations itself */
	if (!e->aux[0] && !top_kind_active(m, KSM_EV_STABLE_NODE_INSERT))
		n->created++;
}

static void migrate_event(struct top_model *m, const struct ksm_event *e)
{
	struct top_node *from = node_of(m, e->nid, e->pfn);
	struct top_node *to = node_of(m, e->nid2, e->pfn2);

	if (from)
		from->migrations_out++;
	if (to)
		to->migrations_in++;
	if (from && to && from != to)
		from->cross_node_migrations++;
}

void top_model_event(struct top_model *m, const struct ksm_event *e)
{
	struct proc_ent *p = NULL;
	struct top_node *n;

	if (e->kind >= KSM_EV_MAX)
		return;
	m->ev_count[e->kind]++;
	if (e->pid) {
		p = proc_table_get(&m->procs, e->pid);
		if (p)
			p->hinted = true; /* a KSM user, whatever the table thought */
	}
	switch (e->kind) {
	case KSM_EV_START_SCAN:
	case KSM_EV_STOP_SCAN:
		scan_event(m, e);
		break;
	case KSM_EV_MERGE_WITH_KSM_PAGE:
		merge_event(m, p, e);
		break;
	case KSM_EV_MERGE_ONE_PAGE:
		/* stock kernels fire it for merges with the zero page only */
		if (!e->err && p)
			p->ev.zero_merges++;
		break;
	case KSM_EV_REMOVE_RMAP_ITEM:
		m->rmap_removals_total++;
		if (p)
			p->ev.rmap_removals++;
		n = node_of(m, e->nid, e->pfn);
		if (n)
			n->rmap_removals++;
		break;
	case KSM_EV_REMOVE_KSM_PAGE:
		n = node_of(m, e->nid, e->pfn);
		if (n)
			n->removed++;
		break;
	case KSM_EV_STABLE_NODE_INSERT:
		n = node_of(m, e->nid, e->pfn);
		if (n)
			n->created++;
		break;
	case KSM_EV_MIGRATE_FOLIO:
		migrate_event(m, e);
		break;
	default:
		break;
	}
}

bool top_cgroup_in(const char *path, const char *subtree)
{
	size_t n;

	if (!subtree || !*subtree || !strcmp(subtree, "/"))
		return true;
	if (!path)
		return false;
	n = strlen(subtree);
	while (n > 1 && subtree[n - 1] == '/')
		n--;
	return !strncmp(path, subtree, n) && (path[n] == '\0' || path[n] == '/');
}

const char *top_row_mode(const struct top_row *r)
{
	if (r->merge_any && r->mergeable)
		return "both";
	if (r->merge_any)
		return "merge_any";
	if (r->mergeable)
		return "mergeable";
	return "-";
}

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

/* A process row: ksm_stat as read, and what its events did this interval. */
static void proc_row(const struct proc_ent *p, double interval_s, struct top_row *r)
{
	r->pid = p->pid;
	r->nprocs = 1;
	memcpy(r->comm, p->comm, sizeof(r->comm));
	r->cgroup = p->cgroup ? p->cgroup : "?";
	r->merging_pages = p->st.merging_pages;
	r->rmap_items = p->st.rmap_items;
	r->zero_pages = p->st.zero_pages;
	r->profit = p->st.profit;
	r->mergeable = p->st.mergeable;
	r->merge_any = p->st.merge_any;
	r->merges = p->ev.merges - p->ev_prev.merges;
	r->zero_merges = p->ev.zero_merges - p->ev_prev.zero_merges;
	r->rmap_removals = p->ev.rmap_removals - p->ev_prev.rmap_removals;
	/*
	 * Stock kernels trace no COW break: a page that left merging is one
	 * merge more than the change of ksm_merging_pages shows.
	 */
	if (p->have_prev) {
		int64_t d = p->st.merging_pages - p->prev.merging_pages;

		if ((int64_t)r->merges > d)
			r->unmerges = (uint64_t)((int64_t)r->merges - d);
	}
	r->merges_per_s = top_per_s(r->merges, interval_s);
	r->unmerges_per_s = top_per_s(r->unmerges, interval_s);
	r->rmap_removals_per_s = top_per_s(r->rmap_removals, interval_s);
}

/* The row of a cgroup, added (with the policy rule in force) on first sight. */
static struct top_row *cgroup_row(struct top_model *m, const char *cgroup)
{
	struct policy_resolution res;
	struct top_row *c;

	for (int k = 0; k < m->ncgrows; k++)
		if (!strcmp(m->cgrows[k].cgroup, cgroup))
			return &m->cgrows[k];
	c = push_row(&m->cgrows, &m->ncgrows, &m->cgrows_cap);
	if (!c)
		return NULL;
	c->cgroup = cgroup;
	snprintf(c->comm, sizeof(c->comm), "-");
	if (m->policy_fd >= 0 && !policy_resolve_path(m->policy_fd, cgroup, &res, NULL, 0, NULL, 0))
		policy_brief(&res, c->policy, sizeof(c->policy));
	return c;
}

/* A cgroup row sums the processes directly in it. */
static void add_to_cgroup(struct top_row *c, const struct top_row *r)
{
	c->nprocs++;
	c->merging_pages += r->merging_pages;
	c->rmap_items += r->rmap_items;
	c->zero_pages += r->zero_pages;
	c->profit += r->profit;
	c->mergeable |= r->mergeable;
	c->merge_any |= r->merge_any;
	c->merges += r->merges;
	c->unmerges += r->unmerges;
	c->rmap_removals += r->rmap_removals;
	c->zero_merges += r->zero_merges;
	c->merges_per_s += r->merges_per_s;
	c->unmerges_per_s += r->unmerges_per_s;
	c->rmap_removals_per_s += r->rmap_removals_per_s;
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
		return procs ? cmp_num(a->pid, b->pid) : cmp_num(a->nprocs, b->nprocs);
	case TOP_SORT_COMM:
		return procs ? strcmp(a->comm, b->comm) : strcmp(a->cgroup, b->cgroup);
	case TOP_SORT_CGROUP:
		return strcmp(a->cgroup, b->cgroup);
	case TOP_SORT_MERGING:
		return cmp_num(a->merging_pages, b->merging_pages);
	case TOP_SORT_RMAP:
		return cmp_num(a->rmap_items, b->rmap_items);
	case TOP_SORT_ZERO:
		return cmp_num(a->zero_pages, b->zero_pages);
	case TOP_SORT_PROFIT:
		return cmp_num(a->profit, b->profit);
	case TOP_SORT_MERGES:
		return cmp_num(a->merges_per_s, b->merges_per_s);
	case TOP_SORT_UNMERGES:
		return cmp_num(a->unmerges_per_s, b->unmerges_per_s);
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

static void sort_rows(struct top_model *m)
{
	struct sort_by by = { m->sort, m->ascending };

	/* no rows yet is no array yet, and qsort_r wants one */
	if (m->nrows)
		qsort_r(m->rows, m->nrows, sizeof(*m->rows), cmp_row, &by);
	if (m->ncgrows)
		qsort_r(m->cgrows, m->ncgrows, sizeof(*m->cgrows), cmp_row, &by);
}

void top_model_rebuild(struct top_model *m)
{
	struct proc_ent *p;
	unsigned int i = 0;

	m->nrows = m->ncgrows = 0;
	while ((p = proc_table_next(&m->procs, &i))) {
		struct top_row *r, *c;

		if (!proc_shown(m, p))
			continue;
		r = push_row(&m->rows, &m->nrows, &m->rows_cap);
		if (!r)
			continue;
		proc_row(p, m->g.interval_s, r);
		c = cgroup_row(m, r->cgroup);
		if (c)
			add_to_cgroup(c, r);
	}
	sort_rows(m);
}
