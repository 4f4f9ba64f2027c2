// SPDX-License-Identifier: GPL-2.0
#include <time.h>

#include "event_kinds.h"
#include "name_esc.h"
#include "render_json.h"
#include "top_sharing.h"
#include "util.h"

/* A count or rate this kernel cannot know is null, never 0. */
static json_t *known_int(bool known, uint64_t v)
{
	return known ? json_integer((json_int_t)v) : json_null();
}

static json_t *known_real(bool known, double v)
{
	return known ? json_real(v) : json_null();
}

static json_t *global_json(const struct top_model *m)
{
	const struct top_global *g = &m->g;
	bool rmap = top_kind_active(m, KSM_EV_REMOVE_RMAP_ITEM);
	json_t *o = json_object();

	/* files newer than some kernels: null where this one lacks them */
	static const char *const newer[] = { "general_profit", "ksm_zero_pages", "pages_skipped",
					     "smart_scan", "advisor_mode" };

	for (size_t i = 0; i < sizeof(newer) / sizeof(newer[0]); i++)
		json_object_set_new(o, newer[i], json_null());
	/* every file of /sys/kernel/mm/ksm, as read in this sample */
	for (int i = 0; i < g->sys.n; i++)
		json_object_set_new(o, g->sys.ent[i].name,
				    g->sys.ent[i].numeric ? json_integer(g->sys.ent[i].value)
							  : json_string(g->sys.ent[i].text));
	json_object_set_new(o, "ksmd_pid", json_integer(g->ksmd_pid));
	json_object_set_new(o, "ksmd_cpu_percent",
			    known_real(g->ksmd_cpu_percent >= 0, g->ksmd_cpu_percent));
	json_object_set_new(o, "scan_pages_per_s", json_real(g->scan_pages_per_s));
	json_object_set_new(o, "full_scans_per_s", json_real(g->full_scans_per_s));
	json_object_set_new(o, "full_scan_seconds",
			    known_real(g->full_scan_seconds > 0, g->full_scan_seconds));
	json_object_set_new(o, "sharing_ratio", json_real(g->sharing_ratio));
	json_object_set_new(o, "merges", json_integer(g->merges));
	json_object_set_new(o, "unmerges", json_integer(g->unmerges));
	json_object_set_new(o, "merges_source",
			    json_string(g->merges_exact ? "events" : "derived"));
	json_object_set_new(o, "unmerges_source",
			    json_string(g->unmerges_exact ? "vmstat" : "derived"));
	json_object_set_new(o, "rmap_removals", known_int(rmap, g->rmap_removals));
	json_object_set_new(o, "merges_per_s", json_real(g->merges_per_s));
	json_object_set_new(o, "unmerges_per_s", json_real(g->unmerges_per_s));
	json_object_set_new(o, "rmap_removals_per_s", known_real(rmap, g->rmap_removals_per_s));
	json_object_set_new(o, "cow_ksm", known_int(g->cow_ksm.known, g->cow_ksm.value));
	json_object_set_new(o, "cow_ksm_per_s", known_real(g->cow_ksm.known, g->cow_ksm.per_s));
	json_object_set_new(o, "ksm_swpin_copy",
			    known_int(g->swpin_copy.known, g->swpin_copy.value));
	json_object_set_new(o, "ksm_swpin_copy_per_s",
			    known_real(g->swpin_copy.known, g->swpin_copy.per_s));
	json_object_set_new(o, "pages_shared_per_s", json_real(g->shared_per_s));
	json_object_set_new(o, "pages_sharing_per_s", json_real(g->sharing_per_s));
	json_object_set_new(o, "pages_unshared_per_s", json_real(g->unshared_per_s));
	json_object_set_new(o, "pages_volatile_per_s", json_real(g->volatile_per_s));
	json_object_set_new(o, "general_profit_per_s",
			    known_real(ksm_sysfs_text(&g->sys, "general_profit"), g->profit_per_s));
	json_object_set_new(o, "events_lost", json_integer(m->lost));
	/* what this sample cost ksmtop: reading the kernel, sums, rows; not printing */
	json_object_set_new(o, "sample_seconds", json_real(g->sample_seconds));
	json_object_set_new(o, "sample_cpu_seconds", json_real(g->sample_cpu_seconds));
	return o;
}

