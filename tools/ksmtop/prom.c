// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "event_fmt.h"
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

/* sysfs files that only grow; everything else there is a gauge */
static const struct {
	const char *file, *metric, *help;
} counters[] = {
	{ "full_scans", "ksm_full_scans_total", "Full scans ksmd completed" },
	{ "pages_scanned", "ksm_pages_scanned_total", "Pages ksmd scanned" },
};

static const struct {
	const char *file, *metric, *help;
} named[] = {
	{ "general_profit", "ksm_general_profit_bytes", "Memory KSM saves, net of its metadata" },
	{ "ksm_zero_pages", "ksm_zero_pages", "Pages merged with the zero page" },
	{ "pages_shared", "ksm_pages_shared", "KSM pages in use (stable tree nodes)" },
	{ "pages_sharing", "ksm_pages_sharing", "Pages sharing a KSM page (memory saved)" },
	{ "pages_unshared", "ksm_pages_unshared", "Pages unique but repeatedly checked" },
	{ "pages_volatile", "ksm_pages_volatile", "Pages changing too fast to merge" },
	{ "pages_skipped", "ksm_pages_skipped", "Pages smart scan skipped" },
	{ "stable_node_chains", "ksm_stable_node_chains", "Stable node chains" },
	{ "stable_node_dups", "ksm_stable_node_dups", "Duplicated stable nodes in chains" },
};

static void write_sysfs(FILE *out, const struct ksm_sysfs *s)
{
	for (int i = 0; i < s->n; i++) {
		const char *f = s->ent[i].name;
		char metric[96], help[160];
		const char *type = "gauge";
		bool done = false;

		if (!s->ent[i].numeric) {
			/* text knobs (advisor_mode "[none] scan-time"): the selected word */
			const char *l = strchr(s->ent[i].text, '['), *r = l ? strchr(l, ']') : NULL;
			char word[40], esc[96];

			if (!l || !r || r - l - 1 >= (int)sizeof(word))
				continue;
			memcpy(word, l + 1, r - l - 1);
			word[r - l - 1] = '\0';
			snprintf(metric, sizeof(metric), "ksm_%s_info", f);
			snprintf(help, sizeof(help), "Selected %s of /sys/kernel/mm/ksm", f);
			head(out, metric, "gauge", help);
			fprintf(out, "%s{%s=\"%s\"} 1\n", metric, f,
				prom_escape(word, esc, sizeof(esc)));
			continue;
		}
		for (size_t k = 0; k < sizeof(counters) / sizeof(counters[0]); k++)
			if (!strcmp(f, counters[k].file)) {
				head(out, counters[k].metric, "counter", counters[k].help);
				fprintf(out, "%s %" PRId64 "\n", counters[k].metric,
					s->ent[i].value);
				done = true;
			}
		for (size_t k = 0; !done && k < sizeof(named) / sizeof(named[0]); k++)
			if (!strcmp(f, named[k].file)) {
				head(out, named[k].metric, "gauge", named[k].help);
				fprintf(out, "%s %" PRId64 "\n", named[k].metric, s->ent[i].value);
				done = true;
			}
		if (done)
			continue;
		/* knobs: run, pages_to_scan, sleep_millisecs, merge_across_nodes, ... */
		snprintf(metric, sizeof(metric), "ksm_%s", f);
		snprintf(help, sizeof(help), "Value of /sys/kernel/mm/ksm/%s", f);
		head(out, metric, type, help);
		fprintf(out, "%s %" PRId64 "\n", metric, s->ent[i].value);
	}
}

#define ROW_GAUGES(X)                                                                   \
	X(merging_pages, "merging_pages", "Pages merged (ksm_merging_pages)")           \
	X(rmap_items, "rmap_items", "KSM reverse-map items (ksm_rmap_items)")           \
	X(zero_pages, "zero_pages", "Pages merged with the zero page (ksm_zero_pages)") \
	X(profit, "profit_bytes", "Memory saved, net of rmap items (ksm_process_profit)")

static void write_rows(FILE *out, const struct top_row *rows, int n, bool proc, int cap)
{
	const char *what = proc ? "process" : "cgroup";
	char name[96], help[200], cg[1024], comm[64];

	if (cap <= 0 || cap > n)
		cap = n;
#define X(field, suffix, text)                                                                  \
	snprintf(name, sizeof(name), "ksm_%s_%s", what, suffix);                                \
	snprintf(help, sizeof(help), "%s, per %s", text, what);                                 \
	head(out, name, "gauge", help);                                                         \
	for (int i = 0; i < cap; i++) {                                                         \
		prom_escape(rows[i].cgroup, cg, sizeof(cg));                                    \
		if (proc)                                                                       \
			fprintf(out, "%s{pid=\"%d\",comm=\"%s\",cgroup=\"%s\"} %lld\n", name,   \
				rows[i].pid, prom_escape(rows[i].comm, comm, sizeof(comm)), cg, \
				(long long)rows[i].field);                                      \
		else                                                                            \
			fprintf(out, "%s{cgroup=\"%s\"} %lld\n", name, cg,                      \
				(long long)rows[i].field);                                      \
	}
	ROW_GAUGES(X)
#undef X
#define R(field, suffix, text)                                                                  \
	snprintf(name, sizeof(name), "ksm_%s_%s", what, suffix);                                \
	snprintf(help, sizeof(help), "%s, per %s, over the last interval", text, what);         \
	head(out, name, "gauge", help);                                                         \
	for (int i = 0; i < cap; i++) {                                                         \
		prom_escape(rows[i].cgroup, cg, sizeof(cg));                                    \
		if (proc)                                                                       \
			fprintf(out, "%s{pid=\"%d\",comm=\"%s\",cgroup=\"%s\"} %.3f\n", name,   \
				rows[i].pid, prom_escape(rows[i].comm, comm, sizeof(comm)), cg, \
				rows[i].field);                                                 \
		else                                                                            \
			fprintf(out, "%s{cgroup=\"%s\"} %.3f\n", name, cg, rows[i].field);      \
	}
	R(merges_per_s, "merges_per_second", "Pages merged per second")
	R(unmerges_per_s, "unmerges_per_second", "Pages that stopped merging per second")
#undef R
	if (!proc) {
		head(out, "ksm_cgroup_processes", "gauge", "KSM-using processes per cgroup");
		for (int i = 0; i < cap; i++)
			fprintf(out, "ksm_cgroup_processes{cgroup=\"%s\"} %d\n",
				prom_escape(rows[i].cgroup, cg, sizeof(cg)), rows[i].nprocs);
	}
}

