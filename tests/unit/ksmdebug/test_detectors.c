// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the detectors (tools/ksmdebug/det_*.c): every signature
 * fed as a synthetic event sequence, and its near misses (the same events in
 * a safe order, or one field short of the signature) that must stay silent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detectors.h"

#define MS 1000000ULL
#define NODE_A 0xffff888100a00000ULL
#define NODE_B 0xffff888100b00000ULL

struct sink {
	int n;
	struct det_finding last;
	int per[DET_MAX];
};

static void collect(void *ctx, const struct det_finding *f)
{
	struct sink *s = ctx;

	s->n++;
	s->per[f->id]++;
	s->last = *f;
}

struct fx {
	struct sink sink;
	struct detectors *d;
	uint64_t now;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	fx->d = det_new(NULL, collect, &fx->sink);
	fx->now = 1000 * MS;
	*state = fx;
	return fx->d ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	det_free(fx->d);
	free(fx);
	return 0;
}

/* Feed one event dt ms after the previous one. */
static struct ksm_event feed(struct fx *fx, uint64_t dt_ms, unsigned int kind, uint64_t node,
			     uint64_t pfn, uint64_t pfn2, unsigned int reason, unsigned int result)
{
	struct ksm_event e = { 0 };

	fx->now += dt_ms * MS;
	e.ts_ns = fx->now;
	e.kind = kind;
	e.node = node;
	e.pfn = pfn;
	e.pfn2 = pfn2;
	e.reason = reason;
	e.result = result;
	e.nid = 0;
	e.nid2 = -1;
	det_feed(fx->d, &e);
	return e;
}

static void insert(struct fx *fx, uint64_t node, uint64_t pfn)
{
	feed(fx, 1, KSM_EV_STABLE_NODE_INSERT, node, pfn, 0, 0, 0);
}

static void node_remove(struct fx *fx, uint64_t node, uint64_t pfn, unsigned int reason,
			uint64_t rmap_items)
{
	struct ksm_event e = { 0 };

	fx->now += MS;
	e.ts_ns = fx->now;
	e.kind = KSM_EV_STABLE_NODE_REMOVE;
	e.node = node;
	e.pfn = pfn;
	e.reason = reason;
	e.aux[0] = rmap_items;
	det_feed(fx->d, &e);
}

static void remove_all(struct fx *fx, unsigned int reason, int err, bool begin)
{
	struct ksm_event e = { 0 };

	fx->now += MS;
	e.ts_ns = fx->now;
	e.kind = begin ? KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN : KSM_EV_REMOVE_ALL_STABLE_NODES_END;
	e.reason = reason;
	e.err = err;
	det_feed(fx->d, &e);
}

/* ---- leftover nodes after remove_all_stable_nodes ---- */

static void leftover_fires(void **state)
{
	struct fx *fx = *state;

	insert(fx, NODE_A, 0x100);
	insert(fx, NODE_B, 0x200);
	remove_all(fx, KSM_NODE_RM_UNMERGE, 0, true);
	node_remove(fx, NODE_A, 0x100, KSM_NODE_RM_UNMERGE, 0);
	remove_all(fx, KSM_NODE_RM_UNMERGE, 0, false);
	assert_int_equal(fx->sink.per[DET_LEFTOVER_NODES], 1);
	assert_int_equal(fx->sink.last.node, NODE_B);
	/* evidence in stream order: the leftover's insert, begin, end */
	assert_int_equal(fx->sink.last.nr_evidence, 3);
	assert_int_equal(fx->sink.last.evidence[0].node, NODE_B);
	assert_int_equal(fx->sink.last.evidence[0].kind, KSM_EV_STABLE_NODE_INSERT);
	assert_int_equal(fx->sink.last.evidence[1].kind, KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN);
	assert_non_null(strstr(fx->sink.last.message, "unmerge"));
}

static void leftover_merge_across_nodes(void **state)
{
	struct fx *fx = *state;

	insert(fx, NODE_A, 0x100);
	remove_all(fx, KSM_NODE_RM_MERGE_ACROSS_NODES, 0, true);
	remove_all(fx, KSM_NODE_RM_MERGE_ACROSS_NODES, 0, false);
	assert_int_equal(fx->sink.per[DET_LEFTOVER_NODES], 1);
}