static json_t *nodes_json(const struct top_model *m)
{
	bool mig = top_kind_active(m, KSM_EV_MIGRATE_FOLIO);
	bool pgmig = top_kind_active(m, KSM_EV_SET_MIGRATION_PTE);
	json_t *arr = json_array();

	for (int k = 0; k < m->nr_nodes; k++) {
		const struct top_node *n = &m->node[k];
		json_t *o = json_object();

		json_object_set_new(o, "node", json_integer(k));
		json_object_set_new(o, "ksm_pages", json_integer(n->ksm_pages));
		json_object_set_new(o, "ksm_pages_exact", json_boolean(m->nr_nodes == 1));
		json_object_set_new(o, "merges_per_s", json_real(n->merges_per_s));
		json_object_set_new(o, "unmerges_per_s", json_real(n->unmerges_per_s));
		/* the stock merge event names only the KSM page, not the merged page */
		json_object_set_new(o, "cross_node_merges", json_null());
		json_object_set_new(o, "migrations_in", known_int(mig, n->migrations_in));
		json_object_set_new(o, "migrations_out", known_int(mig, n->migrations_out));
		json_object_set_new(o, "cross_node_migrations",
				    known_int(mig, n->cross_node_migrations));
		json_object_set_new(o, "page_migrations_in", known_int(pgmig, n->page_migrations_in));
		json_object_set_new(o, "page_migrations_out",
				    known_int(pgmig, n->page_migrations_out));
		json_array_append_new(arr, o);
	}
	return arr;
}

static void set_known_int(json_t *o, const char *k, const struct top_stats *s, unsigned int bit,
			  int64_t v)
{
	json_object_set_new(o, k, top_known(s, bit) ? json_integer(v) : json_null());
}

static void set_known_bool(json_t *o, const char *k, const struct top_stats *s, unsigned int bit,
			   bool v)
{
	json_object_set_new(o, k, top_known(s, bit) ? json_boolean(v) : json_null());
}

/* The numbers of a process, a cgroup's own processes, or a subtree. */
static void stats_json(json_t *o, const struct top_stats *s)
{
	json_object_set_new(o, "merging_pages", json_integer(s->merging_pages));
	json_object_set_new(o, "rmap_items", json_integer(s->rmap_items));
	set_known_int(o, "zero_pages", s, TOP_KNOWN_ZERO, s->zero_pages);
	set_known_int(o, "profit_bytes", s, TOP_KNOWN_PROFIT, s->profit);
	json_object_set_new(o, "merges", json_integer(s->merges));
	json_object_set_new(o, "unmerges", json_integer(s->unmerges));
	set_known_int(o, "rmap_removals", s, TOP_KNOWN_RMAP_RM, s->rmap_removals);
	set_known_int(o, "zero_merges", s, TOP_KNOWN_ZERO_MERGES, s->zero_merges);
	json_object_set_new(o, "merges_per_s", json_real(s->merges_per_s));
	json_object_set_new(o, "unmerges_per_s", json_real(s->unmerges_per_s));
	json_object_set_new(o, "rmap_removals_per_s",
			    top_known(s, TOP_KNOWN_RMAP_RM) ? json_real(s->rmap_removals_per_s)
							    : json_null());
	set_known_bool(o, "mergeable", s, TOP_KNOWN_MERGEABLE, s->mergeable);
	set_known_bool(o, "merge_any", s, TOP_KNOWN_MERGE_ANY, s->merge_any);
}

static json_t *proc_json(const struct top_row *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "pid", json_integer(r->pid));
	/* "comm_bytes", "cgroup_bytes", "workload_bytes" when not UTF-8 (name_esc.h) */
	name_json_setn(o, "comm", r->comm, sizeof(r->comm));
	name_json_set(o, "cgroup", r->cgroup);
	name_json_set(o, "workload", r->cg && r->cg->wl.kind != WL_NONE ? r->cg->wl.name : NULL);
	stats_json(o, &r->s);
	return o;
}

