// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "name_esc.h"
#include "report.h"

/* ---- JSON ------------------------------------------------------------ */

static json_t *scope_json(const struct adv_scope *s)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "pages_shared",
			 (json_int_t)s->ksm_pages, "pages_sharing", (json_int_t)s->sharing,
			 "ksm_zero_pages", (json_int_t)s->zero, "merging_pages",
			 (json_int_t)s->merging, "leftover_pages", (json_int_t)s->leftover,
			 "saving_pages", (json_int_t)s->saving, "saving_bytes",
			 (json_int_t)(s->saving * ADV_PAGE));
}

static json_t *counts_json(const struct adv_counts *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "pages", (json_int_t)c->pages,
			 "volatile_pages", (json_int_t)c->volatile_, "zero_pages",
			 (json_int_t)c->zero, "merging_pages", (json_int_t)c->merging,
			 "isolated_merging_pages", (json_int_t)c->isolated, "needs_sharing_pages",
			 (json_int_t)c->needs_sharing, "saving_bytes",
			 (json_int_t)(c->saving * ADV_PAGE + 0.5));
}

static json_t *procs_json(const struct adv *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < a->nprocs; i++) {
		const struct adv_proc *p = &a->procs[i];
		json_t *o = counts_json(&p->c);

		json_object_set_new(o, "pid", json_integer(p->pid));
		json_object_set_new(o, "comm", name_json(p->comm));
		json_object_set_new(o, "cgroup", name_json(a->cgs[p->cg].path));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *cgroups_json(const struct adv *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < a->ncgs; i++) {
		const struct adv_cgroup *c = &a->cgs[i];
		json_t *o = counts_json(&c->c);

		json_object_set_new(o, "cgroup", name_json(c->path));
		json_object_set_new(o, "workload", workload_to_json(&c->wl));
		json_object_set_new(o, "processes", json_integer(c->nprocs));
		json_object_set_new(o, "isolated_saving_bytes",
				    json_integer((json_int_t)(c->saving_isolated * ADV_PAGE)));
		if (a->bounds.n)
			json_object_set_new(o, "boundary", name_json(a->domains[c->domain].name));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* Workloads and boundaries: named sums. */
static json_t *names_json(const struct adv_name *l, size_t n, const char *key, bool isolated)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = counts_json(&l[i].c);

		json_object_set_new(o, key, name_json(l[i].name));
		if (isolated)
			json_object_set_new(
				o, "isolated_saving_bytes",
				json_integer((json_int_t)(l[i].saving_isolated * ADV_PAGE)));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *pairs_json(const struct adv *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < a->npairs; i++)
		json_array_append_new(arr,
				      json_pack("{s:o, s:o, s:I, s:I}", "a",
						name_json(a->cgs[a->pairs[i].a].path), "b",
						name_json(a->cgs[a->pairs[i].b].path), "ksm_pages",
						(json_int_t)a->pairs[i].frames, "bytes",
						(json_int_t)(a->pairs[i].frames * ADV_PAGE)));
	return arr;
}

static json_t *read_json(const struct adv *a)
{
	double pps = a->cpu_s > 0 ? (double)(a->npages + a->pages_reread) / a->cpu_s : 0;

	return json_pack("{s:i, s:i, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:I}",
			 "processes", (int)a->nprocs, "cgroups", (int)a->ncgs, "pages",
			 (json_int_t)a->npages, "pages_reread", (json_int_t)a->pages_reread,
			 "bytes", (json_int_t)a->bytes_read, "seconds", a->read_s, "cpu_seconds",
			 a->cpu_s, "pages_hashed_per_cpu_second", pps, "sample_gap_seconds",
			 a->sample_gap_s, "zero_page_mapped", (json_int_t)a->zero_pfn_pages,
			 "swapped_out", (json_int_t)a->swapped_pages, "content_groups",
			 (json_int_t)a->ngroups, "hash_collisions", (json_int_t)a->collisions,
			 "representatives_reread", (json_int_t)a->reread_reps);
}

json_t *report_json(const struct adv *a)
{
	json_t *o = json_object(), *scopes, *bounds = json_array();

	for (int i = 0; i < a->bounds.n; i++)
		json_array_append_new(bounds, name_json(a->bounds.glob[i]));
	json_object_set_new(o, "knobs",
			    json_pack("{s:I, s:b, s:b, s:i, s:o}", "max_page_sharing",
				      (json_int_t)a->knobs.max_page_sharing, "use_zero_pages",
				      a->knobs.use_zero_pages, "merge_across_nodes",
				      a->knobs.merge_across_nodes, "numa_nodes", a->nr_nodes,
				      "boundaries", bounds));
	json_object_set_new(o, "read", read_json(a));
	json_object_set_new(o, "prediction", scope_json(&a->config));
	scopes = json_pack("{s:o, s:o, s:o}", "global", scope_json(&a->global), "per_node",
			   scope_json(&a->per_node), "per_cgroup", scope_json(&a->per_cgroup));
	if (a->bounds.n)
		json_object_set_new(scopes, "per_boundary", scope_json(&a->per_domain));
	json_object_set_new(o, "scopes", scopes);
	json_object_set_new(
		o, "cross_cgroup",
		json_pack("{s:I, s:I, s:I}", "saving_pages",
			  (json_int_t)(a->global.saving - a->per_cgroup.saving), "saving_bytes",
			  (json_int_t)((a->global.saving - a->per_cgroup.saving) * ADV_PAGE),
			  "shared_ksm_pages", (json_int_t)a->cross_contents));
	json_object_set_new(o, "cgroups", cgroups_json(a));
	json_object_set_new(o, "workloads",
			    names_json(a->workloads, a->nworkloads, "workload", false));
	if (a->bounds.n)
		json_object_set_new(o, "boundaries",
				    names_json(a->domains, a->ndomains, "boundary", true));
	json_object_set_new(o, "processes", procs_json(a));
	json_object_set_new(o, "pairs", pairs_json(a));
	return o;
}
