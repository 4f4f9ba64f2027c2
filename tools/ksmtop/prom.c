// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics of a ksmtop sample, named by the Prometheus guidelines: base
 * units (seconds, bytes, ratios), counters end in _total and only grow
 * (rates are PromQL's job), strings go into _info metrics. HELP texts
 * follow the kernel's Documentation/admin-guide/mm/ksm.rst. The names and
 * what renamed them are in docs/METRICS.md.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event_kinds.h"
#include "prom.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Files of /sys/kernel/mm/ksm: their metric, type, unit change and help. */
static const struct sysfs_metric {
	const char *file, *metric;
	enum prom_type type;
	double scale; /* to base units; 0 means 1 */
	const char *help;
} sysfs_metrics[] = {
	{ "full_scans", "ksm_full_scans_total", PROM_COUNTER, 0,
	  "How many times all mergeable areas have been scanned (full_scans)" },
	{ "pages_scanned", "ksm_pages_scanned_total", PROM_COUNTER, 0,
	  "How many pages ksmd scanned (pages_scanned)" },
	{ "pages_skipped", "ksm_pages_skipped_total", PROM_COUNTER, 0,
	  "How many pages the smart page scanning algorithm skipped (pages_skipped)" },
	{ "pages_shared", "ksm_pages_shared", PROM_GAUGE, 0,
	  "How many shared pages are being used: KSM pages (pages_shared)" },
	{ "pages_sharing", "ksm_pages_sharing", PROM_GAUGE, 0,
	  "How many more sites are sharing them, i.e. how much saved (pages_sharing)" },
	{ "pages_unshared", "ksm_pages_unshared", PROM_GAUGE, 0,
	  "How many pages unique but repeatedly checked for merging (pages_unshared)" },
	{ "pages_volatile", "ksm_pages_volatile", PROM_GAUGE, 0,
	  "How many pages changing too fast to be placed in a tree (pages_volatile)" },
	{ "stable_node_chains", "ksm_stable_node_chains", PROM_GAUGE, 0,
	  "The number of KSM pages that hit the max_page_sharing limit (stable_node_chains)" },
	{ "stable_node_dups", "ksm_stable_node_dups", PROM_GAUGE, 0,
	  "Number of duplicated KSM pages (stable_node_dups)" },
	{ "ksm_zero_pages", "ksm_zero_pages", PROM_GAUGE, 0,
	  "How many zero pages still mapped into processes were mapped by KSM when "
	  "deduplicating (ksm_zero_pages)" },
	{ "general_profit", "ksm_general_profit_bytes", PROM_GAUGE, 0,
	  "How effective KSM is: memory saved minus the rmap_items it costs (general_profit)" },
	{ "run", "ksm_run", PROM_GAUGE, 0,
	  "0: ksmd stopped, merged pages kept; 1: ksmd runs; 2: ksmd stopped and unmerging (run)" },
	{ "pages_to_scan", "ksm_pages_to_scan", PROM_GAUGE, 0,
	  "How many pages to scan before ksmd goes to sleep (pages_to_scan)" },
	{ "sleep_millisecs", "ksm_sleep_seconds", PROM_GAUGE, 1e-3,
	  "How long ksmd sleeps before the next scan (sleep_millisecs / 1000)" },
	{ "merge_across_nodes", "ksm_merge_across_nodes", PROM_GAUGE, 0,
	  "1 if pages from different NUMA nodes can be merged (merge_across_nodes)" },
	{ "use_zero_pages", "ksm_use_zero_pages", PROM_GAUGE, 0,
	  "1 if empty pages are merged with the kernel zero page (use_zero_pages)" },
	{ "max_page_sharing", "ksm_max_page_sharing", PROM_GAUGE, 0,
	  "Maximum sharing allowed for each KSM page (max_page_sharing)" },
	{ "stable_node_chains_prune_millisecs", "ksm_stable_node_chains_prune_seconds",
	  PROM_GAUGE, 1e-3,
	  "How often KSM checks the metadata of pages that hit the deduplication limit for stale "
	  "information (stable_node_chains_prune_millisecs / 1000)" },
	{ "smart_scan", "ksm_smart_scan", PROM_GAUGE, 0,
	  "1 if pages that were not de-duplicated before get skipped (smart_scan)" },
	{ "advisor_max_cpu", "ksm_advisor_max_cpu_ratio", PROM_GAUGE, 1e-2,
	  "Upper limit of ksmd's CPU usage under the scan-time advisor, in CPUs "
	  "(advisor_max_cpu / 100)" },
	{ "advisor_target_scan_time", "ksm_advisor_target_scan_time_seconds", PROM_GAUGE, 0,
	  "Target time to scan all the candidate pages under the scan-time advisor "
	  "(advisor_target_scan_time)" },
	{ "advisor_min_pages_to_scan", "ksm_advisor_min_pages_to_scan", PROM_GAUGE, 0,
	  "Lower limit of pages_to_scan under the scan-time advisor (advisor_min_pages_to_scan)" },
	{ "advisor_max_pages_to_scan", "ksm_advisor_max_pages_to_scan", PROM_GAUGE, 0,
	  "Upper limit of pages_to_scan under the scan-time advisor (advisor_max_pages_to_scan)" },
};

/* A text knob (advisor_mode "[none] scan-time"): the selected word as a label. */
static void write_selected(const struct prom_out *o, const char *file, const char *text)
{
	const char *l = strchr(text, '['), *r = l ? strchr(l, ']') : NULL;
	char metric[96], help[160], word[40], *labels;
	struct prom_label lab = { file, word };

	if (!l || !r || r - l - 1 >= (int)sizeof(word))
		return;
	memcpy(word, l + 1, r - l - 1);
	word[r - l - 1] = '\0';
	snprintf(metric, sizeof(metric), "ksm_%s_info", file);
	snprintf(help, sizeof(help), "The selected %s of /sys/kernel/mm/ksm", file);
	labels = prom_label_str(&lab, 1);
	prom_head(o, metric, PROM_INFO, help);
	prom_sample_u64(o, metric, labels, 1);
	free(labels);
}

/* A file this table does not know (a newer kernel's): ksm_FILE, *_millisecs in seconds. */
static void write_unknown(const struct prom_out *o, const char *f, int64_t v)
{
	char metric[96], help[160];
	size_t n = strlen(f);
	bool ms = n > 10 && !strcmp(f + n - 10, "_millisecs");

	snprintf(metric, sizeof(metric), "ksm_%.*s%s", (int)(ms ? n - 10 : n), f,
		 ms ? "_seconds" : "");
	snprintf(help, sizeof(help), "Value of /sys/kernel/mm/ksm/%s%s", f, ms ? " / 1000" : "");
	prom_head(o, metric, PROM_GAUGE, help);
	if (ms)
		prom_sample_f(o, metric, NULL, v / 1e3);
	else
		prom_sample_i64(o, metric, NULL, v);
}

static void write_sysfs(const struct prom_out *o, const struct ksm_sysfs *s)
{
	for (int i = 0; i < s->n; i++) {
		const struct sysfs_metric *sm = NULL;
		const char *f = s->ent[i].name;

		if (!s->ent[i].numeric) {
			write_selected(o, f, s->ent[i].text);
			continue;
		}
		for (size_t k = 0; k < ARRAY_SIZE(sysfs_metrics); k++)
			if (!strcmp(f, sysfs_metrics[k].file))
				sm = &sysfs_metrics[k];
		if (!sm) {
			write_unknown(o, f, s->ent[i].value);
			continue;
		}
		prom_head(o, sm->metric, sm->type, sm->help);
		if (sm->scale)
			prom_sample_f(o, sm->metric, NULL, s->ent[i].value * sm->scale);
		else
			prom_sample_i64(o, sm->metric, NULL, s->ent[i].value);
	}
}

static void gauge_f(const struct prom_out *o, const char *name, const char *help, double v)
{
	prom_head(o, name, PROM_GAUGE, help);
	prom_sample_f(o, name, NULL, v);
}

static void counter(const struct prom_out *o, const char *name, const char *help, uint64_t v)
{
	prom_head(o, name, PROM_COUNTER, help);
	prom_sample_u64(o, name, NULL, v);
}

/*
 * The KSM counters of /proc/vmstat, as the kernel counts them (since boot),
 * where it has them: a kernel without them (before 5.19, or without
 * CONFIG_VM_EVENT_COUNTERS) gets no series, not a 0. HELP from the kernel's
 * Documentation/admin-guide/mm/ksm.rst, "Monitoring KSM events".
 */
static void write_vmstat(const struct prom_out *o, const struct top_global *g)
{
	if (g->cow_ksm.known)
		counter(o, "ksm_cow_pages_total",
			"Times a KSM page triggered copy on write: a write to a merged page, or "
			"an unmerge (cow_ksm of /proc/vmstat, since boot)",
			g->cow_ksm.value);
	if (g->swpin_copy.known)
		counter(o, "ksm_swpin_copy_pages_total",
			"Times a KSM page was copied when swapped in (ksm_swpin_copy of "
			"/proc/vmstat, since boot)",
			g->swpin_copy.value);
}

static void write_global(const struct prom_out *o, const struct top_model *m,
			 const struct prom_state *st)
{
	const struct top_global *g = &m->g;

	write_sysfs(o, &g->sys);
	gauge_f(o, "ksm_page_size_bytes", "Size of a page: the unit of every *_pages metric",
		sysconf(_SC_PAGESIZE));
	if (g->ksmd_cpu_percent >= 0) {
		prom_head(o, "ksm_ksmd_cpu_seconds_total", PROM_COUNTER,
			  "CPU time the ksmd kernel thread used (utime + stime)");
		prom_sample_f(o, "ksm_ksmd_cpu_seconds_total", NULL, g->ksmd_cpu_seconds);
	}
	gauge_f(o, "ksm_full_scan_duration_seconds",
		"Time of the last full scan, from ksm_start_scan to ksm_stop_scan; 0 before one",
		g->full_scan_seconds);
	gauge_f(o, "ksm_sharing_ratio", "pages_sharing / pages_shared; 0 without KSM pages",
		g->sharing_ratio);
	counter(o, "ksm_merges_total",
		g->merges_exact
			? "Pages merged (ksm_merge_with_ksm_page events without error), since "
			  "ksmtop started"
			: "Pages merged, derived without events: the growth of pages_shared + "
			  "pages_sharing and cow_ksm (see ksmtop(8), ACCURACY), since ksmtop "
			  "started",
		st->merges_total);
	counter(o, "ksm_unmerges_total",
		g->unmerges_exact
			? "Pages copied out of a KSM page (cow_ksm of /proc/vmstat), since ksmtop "
			  "started"
			: "Pages that stopped being merged, derived: merges not seen in "
			  "pages_shared + pages_sharing (see ksmtop(8), ACCURACY), since ksmtop "
			  "started",
		st->unmerges_total);
	write_vmstat(o, g);
}

static void per_node(const struct prom_out *o, const struct top_model *m, const char *name,
		     enum prom_type t, const char *help, size_t off)
{
	char lab[32];

	prom_head(o, name, t, help);
	for (int k = 0; k < m->nr_nodes; k++) {
		const char *v = (const char *)&m->node[k] + off;

		snprintf(lab, sizeof(lab), "node=\"%d\"", k);
		if (t == PROM_COUNTER)
			prom_sample_u64(o, name, lab, *(const uint64_t *)v);
		else
			prom_sample_i64(o, name, lab, *(const int64_t *)v);
	}
}

/* A per-node counter with an in and an out direction (two top_node fields). */
static void per_node_dir(const struct prom_out *o, const struct top_model *m, const char *name,
			 const char *help, size_t in, size_t out)
{
	char lab[48];

	prom_head(o, name, PROM_COUNTER, help);
	for (int k = 0; k < m->nr_nodes; k++) {
		const char *n = (const char *)&m->node[k];

		snprintf(lab, sizeof(lab), "node=\"%d\",direction=\"in\"", k);
		prom_sample_u64(o, name, lab, *(const uint64_t *)(n + in));
		snprintf(lab, sizeof(lab), "node=\"%d\",direction=\"out\"", k);
		prom_sample_u64(o, name, lab, *(const uint64_t *)(n + out));
	}
}

static void write_nodes(const struct prom_out *o, const struct top_model *m)
{
	per_node(o, m, "ksm_node_pages", PROM_GAUGE,
		 "KSM pages per NUMA node (exact on one node, else from events since start)",
		 offsetof(struct top_node, ksm_pages));
	per_node(o, m, "ksm_node_merges_total", PROM_COUNTER,
		 "Pages merged per NUMA node of the KSM page, since ksmtop started",
		 offsetof(struct top_node, merges));
	per_node(o, m, "ksm_node_rmap_removals_total", PROM_COUNTER,
		 "Pages let go by a removed stable node, per NUMA node, since ksmtop started",
		 offsetof(struct top_node, rmap_removals));
	if (top_kind_active(m, KSM_EV_SET_MIGRATION_PTE))
		per_node_dir(o, m, "ksm_node_page_migrations_total",
			     "Pages (any, not only KSM) migrated per NUMA node and direction",
			     offsetof(struct top_node, page_migrations_in),
			     offsetof(struct top_node, page_migrations_out));
	if (top_kind_active(m, KSM_EV_MIGRATE_FOLIO))
		per_node_dir(o, m, "ksm_node_migrations_total",
			     "KSM folio migrations per NUMA node and direction",
			     offsetof(struct top_node, migrations_in),
			     offsetof(struct top_node, migrations_out));
}

static void write_events(const struct prom_out *o, const struct top_model *m)
{
	char lab[64];

	prom_head(o, "ksm_events_total", PROM_COUNTER,
		  "KSM events seen, by tracepoint, since ksmtop started");
	for (unsigned int k = 1; k < KSM_EV_MAX; k++) {
		if (!top_kind_active(m, k))
			continue;
		snprintf(lab, sizeof(lab), "event=\"%s\"", ksm_event_name(k));
		prom_sample_u64(o, "ksm_events_total", lab, m->ev_count[k]);
	}
	prom_head(o, "ksm_event_source_active", PROM_GAUGE,
		  "1 if some probe delivers this event on this kernel, 0 if not");
	for (unsigned int k = 1; k < KSM_EV_MAX; k++) {
		snprintf(lab, sizeof(lab), "event=\"%s\"", ksm_event_name(k));
		prom_sample_u64(o, "ksm_event_source_active", lab, top_kind_active(m, k));
	}
	counter(o, "ksm_events_lost_total", "Events lost because the ring buffer was full",
		m->lost);
}

/* One family over the process rows (--prom-processes); cgroups: prom_cgroup.c. */
struct row_metric {
	const char *name, *help;
	enum prom_type type;
	unsigned int known; /* the enum top_known bits a sample needs */
	size_t off;	    /* int64_t in struct top_row, or uint64_t in struct prom_count */
};

static const struct row_metric row_metrics[] = {
	{ "ksm_process_merging_pages", "Pages merged by KSM (ksm_merging_pages)", PROM_GAUGE, 0,
	  offsetof(struct top_row, s.merging_pages) },
	{ "ksm_process_rmap_items", "ksm_rmap_item structures in use (ksm_rmap_items)", PROM_GAUGE,
	  0, offsetof(struct top_row, s.rmap_items) },
	{ "ksm_process_zero_pages", "Empty pages merged with the kernel zero page (ksm_zero_pages)",
	  PROM_GAUGE, TOP_KNOWN_ZERO, offsetof(struct top_row, s.zero_pages) },
	{ "ksm_process_profit_bytes",
	  "Memory saved: merged pages minus the rmap_items they cost (ksm_process_profit)",
	  PROM_GAUGE, TOP_KNOWN_PROFIT, offsetof(struct top_row, s.profit) },
	{ "ksm_process_merges_total", "Pages merged, since ksmtop started", PROM_COUNTER, 0,
	  offsetof(struct prom_count, merges) },
	{ "ksm_process_unmerges_total",
	  "Pages that stopped being merged (COW breaks, unmerges), derived, since ksmtop started",
	  PROM_COUNTER, 0, offsetof(struct prom_count, unmerges) },
};

struct row_set {
	const struct top_row *rows;
	const struct prom_count *total; /* per row */
	char **labels;			/* per row */
	int n;
};

static void write_row_metric(const struct prom_out *o, const struct row_set *rs,
			     const struct row_metric *rm)
{
	prom_head(o, rm->name, rm->type, rm->help);
	for (int i = 0; i < rs->n; i++) {
		if (!top_known(&rs->rows[i].s, rm->known))
			continue;
		if (rm->type == PROM_COUNTER)
			prom_sample_u64(o, rm->name, rs->labels[i],
					*(const uint64_t *)((const char *)&rs->total[i] + rm->off));
		else
			prom_sample_i64(o, rm->name, rs->labels[i],
					*(const int64_t *)((const char *)&rs->rows[i] + rm->off));
	}
}

static void write_row_set(const struct prom_out *o, struct row_set *rs)
{
	char pid[16];

	rs->labels = calloc(rs->n ? rs->n : 1, sizeof(*rs->labels));
	if (!rs->labels)
		return;
	for (int i = 0; i < rs->n; i++) {
		struct prom_label l[] = { { "pid", pid },
					  { "comm", rs->rows[i].comm },
					  { "cgroup", rs->rows[i].cgroup } };

		snprintf(pid, sizeof(pid), "%d", rs->rows[i].pid);
		rs->labels[i] = prom_label_str(l, 3);
	}
	for (size_t k = 0; k < ARRAY_SIZE(row_metrics); k++)
		write_row_metric(o, rs, &row_metrics[k]);
	for (int i = 0; i < rs->n; i++)
		free(rs->labels[i]);
	free(rs->labels);
}

/* The cardinality cap keeps the biggest: row indices, biggest merging first. */
static int cmp_merging(const void *a, const void *b, void *arg)
{
	const struct top_row *rows = arg;
	const struct top_row *x = &rows[*(const int *)a], *y = &rows[*(const int *)b];

	return (y->s.merging_pages > x->s.merging_pages) -
	       (y->s.merging_pages < x->s.merging_pages);
}

static void write_top_procs(const struct prom_out *o, const struct top_model *m, int max,
			    const struct prom_state *st)
{
	struct top_row *rows;
	struct prom_count *total;
	int *idx, n = max < m->nrows ? max : m->nrows;

	if (n <= 0 || !st->proc_total)
		return;
	idx = malloc(m->nrows * sizeof(*idx));
	rows = malloc(n * sizeof(*rows));
	total = malloc(n * sizeof(*total));
	if (idx && rows && total) {
		struct row_set rs = { rows, total, NULL, n };

		for (int i = 0; i < m->nrows; i++)
			idx[i] = i;
		qsort_r(idx, m->nrows, sizeof(*idx), cmp_merging, m->rows);
		for (int i = 0; i < n; i++) {
			rows[i] = m->rows[idx[i]];
			total[i] = st->proc_total[idx[i]];
		}
		write_row_set(o, &rs);
	}
	free(idx);
	free(rows);
	free(total);
}

void prom_write(const struct prom_out *o, const struct top_model *m, const struct prom_opts *opts,
		const struct prom_state *st)
{
	write_global(o, m, st);
	write_nodes(o, m);
	write_events(o, m);
	gauge_f(o, "ksm_exporter_sample_duration_seconds",
		"Time the last sample took to read /proc and /sys", m->g.sample_seconds);
	gauge_f(o, "ksm_exporter_last_sample_timestamp_seconds",
		"When the last sample was taken, in seconds since the epoch", st->sample_time);
	prom_write_bpf(o, st);
	prom_write_cgroups(o, m);
	write_top_procs(o, m, opts ? opts->max_procs : 0, st);
	prom_write_sharing(o, m, opts ? opts->sharing_pairs : 0);
}