/* A cgroup: its own processes' numbers, and its subtree's under "subtree". */
static json_t *cgroup_json(const struct top_row *r)
{
	const struct top_cgroup *c = r->cg;
	json_t *o = json_object(), *sub = json_object();

	name_json_set(o, "cgroup", c->path);
	json_object_set_new(o, "depth", json_integer(c->depth));
	name_json_set(o, "parent", c->parent ? c->parent->path : NULL);
	json_object_set_new(o, "workload", workload_to_json(&c->wl));
	json_object_set_new(o, "processes", json_integer(c->self.nprocs));
	stats_json(o, &c->self);
	json_object_set_new(o, "policy", c->policy[0] ? json_string(c->policy) : json_null());
	json_object_set_new(sub, "processes", json_integer(c->subtree.nprocs));
	stats_json(sub, &c->subtree);
	json_object_set_new(o, "subtree", sub);
	return o;
}

static json_t *rows_json(const struct top_row *rows, int n, bool proc, int max)
{
	json_t *arr = json_array();

	for (int k = 0; k < n && (!max || k < max); k++)
		json_array_append_new(arr, proc ? proc_json(&rows[k]) : cgroup_json(&rows[k]));
	return arr;
}

/* Totals since start and rates of every kind; null (and listed) when no probe delivers it. */
static void events_json(const struct top_model *m, json_t *doc)
{
	json_t *ev = json_object(), *inactive = json_array();
	bool patched = false;

	for (unsigned int k = 1; k < KSM_EV_MAX; k++) {
		const char *name = ksm_event_name(k);

		if (!top_kind_active(m, k)) {
			json_array_append_new(inactive, json_string(name));
			json_object_set_new(ev, name, json_null());
			continue;
		}
		if (ksm_kind(k)->group == KSM_GRP_PATCHED)
			patched = true;
		json_object_set_new(ev, name,
				    json_pack("{s:I, s:f}", "total", (json_int_t)m->ev_count[k],
					      "per_s", m->ev_rate[k]));
	}
	json_object_set_new(doc, "events", ev);
	json_object_set_new(doc, "inactive_events", inactive);
	json_object_set_new(doc, "patched_kernel", json_boolean(patched));
}

/* Where the numbers came from: what a reader needs to trust or discount them. */
static json_t *sources_json(const struct top_model *m)
{
	return json_pack("{s:s, s:s?, s:o, s:s, s:s, s:s}", "processes", m->procs_source,
			 "processes_note", m->procs_note[0] ? m->procs_note : NULL, "events",
			 m->events_off[0]
				 ? json_pack("{s:b, s:s}", "loaded", 0, "error", m->events_off)
				 : json_pack("{s:b}", "loaded", 1),
			 "merges", m->g.merges_exact ? "events" : "derived", "unmerges",
			 m->g.unmerges_exact ? "vmstat" : "derived", "process_unmerges", "derived");
}

json_t *top_json(const struct top_model *m, int rows)
{
	json_t *doc = json_object();

	if (!doc)
		return NULL;
	json_object_set_new(doc, "time_ms", json_integer(now_ns(CLOCK_REALTIME) / 1000000));
	json_object_set_new(doc, "interval_s", json_real(m->g.interval_s));
	json_object_set_new(doc, "global", global_json(m));
	json_object_set_new(doc, "nodes", nodes_json(m));
	json_object_set_new(doc, "cgroups", rows_json(m->cgrows, m->ncgrows, false, rows));
	json_object_set_new(doc, "processes", rows_json(m->rows, m->nrows, true, rows));
	events_json(m, doc);
	json_object_set_new(doc, "sources", sources_json(m));
	/* who shares KSM frames with whom, machine-wide; null without the walker */
	json_object_set_new(doc, "sharing", m->sharing ? top_sharing_json(m->sharing) : json_null());
	return doc;
}
