// SPDX-License-Identifier: GPL-2.0
/* ksmadvise's text report and its --rules file. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "name_esc.h"
#include "report.h"
#include "util.h"

static void line(FILE *f, const char *what, uint64_t pages)
{
	char b[32];

	fprintf(f, "  %-40s %12llu %12s\n", what, (unsigned long long)pages,
		fmt_bytes(pages * ADV_PAGE, b, sizeof(b)));
}

static uint64_t total_volatile(const struct adv *a)
{
	uint64_t v = 0;

	for (size_t i = 0; i < a->nprocs; i++)
		v += a->procs[i].c.volatile_;
	return v;
}

static void header(FILE *f, const struct adv *a)
{
	char b[32];

	fprintf(f,
		"read %zu processes in %zu cgroups: %llu pages (%s), 2 samples %.2f s apart, "
		"%.2f s (%.2f s CPU)\n",
		a->nprocs, a->ncgs, (unsigned long long)a->npages,
		fmt_bytes(a->npages * ADV_PAGE, b, sizeof(b)), a->sample_gap_s, a->read_s,
		a->cpu_s);
	fprintf(f,
		"KSM as configured: max_page_sharing %llu, use_zero_pages %s, "
		"merge_across_nodes %s, %d NUMA node%s\n\n",
		(unsigned long long)a->knobs.max_page_sharing,
		a->knobs.use_zero_pages ? "on" : "off", a->knobs.merge_across_nodes ? "on" : "off",
		a->nr_nodes, a->nr_nodes == 1 ? "" : "s");
	fprintf(f, "%-42s %12s %12s\n", "What ksmd would do", "pages", "bytes");
	line(f, "pages_shared (KSM pages)", a->config.ksm_pages);
	line(f, "pages_sharing (saved)", a->config.sharing);
	line(f, "ksm_zero_pages (saved)", a->config.zero);
	line(f, "volatile: changed between the samples", total_volatile(a));
	line(f, "left unmerged after a full chain", a->config.leftover);
}

static void scopes(FILE *f, const struct adv *a)
{
	fprintf(f, "\n%-42s %12s %12s\n", "Saving by scope", "pages", "bytes");
	line(f, "everything together", a->global.saving);
	line(f, "per NUMA node (merge_across_nodes=0)", a->per_node.saving);
	line(f, "each cgroup isolated (ksmpolicy isolate)", a->per_cgroup.saving);
	line(f, "from sharing across cgroups", a->global.saving - a->per_cgroup.saving);
	if (a->bounds.n)
		line(f, "each --boundary isolated", a->per_domain.saving);
}

/* isolated: the pages it saves alone, or -1 where no such figure exists */
static void counts_row(FILE *f, const char *name, const char *extra, const struct adv_counts *c,
		       int64_t isolated)
{
	/* never cut: a longer name widens its row (lib/name_esc.h) */
	char esc[NAME_ESC_SIZE(PATH_MAX) + 32], s1[16], s2[16] = "-";

	fprintf(f, "%s %5s %8llu %8llu %6llu %6llu %10s %10s %8llu\n",
		name_pad(name, 30, esc, sizeof(esc)), extra, (unsigned long long)c->pages,
		(unsigned long long)c->merging, (unsigned long long)c->zero,
		(unsigned long long)c->volatile_,
		fmt_bytes((uint64_t)(c->saving * ADV_PAGE), s1, 16),
		isolated < 0 ? s2 : fmt_bytes((uint64_t)isolated * ADV_PAGE, s2, 16),
		(unsigned long long)c->needs_sharing);
}