static void leftover_near_misses(void **state)
{
	struct fx *fx = *state;

	/* every node removed before the end: clean */
	insert(fx, NODE_A, 0x100);
	remove_all(fx, KSM_NODE_RM_UNMERGE, 0, true);
	node_remove(fx, NODE_A, 0x100, KSM_NODE_RM_UNMERGE, 0);
	remove_all(fx, KSM_NODE_RM_UNMERGE, 0, false);
	/* a node left but the kernel said -EBUSY: it owned up */
	insert(fx, NODE_B, 0x200);
	remove_all(fx, KSM_NODE_RM_UNMERGE, 0, true);
	remove_all(fx, KSM_NODE_RM_UNMERGE, -16, false);
	/* a node seen only through a retry (insert never seen): not known live */
	node_remove(fx, NODE_B, 0x200, KSM_NODE_RM_STALE, 0);
	feed(fx, 1, KSM_EV_GET_FOLIO_RETRY, NODE_A, 0x300, 0x301, 0, 0);
	remove_all(fx, KSM_NODE_RM_UNMERGE, 0, true);
	remove_all(fx, KSM_NODE_RM_UNMERGE, 0, false);
	assert_int_equal(fx->sink.n, 0);
}

/* ---- removal while still mapped ---- */

static void removed_while_mapped(void **state)
{
	struct fx *fx = *state;

	insert(fx, NODE_A, 0x100);
	node_remove(fx, NODE_A, 0x100, KSM_NODE_RM_FORCED, 3);
	assert_int_equal(fx->sink.per[DET_REMOVED_WHILE_MAPPED], 1);
	assert_int_equal(fx->sink.last.nr_evidence, 2);
	assert_int_equal(fx->sink.last.evidence[1].aux[0], 3);
	insert(fx, NODE_B, 0x200);
	node_remove(fx, NODE_B, 0x200, KSM_NODE_RM_UNMERGE, 1);
	assert_int_equal(fx->sink.per[DET_REMOVED_WHILE_MAPPED], 2);
	/* a node of a domain freed with no mm left cannot have live rmap items */
	insert(fx, NODE_A, 0x100);
	node_remove(fx, NODE_A, 0x100, KSM_NODE_RM_ORPHAN, 2);
	assert_int_equal(fx->sink.per[DET_REMOVED_WHILE_MAPPED], 3);
}

static void removed_while_mapped_near_misses(void **state)
{
	struct fx *fx = *state;

	/* stale removal walks its rmap items: normal */
	insert(fx, NODE_A, 0x100);
	node_remove(fx, NODE_A, 0x100, KSM_NODE_RM_STALE, 5);
	/* chain pruning of a stale dup: normal */
	insert(fx, NODE_A, 0x100);
	node_remove(fx, NODE_A, 0x100, KSM_NODE_RM_CHAIN_PRUNE, 2);
	/* unmerge with no items left: what the kernel must do */
	insert(fx, NODE_B, 0x200);
	node_remove(fx, NODE_B, 0x200, KSM_NODE_RM_UNMERGE, 0);
	/* an orphan node with no rmap items: the domain sweep as it should be */
	insert(fx, NODE_A, 0x100);
	node_remove(fx, NODE_A, 0x100, KSM_NODE_RM_ORPHAN, 0);
	assert_int_equal(fx->sink.n, 0);
}

/* ---- migration vs stale verdict ---- */

static void migration_stale_race(void **state)
{
	struct fx *fx = *state;

	insert(fx, NODE_A, 0x100);
	feed(fx, 1, KSM_EV_MIGRATE_FOLIO, NODE_A, 0x100, 0x900, 0, 0);
	feed(fx, 2, KSM_EV_GET_FOLIO_STALE, NODE_A, 0x100, 0, KSM_STALE_MAPPING, 0);
	assert_int_equal(fx->sink.per[DET_MIGRATION_STALE_RACE], 1);
	assert_int_equal(fx->sink.last.node, NODE_A);
	assert_int_equal(fx->sink.last.nr_evidence, 3);
	assert_int_equal(fx->sink.last.evidence[1].kind, KSM_EV_MIGRATE_FOLIO);
	assert_int_equal(fx->sink.last.evidence[2].kind, KSM_EV_GET_FOLIO_STALE);
}

