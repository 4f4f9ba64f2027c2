// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "groups.h"

int groups_init(struct group_tab *t, size_t npages, unsigned int cache_pages)
{
	uint64_t slots = 1024;

	memset(t, 0, sizeof(*t));
	/* load factor at most one half, whatever the number of groups */
	while (slots < 2 * (uint64_t)npages)
		slots *= 2;
	t->mask = slots - 1;
	t->cap = npages ? (uint32_t)npages : 1;
	t->ncache = cache_pages ? cache_pages : 1;
	t->slot = malloc(slots * sizeof(*t->slot));
	t->g = malloc(t->cap * sizeof(*t->g));
	t->cache = malloc((size_t)t->ncache * ADV_PAGE);
	t->tag = malloc(t->ncache * sizeof(*t->tag));
	if (!t->slot || !t->g || !t->cache || !t->tag) {
		groups_free(t);
		return -ENOMEM;
	}
	memset(t->slot, 0xff, slots * sizeof(*t->slot));
	memset(t->tag, 0xff, t->ncache * sizeof(*t->tag));
	return 0;
}

void groups_free(struct group_tab *t)
{
	free(t->slot);
	free(t->g);
	free(t->cache);
	free(t->tag);
	memset(t, 0, sizeof(*t));
}

static void cache_put(struct group_tab *t, uint32_t gid, const unsigned char *bytes)
{
	uint32_t s = gid % t->ncache;

	t->tag[s] = gid;
	memcpy(t->cache + (size_t)s * ADV_PAGE, bytes, ADV_PAGE);
}

static uint32_t new_group(struct group_tab *t, struct adv *a, uint32_t idx,
			  const unsigned char *bytes)
{
	uint32_t gid = t->n++;

	t->g[gid] = (struct grp){ .hash = a->pages[idx].hash, .rep = idx, .next = ADV_NONE };
	a->pages[idx].group = gid;
	cache_put(t, gid, bytes);
	return gid;
}

/*
 * The representative's bytes, from the cache or read again.  A
 * representative that changed since it was sampled (its hash no longer
 * matches) is volatile after all: it leaves the group and the page in hand
 * takes its place.  Returns the bytes, or NULL when the page in hand
 * became the representative.
 */
static const unsigned char *rep_bytes(struct group_tab *t, struct adv *a, struct adv_reader *r,
				      uint32_t gid, uint32_t idx, const unsigned char *bytes)
{
	uint32_t s = gid % t->ncache;
	struct adv_page *rep = &a->pages[t->g[gid].rep];
	unsigned char *slot = t->cache + (size_t)s * ADV_PAGE;
	bool ok = false;

	if (t->tag[s] == gid)
		return slot;
	a->reread_reps++;
	reader_read(r, a->procs[rep->proc].pid, &rep->vpage, 1, slot, &ok);
	if (ok && XXH3_64bits(slot, ADV_PAGE) == t->g[gid].hash) {
		t->tag[s] = gid;
		return slot;
	}
	rep->flags |= PG_VOLATILE;
	rep->group = ADV_NONE;
	t->g[gid].rep = idx;
	a->pages[idx].group = gid;
	cache_put(t, gid, bytes);
	return NULL;
}

int groups_add(struct group_tab *t, struct adv *a, struct adv_reader *r, uint32_t idx,
	       const unsigned char *bytes)
{
	uint64_t h = a->pages[idx].hash, i = h & t->mask;
	uint32_t gid, g2;

	while (t->slot[i] != ADV_NONE && t->g[t->slot[i]].hash != h)
		i = (i + 1) & t->mask;
	if (t->slot[i] == ADV_NONE) {
		if (t->n == t->cap)
			return -ENOMEM; /* cannot happen: one group per page at most */
		t->slot[i] = new_group(t, a, idx, bytes);
		return 0;
	}
	for (gid = t->slot[i]; gid != ADV_NONE; gid = t->g[gid].next) {
		const unsigned char *rb = rep_bytes(t, a, r, gid, idx, bytes);

		if (!rb)
			return 0; /* the page in hand now represents the group */
		if (!memcmp(rb, bytes, ADV_PAGE)) {
			a->pages[idx].group = gid;
			return 0;
		}
	}
	/* same hash, other bytes: a collision, chained after the first group */
	if (t->n == t->cap)
		return -ENOMEM;
	a->collisions++;
	g2 = new_group(t, a, idx, bytes);
	t->g[g2].next = t->g[t->slot[i]].next;
	t->g[t->slot[i]].next = g2;
	return 0;
}
