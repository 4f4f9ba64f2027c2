/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Content groups: pages with equal bytes.  An open-addressing table from
 * the XXH3 hash to the first group with that hash (groups with one hash
 * but different bytes, a true collision, are chained), sized from the
 * number of pages read, so memory is bounded by what the sample holds.
 * Each group's first page (its representative) is what later pages are
 * compared with, byte for byte: kept in a direct-mapped cache of
 * cache_pages pages, read again from its process on a miss.
 */
#ifndef KSMADVISE_GROUPS_H
#define KSMADVISE_GROUPS_H

#include "advise.h"
#include "reader.h"

struct group_tab {
	uint32_t *slot; /* ADV_NONE or the first group of a hash */
	uint64_t mask;
	struct grp {
		uint64_t hash;
		uint32_t rep;  /* page index of the representative */
		uint32_t next; /* next group with the same hash */
	} * g;
	uint32_t n, cap;
	unsigned char *cache; /* cache_pages representative contents */
	uint32_t *tag;	      /* which group each cache slot holds */
	uint32_t ncache;
};

int groups_init(struct group_tab *t, size_t npages, unsigned int cache_pages);
void groups_free(struct group_tab *t);
/*
 * Put page idx, whose bytes are in hand and whose hash held still between
 * the samples, into its group (a new one when no page had its bytes).
 * Returns 0 or -ENOMEM.
 */
int groups_add(struct group_tab *t, struct adv *a, struct adv_reader *r, uint32_t idx,
	       const unsigned char *bytes);

#endif