static void migration_stale_near_misses(void **state)
{
	struct fx *fx = *state;

	/* the kpfn re-read worked: retry in between, then a stale on the old pfn */
	insert(fx, NODE_A, 0x100);
	feed(fx, 1, KSM_EV_MIGRATE_FOLIO, NODE_A, 0x100, 0x900, 0, 0);
	feed(fx, 1, KSM_EV_GET_FOLIO_RETRY, NODE_A, 0x100, 0x900, 0, 0);
	feed(fx, 1, KSM_EV_GET_FOLIO_STALE, NODE_A, 0x100, 0, KSM_STALE_MAPPING, 0);
	/* stale on the new pfn: the page really went after it moved */
	insert(fx, NODE_B, 0x200);
	feed(fx, 1, KSM_EV_MIGRATE_FOLIO, NODE_B, 0x200, 0xa00, 0, 0);
	feed(fx, 1, KSM_EV_GET_FOLIO_STALE, NODE_B, 0xa00, 0, KSM_STALE_FREED, 0);
	/* stale before the migration (safe order) */
	insert(fx, NODE_A + 64, 0x300);
	feed(fx, 1, KSM_EV_GET_FOLIO_STALE, NODE_A + 64, 0x300, 0, KSM_STALE_MAPPING, 0);
	feed(fx, 1, KSM_EV_MIGRATE_FOLIO, NODE_A + 64, 0x300, 0xb00, 0, 0);
	/* another node's stale on that pfn */
	insert(fx, NODE_B + 64, 0x400);
	feed(fx, 1, KSM_EV_MIGRATE_FOLIO, NODE_B + 64, 0x400, 0xc00, 0, 0);
	feed(fx, 1, KSM_EV_GET_FOLIO_STALE, NODE_A + 128, 0x400, 0, KSM_STALE_MAPPING, 0);
	/* outside the window (2 s later) */
	feed(fx, 2000, KSM_EV_GET_FOLIO_STALE, NODE_B + 64, 0x400, 0, KSM_STALE_MAPPING, 0);
	assert_int_equal(fx->sink.n, 0);
}

/* ---- retry storms ---- */

static void retry_storm(void **state)
{
	struct fx *fx = *state;

	for (int i = 0; i < 8; i++)
		feed(fx, 10, KSM_EV_GET_FOLIO_RETRY, NODE_A, 0x100 + i, 0x101 + i, 0, 0);
	assert_int_equal(fx->sink.per[DET_RETRY_STORM], 1);
	assert_int_equal(fx->sink.last.nr_evidence, 8);
	assert_int_equal(fx->sink.last.evidence[0].pfn, 0x100);
	assert_int_equal(fx->sink.last.evidence[7].pfn, 0x107);
	/* it goes on: one more report per 8 retries, not one per retry */
	for (int i = 0; i < 8; i++)
		feed(fx, 10, KSM_EV_GET_FOLIO_RETRY, NODE_A, 0x200 + i, 0x201 + i, 0, 0);
	assert_int_equal(fx->sink.per[DET_RETRY_STORM], 2);
}

static void retry_near_misses(void **state)
{
	struct fx *fx = *state;

	/* 7 retries: converged */
	for (int i = 0; i < 7; i++)
		feed(fx, 10, KSM_EV_GET_FOLIO_RETRY, NODE_A, 0x100 + i, 0x101 + i, 0, 0);
	/* 8 retries spread over 2.8 s */
	for (int i = 0; i < 8; i++)
		feed(fx, 400, KSM_EV_GET_FOLIO_RETRY, NODE_B, 0x100 + i, 0x101 + i, 0, 0);
	/* 8 retries on 8 different nodes */
	for (int i = 0; i < 8; i++)
		feed(fx, 1, KSM_EV_GET_FOLIO_RETRY, NODE_A + 4096 * (i + 1), 0x5, 0x6, 0, 0);
	assert_int_equal(fx->sink.n, 0);
}

/* ---- swap-in copies ---- */

