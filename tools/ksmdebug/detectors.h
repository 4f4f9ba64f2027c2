/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Race and accounting detectors for KSM: pure functions over the stream of
 * struct ksm_event, so that the same code runs live (ksmdebug watch/record)
 * and on a recorded JSON-lines trace (ksmdebug replay/report), and each
 * signature is unit-tested with synthetic sequences.
 *
 * Nothing here reads the system: state snapshots (sysfs counters, per-process
 * ksm_stat) come in through det_baseline() and det_check_*(), so a recorded
 * snapshot and a live reading go through the same judgement.
 *
 * Every signature, the events it keys on and the kernel history behind it
 * are documented in docs/ksmdebug.md; the short form is next to each enum.
 * The signatures come in families, one file each (det_stable_nodes.c,
 * det_migration.c, det_swapin_copy.c, det_accounting.c,
 * det_migration_entries.c); detectors.c hands every event to each of them.
 */
#ifndef KSM_DETECTORS_H
#define KSM_DETECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ksm_event.h"

enum det_id {
	/*
	 * stable_node_insert(N) ... remove_all_stable_nodes_begin(R) ...
	 * remove_all_stable_nodes_end(R, err 0) with no stable_node_remove(N):
	 * run=2 / merge_across_nodes reported success while nodes remained.
	 */
	DET_LEFTOVER_NODES = 0,
	/*
	 * stable_node_remove(N, reason unmerge|forced|merge_across_nodes|
	 * max_page_sharing|hotremove, rmap_items > 0): a node torn down while
	 * rmap items (mappings of the KSM page) still hung off it.
	 */
	DET_REMOVED_WHILE_MAPPED,
	/*
	 * migrate_folio(N, old, new) then get_folio_stale(N, kpfn == old)
	 * within the race window, no get_folio_retry(N) in between: the
	 * stale check used the kpfn from before migration without re-reading
	 * it (the smp_rmb/smp_wmb pairing with folio_migrate_ksm broken).
	 */
	DET_MIGRATION_STALE_RACE,
	/* >= retry_limit get_folio_retry(N) within retry_window: no convergence. */
	DET_RETRY_STORM,
	/*
	 * swapin_copy(result new) whose source folio was flagged not uptodate
	 * (KSM_COPY_F_* in aux[0], JSON "src_uptodate": false): a copy of a
	 * page whose contents were never read in.
	 */
	DET_COPY_NOT_UPTODATE,
	/*
	 * swapin_copy(result new) between remove_all_stable_nodes_begin(unmerge)
	 * and its end whose reason is neither unmerge, nor anon_vma (a non-KSM
	 * folio), nor no_stable_node for a pfn whose node removal was seen.
	 */
	DET_COPY_DURING_UNMERGE,
	/* swapin_copy(result nomem): the fault could not get its copy. */
	DET_COPY_NOMEM,
	/* sysfs pages_shared / pages_sharing above what the events account for. */
	DET_ACCOUNTING_SYSFS,
	/* /proc/PID/ksm_stat ksm_merging_pages above merges - removals seen. */
	DET_ACCOUNTING_PROC,
	/*
	 * migrate_pages_start ... set_migration_pte(addr, pfn) ... migrate_pages
	 * of one thread with no remove_migration_pte restoring that entry: a
	 * migration entry left in a page table (the rmap walk missed it).
	 */
	DET_MIGRATION_ENTRY_LEFTOVER,
	DET_MAX,
};

#define DET_MAX_EVIDENCE 8

struct det_finding {
	enum det_id id;
	uint64_t ts_ns; /* the event (or sample) that completed the signature */
	uint64_t node;	/* stable node, 0 if not about one */
	uint32_t pid;	/* process, 0 if not about one */
	char message[200];
	int nr_evidence;
	struct ksm_event evidence[DET_MAX_EVIDENCE]; /* in stream order */
};

typedef void (*det_report_fn)(void *ctx, const struct det_finding *f);