static void tables(FILE *f, const struct adv *a, int rows)
{
	char n[16];

	fprintf(f, "\n%-30s %5s %8s %8s %6s %6s %10s %10s %8s\n", "CGROUP", "PROCS", "PAGES",
		"MERGING", "ZERO", "VOLAT", "SAVED", "ALONE", "X-CGROUP");
	for (size_t i = 0; i < a->ncgs && (!rows || (int)i < rows); i++) {
		snprintf(n, sizeof(n), "%u", a->cgs[i].nprocs);
		counts_row(f, a->cgs[i].path, n, &a->cgs[i].c, (int64_t)a->cgs[i].saving_isolated);
	}
	if (a->bounds.n) {
		fprintf(f, "\n%-30s\n", "BOUNDARY (\"\": outside every boundary)");
		for (size_t i = 0; i < a->ndomains && (!rows || (int)i < rows); i++)
			counts_row(f, a->domains[i].name, "", &a->domains[i].c,
				   (int64_t)a->domains[i].saving_isolated);
	}
	fprintf(f, "\n%-30s\n", "WORKLOAD");
	for (size_t i = 0; i < a->nworkloads && (!rows || (int)i < rows); i++)
		counts_row(f, a->workloads[i].name, "", &a->workloads[i].c, -1);
	fprintf(f, "\n%-7s %-16s %-22s %8s %8s %6s %6s %10s\n", "PID", "COMM", "CGROUP", "PAGES",
		"MERGING", "ZERO", "VOLAT", "SAVED");
	for (size_t i = 0; i < a->nprocs && (!rows || (int)i < rows); i++) {
		const struct adv_proc *p = &a->procs[i];
		char comm[NAME_ESC_COMM + 16], cg[NAME_ESC_SIZE(PATH_MAX) + 32], s1[16];

		fprintf(f, "%-7d %s %s %8llu %8llu %6llu %6llu %10s\n", p->pid,
			name_pad(p->comm, 16, comm, sizeof(comm)),
			name_pad(a->cgs[p->cg].path, 22, cg, sizeof(cg)),
			(unsigned long long)p->c.pages, (unsigned long long)p->c.merging,
			(unsigned long long)p->c.zero, (unsigned long long)p->c.volatile_,
			fmt_bytes((uint64_t)(p->c.saving * ADV_PAGE), s1, sizeof(s1)));
	}
}

static void pairs(FILE *f, const struct adv *a, int rows)
{
	char x[NAME_ESC_SIZE(PATH_MAX) + 32], y[NAME_ESC_SIZE(PATH_MAX) + 32], b[16];

	fprintf(f, "\nKSM pages that would be shared across cgroups: %llu\n",
		(unsigned long long)a->cross_contents);
	if (!a->npairs)
		return;
	fprintf(f, "%-30s %-30s %8s %10s\n", "CGROUP A", "CGROUP B", "KSMPAGES", "BYTES");
	for (size_t i = 0; i < a->npairs && (!rows || (int)i < rows); i++)
		fprintf(f, "%s %s %8llu %10s\n",
			name_pad(a->cgs[a->pairs[i].a].path, 30, x, sizeof(x)),
			name_pad(a->cgs[a->pairs[i].b].path, 30, y, sizeof(y)),
			(unsigned long long)a->pairs[i].frames,
			fmt_bytes(a->pairs[i].frames * ADV_PAGE, b, sizeof(b)));
}

void report_text(FILE *f, const struct adv *a, int rows)
{
	header(f, a);
	scopes(f, a);
	tables(f, a, rows);
	pairs(f, a, rows);
}

/* Can policy_file_parse() read this path back as one word? */
static bool rules_safe(const char *path)
{
	if (path[0] != '/' || strlen(path) >= 256)
		return false;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (*p <= ' ' || *p == '#' || *p == 0x7f)
			return false;
	return true;
}

void report_rules(FILE *f, const struct adv *a)
{
	const struct adv_scope *kept = a->bounds.n ? &a->per_domain : &a->per_cgroup;
	char b1[32], b2[32], esc[NAME_ESC_SIZE(PATH_MAX)];

	fprintf(f, "# ksmpolicy rules from ksmadvise: load with 'ksmpolicy apply FILE'.\n");
	fprintf(f, "# Saving with everything merged together: %s; with these rules: %s.\n",
		fmt_bytes(a->global.saving * ADV_PAGE, b1, sizeof(b1)),
		fmt_bytes(kept->saving * ADV_PAGE, b2, sizeof(b2)));
	for (size_t i = 0; i < a->ndomains; i++) {
		const char *d = a->domains[i].name;

		if (!d[0])
			continue; /* outside every boundary: no rule, domain 0 */
		if (!strcmp(d, "/")) {
			fprintf(f, "# / is the root: isolating it isolates nothing\n");
			continue;
		}
		if (!rules_safe(d)) {
			fprintf(f, "# cannot be written in a rules file: %s\n",
				name_escape(d, esc, sizeof(esc)));
			continue;
		}
		fprintf(f, "%s isolate\n", d);
	}
}
