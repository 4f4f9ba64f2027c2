/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The numbers ksmtop shows for one process, or summed for a cgroup (its own
 * processes, or its whole subtree): KSM state as read in the sample, what
 * happened in the last interval, and which of them this kernel lets us know.
 * A number that cannot be known is printed as "-" in text and null in JSON,
 * never as 0.
 */
#ifndef KSM_TOP_STATS_H
#define KSM_TOP_STATS_H

#include <stdbool.h>
#include <stdint.h>

/* Bits of top_stats.known: what this kernel (and event source) can tell. */
enum top_known {
	TOP_KNOWN_ZERO = 1u << 0,	 /* ksm_zero_pages (6.6+) */
	TOP_KNOWN_PROFIT = 1u << 1,	 /* ksm_process_profit (6.4+) */
	TOP_KNOWN_MERGEABLE = 1u << 2,	 /* ksm_mergeable, or MMF_VM_MERGEABLE (BPF) */
	TOP_KNOWN_MERGE_ANY = 1u << 3,	 /* ksm_merge_any, or MMF_VM_MERGE_ANY (BPF) */
	TOP_KNOWN_RMAP_RM = 1u << 4,	 /* the remove_rmap_item event */
	TOP_KNOWN_ZERO_MERGES = 1u << 5, /* the merge_one_page event */
	TOP_KNOWN_ALL = (1u << 6) - 1,
};

struct top_stats {
	int nprocs;
	unsigned int known; /* enum top_known bits; a sum knows what all its parts know */
	int64_t merging_pages, rmap_items, zero_pages, profit;
	bool mergeable, merge_any;
	/* this interval */
	uint64_t merges, unmerges, rmap_removals, zero_merges;
	double merges_per_s, unmerges_per_s, rmap_removals_per_s;
};

/* Counts since ksmtop started (or the cgroup appeared): monotonic, for _total counters. */
struct top_totals {
	uint64_t merges, unmerges, rmap_removals, zero_merges;
};

static inline bool top_known(const struct top_stats *s, unsigned int bits)
{
	return (s->known & bits) == bits;
}

/* An empty sum: knows everything until a part that does not is added. */
static inline void top_stats_zero(struct top_stats *s)
{
	*s = (struct top_stats){ .known = TOP_KNOWN_ALL };
}

static inline void top_stats_add(struct top_stats *to, const struct top_stats *s)
{
	to->nprocs += s->nprocs;
	to->known &= s->known;
	to->merging_pages += s->merging_pages;
	to->rmap_items += s->rmap_items;
	to->zero_pages += s->zero_pages;
	to->profit += s->profit;
	to->mergeable |= s->mergeable;
	to->merge_any |= s->merge_any;
	to->merges += s->merges;
	to->unmerges += s->unmerges;
	to->rmap_removals += s->rmap_removals;
	to->zero_merges += s->zero_merges;
	to->merges_per_s += s->merges_per_s;
	to->unmerges_per_s += s->unmerges_per_s;
	to->rmap_removals_per_s += s->rmap_removals_per_s;
}

static inline void top_totals_add(struct top_totals *to, const struct top_stats *s)
{
	to->merges += s->merges;
	to->unmerges += s->unmerges;
	to->rmap_removals += s->rmap_removals;
	to->zero_merges += s->zero_merges;
}

#endif