/* Findings kept in the order they were reported (replay, the recorder). */
struct det_findings {
	struct det_finding *v;
	size_t n, cap;
};

/* Append a copy of f; -ENOMEM leaves the list as it was. */
int det_findings_add(struct det_findings *l, const struct det_finding *f);
void det_findings_free(struct det_findings *l);

struct det_config {
	uint64_t race_window_ns;  /* migrate -> stale counts as a race (default 1 s) */
	unsigned int retry_limit; /* retries on one node ... (default 8) */
	uint64_t retry_window_ns; /* ... within this window (default 1 s) */
};

/* Verdict of one accounting comparison. */
enum det_acct_verdict {
	DET_ACCT_AGREE = 0,  /* kernel == events */
	DET_ACCT_BELOW,	     /* kernel < events: a decrement on an untraced path */
	DET_ACCT_DRIFT,	     /* kernel > events: counted pages no event shows */
	DET_ACCT_INCOMPLETE, /* tracing did not see it from the start, or lost events */
	DET_ACCT_MOVING,     /* the counter changed while it was read */
};

struct det_acct {
	uint32_t pid; /* 0 for the global (sysfs) comparison */
	char comm[16];
	int64_t events;	       /* per process: merges - removals; sysfs: items (shared+sharing) */
	int64_t kernel;	       /* ksm_merging_pages; sysfs: pages_shared + pages_sharing */
	int64_t events_shared; /* sysfs only: KSM pages with >= 1 item */
	int64_t kernel_shared; /* sysfs only: pages_shared */
	enum det_acct_verdict verdict;
	char why[160];
};

struct detectors;

void det_config_default(struct det_config *c);
/* NULL on allocation failure. */
struct detectors *det_new(const struct det_config *c, det_report_fn fn, void *ctx);
void det_free(struct detectors *d);

/* Feed one event, in ring-buffer order. Findings are reported from inside. */
void det_feed(struct detectors *d, const struct ksm_event *e);

/*
 * The sysfs counters when tracing began. Only a start from an empty stable
 * tree (both zero) lets the sysfs comparison be judged; anything else makes
 * it "incomplete".
 */
void det_baseline(struct detectors *d, int64_t pages_shared, int64_t pages_sharing);
/*
 * Events were lost (ring buffer full, recorder window evicted the start):
 * every accounting verdict from now on is "incomplete", with this reason.
 */
void det_mark_incomplete(struct detectors *d, const char *why);

/*
 * Compare sysfs (or one process's ksm_stat) with the event model. stable is
 * false when the value changed across the read (the caller reads, drains the
 * event source, reads again): then the verdict is "moving" and nothing fires.
 * A DET_ACCT_DRIFT verdict also reports a finding. out may be NULL.
 */
enum det_acct_verdict det_check_sysfs(struct detectors *d, uint64_t ts_ns, int64_t pages_shared,
				      int64_t pages_sharing, bool stable, struct det_acct *out);
enum det_acct_verdict det_check_proc(struct detectors *d, uint64_t ts_ns, uint32_t pid,
				     int64_t merging_pages, bool stable, struct det_acct *out);

/* Pids the event stream has named (merge, removal, enter), for the caller to sample. */
int det_pids(const struct detectors *d, uint32_t *pids, int max);
/* Live stable nodes seen inserted, per NUMA node; returns the number of nodes used. */
int det_nodes_per_nid(const struct detectors *d, int64_t *per_nid, int max);
/*
 * Migration entries still in place when their batch ended that could not be
 * judged (events lost in the batch; a large folio that may have been split
 * onto the zero page): counted, never reported.
 */
uint64_t det_migration_unjudged(const struct detectors *d);
/* Findings reported so far, per detector. */
uint64_t det_count(const struct detectors *d, enum det_id id);
uint64_t det_total(const struct detectors *d);

const char *det_name(enum det_id id);	  /* "leftover_nodes", ... */
const char *det_severity(enum det_id id); /* "bug", "warning" */
const char *det_acct_verdict_name(enum det_acct_verdict v);

#endif
