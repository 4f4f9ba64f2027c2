// SPDX-License-Identifier: GPL-2.0
/*
 * The accounting family (accounting_sysfs, accounting_proc): a model of KSM
 * pages by kpfn and of processes by pid, built from the stock tracepoints,
 * judged against sysfs and /proc/PID/ksm_stat readings the caller takes.
 * docs/ksmdebug.md says why the model is an upper bound and why only
 * "above" is a finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "det_model.h"

static struct pid_st *pid_get(struct detectors *d, const struct ksm_event *e)
{
	struct pid_st *p;

	if (!e->pid)
		return NULL;
	p = u64map_get_or_add(&d->pids, e->pid, NULL);
	if (p && e->comm[0])
		memcpy(p->comm, e->comm, sizeof(p->comm));
	return p;
}

static void page_add(struct detectors *d, uint64_t kpfn, uint32_t pid)
{
	struct page_st *pg = u64map_get_or_add(&d->pages, kpfn, NULL);
	int i;

	if (!pg)
		return;
	for (i = 0; i < pg->nr && pg->own[i].pid != pid; i++)
		;
	if (i == pg->nr) {
		if (pg->nr == pg->cap) {
			int cap = pg->cap ? pg->cap * 2 : 2;
			struct page_owner *n = realloc(pg->own, cap * sizeof(*n));

			if (!n)
				return;
			pg->own = n;
			pg->cap = cap;
		}
		pg->own[pg->nr++] = (struct page_owner){ pid, 0 };
	}
	pg->own[i].items++;
	if (pg->items++ == 0)
		d->shared++;
	d->items++;
}

/* One rmap item of pid left the page (if the model had one). */
static void page_remove_item(struct detectors *d, uint64_t kpfn, uint32_t pid)
{
	struct page_st *pg = u64map_get(&d->pages, kpfn);

	if (!pg)
		return;
	for (int i = 0; i < pg->nr; i++) {
		if (pg->own[i].pid == pid && pg->own[i].items > 0) {
			pg->own[i].items--;
			d->items--;
			if (--pg->items == 0)
				d->shared--;
			return;
		}
	}
}

/* The page's stable node went: its remaining items go with it. */
static void page_gone(struct detectors *d, uint64_t kpfn)
{
	struct page_st *pg = u64map_get(&d->pages, kpfn);

	if (!pg)
		return;
	for (int i = 0; i < pg->nr; i++) {
		struct pid_st *p = u64map_get(&d->pids, pg->own[i].pid);

		if (p)
			p->node_gone += pg->own[i].items;
	}
	d->items -= pg->items;
	if (pg->items > 0)
		d->shared--;
	free(pg->own);
	u64map_del(&d->pages, kpfn);
}

/* Migration moves a KSM page: its items follow the new kpfn. */
static void page_move(struct detectors *d, uint64_t from, uint64_t to)
{
	struct page_st *pg = u64map_get(&d->pages, from), *dst, save;
	int created;

	if (!pg || from == to)
		return;
	save = *pg;
	u64map_del(&d->pages, from);
	dst = u64map_get_or_add(&d->pages, to, &created);
	if (!dst) {
		free(save.own);
		return;
	}
	if (!created) {
		/* Should not happen (two pages on one pfn); keep the newer. */
		d->items -= dst->items;
		if (dst->items > 0)
			d->shared--;
		free(dst->own);
	}
	*dst = save;
}

void det_accounting_feed(struct detectors *d, const struct ksm_event *e)
{
	struct pid_st *p;

	switch (e->kind) {
	case KSM_EV_ENTER:
		p = pid_get(d, e);
		if (p) {
			/* A fresh mm (or a reused pid): count from zero. */
			p->merges = p->removals = p->node_gone = 0;
			p->entered = true;
		}
		break;
	case KSM_EV_MERGE_WITH_KSM_PAGE:
		if (e->err)
			break;
		p = pid_get(d, e);
		if (p)
			p->merges++;
		page_add(d, e->pfn, e->pid);
		break;
	case KSM_EV_REMOVE_RMAP_ITEM:
		p = pid_get(d, e);
		if (p)
			p->removals++;
		page_remove_item(d, e->pfn, e->pid);
		break;
	case KSM_EV_REMOVE_KSM_PAGE:
		page_gone(d, e->pfn);
		break;
	case KSM_EV_MIGRATE_FOLIO:
		page_move(d, e->pfn, e->pfn2);
		break;
	}
}

void det_pages_free(struct detectors *d)
{
	struct u64map_ent *e = NULL;
	size_t b = 0;

	while ((e = u64map_next(&d->pages, e, &b)))
		free(((struct page_st *)u64map_val(e))->own);
}

/* ---- judging a reading -------------------------------------------------- */

void det_baseline(struct detectors *d, int64_t pages_shared, int64_t pages_sharing)
{
	d->baseline_set = true;
	d->base_shared = pages_shared;
	d->base_sharing = pages_sharing;
	d->baseline_empty = pages_shared == 0 && pages_sharing == 0;
}

void det_mark_incomplete(struct detectors *d, const char *why)
{
	if (!d->incomplete[0])
		snprintf(d->incomplete, sizeof(d->incomplete), "%s", why);
}

static enum det_acct_verdict judge(int64_t kernel, int64_t events)
{
	if (kernel == events)
		return DET_ACCT_AGREE;
	return kernel < events ? DET_ACCT_BELOW : DET_ACCT_DRIFT;
}