static void copy_event(struct fx *fx, unsigned int reason, unsigned int result, uint64_t flags,
		       uint64_t pfn)
{
	struct ksm_event e = { 0 };

	fx->now += MS;
	e.ts_ns = fx->now;
	e.kind = KSM_EV_SWAPIN_COPY;
	e.pfn = pfn;
	e.pfn2 = result == KSM_COPY_NEW ? 0x7777 : 0;
	e.pid = 42;
	e.reason = reason;
	e.result = result;
	e.aux[0] = flags;
	det_feed(fx->d, &e);
}

#define KNOWN KSM_COPY_F_UPTODATE_KNOWN
#define UPTODATE KSM_COPY_F_UPTODATE

static void copy_not_uptodate(void **state)
{
	struct fx *fx = *state;

	copy_event(fx, KSM_COPY_NO_STABLE_NODE, KSM_COPY_NEW, KNOWN, 0x100);
	assert_int_equal(fx->sink.per[DET_COPY_NOT_UPTODATE], 1);
	assert_int_equal(fx->sink.last.pid, 42);
	assert_int_equal(fx->sink.last.evidence[0].kind, KSM_EV_SWAPIN_COPY);
	/* near misses: the early return, an uptodate source, a source that does not say */
	copy_event(fx, KSM_COPY_NO_STABLE_NODE, KSM_COPY_NOT_UPTODATE, KNOWN, 0x100);
	copy_event(fx, KSM_COPY_NO_STABLE_NODE, KSM_COPY_NEW, KNOWN | UPTODATE, 0x100);
	copy_event(fx, KSM_COPY_NO_STABLE_NODE, KSM_COPY_NEW, 0, 0x100);
	assert_int_equal(fx->sink.n, 1);
}

static void copy_during_unmerge(void **state)
{
	struct fx *fx = *state;

	remove_all(fx, KSM_NODE_RM_UNMERGE, 0, true);
	copy_event(fx, KSM_COPY_NONE, KSM_COPY_NEW, 0, 0x100);
	assert_int_equal(fx->sink.per[DET_COPY_DURING_UNMERGE], 1);
	assert_int_equal(fx->sink.last.evidence[0].kind, KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN);
	/* a KSM folio with no stable node, whose node removal was never seen */
	copy_event(fx, KSM_COPY_NO_STABLE_NODE, KSM_COPY_NEW, 0, 0x500);
	assert_int_equal(fx->sink.per[DET_COPY_DURING_UNMERGE], 2);
	remove_all(fx, KSM_NODE_RM_UNMERGE, 0, false);
}

static void copy_during_unmerge_near_misses(void **state)
{
	struct fx *fx = *state;

	insert(fx, NODE_A, 0x100);
	remove_all(fx, KSM_NODE_RM_UNMERGE, 0, true);
	copy_event(fx, KSM_COPY_UNMERGE, KSM_COPY_NEW, 0, 0x200); /* the expected reason */
	node_remove(fx, NODE_A, 0x100, KSM_NODE_RM_UNMERGE, 0);
	copy_event(fx, KSM_COPY_NO_STABLE_NODE, KSM_COPY_NEW, 0, 0x100); /* removed just now */
	copy_event(fx, KSM_COPY_ANON_VMA, KSM_COPY_NEW, 0, 0x300);	 /* not a KSM folio */
	copy_event(fx, KSM_COPY_NONE, KSM_COPY_SAME, 0, 0x400);		 /* no copy */
	remove_all(fx, KSM_NODE_RM_UNMERGE, 0, false);
	copy_event(fx, KSM_COPY_NONE, KSM_COPY_NEW, 0, 0x600); /* after the end */
	/* a merge_across_nodes switch is not run=2 */
	remove_all(fx, KSM_NODE_RM_MERGE_ACROSS_NODES, 0, true);
	copy_event(fx, KSM_COPY_NO_STABLE_NODE, KSM_COPY_NEW, 0, 0x700);
	remove_all(fx, KSM_NODE_RM_MERGE_ACROSS_NODES, 0, false);
	assert_int_equal(fx->sink.n, 0);
}

static void copy_nomem(void **state)
{
	struct fx *fx = *state;

	copy_event(fx, KSM_COPY_UNMERGE, KSM_COPY_HWPOISON, 0, 0x100);
	copy_event(fx, KSM_COPY_UNMERGE, KSM_COPY_SAME, 0, 0x100);
	assert_int_equal(fx->sink.n, 0);
	copy_event(fx, KSM_COPY_UNMERGE, KSM_COPY_NOMEM, 0, 0x100);
	assert_int_equal(fx->sink.per[DET_COPY_NOMEM], 1);
	assert_string_equal(det_severity(DET_COPY_NOMEM), "warning");
}

