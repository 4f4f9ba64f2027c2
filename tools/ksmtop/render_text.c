// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "name_esc.h"
#include "render_text.h"

/* 12345, 12M: four digits at most, in powers of 1024. */
static const char *human(double v, char *buf, size_t len)
{
	static const char unit[] = " KMGTP";
	int u = 0;

	while ((v >= 10000 || v <= -10000) && u < 5) {
		v /= 1024;
		u++;
	}
	if (u)
		snprintf(buf, len, "%.0f%c", v, unit[u]);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

struct lines {
	char (*line)[TOP_LINE_LEN];
	int n, max;
};

static void add(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct lines *l, const char *fmt, ...)
{
	va_list ap;

	if (l->n >= l->max)
		return;
	va_start(ap, fmt);
	vsnprintf(l->line[l->n++], TOP_LINE_LEN, fmt, ap);
	va_end(ap);
}

/* The first line: time and ksmd's knobs, as the kernel spells them. */
static void knobs_line(struct lines *l, const struct ksm_sysfs *s)
{
	time_t t = time(NULL);
	char ts[16];

	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
	add(l,
	    "ksmtop %s  run %s  pages_to_scan %s  sleep_ms %s  advisor %s  smart_scan %s  "
	    "merge_across_nodes %s",
	    ts, ksm_sysfs_text(s, "run") ?: "?", ksm_sysfs_text(s, "pages_to_scan") ?: "?",
	    ksm_sysfs_text(s, "sleep_millisecs") ?: "?", ksm_sysfs_text(s, "advisor_mode") ?: "-",
	    ksm_sysfs_text(s, "smart_scan") ?: "-", ksm_sysfs_text(s, "merge_across_nodes") ?: "-");
}

static bool patched(const struct top_model *m)
{
	return top_kind_active(m, KSM_EV_STABLE_NODE_INSERT) ||
	       top_kind_active(m, KSM_EV_MIGRATE_FOLIO) || top_kind_active(m, KSM_EV_SWAPIN_COPY) ||
	       top_kind_active(m, KSM_EV_GET_FOLIO_STALE);
}

int top_text_header(const struct top_model *m, char (*line)[TOP_LINE_LEN], int max)
{
	const struct top_global *g = &m->g;
	const struct ksm_sysfs *s = &g->sys;
	struct lines l = { line, 0, max };
	char b1[16];

	knobs_line(&l, s);
	add(&l, "ksmd %5.1f%% cpu  scan %.0f pages/s  full scan %.2f s  full_scans %lld (%+.2f/s)",
	    g->ksmd_cpu_percent < 0 ? 0 : g->ksmd_cpu_percent, g->scan_pages_per_s,
	    g->full_scan_seconds, (long long)top_sysfs(s, "full_scans"), g->full_scans_per_s);
	add(&l,
	    "pages shared %lld (%+.0f/s)  sharing %lld (%+.0f/s)  unshared %lld  volatile %lld  "
	    "skipped %lld",
	    (long long)top_sysfs(s, "pages_shared"), g->shared_per_s,
	    (long long)top_sysfs(s, "pages_sharing"), g->sharing_per_s,
	    (long long)top_sysfs(s, "pages_unshared"), (long long)top_sysfs(s, "pages_volatile"),
	    (long long)top_sysfs(s, "pages_skipped"));
	add(&l,
	    "zero %lld  chains %lld  dups %lld  profit %sB (%+.0f/s)  ratio %.2f  merges %.0f/s  "
	    "unmerges %.0f/s  rmap rm %.0f/s",
	    (long long)top_sysfs(s, "ksm_zero_pages"),
	    (long long)top_sysfs(s, "stable_node_chains"),
	    (long long)top_sysfs(s, "stable_node_dups"),
	    human(top_sysfs(s, "general_profit"), b1, sizeof(b1)), g->profit_per_s,
	    g->sharing_ratio, g->merges_per_s, g->unmerges_per_s, g->rmap_removals_per_s);
	if (patched(m))
		add(&l,
		    "patched: node ins %.0f/s rm %.0f/s  migrations %.0f/s  swap-in copies %.0f/s  "
		    "stale %.0f/s",
		    m->ev_rate[KSM_EV_STABLE_NODE_INSERT], m->ev_rate[KSM_EV_STABLE_NODE_REMOVE],
		    m->ev_rate[KSM_EV_MIGRATE_FOLIO], m->ev_rate[KSM_EV_SWAPIN_COPY],
		    m->ev_rate[KSM_EV_GET_FOLIO_STALE]);
	if (m->lost)
		add(&l, "WARNING: %llu events lost (ring buffer full): event rates are low",
		    (unsigned long long)m->lost);
	return l.n;
}

const char *top_text_row_titles(bool proc)
{
	return proc ? "    PID COMM             MERGING     RMAP   ZERO  PROFIT   MRG/s   UNM/s "
		      "MODE      CGROUP"
		    : "  PROCS  MERGING     RMAP   ZERO  PROFIT   MRG/s   UNM/s MODE      CGROUP";
}

void top_text_row(const struct top_row *r, bool proc, char *buf, size_t len)
{
	char b1[16], comm[NAME_ESC_SIZE(sizeof(r->comm)) + 16];
	/* names as name_esc.h shows them; the cgroup, last, is cut only by len */
	char *cg = name_escape_dup(r->cgroup, 0);

	if (proc)
		snprintf(buf, len, "%7d %s %8lld %8lld %6lld %7s %7.0f %7.0f %-9s %s", r->pid,
			 name_pad(r->comm, 15, comm, sizeof(comm)), (long long)r->merging_pages,
			 (long long)r->rmap_items, (long long)r->zero_pages,
			 human(r->profit, b1, sizeof(b1)), r->merges_per_s, r->unmerges_per_s,
			 top_row_mode(r), cg ?: "?");
	else
		snprintf(buf, len, "%7d %8lld %8lld %6lld %7s %7.0f %7.0f %-9s %s%s%s%s", r->nprocs,
			 (long long)r->merging_pages, (long long)r->rmap_items,
			 (long long)r->zero_pages, human(r->profit, b1, sizeof(b1)),
			 r->merges_per_s, r->unmerges_per_s, top_row_mode(r), cg ?: "?",
			 r->policy[0] ? " [" : "", r->policy, r->policy[0] ? "]" : "");
	free(cg);
}

const char *top_text_node_titles(void)
{
	return "NODE  KSM_PAGES    MRG/s    UNM/s  MIG_IN MIG_OUT";
}

void top_text_node(const struct top_model *m, int k, char *buf, size_t len)
{
	const struct top_node *n = &m->node[k];
	char in[24] = "-", out[24] = "-";

	/* "-": this kernel cannot see migrations, not "none happened" */
	if (top_kind_active(m, KSM_EV_MIGRATE_FOLIO)) {
		snprintf(in, sizeof(in), "%llu", (unsigned long long)n->migrations_in);
		snprintf(out, sizeof(out), "%llu", (unsigned long long)n->migrations_out);
	}
	snprintf(buf, len, "%4d %10lld%s %8.0f %8.0f %7s %7s", k, (long long)n->ksm_pages,
		 m->nr_nodes == 1 ? " " : "~", n->merges_per_s, n->unmerges_per_s, in, out);
}

static void print_rows(FILE *out, const struct top_row *rows, int n, bool proc, int max)
{
	/* room for the longest cgroup path, escaped: batch lines are never cut */
	static char line[TOP_LINE_LEN + NAME_ESC_SIZE(PATH_MAX)];

	fprintf(out, "\n%s\n", top_text_row_titles(proc));
	for (int k = 0; k < n && (!max || k < max); k++) {
		top_text_row(&rows[k], proc, line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
}

void top_text_print(const struct top_model *m, FILE *out, int rows)
{
	char line[TOP_HEADER_LINES][TOP_LINE_LEN];
	int n = top_text_header(m, line, TOP_HEADER_LINES);

	for (int i = 0; i < n; i++)
		fprintf(out, "%s\n", line[i]);
	fprintf(out, "\n%s\n", top_text_node_titles());
	for (int k = 0; k < m->nr_nodes; k++) {
		top_text_node(m, k, line[0], TOP_LINE_LEN);
		fprintf(out, "%s\n", line[0]);
	}
	if (m->nr_nodes > 1)
		fprintf(out, "(~ KSM pages per node counted from events since start; "
			     "cross-node merges are not visible to stock tracepoints)\n");
	print_rows(out, m->cgrows, m->ncgrows, false, rows);
	print_rows(out, m->rows, m->nrows, true, rows);
	fprintf(out, "\n");
}
