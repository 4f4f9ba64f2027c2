// SPDX-License-Identifier: GPL-2.0
/*
 * The model's event accounting and its per-sample sums. Events arrive
 * between samples (top_model_event); the sampler turns counts into rates
 * once per interval, has each process and cgroup summed up
 * (top_model_account), and asks for the rows (rows.c), which a filter
 * change in the view rebuilds from the same sample without reading
 * anything again.
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
	m->filter.depth = -1;
	m->g.ksmd_cpu_percent = -1;
	m->policy_fd = -1;
	m->procs_source = "proc";
	cgtree_init(&m->cgroups);
	m->migs = top_migrations_new(m);
	if (!m->migs)
		return -1;
	return proc_table_init(&m->procs);
}

void top_model_free(struct top_model *m)
{
	proc_table_free(&m->procs);
	cgtree_free(&m->cgroups);
	mig_pairs_free(m->migs);
	if (m->policy_fd >= 0)
		close(m->policy_fd);
	free(m->rows);
	free(m->cgrows);
	free(m->tree);
	memset(m, 0, sizeof(*m));
}

struct top_node *top_node_of(struct top_model *m, int nid, uint64_t pfn)
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
	n = top_node_of(m, e->nid, e->pfn);
	if (!n)
		return;
	n->merges++;
	/* aux[0] says "into an existing KSM page"; the patched kernel counts creations itself */
	if (!e->aux[0] && !top_kind_active(m, KSM_EV_STABLE_NODE_INSERT))
		n->created++;
}

static void migrate_event(struct top_model *m, const struct ksm_event *e)
{
	struct top_node *from = top_node_of(m, e->nid, e->pfn);
	struct top_node *to = top_node_of(m, e->nid2, e->pfn2);

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
		n = top_node_of(m, e->nid, e->pfn);
		if (n)
			n->rmap_removals++;
		break;
	case KSM_EV_REMOVE_KSM_PAGE:
		n = top_node_of(m, e->nid, e->pfn);
		if (n)
			n->removed++;
		break;
	case KSM_EV_STABLE_NODE_INSERT:
		n = top_node_of(m, e->nid, e->pfn);
		if (n)
			n->created++;
		break;
	case KSM_EV_MIGRATE_FOLIO:
		migrate_event(m, e);
		break;
	case KSM_EV_MIGRATE_PAGES_START:
	case KSM_EV_SET_MIGRATION_PTE:
	case KSM_EV_REMOVE_MIGRATION_PTE:
	case KSM_EV_MIGRATE_PAGES:
		mig_pairs_feed(m->migs, e);
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
	const struct top_stats *s = &r->s;

	if (s->merge_any && s->mergeable)
		return "both";
	if (s->merge_any)
		return "merge_any";
	if (s->mergeable)
		return "mergeable";
	/* "none" only where both flags are known */
	return top_known(s, TOP_KNOWN_MERGEABLE | TOP_KNOWN_MERGE_ANY) ? "none" : "-";
}

/* What this kernel's ksm_stat (or the iterator) and event source let us know. */
static unsigned int known_bits(const struct top_model *m, const struct ksm_proc_stat *st)
{
	unsigned int k = 0;

	if (st->has_zero_pages)
		k |= TOP_KNOWN_ZERO;
	if (st->has_profit)
		k |= TOP_KNOWN_PROFIT;
	if (st->has_mergeable)
		k |= TOP_KNOWN_MERGEABLE;
	if (st->has_merge_any)
		k |= TOP_KNOWN_MERGE_ANY;
	if (top_kind_active(m, KSM_EV_REMOVE_RMAP_ITEM))
		k |= TOP_KNOWN_RMAP_RM;
	if (top_kind_active(m, KSM_EV_MERGE_ONE_PAGE))
		k |= TOP_KNOWN_ZERO_MERGES;
	return k;
}

/* A process's numbers: ksm_stat as read, and what changed this interval. */
static void proc_stats(const struct top_model *m, const struct proc_ent *p, struct top_stats *s)
{
	int64_t d = p->have_prev ? p->st.merging_pages - p->prev_merging : 0;
	double secs = m->g.interval_s;

	*s = (struct top_stats){ .nprocs = 1, .known = known_bits(m, &p->st) };
	s->merging_pages = p->st.merging_pages;
	s->rmap_items = p->st.rmap_items;
	s->zero_pages = p->st.zero_pages;
	s->profit = p->st.profit;
	s->mergeable = p->st.mergeable;
	s->merge_any = p->st.merge_any;
	if (m->g.merges_exact) {
		s->merges = p->ev.merges - p->ev_prev.merges;
		/*
		 * Stock kernels trace no COW break: a page that left merging is
		 * one merge more than the change of ksm_merging_pages shows.
		 */
		if ((int64_t)s->merges > d)
			s->unmerges = (uint64_t)((int64_t)s->merges - d);
	} else if (d > 0) {
		s->merges = (uint64_t)d; /* no events: the net change only */
	} else {
		s->unmerges = (uint64_t)-d;
	}
	s->zero_merges = p->ev.zero_merges - p->ev_prev.zero_merges;
	s->rmap_removals = p->ev.rmap_removals - p->ev_prev.rmap_removals;
	s->merges_per_s = top_per_s(s->merges, secs);
	s->unmerges_per_s = top_per_s(s->unmerges, secs);
	s->rmap_removals_per_s = top_per_s(s->rmap_removals, secs);
}

/* The cgroup node of a process, looked up when its path is new. */
static struct top_cgroup *proc_cgroup(struct top_model *m, struct proc_ent *p)
{
	if (!p->cg)
		p->cg = cgtree_get(&m->cgroups, p->cgroup ? p->cgroup : "?");
	return p->cg;
}

/* The KSM policy rule in force on every cgroup, while a policy is pinned. */
static void cgroup_policies(struct top_model *m)
{
	struct policy_resolution res;

	for (unsigned int i = 0; i < m->cgroups.n; i++) {
		struct top_cgroup *c = m->cgroups.node[i];

		c->policy[0] = '\0';
		if (m->policy_fd >= 0 && c->path[0] == '/' &&
		    !policy_resolve_path(m->policy_fd, c->path, &res, NULL, 0, NULL, 0))
			policy_brief(&res, c->policy, sizeof(c->policy));
	}
}

void top_model_account(struct top_model *m)
{
	struct proc_ent *p;
	unsigned int i = 0;

	cgtree_begin(&m->cgroups);
	while ((p = proc_table_next(&m->procs, &i))) {
		struct top_cgroup *c;

		if (p->valid && p->ksm) {
			proc_stats(m, p, &p->now);
			c = proc_cgroup(m, p);
			if (c)
				cgtree_add(&m->cgroups, c, &p->now);
		} else {
			p->cg = NULL; /* its node may go: forget it */
		}
		/* the next interval's deltas start here */
		p->ev_prev = p->ev;
	}
	cgtree_end(&m->cgroups);
	cgroup_policies(m);
}

int top_model_ncgroups(const struct top_model *m)
{
	return m->ncgrows;
}

const struct top_cgroup *top_model_cgroup(const struct top_model *m, int i)
{
	return i >= 0 && i < m->ncgrows ? m->cgrows[i].cg : NULL;
}

int top_cgroup_labels(const struct top_cgroup *c, const char **keys, const char **vals, int max)
{
	if (max < 1)
		return 0;
	keys[0] = "cgroup";
	vals[0] = c->path;
	return 1 + workload_labels(&c->wl, keys + 1, vals + 1, max - 1);
}
