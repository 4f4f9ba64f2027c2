/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the detectors keep from the event stream, shared by the family files
 * (det_*.c) and the dispatcher (detectors.c); not for callers of detectors.h.
 *
 * Four models:
 * - stable nodes by address (patched tracepoints): live or not, the insert
 *   that created it, the last migration, the recent kpfn-change retries;
 * - KSM pages by kpfn (stock tracepoints): how many rmap items of which pid
 *   hang off each page, which is what pages_shared/pages_sharing and
 *   ksm_merging_pages count;
 * - processes by pid: whether KSM entry was seen, merges, removals;
 * - migration batches by thread (lib/migration_pairs.c): the entries set
 *   and not yet removed.
 *
 * Each family sees every event (det_feed) and matches its signatures as
 * their last event arrives, so a finding is reported at the moment it
 * becomes true, live or in a replay.  A new family is one file and one line
 * in detectors.c's family table.
 */
#ifndef KSM_DET_MODEL_H
#define KSM_DET_MODEL_H

#include "detectors.h"
#include "migration_pairs.h"
#include "u64map.h"

#define NODE_RETRIES 8 /* retries kept per node as evidence */

struct node_st {
	bool have_insert;
	bool have_migrate;
	bool retried; /* a get_folio_retry since the last migration */
	struct ksm_event insert;
	struct ksm_event migrate;
	uint64_t retry_start;		      /* first retry of the current window */
	unsigned int retries;		      /* retries in the current window */
	struct ksm_event retry[NODE_RETRIES]; /* the last ones, cyclic */
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
	bool entered; /* ksm_enter seen: counting from zero */
	char comm[KSM_COMM_LEN];
	int64_t merges;	   /* merge_with_ksm_page err == 0 */
	int64_t removals;  /* remove_rmap_item */
	int64_t node_gone; /* last item of a removed node (remove_ksm_page) */
};

struct detectors {
	struct det_config cfg;
	det_report_fn fn;
	void *ctx;
	uint64_t count[DET_MAX];

	/* stable nodes (det_stable_nodes.c; det_migration.c adds to each node) */
	struct u64map nodes;   /* node address -> struct node_st (live nodes only) */
	struct u64map removed; /* kpfn of a removed stable node -> ts_ns */
	bool in_remove_all, in_unmerge;
	struct ksm_event remove_all_begin;

	/* migration entries (det_migration_entries.c) */
	struct mig_pairs *migs;
	uint64_t mig_unjudged;

	/* accounting (det_accounting.c) */
	struct u64map pages;   /* kpfn -> struct page_st */
	struct u64map pids;    /* pid -> struct pid_st */
	int64_t items, shared; /* the page model's totals */
	bool baseline_set, baseline_empty;
	int64_t base_shared, base_sharing;
	char incomplete[120];
};

/* A finding about node and/or pid (0 if not about one), completed at ts. */
void det_finding_init(struct det_finding *f, enum det_id id, uint64_t ts, uint64_t node,
		      uint32_t pid);
/* Add e (if not NULL) as evidence; past DET_MAX_EVIDENCE it is dropped. */
void det_add_evidence(struct det_finding *f, const struct ksm_event *e);
/* Count f and hand it to the caller's report function. */
void det_report(struct detectors *d, struct det_finding *f);

/* The families: each looks at every event and ignores what it does not model. */
void det_stable_nodes_feed(struct detectors *d, const struct ksm_event *e);
void det_migration_feed(struct detectors *d, const struct ksm_event *e);
void det_swapin_copy_feed(struct detectors *d, const struct ksm_event *e);
void det_accounting_feed(struct detectors *d, const struct ksm_event *e);
void det_migration_entries_feed(struct detectors *d, const struct ksm_event *e);
/* The pairing of migration pte events that det_migration_entries_feed uses. */
struct mig_pairs *det_migration_entries_new(struct detectors *d);

/* The page model's pages (det_free releases their owner arrays). */
void det_pages_free(struct detectors *d);

#endif
