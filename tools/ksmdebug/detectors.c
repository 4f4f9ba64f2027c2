// SPDX-License-Identifier: GPL-2.0
/*
 * The core of the detectors: names, the finding plumbing, and the dispatch
 * of every event to each family of signatures (det_model.h says what each
 * keeps; one file per family).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "det_model.h"

static const char *const names[DET_MAX] = {
	[DET_LEFTOVER_NODES] = "leftover_nodes",
	[DET_REMOVED_WHILE_MAPPED] = "removed_while_mapped",
	[DET_MIGRATION_STALE_RACE] = "migration_stale_race",
	[DET_RETRY_STORM] = "retry_storm",
	[DET_COPY_NOT_UPTODATE] = "copy_not_uptodate",
	[DET_COPY_DURING_UNMERGE] = "copy_during_unmerge",
	[DET_COPY_NOMEM] = "copy_nomem",
	[DET_ACCOUNTING_SYSFS] = "accounting_sysfs",
	[DET_ACCOUNTING_PROC] = "accounting_proc",
	[DET_MIGRATION_ENTRY_LEFTOVER] = "migration_entry_leftover",
};

/* Every family sees every event; the order does not matter (no family reads
 * what another writes for the same event). */
static void (*const families[])(struct detectors *d, const struct ksm_event *e) = {
	det_accounting_feed,
	det_stable_nodes_feed,
	det_migration_feed,
	det_swapin_copy_feed,
	det_migration_entries_feed,
};

const char *det_name(enum det_id id)
{
	return id < DET_MAX ? names[id] : "unknown";
}

const char *det_severity(enum det_id id)
{
	/* nomem is the kernel doing what it must under pressure; the rest are bugs */
	return id == DET_COPY_NOMEM ? "warning" : "bug";
}

const char *det_acct_verdict_name(enum det_acct_verdict v)
{
	static const char *const n[] = { "agree", "below", "drift", "incomplete", "moving" };

	return v <= DET_ACCT_MOVING ? n[v] : "unknown";
}

void det_config_default(struct det_config *c)
{
	c->race_window_ns = 1000000000ULL;
	c->retry_limit = 8;
	c->retry_window_ns = 1000000000ULL;
}

struct detectors *det_new(const struct det_config *c, det_report_fn fn, void *ctx)
{
	struct detectors *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (c)
		d->cfg = *c;
	else
		det_config_default(&d->cfg);
	d->fn = fn;
	d->ctx = ctx;
	u64map_init(&d->nodes, sizeof(struct node_st));
	u64map_init(&d->removed, sizeof(uint64_t));
	u64map_init(&d->pages, sizeof(struct page_st));
	u64map_init(&d->pids, sizeof(struct pid_st));
	d->migs = det_migration_entries_new(d);
	if (!d->migs) {
		det_free(d);
		return NULL;
	}
	return d;
}

void det_free(struct detectors *d)
{
	if (!d)
		return;
	det_pages_free(d);
	mig_pairs_free(d->migs);
	u64map_free(&d->nodes);
	u64map_free(&d->removed);
	u64map_free(&d->pages);
	u64map_free(&d->pids);
	free(d);
}

void det_feed(struct detectors *d, const struct ksm_event *e)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		families[i](d, e);
}

/* ---- findings ------------------------------------------------------------ */

void det_finding_init(struct det_finding *f, enum det_id id, uint64_t ts, uint64_t node,
		      uint32_t pid)
{
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->ts_ns = ts;
	f->node = node;
	f->pid = pid;
}

void det_add_evidence(struct det_finding *f, const struct ksm_event *e)
{
	if (e && f->nr_evidence < DET_MAX_EVIDENCE)
		f->evidence[f->nr_evidence++] = *e;
}

void det_report(struct detectors *d, struct det_finding *f)
{
	/* Evidence in stream order, whatever order the detector gathered it in. */
	for (int i = 1; i < f->nr_evidence; i++) {
		struct ksm_event e = f->evidence[i];
		int j = i;

		for (; j > 0 && f->evidence[j - 1].ts_ns > e.ts_ns; j--)
			f->evidence[j] = f->evidence[j - 1];
		f->evidence[j] = e;
	}
	d->count[f->id]++;
	if (d->fn)
		d->fn(d->ctx, f);
}

uint64_t det_count(const struct detectors *d, enum det_id id)
{
	return id < DET_MAX ? d->count[id] : 0;
}

uint64_t det_total(const struct detectors *d)
{
	uint64_t n = 0;

	for (int i = 0; i < DET_MAX; i++)
		n += d->count[i];
	return n;
}

int det_findings_add(struct det_findings *l, const struct det_finding *f)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct det_finding *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *f;
	return 0;
}

void det_findings_free(struct det_findings *l)
{
	free(l->v);
	*l = (struct det_findings){ 0 };
}