/* The verdicts that need no comparison; false when the reading can be judged. */
static bool unjudged(const struct detectors *d, bool stable, const char *moving, struct det_acct *a)
{
	if (!stable) {
		a->verdict = DET_ACCT_MOVING;
		snprintf(a->why, sizeof(a->why), "%s", moving);
	} else if (d->incomplete[0]) {
		a->verdict = DET_ACCT_INCOMPLETE;
		snprintf(a->why, sizeof(a->why), "%s", d->incomplete);
	} else {
		return false;
	}
	return true;
}

static void judge_sysfs(struct detectors *d, uint64_t ts_ns, struct det_acct *a)
{
	enum det_acct_verdict items = judge(a->kernel, a->events);
	enum det_acct_verdict shared = judge(a->kernel_shared, a->events_shared);
	struct det_finding f;

	/* the worse of the two: the enum orders drift over below over agree */
	a->verdict = items > shared ? items : shared;
	if (a->verdict == DET_ACCT_BELOW)
		snprintf(a->why, sizeof(a->why),
			 "kernel below events: rmap items left on paths with no "
			 "tracepoint (COW break, unmerge, exit)");
	if (a->verdict != DET_ACCT_DRIFT)
		return;
	snprintf(a->why, sizeof(a->why),
		 "kernel counts more than every merge seen could have made");
	det_finding_init(&f, DET_ACCOUNTING_SYSFS, ts_ns, 0, 0);
	snprintf(f.message, sizeof(f.message),
		 "sysfs pages_shared %lld / shared+sharing %lld, but the events account for at "
		 "most %lld / %lld",
		 (long long)a->kernel_shared, (long long)a->kernel, (long long)a->events_shared,
		 (long long)a->events);
	det_report(d, &f);
}

/* Pages merged before tracing began were never seen: the model cannot match them. */
static void baseline_unusable(const struct detectors *d, struct det_acct *a)
{
	a->verdict = DET_ACCT_INCOMPLETE;
	if (d->baseline_set)
		snprintf(a->why, sizeof(a->why),
			 "tracing began with %lld shared and %lld sharing pages in place",
			 (long long)d->base_shared, (long long)d->base_sharing);
	else
		snprintf(a->why, sizeof(a->why), "no counters from when tracing began");
}

enum det_acct_verdict det_check_sysfs(struct detectors *d, uint64_t ts_ns, int64_t pages_shared,
				      int64_t pages_sharing, bool stable, struct det_acct *out)
{
	struct det_acct a = { 0 };

	a.kernel = pages_shared + pages_sharing;
	a.kernel_shared = pages_shared;
	a.events = d->items;
	a.events_shared = d->shared;
	snprintf(a.comm, sizeof(a.comm), "sysfs");
	if (!unjudged(d, stable, "counters changed while being read", &a)) {
		if (d->baseline_set && d->baseline_empty)
			judge_sysfs(d, ts_ns, &a);
		else
			baseline_unusable(d, &a);
	}
	if (out)
		*out = a;
	return a.verdict;
}

static void not_entered(struct det_acct *a)
{
	a->verdict = DET_ACCT_INCOMPLETE;
	snprintf(a->why, sizeof(a->why),
		 "tracing did not see the process enter KSM (it started before)");
}

static void judge_proc(struct detectors *d, uint64_t ts_ns, const struct pid_st *p,
		       struct det_acct *a)
{
	struct det_finding f;

	a->verdict = judge(a->kernel, a->events);
	if (a->verdict == DET_ACCT_BELOW)
		snprintf(a->why, sizeof(a->why),
			 "%lld fewer than events: pages left on paths with no tracepoint "
			 "(COW break, MADV_UNMERGEABLE)",
			 (long long)(a->events - a->kernel));
	if (a->verdict != DET_ACCT_DRIFT)
		return;
	snprintf(a->why, sizeof(a->why), "%lld more than merges minus removals seen",
		 (long long)(a->kernel - a->events));
	det_finding_init(&f, DET_ACCOUNTING_PROC, ts_ns, 0, a->pid);
	snprintf(f.message, sizeof(f.message),
		 "pid %u (%s): ksm_merging_pages %lld, but events show %lld merges - %lld "
		 "removals = %lld",
		 a->pid, p->comm, (long long)a->kernel, (long long)p->merges,
		 (long long)(p->removals + p->node_gone), (long long)a->events);
	det_report(d, &f);
}

enum det_acct_verdict det_check_proc(struct detectors *d, uint64_t ts_ns, uint32_t pid,
				     int64_t merging_pages, bool stable, struct det_acct *out)
{
	struct pid_st *p = u64map_get(&d->pids, pid);
	struct det_acct a = { .pid = pid, .kernel = merging_pages };

	if (p) {
		a.events = p->merges - p->removals - p->node_gone;
		memcpy(a.comm, p->comm, sizeof(a.comm));
	}
	if (!unjudged(d, stable, "ksm_merging_pages changed while being read", &a)) {
		if (p && p->entered)
			judge_proc(d, ts_ns, p, &a);
		else
			not_entered(&a);
	}
	if (out)
		*out = a;
	return a.verdict;
}

int det_pids(const struct detectors *d, uint32_t *pids, int max)
{
	struct u64map_ent *e = NULL;
	size_t b = 0;
	int n = 0;

	while ((e = u64map_next(&d->pids, e, &b)) && n < max)
		pids[n++] = (uint32_t)e->key;
	return n;
}
