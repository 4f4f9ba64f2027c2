// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition (format 0.0.4) of a ksmtop sample: every
 * metric has HELP and TYPE lines, counters end in _total, and label values
 * are escaped (comm and cgroup names are anyone's choice).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "event_kinds.h"
#include "prom.h"

const char *prom_escape(const char *in, char *buf, size_t len)
{
	size_t o = 0;

	for (; in && *in && o + 3 < len; in++) {
		if (*in == '\\' || *in == '"') {
			buf[o++] = '\\';
			buf[o++] = *in;
		} else if (*in == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *in;
		}
	}
	buf[o] = '\0';
	return buf;
}

static void head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* sysfs files with a metric name of their own; the others are knobs (ksm_FILE gauges) */
static const struct sysfs_metric {
	const char *file, *metric, *type, *help;
} sysfs_metrics[] = {
	{ "full_scans", "ksm_full_scans_total", "counter", "Full scans ksmd completed" },
	{ "pages_scanned", "ksm_pages_scanned_total", "counter", "Pages ksmd scanned" },
	{ "general_profit", "ksm_general_profit_bytes", "gauge",
	  "Memory KSM saves, net of its metadata" },
	{ "ksm_zero_pages", "ksm_zero_pages", "gauge", "Pages merged with the zero page" },
	{ "pages_shared", "ksm_pages_shared", "gauge", "KSM pages in use (stable tree nodes)" },
	{ "pages_sharing", "ksm_pages_sharing", "gauge",
	  "Pages sharing a KSM page (memory saved)" },
	{ "pages_unshared", "ksm_pages_unshared", "gauge", "Pages unique but repeatedly checked" },
	{ "pages_volatile", "ksm_pages_volatile", "gauge", "Pages changing too fast to merge" },
	{ "pages_skipped", "ksm_pages_skipped", "gauge", "Pages smart scan skipped" },
	{ "stable_node_chains", "ksm_stable_node_chains", "gauge", "Stable node chains" },
	{ "stable_node_dups", "ksm_stable_node_dups", "gauge",
	  "Duplicated stable nodes in chains" },
};

/* A text knob (advisor_mode "[none] scan-time"): the selected word as a label. */
static void write_selected(FILE *out, const char *file, const char *text)
{
	const char *l = strchr(text, '['), *r = l ? strchr(l, ']') : NULL;
	char metric[96], help[160], word[40], esc[96];

	if (!l || !r || r - l - 1 >= (int)sizeof(word))
		return;
	memcpy(word, l + 1, r - l - 1);
	word[r - l - 1] = '\0';
	snprintf(metric, sizeof(metric), "ksm_%s_info", file);
	snprintf(help, sizeof(help), "Selected %s of /sys/kernel/mm/ksm", file);
	head(out, metric, "gauge", help);
	fprintf(out, "%s{%s=\"%s\"} 1\n", metric, file, prom_escape(word, esc, sizeof(esc)));
}

static void write_sysfs(FILE *out, const struct ksm_sysfs *s)
{
	for (int i = 0; i < s->n; i++) {
		struct sysfs_metric knob = { .type = "gauge" };
		const struct sysfs_metric *sm = &knob;
		const char *f = s->ent[i].name;
		char metric[96], help[160];

		if (!s->ent[i].numeric) {
			write_selected(out, f, s->ent[i].text);
			continue;
		}
		for (size_t k = 0; k < sizeof(sysfs_metrics) / sizeof(sysfs_metrics[0]); k++)
			if (!strcmp(f, sysfs_metrics[k].file))
				sm = &sysfs_metrics[k];
		if (sm == &knob) { /* run, pages_to_scan, sleep_millisecs, ... */
			snprintf(metric, sizeof(metric), "ksm_%s", f);
			snprintf(help, sizeof(help), "Value of /sys/kernel/mm/ksm/%s", f);
			knob.metric = metric;
			knob.help = help;
		}
		head(out, sm->metric, sm->type, sm->help);
		fprintf(out, "%s %" PRId64 "\n", sm->metric, s->ent[i].value);
	}
}

/* Gauges of every row of the cgroup or the process table. */
static const struct row_metric {
	const char *suffix, *help;
	size_t off;
	bool rate; /* a double over the last interval, else an int64_t */
} row_metrics[] = {
	{ "merging_pages", "Pages merged (ksm_merging_pages)",
	  offsetof(struct top_row, merging_pages), false },
	{ "rmap_items", "KSM reverse-map items (ksm_rmap_items)",
	  offsetof(struct top_row, rmap_items), false },
	{ "zero_pages", "Pages merged with the zero page (ksm_zero_pages)",
	  offsetof(struct top_row, zero_pages), false },
	{ "profit_bytes", "Memory saved, net of rmap items (ksm_process_profit)",
	  offsetof(struct top_row, profit), false },
	{ "merges_per_second", "Pages merged per second", offsetof(struct top_row, merges_per_s),
	  true },
	{ "unmerges_per_second", "Pages that stopped merging per second",
	  offsetof(struct top_row, unmerges_per_s), true },
};

static const char *row_labels(const struct top_row *r, bool proc, char *buf, size_t len)
{
	char cg[1024], comm[64];

	prom_escape(r->cgroup, cg, sizeof(cg));
	if (proc)
		snprintf(buf, len, "pid=\"%d\",comm=\"%s\",cgroup=\"%s\"", r->pid,
			 prom_escape(r->comm, comm, sizeof(comm)), cg);
	else
		snprintf(buf, len, "cgroup=\"%s\"", cg);
	return buf;
}

static void write_row_metric(FILE *out, const struct top_row *rows, int n, bool proc,
			     const struct row_metric *rm)
{
	const char *what = proc ? "process" : "cgroup";
	char name[96], help[200], labels[1200];

	snprintf(name, sizeof(name), "ksm_%s_%s", what, rm->suffix);
	snprintf(help, sizeof(help), "%s, per %s%s", rm->help, what,
		 rm->rate ? ", over the last interval" : "");
	head(out, name, "gauge", help);
	for (int i = 0; i < n; i++) {
		const char *v = (const char *)&rows[i] + rm->off;

		row_labels(&rows[i], proc, labels, sizeof(labels));
		if (rm->rate)
			fprintf(out, "%s{%s} %.3f\n", name, labels, *(const double *)v);
		else
			fprintf(out, "%s{%s} %" PRId64 "\n", name, labels, *(const int64_t *)v);
	}
}

static void write_rows(FILE *out, const struct top_row *rows, int n, bool proc)
{
	char labels[1200];

	for (size_t k = 0; k < sizeof(row_metrics) / sizeof(row_metrics[0]); k++)
		write_row_metric(out, rows, n, proc, &row_metrics[k]);
	if (proc)
		return;
	head(out, "ksm_cgroup_processes", "gauge", "KSM-using processes per cgroup");
	for (int i = 0; i < n; i++)
		fprintf(out, "ksm_cgroup_processes{%s} %d\n",
			row_labels(&rows[i], false, labels, sizeof(labels)), rows[i].nprocs);
}

static int cmp_merging(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	return (y->merging_pages > x->merging_pages) - (y->merging_pages < x->merging_pages);
}

/* The cardinality cap keeps the biggest: sort a copy, the views keep their order. */
static void write_top_procs(FILE *out, const struct top_model *m, int max)
{
	struct top_row *rows;

	if (max <= 0 || !m->nrows)
		return;
	rows = malloc(m->nrows * sizeof(*rows));
	if (!rows)
		return;
	memcpy(rows, m->rows, m->nrows * sizeof(*rows));
	qsort(rows, m->nrows, sizeof(*rows), cmp_merging);
	write_rows(out, rows, max < m->nrows ? max : m->nrows, true);
	free(rows);
}

static void write_global(FILE *out, const struct top_model *m)
{
	const struct top_global *g = &m->g;

	write_sysfs(out, &g->sys);
	if (g->ksmd_cpu_percent >= 0) {
		head(out, "ksm_ksmd_cpu_seconds_total", "counter", "CPU time ksmd used");
		fprintf(out, "ksm_ksmd_cpu_seconds_total %.2f\n", g->ksmd_cpu_seconds);
	}
	head(out, "ksm_full_scan_duration_seconds", "gauge",
	     "Time of the last full scan, from ksm_start_scan/ksm_stop_scan events");
	fprintf(out, "ksm_full_scan_duration_seconds %.6f\n", g->full_scan_seconds);
	head(out, "ksm_sharing_ratio", "gauge", "pages_sharing / pages_shared");
	fprintf(out, "ksm_sharing_ratio %.4f\n", g->sharing_ratio);
}

static void write_nodes(FILE *out, const struct top_model *m)
{
	const struct top_node *n = m->node;

	head(out, "ksm_node_pages", "gauge",
	     "KSM pages per NUMA node (exact on one node, else from events since start)");
	for (int k = 0; k < m->nr_nodes; k++)
		fprintf(out, "ksm_node_pages{node=\"%d\"} %" PRId64 "\n", k, n[k].ksm_pages);
	head(out, "ksm_node_merges_total", "counter",
	     "Pages merged per NUMA node of the KSM page, since the exporter started");
	for (int k = 0; k < m->nr_nodes; k++)
		fprintf(out, "ksm_node_merges_total{node=\"%d\"} %" PRIu64 "\n", k, n[k].merges);
	head(out, "ksm_node_rmap_removals_total", "counter",
	     "Pages let go by a removed stable node, per NUMA node, since the exporter started");
	for (int k = 0; k < m->nr_nodes; k++)
		fprintf(out, "ksm_node_rmap_removals_total{node=\"%d\"} %" PRIu64 "\n", k,
			n[k].rmap_removals);
	if (!top_kind_active(m, KSM_EV_MIGRATE_FOLIO))
		return;
	head(out, "ksm_node_migrations_total", "counter",
	     "KSM folio migrations per NUMA node and direction");
	for (int k = 0; k < m->nr_nodes; k++)
		fprintf(out,
			"ksm_node_migrations_total{node=\"%d\",direction=\"in\"} %" PRIu64 "\n"
			"ksm_node_migrations_total{node=\"%d\",direction=\"out\"} %" PRIu64 "\n",
			k, n[k].migrations_in, k, n[k].migrations_out);
}

static void write_events(FILE *out, const struct top_model *m)
{
	head(out, "ksm_events_total", "counter", "KSM events seen, by tracepoint");
	for (unsigned int k = 1; k < KSM_EV_MAX; k++)
		if (top_kind_active(m, k))
			fprintf(out, "ksm_events_total{event=\"%s\"} %" PRIu64 "\n",
				ksm_event_name(k), m->ev_count[k]);
	head(out, "ksm_event_source_active", "gauge",
	     "1 if some probe delivers this event on this kernel, 0 if not");
	for (unsigned int k = 1; k < KSM_EV_MAX; k++)
		fprintf(out, "ksm_event_source_active{event=\"%s\"} %d\n", ksm_event_name(k),
			top_kind_active(m, k));
	head(out, "ksm_events_lost_total", "counter", "Events lost (ring buffer full)");
	fprintf(out, "ksm_events_lost_total %" PRIu64 "\n", m->lost);
}

void prom_write(FILE *out, const struct top_model *m, const struct prom_opts *o)
{
	write_global(out, m);
	write_nodes(out, m);
	write_events(out, m);
	write_rows(out, m->cgrows, m->ncgrows, false);
	write_top_procs(out, m, o ? o->max_procs : 0);
}

/* Here, not with the server, so that what links it needs no libmicrohttpd (the unit test). */
int prom_parse_addr(const char *arg, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon, *h = arg;
	size_t n;

	if (!arg || !*arg)
		return -EINVAL;
	if (*arg == '[') { /* [v6]:port */
		const char *end = strchr(arg, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		h = arg + 1;
		n = end - h;
		colon = end + 1;
	} else {
		colon = strrchr(arg, ':');
		if (!colon)
			return -EINVAL;
		n = colon - arg;
	}
	if (n >= hlen || !colon[1] || strlen(colon + 1) >= plen ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) > 65535 ||
	    atoi(colon + 1) <= 0)
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return 0;
}
