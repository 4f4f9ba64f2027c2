// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "name_esc.h"
#include "render_text.h"
#include "top_sharing.h"

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

/* A sysfs counter, or "-" where this kernel has no such file. */
static const char *sysfs_num(const struct ksm_sysfs *s, const char *name, char *buf, size_t len)
{
	int64_t v;

	if (!ksm_sysfs_get(s, name, &v))
		return "-";
	snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

/* A byte count of sysfs ("12MB"), or "-". */
static const char *sysfs_bytes(const struct ksm_sysfs *s, const char *name, char *buf, size_t len)
{
	char h[16];
	int64_t v;

	if (!ksm_sysfs_get(s, name, &v))
		return "-";
	snprintf(buf, len, "%sB", human(v, h, sizeof(h)));
	return buf;
}

/* A rate of /proc/vmstat, or "-" where the kernel does not count it. */
static const char *vmstat_rate(const struct top_vmstat *v, char *buf, size_t len)
{
	if (!v->known)
		return "-";
	snprintf(buf, len, "%.0f/s", v->per_s);
	return buf;
}

/* An event's rate, or "-" where no probe delivers it. */
static const char *event_rate(const struct top_model *m, unsigned int kind, char *buf, size_t len)
{
	if (!top_kind_active(m, kind))
		return "-";
	snprintf(buf, len, "%.0f/s", m->ev_rate[kind]);
	return buf;
}

int top_text_header(const struct top_model *m, char (*line)[TOP_LINE_LEN], int max)
{
	const struct top_global *g = &m->g;
	const struct ksm_sysfs *s = &g->sys;
	struct lines l = { line, 0, max };
	char b[7][24];

	knobs_line(&l, s);
	/* "-": ksmd not found; no full scan timed yet (or no scan events) */
	if (g->ksmd_cpu_percent >= 0)
		snprintf(b[0], sizeof(b[0]), "%5.1f%%", g->ksmd_cpu_percent);
	if (g->full_scan_seconds > 0)
		snprintf(b[1], sizeof(b[1]), "%.2f s", g->full_scan_seconds);
	add(&l, "ksmd %s cpu  scan %.0f pages/s  full scan %s  full_scans %lld (%+.2f/s)",
	    g->ksmd_cpu_percent >= 0 ? b[0] : "    -", g->scan_pages_per_s,
	    g->full_scan_seconds > 0 ? b[1] : "-", (long long)top_sysfs(s, "full_scans"),
	    g->full_scans_per_s);
	add(&l,
	    "pages shared %lld (%+.0f/s)  sharing %lld (%+.0f/s)  unshared %lld  volatile %lld  "
	    "skipped %s",
	    (long long)top_sysfs(s, "pages_shared"), g->shared_per_s,
	    (long long)top_sysfs(s, "pages_sharing"), g->sharing_per_s,
	    (long long)top_sysfs(s, "pages_unshared"), (long long)top_sysfs(s, "pages_volatile"),
	    sysfs_num(s, "pages_skipped", b[0], sizeof(b[0])));
	add(&l,
	    "zero %s  chains %s  dups %s  profit %s  ratio %.2f  merges %.0f/s%s  unmerges "
	    "%.0f/s%s  rmap rm %s  cow %s  swap-in copies %s",
	    sysfs_num(s, "ksm_zero_pages", b[0], sizeof(b[0])),
	    sysfs_num(s, "stable_node_chains", b[1], sizeof(b[1])),
	    sysfs_num(s, "stable_node_dups", b[2], sizeof(b[2])),
	    sysfs_bytes(s, "general_profit", b[3], sizeof(b[3])), g->sharing_ratio, g->merges_per_s,
	    g->merges_exact ? "" : "~", g->unmerges_per_s, g->unmerges_exact ? "" : "~",
	    event_rate(m, KSM_EV_REMOVE_RMAP_ITEM, b[6], sizeof(b[6])),
	    vmstat_rate(&g->cow_ksm, b[4], sizeof(b[4])),
	    vmstat_rate(&g->swpin_copy, b[5], sizeof(b[5])));
	if (patched(m))
		add(&l,
		    "patched: node ins %.0f/s rm %.0f/s  migrations %.0f/s  swap-in copies %.0f/s  "
		    "stale %.0f/s",
		    m->ev_rate[KSM_EV_STABLE_NODE_INSERT], m->ev_rate[KSM_EV_STABLE_NODE_REMOVE],
		    m->ev_rate[KSM_EV_MIGRATE_FOLIO], m->ev_rate[KSM_EV_SWAPIN_COPY],
		    m->ev_rate[KSM_EV_GET_FOLIO_STALE]);
	if (m->sharing) {
		char sh[TOP_LINE_LEN];

		top_sharing_summary(m->sharing, sh, sizeof(sh));
		add(&l, "%s", sh);
	}
	if (m->lost)
		add(&l, "WARNING: %llu events lost (ring buffer full): event rates are low",
		    (unsigned long long)m->lost);
	return l.n;
}

const char *top_text_row_titles(bool proc)
{
	return proc ? "    PID COMM             MERGING     RMAP   ZERO  PROFIT   MRG/s   UNM/s "
		      "MODE      WORKLOAD             CGROUP"
		    : "  PROCS  MERGING     SELF     RMAP   ZERO  PROFIT   MRG/s   UNM/s "
		      "MODE      WORKLOAD             CGROUP";
}

/* A number, or "-" where this kernel cannot know it. */
static const char *known_num(const struct top_stats *s, unsigned int bit, int64_t v, char *buf,
			     size_t len)
{
	if (!top_known(s, bit))
		return "-";
	snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

static const char *known_human(const struct top_stats *s, unsigned int bit, int64_t v, char *buf,
			       size_t len)
{
	return top_known(s, bit) ? human(v, buf, len) : "-";
}

void top_text_row(const struct top_row *r, bool proc, const char *tree, char *buf, size_t len)
{
	const struct top_stats *s = &r->s;
	const char *wl = r->cg && r->cg->wl.kind != WL_NONE ? r->cg->wl.name : "-";
	char b1[16], b2[24], b3[24], comm[NAME_ESC_COMM + 16], *wlc, *cg;
	const char *name = r->cgroup;

	/* the tree view shows the last path component below its parent */
	if (tree && !proc && r->cg && r->cg->parent && r->tree_depth)
		name = strrchr(r->cgroup, '/') + 1;
	/* names as name_esc.h shows them, never cut: the cgroup, last, only by len */
	cg = name_escape_dup(name, 0);
	wlc = malloc(NAME_ESC_SIZE(strlen(wl)) + 20);
	if (wlc)
		name_pad(wl, 20, wlc, NAME_ESC_SIZE(strlen(wl)) + 20);
	if (proc)
		snprintf(buf, len, "%7d %s %8lld %8lld %6s %7s %7.0f %7.0f %-9s %s %s", r->pid,
			 name_pad(r->comm, 15, comm, sizeof(comm)), (long long)s->merging_pages,
			 (long long)s->rmap_items,
			 known_num(s, TOP_KNOWN_ZERO, s->zero_pages, b2, sizeof(b2)),
			 known_human(s, TOP_KNOWN_PROFIT, s->profit, b1, sizeof(b1)),
			 s->merges_per_s, s->unmerges_per_s, top_row_mode(r), wlc ?: "?",
			 cg ?: "?");
	else
		snprintf(buf, len, "%7d %8lld %8lld %8lld %6s %7s %7.0f %7.0f %-9s %s %s%s%s%s%s",
			 s->nprocs, (long long)s->merging_pages,
			 (long long)(r->cg ? r->cg->self.merging_pages : 0),
			 (long long)s->rmap_items,
			 known_num(s, TOP_KNOWN_ZERO, s->zero_pages, b2, sizeof(b2)),
			 known_human(s, TOP_KNOWN_PROFIT, s->profit, b3, sizeof(b3)),
			 s->merges_per_s, s->unmerges_per_s, top_row_mode(r), wlc ?: "?",
			 tree ? tree : "", cg ?: "?", r->cg && r->cg->policy[0] ? " [" : "",
			 r->cg ? r->cg->policy : "", r->cg && r->cg->policy[0] ? "]" : "");
	free(wlc);
	free(cg);
}

void top_text_tree_prefix(struct top_tree_walk *w, const struct top_row *r, char *buf, size_t len)
{
	size_t o = 0;
	int d = r->tree_depth;

	buf[0] = '\0';
	if (d < TOP_TREE_MAX)
		w->more[d] = !r->tree_last;
	if (!d)
		return;
	/* a rule for every ancestor level that has siblings still to come */
	for (int k = 1; k < d && o + 3 < len; k++)
		o += snprintf(buf + o, len - o, "%s", k < TOP_TREE_MAX && w->more[k] ? "| " : "  ");
	snprintf(buf + o, len - o, "%s", r->tree_last ? "`- " : "|- ");
}

const char *top_text_node_titles(void)
{
	return "NODE  KSM_PAGES    MRG/s    UNM/s  MIG_IN MIG_OUT   PG_IN  PG_OUT";
}

void top_text_node(const struct top_model *m, int k, char *buf, size_t len)
{
	const struct top_node *n = &m->node[k];
	char in[24] = "-", out[24] = "-", pin[24] = "-", pout[24] = "-";

	/* "-": this kernel cannot see migrations, not "none happened" */
	if (top_kind_active(m, KSM_EV_MIGRATE_FOLIO)) {
		snprintf(in, sizeof(in), "%llu", (unsigned long long)n->migrations_in);
		snprintf(out, sizeof(out), "%llu", (unsigned long long)n->migrations_out);
	}
	/* all pages, from the stock migrate tracepoints */
	if (top_kind_active(m, KSM_EV_SET_MIGRATION_PTE)) {
		snprintf(pin, sizeof(pin), "%llu", (unsigned long long)n->page_migrations_in);
		snprintf(pout, sizeof(pout), "%llu", (unsigned long long)n->page_migrations_out);
	}
	snprintf(buf, len, "%4d %10lld%s %8.0f %8.0f %7s %7s %7s %7s", k, (long long)n->ksm_pages,
		 m->nr_nodes == 1 ? " " : "~", n->merges_per_s, n->unmerges_per_s, in, out, pin,
		 pout);
}

/* Room for the longest cgroup path, escaped: batch lines are never cut. */
static char row_line[TOP_LINE_LEN + NAME_ESC_SIZE(PATH_MAX)];

static void print_rows(FILE *out, const struct top_row *rows, int n, bool proc, int max)
{
	fprintf(out, "\n%s\n", top_text_row_titles(proc));
	for (int k = 0; k < n && (!max || k < max); k++) {
		top_text_row(&rows[k], proc, NULL, row_line, sizeof(row_line));
		fprintf(out, "%s\n", row_line);
	}
}

/* The cgroups as a tree, depth first, siblings in the sort order. */
static void print_tree(FILE *out, const struct top_model *m, int max)
{
	struct top_tree_walk w = {};
	char pre[TOP_LINE_LEN / 2];

	fprintf(out, "\n%s\n", top_text_row_titles(false));
	for (int k = 0; k < m->ncgrows && (!max || k < max); k++) {
		const struct top_row *r = &m->cgrows[m->tree[k]];

		top_text_tree_prefix(&w, r, pre, sizeof(pre));
		top_text_row(r, false, pre, row_line, sizeof(row_line));
		fprintf(out, "%s\n", row_line);
	}
}

void top_text_print(const struct top_model *m, FILE *out, int rows, bool tree)
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
	if (tree)
		print_tree(out, m, rows);
	else
		print_rows(out, m->cgrows, m->ncgrows, false, rows);
	print_rows(out, m->rows, m->nrows, true, rows);
	if (m->sharing)
		top_sharing_print(out, m->sharing, rows);
	fprintf(out, "\n");
}
