/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stock migrate tracepoints of each thread, paired up.
 *
 * migrate_pages() runs in one thread (kcompactd, a move_pages() caller, a
 * task faulting on a misplaced page) and traces a batch: migrate_pages_start;
 * for each mapping of each folio a set_migration_pte when the first rmap walk
 * replaces the pte with a migration entry, and a remove_migration_pte when
 * the second walk restores it (onto the new folio, or onto the old one when
 * the migration failed); then migrate_pages.  Batches nest (an allocation in
 * one may compact), so each thread keeps a stack of open batches.
 *
 * A remove is matched to a pending set of the innermost batch of its thread
 * at the same address: first one that it restores (the same pfn), else one
 * whose page was already seen moving to this pfn (another mapping of the
 * same folio), else the oldest.  Forked processes map a page at the same
 * address in several mms, and the tracepoints do not say which mm, so an
 * address holds a list of pending sets and each remove takes one of them:
 * the count left at the end is exact, which of several folios at one
 * address is named may not be.
 *
 * Events outside a batch (THP splits, device memory migration) are not
 * paired: the kernel may end those entries without a remove event (the
 * zero-filled subpages of a split THP are mapped to the zero page).  Nor can
 * a batch be judged whose two ends carry different "disturbed" counts
 * (events lost, or an exiting process zapping its page tables, which ends
 * entries without a remove): its leftovers come out lossy.
 */
#ifndef KSM_MIGRATION_PAIRS_H
#define KSM_MIGRATION_PAIRS_H

#include <stdbool.h>
#include <stddef.h>

#include "ksm_event.h"

enum mig_outcome {
	MIG_MOVED,    /* removed onto another page: the page migrated */
	MIG_RESTORED, /* removed onto the same page: the migration failed */
	MIG_LEFT,     /* still in place when its batch ended */
};

struct mig_match {
	enum mig_outcome outcome;
	const struct ksm_event *start; /* the batch's migrate_pages_start */
	const struct ksm_event *set;   /* the set_migration_pte */
	/* the remove_migration_pte; for LEFT, migrate_pages (NULL: it was lost) */
	const struct ksm_event *end;
	bool first;	  /* MOVED: the first mapping of this page seen moving in the batch */
	bool folio_moved; /* LEFT: a page of the same large folio moved in the batch */
	/* LEFT: events were lost, or an exiting process zapped pages, during the batch */
	bool lossy;
};

typedef void (*mig_fn)(void *ctx, const struct mig_match *m);

struct mig_pairs;

/* NULL on allocation failure.  fn sees every outcome, in stream order per batch. */
struct mig_pairs *mig_pairs_new(mig_fn fn, void *ctx);
void mig_pairs_free(struct mig_pairs *p);
/* Feed one event in ring-buffer order; kinds other than the four are ignored. */
void mig_pairs_feed(struct mig_pairs *p, const struct ksm_event *e);
/* Batches open now, all threads together. */
size_t mig_pairs_open(const struct mig_pairs *p);

#endif