/* ---- accounting ---- */

static void stock(struct fx *fx, unsigned int kind, uint32_t pid, uint64_t pfn, int err)
{
	struct ksm_event e = { 0 };

	fx->now += MS;
	e.ts_ns = fx->now;
	e.kind = kind;
	e.pid = pid;
	e.pfn = pfn;
	e.err = err;
	e.mm = 0x1000 + pid;
	strcpy(e.comm, "load");
	det_feed(fx->d, &e);
}

static void proc_accounting(void **state)
{
	struct fx *fx = *state;
	struct det_acct a;

	/* two processes merge 3 pages into one KSM page, one more into another */
	stock(fx, KSM_EV_ENTER, 10, 0, 0);
	stock(fx, KSM_EV_ENTER, 11, 0, 0);
	stock(fx, KSM_EV_MERGE_WITH_KSM_PAGE, 10, 0x100, 0);
	stock(fx, KSM_EV_MERGE_WITH_KSM_PAGE, 11, 0x100, 0);
	stock(fx, KSM_EV_MERGE_WITH_KSM_PAGE, 11, 0x100, 0);
	stock(fx, KSM_EV_MERGE_WITH_KSM_PAGE, 10, 0x200, 0);
	stock(fx, KSM_EV_MERGE_WITH_KSM_PAGE, 10, 0x200, -14); /* failed: not counted */
	assert_int_equal(det_check_proc(fx->d, fx->now, 10, 2, true, &a), DET_ACCT_AGREE);
	assert_int_equal(a.events, 2);
	assert_int_equal(det_check_proc(fx->d, fx->now, 11, 2, true, NULL), DET_ACCT_AGREE);
	/* the node of 0x100 goes: two traced rmap removals, the last one implied */
	stock(fx, KSM_EV_REMOVE_RMAP_ITEM, 11, 0x100, 0);
	stock(fx, KSM_EV_REMOVE_RMAP_ITEM, 11, 0x100, 0);
	stock(fx, KSM_EV_REMOVE_KSM_PAGE, 0, 0x100, 0);
	assert_int_equal(det_check_proc(fx->d, fx->now, 10, 1, true, &a), DET_ACCT_AGREE);
	assert_int_equal(det_check_proc(fx->d, fx->now, 11, 0, true, NULL), DET_ACCT_AGREE);
	assert_int_equal(fx->sink.n, 0);
	/* below: a COW break the stock tracepoints do not show; not a finding */
	assert_int_equal(det_check_proc(fx->d, fx->now, 10, 0, true, &a), DET_ACCT_BELOW);
	assert_int_equal(fx->sink.n, 0);
	/* moving: no judgement */
	assert_int_equal(det_check_proc(fx->d, fx->now, 10, 9, false, NULL), DET_ACCT_MOVING);
	assert_int_equal(fx->sink.n, 0);
	/* drift: the kernel counts a page no merge made */
	assert_int_equal(det_check_proc(fx->d, fx->now, 10, 2, true, &a), DET_ACCT_DRIFT);
	assert_int_equal(fx->sink.per[DET_ACCOUNTING_PROC], 1);
	assert_int_equal(fx->sink.last.pid, 10);
}

static void proc_accounting_incomplete(void **state)
{
	struct fx *fx = *state;

	/* merges without the enter: the process predates tracing */
	stock(fx, KSM_EV_MERGE_WITH_KSM_PAGE, 20, 0x100, 0);
	assert_int_equal(det_check_proc(fx->d, fx->now, 20, 500, true, NULL), DET_ACCT_INCOMPLETE);
	assert_int_equal(det_check_proc(fx->d, fx->now, 21, 7, true, NULL), DET_ACCT_INCOMPLETE);
	/* lost events make everything incomplete */
	stock(fx, KSM_EV_ENTER, 22, 0, 0);
	det_mark_incomplete(fx->d, "events lost");
	assert_int_equal(det_check_proc(fx->d, fx->now, 22, 5, true, NULL), DET_ACCT_INCOMPLETE);
	assert_int_equal(fx->sink.n, 0);
}

