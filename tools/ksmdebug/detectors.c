// SPDX-License-Identifier: GPL-2.0
/*
 * The detectors of detectors.h. Three models are kept from the stream:
 *
 * - stable nodes by address (patched tracepoints): live or not, the insert
 *   that created it, the last migration, the recent kpfn-change retries;
 * - KSM pages by kpfn (stock tracepoints): how many rmap items of which pid
 *   hang off each page, which is what pages_shared/pages_sharing and
 *   ksm_merging_pages count;
 * - processes by pid: whether KSM entry was seen, merges, removals.
 *
 * Each signature is matched as its last event arrives, so a finding is
 * reported at the moment it becomes true, live or in a replay.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "event_fmt.h"
#include "u64map.h"

#define NODE_RETRIES 8	/* retries kept per node as evidence */

struct node_st {
	bool have_insert;
	bool have_migrate;
	bool retried;		/* a get_folio_retry since the last migration */
	struct ksm_event insert;
	struct ksm_event migrate;
	uint64_t retry_start;	/* first retry of the current window */
	unsigned int retries;	/* retries in the current window */
	struct ksm_event retry[NODE_RETRIES];	/* the last ones, cyclic */
};

/* Rmap items of one pid on one KSM page. */
struct page_owner {
	uint32_t pid;
	int32_t items;
};

struct page_st {
	int nr, cap;
	int64_t items;
	struct page_owner *own;
};

struct pid_st {
	bool entered;		/* ksm_enter seen: counting from zero */
	uint64_t mm;
	char comm[KSM_COMM_LEN];
	int64_t merges;		/* merge_with_ksm_page err == 0 */
	int64_t removals;	/* remove_rmap_item */
	int64_t node_gone;	/* last item of a removed node (remove_ksm_page) */
};

struct detectors {
	struct det_config cfg;
	det_report_fn fn;
	void *ctx;
	uint64_t count[DET_MAX];

	struct u64map nodes;	/* node address -> struct node_st (live nodes only) */
	struct u64map pages;	/* kpfn -> struct page_st */
	struct u64map pids;	/* pid -> struct pid_st */
	struct u64map removed;	/* kpfn of a removed stable node -> ts_ns */

	bool in_remove_all, in_unmerge;
	struct ksm_event remove_all_begin;

	int64_t items, shared;	/* the page model's totals */
	uint64_t unknown_removals;
	bool baseline_set, baseline_empty;
	int64_t base_shared, base_sharing;
	char incomplete[120];
};

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
	u64map_init(&d->pages, sizeof(struct page_st));
	u64map_init(&d->pids, sizeof(struct pid_st));
	u64map_init(&d->removed, sizeof(uint64_t));
	return d;
}

void det_free(struct detectors *d)
{
	struct u64map_ent *e = NULL;
	size_t b = 0;

	if (!d)
		return;
	while ((e = u64map_next(&d->pages, e, &b)))
		free(((struct page_st *)u64map_val(e))->own);
	u64map_free(&d->nodes);
	u64map_free(&d->pages);
	u64map_free(&d->pids);
	u64map_free(&d->removed);
	free(d);
}

/* ---- reporting --------------------------------------------------------- */

static void init_finding(struct det_finding *f, enum det_id id, uint64_t ts, uint64_t node,
			 uint32_t pid)
{
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->ts_ns = ts;
	f->node = node;
	f->pid = pid;
}

static void add_evidence(struct det_finding *f, const struct ksm_event *e)
{
	if (e && f->nr_evidence < DET_MAX_EVIDENCE)
		f->evidence[f->nr_evidence++] = *e;
}

static void report(struct detectors *d, struct det_finding *f)
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

/* ---- the page model (stock tracepoints) ---------------------------------- */

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

/* One rmap item of pid left the page; false if the model had none. */
static bool page_remove_item(struct detectors *d, uint64_t kpfn, uint32_t pid)
{
	struct page_st *pg = u64map_get(&d->pages, kpfn);

	if (!pg)
		return false;
	for (int i = 0; i < pg->nr; i++) {
		if (pg->own[i].pid == pid && pg->own[i].items > 0) {
			pg->own[i].items--;
			d->items--;
			if (--pg->items == 0)
				d->shared--;
			return true;
		}
	}
	return false;
}

