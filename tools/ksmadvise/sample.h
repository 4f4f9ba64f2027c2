/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two samples of the chosen memory.  The first reads every present
 * anonymous page and hashes it (XXH3, libxxhash); the second, at least an
 * interval later, reads each again: a page whose hash changed, or that
 * went away, is volatile (ksmd would see its checksum change and leave it
 * out of the unstable tree).  Pages that held still are put into content
 * groups: equal hashes first, then equal bytes, against the group's first
 * page (kept in a bounded cache, read again from its process on a miss).
 */
#ifndef KSMADVISE_SAMPLE_H
#define KSMADVISE_SAMPLE_H

#include "advise.h"
#include "reader.h"

struct sample_opts {
	double interval_s;	  /* least time between the two reads of a page */
	unsigned int cache_pages; /* group representatives kept in memory */
	bool progress;
};

/* First sample; 0 or -errno (-ENOMEM). */
int sample_first(struct adv *a, struct adv_reader *r, const struct sample_opts *o);
/* Second sample and the content groups; 0 or -errno. */
int sample_second(struct adv *a, struct adv_reader *r, const struct sample_opts *o);

#endif