static void sysfs_accounting(void **state)
{
	struct fx *fx = *state;
	struct det_acct a;

	assert_int_equal(det_check_sysfs(fx->d, fx->now, 0, 0, true, NULL), DET_ACCT_INCOMPLETE);
	det_baseline(fx->d, 0, 0);
	stock(fx, KSM_EV_ENTER, 10, 0, 0);
	for (int i = 0; i < 4; i++)
		stock(fx, KSM_EV_MERGE_WITH_KSM_PAGE, 10, 0x100, 0);
	stock(fx, KSM_EV_MERGE_WITH_KSM_PAGE, 10, 0x200, 0);
	stock(fx, KSM_EV_MERGE_WITH_KSM_PAGE, 10, 0x200, 0);
	/* 2 KSM pages, 6 items: pages_shared 2, pages_sharing 4 */
	assert_int_equal(det_check_sysfs(fx->d, fx->now, 2, 4, true, &a), DET_ACCT_AGREE);
	assert_int_equal(a.events_shared, 2);
	/* migration (patched) moves the items with the page */
	feed(fx, 1, KSM_EV_MIGRATE_FOLIO, NODE_A, 0x200, 0x300, 0, 0);
	stock(fx, KSM_EV_REMOVE_RMAP_ITEM, 10, 0x300, 0);
	stock(fx, KSM_EV_REMOVE_KSM_PAGE, 0, 0x300, 0);
	assert_int_equal(det_check_sysfs(fx->d, fx->now, 1, 3, true, NULL), DET_ACCT_AGREE);
	assert_int_equal(det_check_sysfs(fx->d, fx->now, 1, 2, true, NULL), DET_ACCT_BELOW);
	assert_int_equal(fx->sink.n, 0);
	assert_int_equal(det_check_sysfs(fx->d, fx->now, 2, 3, true, NULL), DET_ACCT_DRIFT);
	assert_int_equal(fx->sink.per[DET_ACCOUNTING_SYSFS], 1);
}

static void sysfs_baseline_not_empty(void **state)
{
	struct fx *fx = *state;
	struct det_acct a;

	det_baseline(fx->d, 5, 10);
	assert_int_equal(det_check_sysfs(fx->d, fx->now, 50, 100, true, &a), DET_ACCT_INCOMPLETE);
	assert_non_null(strstr(a.why, "5 shared"));
	assert_int_equal(fx->sink.n, 0);
}

static void nodes_per_nid(void **state)
{
	struct fx *fx = *state;
	int64_t per[4];
	struct ksm_event e = { .kind = KSM_EV_STABLE_NODE_INSERT, .node = NODE_B, .nid = 1 };

	insert(fx, NODE_A, 0x100);
	det_feed(fx->d, &e);
	assert_int_equal(det_nodes_per_nid(fx->d, per, 4), 2);
	assert_int_equal(per[0], 1);
	assert_int_equal(per[1], 1);
	node_remove(fx, NODE_B, 0, KSM_NODE_RM_STALE, 0);
	assert_int_equal(det_nodes_per_nid(fx->d, per, 4), 1);
}

static void names(void **state)
{
	for (int i = 0; i < DET_MAX; i++)
		assert_string_not_equal(det_name(i), "unknown");
	assert_string_equal(det_name(DET_MIGRATION_STALE_RACE), "migration_stale_race");
	assert_string_equal(det_acct_verdict_name(DET_ACCT_DRIFT), "drift");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(leftover_fires),
		T(leftover_merge_across_nodes),
		T(leftover_near_misses),
		T(removed_while_mapped),
		T(removed_while_mapped_near_misses),
		T(migration_stale_race),
		T(migration_stale_near_misses),
		T(retry_storm),
		T(retry_near_misses),
		T(copy_not_uptodate),
		T(copy_during_unmerge),
		T(copy_during_unmerge_near_misses),
		T(copy_nomem),
		T(proc_accounting),
		T(proc_accounting_incomplete),
		T(sysfs_accounting),
		T(sysfs_baseline_not_empty),
		T(nodes_per_nid),
		T(names),
	};

	return cmocka_run_group_tests_name("detectors", tests, NULL, NULL);
}