/* The page's stable node went: its remaining items go with it. */
static void page_gone(struct detectors *d, uint64_t kpfn)
{
	struct page_st *pg = u64map_get(&d->pages, kpfn);

	if (!pg) {
		d->unknown_removals++;
		return;
	}
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

/* ---- stable nodes (patched tracepoints) ---------------------------------- */

static void on_insert(struct detectors *d, const struct ksm_event *e)
{
	struct node_st *n = u64map_get_or_add(&d->nodes, e->node, NULL);

	if (!n)
		return;
	/* A dup moving under a new chain is inserted again: same node, keep history. */
	n->have_insert = true;
	n->insert = *e;
	u64map_del(&d->removed, e->pfn);
}

static bool forced_reason(unsigned int reason)
{
	return reason == KSM_NODE_RM_FORCED || reason == KSM_NODE_RM_UNMERGE ||
	       reason == KSM_NODE_RM_MERGE_ACROSS_NODES ||
	       reason == KSM_NODE_RM_MAX_PAGE_SHARING || reason == KSM_NODE_RM_HOTREMOVE;
}

static void on_node_remove(struct detectors *d, const struct ksm_event *e)
{
	struct node_st *n = u64map_get(&d->nodes, e->node);
	uint64_t *ts;

	if (forced_reason(e->reason) && e->aux[0] > 0) {
		struct det_finding f;

		init_finding(&f, DET_REMOVED_WHILE_MAPPED, e->ts_ns, e->node, 0);
		snprintf(f.message, sizeof(f.message),
			 "stable node 0x%llx (kpfn 0x%llx) removed (%s) with %llu rmap items "
			 "still attached: its KSM page was still mapped",
			 e->node, e->pfn, ksm_reason_name(e->kind, e->reason), e->aux[0]);
		if (n && n->have_insert)
			add_evidence(&f, &n->insert);
		add_evidence(&f, e);
		report(d, &f);
	}
	u64map_del(&d->nodes, e->node);
	ts = u64map_get_or_add(&d->removed, e->pfn, NULL);
	if (ts)
		*ts = e->ts_ns;
}

static void on_stale(struct detectors *d, const struct ksm_event *e)
{
	struct node_st *n = u64map_get(&d->nodes, e->node);
	struct det_finding f;

	if (!n || !n->have_migrate || n->retried)
		return;
	if (e->pfn != n->migrate.pfn || e->pfn == n->migrate.pfn2)
		return;
	if (e->ts_ns < n->migrate.ts_ns || e->ts_ns - n->migrate.ts_ns > d->cfg.race_window_ns)
		return;
	init_finding(&f, DET_MIGRATION_STALE_RACE, e->ts_ns, e->node, 0);
	snprintf(f.message, sizeof(f.message),
		 "stable node 0x%llx called stale (%s) on kpfn 0x%llx %.3f ms after its page "
		 "migrated 0x%llx -> 0x%llx, without a kpfn re-read retry",
		 e->node, ksm_reason_name(e->kind, e->reason), e->pfn,
		 (e->ts_ns - n->migrate.ts_ns) / 1e6, n->migrate.pfn, n->migrate.pfn2);
	if (n->have_insert)
		add_evidence(&f, &n->insert);
	add_evidence(&f, &n->migrate);
	add_evidence(&f, e);
	report(d, &f);
}

static void on_retry(struct detectors *d, const struct ksm_event *e)
{
	struct node_st *n = u64map_get_or_add(&d->nodes, e->node, NULL);
	struct det_finding f;
	unsigned int i, first, kept;

	if (!n)
		return;
	n->retried = true;
	if (!n->retries || e->ts_ns - n->retry_start > d->cfg.retry_window_ns) {
		n->retries = 0;
		n->retry_start = e->ts_ns;
	}
	n->retry[n->retries % NODE_RETRIES] = *e;
	if (++n->retries < d->cfg.retry_limit)
		return;
	init_finding(&f, DET_RETRY_STORM, e->ts_ns, e->node, 0);
	snprintf(f.message, sizeof(f.message),
		 "%u kpfn-change retries on stable node 0x%llx within %.3f ms: "
		 "ksm_get_folio does not converge", n->retries, e->node,
		 (e->ts_ns - n->retry_start) / 1e6);
	kept = n->retries < NODE_RETRIES ? n->retries : NODE_RETRIES;
	first = n->retries - kept;
	for (i = 0; i < kept; i++)
		add_evidence(&f, &n->retry[(first + i) % NODE_RETRIES]);
	report(d, &f);
	/* Start a new window: a storm that goes on reports again, not per retry. */
	n->retries = 0;
}

static void on_migrate(struct detectors *d, const struct ksm_event *e)
{
	if (e->node) {
		struct node_st *n = u64map_get_or_add(&d->nodes, e->node, NULL);

		if (n) {
			n->have_migrate = true;
			n->migrate = *e;
			n->retried = false;
		}
	}
	page_move(d, e->pfn, e->pfn2);
}

static void on_remove_all_end(struct detectors *d, const struct ksm_event *e)
{
	struct u64map_ent *it = NULL;
	struct det_finding f;
	size_t b = 0;
	uint64_t left = 0;

	d->in_unmerge = false;
	if (e->err == 0) {
		init_finding(&f, DET_LEFTOVER_NODES, e->ts_ns, 0, 0);
		if (d->in_remove_all)
			add_evidence(&f, &d->remove_all_begin);
		add_evidence(&f, e);
		while ((it = u64map_next(&d->nodes, it, &b))) {
			struct node_st *n = u64map_val(it);

			/* Only nodes whose insert was seen are known to be in the tree. */
			if (!n->have_insert)
				continue;
			if (!left++)
				f.node = it->key;
			add_evidence(&f, &n->insert);
		}
		if (left) {
			snprintf(f.message, sizeof(f.message),
				 "remove_all_stable_nodes (%s) returned 0 (removed %llu, busy %llu) "
				 "but %llu stable nodes seen inserted were never removed",
				 ksm_reason_name(e->kind, e->reason), e->aux[0], e->aux[1],
				 (unsigned long long)left);
			report(d, &f);
		}
	}
	d->in_remove_all = false;
}

static void on_copy(struct detectors *d, const struct ksm_event *e)
{
	struct det_finding f;

	if (e->result == KSM_COPY_NOMEM) {
		init_finding(&f, DET_COPY_NOMEM, e->ts_ns, 0, e->pid);
		snprintf(f.message, sizeof(f.message),
			 "swap-in of pfn 0x%llx by pid %u needed a copy (%s) and could not "
			 "allocate or charge it", e->pfn, e->pid,
			 ksm_reason_name(e->kind, e->reason));
		add_evidence(&f, e);
		report(d, &f);
		return;
	}
	if (e->result != KSM_COPY_NEW)
		return;
	if ((e->aux[0] & DET_COPY_F_UPTODATE_KNOWN) && !(e->aux[0] & DET_COPY_F_UPTODATE)) {
		init_finding(&f, DET_COPY_NOT_UPTODATE, e->ts_ns, 0, e->pid);
		snprintf(f.message, sizeof(f.message),
			 "swap-in copy of pfn 0x%llx -> 0x%llx (%s) made from a folio that was "
			 "not uptodate: the copy holds garbage", e->pfn, e->pfn2,
			 ksm_reason_name(e->kind, e->reason));
		add_evidence(&f, e);
		report(d, &f);
	}
	if (d->in_unmerge && e->reason != KSM_COPY_UNMERGE && e->reason != KSM_COPY_ANON_VMA &&
	    e->reason != KSM_COPY_UNKNOWN &&
	    !(e->reason == KSM_COPY_NO_STABLE_NODE && u64map_get(&d->removed, e->pfn))) {
		init_finding(&f, DET_COPY_DURING_UNMERGE, e->ts_ns, 0, e->pid);
		snprintf(f.message, sizeof(f.message),
			 "swap-in copy of pfn 0x%llx for pid %u during a run=2 unmerge gave "
			 "reason %s%s", e->pfn, e->pid, ksm_reason_name(e->kind, e->reason),
			 e->reason == KSM_COPY_NO_STABLE_NODE ?
				 " but no removal of its stable node was seen" :
				 ", not unmerge");
		add_evidence(&f, &d->remove_all_begin);
		add_evidence(&f, e);
		report(d, &f);
	}
}

void det_feed(struct detectors *d, const struct ksm_event *e)
{
	struct pid_st *p;

	switch (e->kind) {
	case KSM_EV_ENTER:
		p = pid_get(d, e);
		if (p) {
			/* A fresh mm (or a reused pid): count from zero. */
			memset(p, 0, offsetof(struct pid_st, comm));
			p->merges = p->removals = p->node_gone = 0;
			p->entered = true;
			p->mm = e->mm;
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
		if (!page_remove_item(d, e->pfn, e->pid))
			d->unknown_removals++;
		break;
	case KSM_EV_REMOVE_KSM_PAGE:
		page_gone(d, e->pfn);
		break;
	case KSM_EV_STABLE_NODE_INSERT:
		on_insert(d, e);
		break;
	case KSM_EV_STABLE_NODE_REMOVE:
		on_node_remove(d, e);
		break;
	case KSM_EV_GET_FOLIO_STALE:
		on_stale(d, e);
		break;
	case KSM_EV_GET_FOLIO_RETRY:
		on_retry(d, e);
		break;
	case KSM_EV_MIGRATE_FOLIO:
		on_migrate(d, e);
		break;
	case KSM_EV_SWAPIN_COPY:
		on_copy(d, e);
		break;
	case KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN:
		d->in_remove_all = true;
		d->in_unmerge = e->reason == KSM_NODE_RM_UNMERGE;
		d->remove_all_begin = *e;
		break;
	case KSM_EV_REMOVE_ALL_STABLE_NODES_END:
		on_remove_all_end(d, e);
		break;
	}
}

/* ---- accounting ------------------------------------------------------------ */

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
	return kernel == events ? DET_ACCT_AGREE : kernel < events ? DET_ACCT_BELOW :
								       DET_ACCT_DRIFT;
}

enum det_acct_verdict det_check_sysfs(struct detectors *d, uint64_t ts_ns, int64_t pages_shared,
				      int64_t pages_sharing, bool stable, struct det_acct *out)
{
	struct det_acct a = { 0 };
	enum det_acct_verdict v1, v2;

	a.kernel = pages_shared + pages_sharing;
	a.kernel_shared = pages_shared;
	a.events = d->items;
	a.events_shared = d->shared;
	snprintf(a.comm, sizeof(a.comm), "sysfs");
	if (!stable) {
		a.verdict = DET_ACCT_MOVING;
		snprintf(a.why, sizeof(a.why), "counters changed while being read");
	} else if (d->incomplete[0]) {
		a.verdict = DET_ACCT_INCOMPLETE;
		snprintf(a.why, sizeof(a.why), "%s", d->incomplete);
	} else if (!d->baseline_set || !d->baseline_empty) {
		a.verdict = DET_ACCT_INCOMPLETE;
		if (d->baseline_set)
			snprintf(a.why, sizeof(a.why),
				 "tracing began with %lld shared and %lld sharing pages in place",
				 (long long)d->base_shared, (long long)d->base_sharing);
		else
			snprintf(a.why, sizeof(a.why), "no counters from when tracing began");
	} else {
		v1 = judge(a.kernel, a.events);
		v2 = judge(a.kernel_shared, a.events_shared);
		a.verdict = v1 == DET_ACCT_DRIFT || v2 == DET_ACCT_DRIFT ? DET_ACCT_DRIFT :
			    v1 == DET_ACCT_BELOW || v2 == DET_ACCT_BELOW ? DET_ACCT_BELOW :
									   DET_ACCT_AGREE;
		if (a.verdict == DET_ACCT_BELOW)
			snprintf(a.why, sizeof(a.why),
				 "kernel below events: rmap items left on paths with no "
				 "tracepoint (COW break, unmerge, exit)");
		if (a.verdict == DET_ACCT_DRIFT) {
			struct det_finding f;

			snprintf(a.why, sizeof(a.why),
				 "kernel counts more than every merge seen could have made");
			init_finding(&f, DET_ACCOUNTING_SYSFS, ts_ns, 0, 0);
			snprintf(f.message, sizeof(f.message),
				 "sysfs pages_shared %lld / shared+sharing %lld, but the events "
				 "account for at most %lld / %lld", (long long)a.kernel_shared,
				 (long long)a.kernel, (long long)a.events_shared,
				 (long long)a.events);
			report(d, &f);
		}
	}
	if (out)
		*out = a;
	return a.verdict;
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
	if (!stable) {
		a.verdict = DET_ACCT_MOVING;
		snprintf(a.why, sizeof(a.why), "ksm_merging_pages changed while being read");
	} else if (d->incomplete[0]) {
		a.verdict = DET_ACCT_INCOMPLETE;
		snprintf(a.why, sizeof(a.why), "%s", d->incomplete);
	} else if (!p || !p->entered) {
		a.verdict = DET_ACCT_INCOMPLETE;
		snprintf(a.why, sizeof(a.why),
			 "tracing did not see the process enter KSM (it started before)");
	} else {
		a.verdict = judge(a.kernel, a.events);
		if (a.verdict == DET_ACCT_BELOW)
			snprintf(a.why, sizeof(a.why),
				 "%lld fewer than events: pages left on paths with no tracepoint "
				 "(COW break, MADV_UNMERGEABLE)", (long long)(a.events - a.kernel));
		if (a.verdict == DET_ACCT_DRIFT) {
			struct det_finding f;

			snprintf(a.why, sizeof(a.why),
				 "%lld more than merges minus removals seen",
				 (long long)(a.kernel - a.events));
			init_finding(&f, DET_ACCOUNTING_PROC, ts_ns, 0, pid);
			snprintf(f.message, sizeof(f.message),
				 "pid %u (%s): ksm_merging_pages %lld, but events show %lld merges "
				 "- %lld removals = %lld", pid, p->comm, (long long)a.kernel,
				 (long long)p->merges,
				 (long long)(p->removals + p->node_gone), (long long)a.events);
			report(d, &f);
		}
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

int det_nodes_per_nid(const struct detectors *d, int64_t *per_nid, int max)
{
	struct u64map_ent *e = NULL;
	size_t b = 0;
	int used = 0;

	for (int i = 0; i < max; i++)
		per_nid[i] = 0;
	while ((e = u64map_next(&d->nodes, e, &b))) {
		struct node_st *n = u64map_val(e);

		if (!n->have_insert || n->insert.nid < 0 || n->insert.nid >= max)
			continue;
		per_nid[n->insert.nid]++;
		if (n->insert.nid + 1 > used)
			used = n->insert.nid + 1;
	}
	return used;
}