static int cmp_merging(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	return (y->merging_pages > x->merging_pages) - (y->merging_pages < x->merging_pages);
}

void prom_write(FILE *out, const struct top_model *m, const struct prom_opts *o)
{
	const struct top_global *g = &m->g;

	write_sysfs(out, &g->sys);
	if (g->ksmd_cpu_percent >= 0) {
		head(out, "ksm_ksmd_cpu_seconds_total", "counter", "CPU time ksmd used");
		fprintf(out, "ksm_ksmd_cpu_seconds_total %.2f\n", (double)g->ksmd_ticks / m->hz);
	}
	head(out, "ksm_full_scan_duration_seconds", "gauge",
	     "Time of the last full scan, from ksm_start_scan/ksm_stop_scan events");
	fprintf(out, "ksm_full_scan_duration_seconds %.6f\n", g->full_scan_seconds);
	head(out, "ksm_sharing_ratio", "gauge", "pages_sharing / pages_shared");
	fprintf(out, "ksm_sharing_ratio %.4f\n", g->sharing_ratio);

	head(out, "ksm_node_pages", "gauge",
	     "KSM pages per NUMA node (exact on one node, else from events since start)");
	for (int k = 0; k < m->nr_nodes; k++)
		fprintf(out, "ksm_node_pages{node=\"%d\"} %lld\n", k,
			(long long)m->node[k].ksm_pages);
	head(out, "ksm_node_merges_total", "counter",
	     "Pages merged per NUMA node of the KSM page, since the exporter started");
	for (int k = 0; k < m->nr_nodes; k++)
		fprintf(out, "ksm_node_merges_total{node=\"%d\"} %llu\n", k,
			(unsigned long long)m->node[k].merges);
	head(out, "ksm_node_rmap_removals_total", "counter",
	     "Pages let go by a removed stable node, per NUMA node, since the exporter started");
	for (int k = 0; k < m->nr_nodes; k++)
		fprintf(out, "ksm_node_rmap_removals_total{node=\"%d\"} %llu\n", k,
			(unsigned long long)m->node[k].rmap_removals);
	if (top_kind_active(m, KSM_EV_MIGRATE_FOLIO)) {
		head(out, "ksm_node_migrations_total", "counter",
		     "KSM folio migrations per NUMA node and direction");
		for (int k = 0; k < m->nr_nodes; k++)
			fprintf(out,
				"ksm_node_migrations_total{node=\"%d\",direction=\"in\"} %llu\n"
				"ksm_node_migrations_total{node=\"%d\",direction=\"out\"} %llu\n",
				k, (unsigned long long)m->node[k].migrations_in, k,
				(unsigned long long)m->node[k].migrations_out);
	}

	head(out, "ksm_events_total", "counter", "KSM events seen, by tracepoint");
	for (unsigned int k = 1; k < KSM_EV_MAX; k++)
		if (top_kind_active(m, k))
			fprintf(out, "ksm_events_total{event=\"%s\"} %llu\n", ksm_event_name(k),
				(unsigned long long)m->ev_count[k]);
	head(out, "ksm_event_source_active", "gauge",
	     "1 if some probe delivers this event on this kernel, 0 if not");
	for (unsigned int k = 1; k < KSM_EV_MAX; k++)
		fprintf(out, "ksm_event_source_active{event=\"%s\"} %d\n", ksm_event_name(k),
			top_kind_active(m, k));
	head(out, "ksm_events_lost_total", "counter", "Events lost (ring buffer full)");
	fprintf(out, "ksm_events_lost_total %llu\n", (unsigned long long)m->lost);

	write_rows(out, m->cgrows, m->ncgrows, false, 0);
	if (o && o->max_procs > 0 && m->nrows) {
		struct top_row *rows = malloc(m->nrows * sizeof(*rows));

		if (rows) {
			/* the cap keeps the biggest: sort a copy, the views keep their order */
			memcpy(rows, m->rows, m->nrows * sizeof(*rows));
			qsort(rows, m->nrows, sizeof(*rows), cmp_merging);
			write_rows(out, rows, m->nrows, true, o->max_procs);
			free(rows);
		}
	}
}

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
