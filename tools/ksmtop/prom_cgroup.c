// SPDX-License-Identifier: GPL-2.0
/*
 * The per-cgroup series, from the model's exporter accessor
 * (top_model_cgroup): for each cgroup, its own processes (ksm_cgroup_*) and
 * its whole subtree (ksm_cgroup_subtree_*). The own series add up to the
 * host without counting a process twice, so sum() and the workload joins
 * work on them; the subtree series give a pod, a slice or a VM's scope tree
 * its total in one series.
 *
 * --cgroup-depth N leaves out the cgroups below depth N (cardinality). A
 * cgroup at depth N then stands for everything below it: its own series
 * fold in its descendants (their processes have no other series), so the
 * own series still add up to the host; its subtree series are the same.
 *
 * The counters are the model's (self_total, subtree_total): monotonic while
 * the cgroup keeps a KSM user; a cgroup that loses its last one is dropped
 * and its series end. A gauge this kernel cannot know (ksm_zero_pages
 * before 6.6, ksm_process_profit before 6.4) is left out, never 0.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Where a value is: its C type and struct, and so its Prometheus type. */
enum cg_value {
	CG_I64,	  /* an int64_t of struct top_stats: a gauge */
	CG_INT,	  /* an int of struct top_stats: a gauge */
	CG_TOTAL, /* a uint64_t of struct top_totals: a counter */
};

struct cg_metric {
	const char *suffix, *help;
	enum cg_value v;
	unsigned int known; /* the enum top_known bits a sample needs */
	size_t off;
};

/* HELP from the kernel's description of /proc/PID/ksm_stat, then whose sum it is. */
static const struct cg_metric cg_metrics[] = {
	{ "merging_pages", "Pages merged by KSM (ksm_merging_pages)", CG_I64, 0,
	  offsetof(struct top_stats, merging_pages) },
	{ "rmap_items", "ksm_rmap_item structures in use (ksm_rmap_items)", CG_I64, 0,
	  offsetof(struct top_stats, rmap_items) },
	{ "zero_pages", "Empty pages merged with the kernel zero page (ksm_zero_pages)", CG_I64,
	  TOP_KNOWN_ZERO, offsetof(struct top_stats, zero_pages) },
	{ "profit_bytes",
	  "Memory saved: merged pages minus the rmap_items they cost (ksm_process_profit)", CG_I64,
	  TOP_KNOWN_PROFIT, offsetof(struct top_stats, profit) },
	{ "processes", "KSM-using processes", CG_INT, 0, offsetof(struct top_stats, nprocs) },
	{ "merges_total",
	  "Pages merged (ksm_merge_with_ksm_page without error; the growth of ksm_merging_pages "
	  "without events), since ksmtop started",
	  CG_TOTAL, 0, offsetof(struct top_totals, merges) },
	{ "unmerges_total",
	  "Pages that stopped being merged (COW breaks, unmerges), derived: merges not seen in "
	  "ksm_merging_pages, since ksmtop started",
	  CG_TOTAL, 0, offsetof(struct top_totals, unmerges) },
};

/* --cgroup-depth's limit: c stands for its whole subtree (see the top). */
static bool folded(const struct top_model *m, const struct top_cgroup *c)
{
	return m->filter.depth >= 0 && c->depth >= m->filter.depth;
}

static void sample(const struct prom_out *o, const char *name, const char *labels,
		   const struct cg_metric *cm, const struct top_stats *s,
		   const struct top_totals *t)
{
	const char *v = cm->v == CG_TOTAL ? (const char *)t : (const char *)s;

	if (!top_known(s, cm->known))
		return;
	if (cm->v == CG_TOTAL)
		prom_sample_u64(o, name, labels, *(const uint64_t *)(v + cm->off));
	else if (cm->v == CG_INT)
		prom_sample_i64(o, name, labels, *(const int *)(v + cm->off));
	else
		prom_sample_i64(o, name, labels, *(const int64_t *)(v + cm->off));
}

/* One family, own processes or subtree, over every cgroup of the sample. */
static void write_family(const struct prom_out *o, const struct top_model *m, char **labels,
			 const struct cg_metric *cm, bool subtree)
{
	char name[96], help[320];

	snprintf(name, sizeof(name), "ksm_cgroup_%s%s", subtree ? "subtree_" : "", cm->suffix);
	snprintf(help, sizeof(help), "%s, of the processes in the cgroup%s", cm->help,
		 subtree ? " and its descendants"
			 : " itself (at --cgroup-depth's limit: and its descendants)");
	prom_head(o, name, cm->v == CG_TOTAL ? PROM_COUNTER : PROM_GAUGE, help);
	for (int i = 0; i < top_model_ncgroups(m); i++) {
		const struct top_cgroup *c = top_model_cgroup(m, i);
		bool whole = subtree || folded(m, c);

		if (labels[i])
			sample(o, name, labels[i], cm, whole ? &c->subtree : &c->self,
			       whole ? &c->subtree_total : &c->self_total);
	}
}

/* The workload of each cgroup (lib/workload.c), as an info metric to join on. */
static void write_workloads(const struct prom_out *o, const struct top_model *m)
{
	prom_head(o, "ksm_cgroup_workload_info", PROM_INFO,
		  "The workload of a cgroup: systemd unit, container, pod, VM (join on cgroup)");
	for (int i = 0; i < top_model_ncgroups(m); i++) {
		const struct top_cgroup *c = top_model_cgroup(m, i);
		const char *keys[12], *vals[12];
		struct prom_label l[13];
		int n = top_cgroup_labels(c, keys, vals, 12), k = 0;
		char *labels;

		for (int j = 0; j < n; j++) {
			l[k++] = (struct prom_label){ keys[j], vals[j] };
			if (!strcmp(keys[j], "cgroup"))
				l[k++] = (struct prom_label){ "workload", c->wl.kind == WL_NONE
										  ? c->path
										  : c->wl.name };
		}
		labels = prom_label_str(l, k);
		if (labels)
			prom_sample_u64(o, "ksm_cgroup_workload_info", labels, 1);
		free(labels);
	}
}

void prom_write_cgroups(const struct prom_out *o, const struct top_model *m)
{
	int n = top_model_ncgroups(m);
	char **labels = calloc(n ? n : 1, sizeof(*labels));

	if (!labels)
		return;
	for (int i = 0; i < n; i++) {
		struct prom_label l = { "cgroup", top_model_cgroup(m, i)->path };

		labels[i] = prom_label_str(&l, 1);
	}
	for (int subtree = 0; subtree < 2; subtree++)
		for (size_t k = 0; k < ARRAY_SIZE(cg_metrics); k++)
			write_family(o, m, labels, &cg_metrics[k], subtree);
	write_workloads(o, m);
	for (int i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
}
