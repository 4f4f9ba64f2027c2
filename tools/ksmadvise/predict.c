// SPDX-License-Identifier: GPL-2.0
/*
 * What ksmd would make of the sampled pages, as mm/ksm.c does it:
 *  - n mappings of one content become KSM pages of at most
 *    max_page_sharing mappings each (a stable-node chain of dups, filled
 *    one after the other); pages_shared counts the KSM pages,
 *    pages_sharing the other mappings, and each mapping counts in its
 *    process's ksm_merging_pages.  A lone page left after full dups finds
 *    no partner in the unstable tree and stays unmerged.
 *  - with use_zero_pages, an all-zero page is mapped to the zero page
 *    instead, even alone: it counts in ksm_zero_pages, never in
 *    pages_sharing.
 *  - a page whose content changed between the samples is volatile: ksmd
 *    leaves it out of the unstable tree.
 * Scopes change only who may merge with whom: everything together, per
 * NUMA node (merge_across_nodes=0), each cgroup alone, each --boundary.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "advise.h"

enum scope { SC_GLOBAL, SC_NODE, SC_CGROUP, SC_DOMAIN };

struct member {
	uint32_t key, idx;
};

static int cmp_member(const void *x, const void *y)
{
	const struct member *a = x, *b = y;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static uint32_t key_of(const struct adv *a, const struct adv_page *p, enum scope s)
{
	switch (s) {
	case SC_NODE:
		return (uint32_t)(p->nid + 1);
	case SC_CGROUP:
		return a->procs[p->proc].cg;
	case SC_DOMAIN:
		return a->cgs[a->procs[p->proc].cg].domain;
	default:
		return 0;
	}
}

/* KSM pages (dups) and merged mappings for n equal pages in one tree. */
static void outcome(uint64_t n, uint64_t max_sharing, uint64_t *dups, uint64_t *merged)
{
	uint64_t full = n / max_sharing, rem = n % max_sharing;

	*dups = full + (rem >= 2);
	*merged = n < 2 ? 0 : rem == 1 ? n - 1 : n;
	if (n < 2)
		*dups = 0;
}

struct scope_run {
	struct adv *a;
	enum scope s;
	struct adv_scope *sc;
	uint16_t flag;	 /* set on the members that merge */
	bool zero_merge; /* the group is all zero and use_zero_pages is on */
	bool config;	 /* the scope as configured: it sets the saving shares */
};

/* One run of members with the same key: KSM's outcome for them. */
static void run_outcome(const struct scope_run *r, const struct member *m, size_t k)
{
	struct adv *a = r->a;
	uint64_t dups = 0, merged = k, saved = k;

	if (r->zero_merge) {
		r->sc->zero += k;
	} else {
		outcome(k, a->knobs.max_page_sharing, &dups, &merged);
		saved = merged - dups;
		r->sc->ksm_pages += dups;
		r->sc->sharing += saved;
		r->sc->merging += merged;
		r->sc->leftover += k >= 2 ? k - merged : 0;
	}
	r->sc->saving += saved;
	if (r->s == SC_DOMAIN)
		a->domains[m[0].key].saving_isolated += saved;
	if (r->s == SC_CGROUP)
		a->cgs[m[0].key].saving_isolated += saved;
	/* in scan order: the lone leftover is the last page ksmd meets */
	for (uint64_t i = 0; i < merged; i++) {
		struct adv_page *p = &a->pages[m[i].idx];

		p->flags |= r->flag;
		if (r->config)
			a->procs[p->proc].c.saving += (double)saved / (double)merged;
	}
}

static void apply_scope(const struct scope_run *r, struct member *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		m[i].key = key_of(r->a, &r->a->pages[m[i].idx], r->s);
	if (r->s != SC_GLOBAL)
		qsort(m, n, sizeof(*m), cmp_member);
	for (size_t i = 0, k; i < n; i += k) {
		for (k = 1; i + k < n && m[i + k].key == m[i].key; k++)
			;
		run_outcome(r, m + i, k);
	}
}

/* The cgroups that would share this group's KSM pages (m sorted by cgroup). */
static int group_pairs(struct adv *a, const struct member *m, size_t n, uint32_t *cgs,
		       uint64_t **keys, size_t *nk, size_t *cap)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!i || m[i].key != m[i - 1].key)
			cgs[k++] = m[i].key;
	if (k < 2)
		return 0;
	a->cross_contents++;
	return sharing_pairs_push(keys, nk, cap, cgs, k);
}

/* Every scope over one content group's members (in page order). */
static int predict_group(struct adv *a, struct member *m, size_t n, uint32_t *cgs, uint64_t **keys,
			 size_t *nk, size_t *cap)
{
	bool zero = a->knobs.use_zero_pages && (a->pages[m[0].idx].flags & PG_ZERO);
	bool across = a->knobs.merge_across_nodes;
	struct scope_run r = { .a = a, .zero_merge = zero };

	r.s = SC_GLOBAL, r.sc = &a->global, r.flag = across ? PG_MERGED : 0, r.config = across;
	apply_scope(&r, m, n);
	r.s = SC_NODE, r.sc = &a->per_node, r.flag = across ? 0 : PG_MERGED, r.config = !across;
	apply_scope(&r, m, n);
	r.s = SC_CGROUP, r.sc = &a->per_cgroup, r.flag = PG_ISOLATED, r.config = false;
	apply_scope(&r, m, n);
	/* the zero page is everyone's: mapping it shares nothing between tenants */
	if (!zero && n >= 2 && group_pairs(a, m, n, cgs, keys, nk, cap))
		return -ENOMEM;
	if (a->bounds.n) {
		r.s = SC_DOMAIN, r.sc = &a->per_domain, r.flag = 0;
		apply_scope(&r, m, n);
	}
	return 0;
}

static void add_counts(struct adv_counts *to, const struct adv_counts *c)
{
	to->pages += c->pages;
	to->volatile_ += c->volatile_;
	to->zero += c->zero;
	to->merging += c->merging;
	to->isolated += c->isolated;
	to->needs_sharing += c->needs_sharing;
	to->saving += c->saving;
}

/* Per process from the page flags, then summed per cgroup, workload, domain. */
static void count_pages(struct adv *a)
{
	for (size_t i = 0; i < a->npages; i++) {
		const struct adv_page *p = &a->pages[i];
		struct adv_counts *c = &a->procs[p->proc].c;
		bool zero_merged = (p->flags & PG_ZERO) && a->knobs.use_zero_pages;

		c->pages++;
		if (p->flags & PG_VOLATILE) {
			c->volatile_++;
			continue;
		}
		c->zero += !!(p->flags & PG_ZERO);
		if (zero_merged)
			continue; /* ksm_zero_pages, not ksm_merging_pages */
		c->merging += !!(p->flags & PG_MERGED);
		c->isolated += !!(p->flags & PG_ISOLATED);
		c->needs_sharing += (p->flags & PG_MERGED) && !(p->flags & PG_ISOLATED);
	}
	for (size_t i = 0; i < a->nprocs; i++) {
		struct adv_cgroup *cg = &a->cgs[a->procs[i].cg];

		cg->nprocs++;
		add_counts(&cg->c, &a->procs[i].c);
		add_counts(&a->workloads[cg->workload].c, &a->procs[i].c);
		add_counts(&a->domains[cg->domain].c, &a->procs[i].c);
	}
}

/* Stable pages by content group (a counting sort keeps page order). */
static struct member *sort_by_group(struct adv *a, uint32_t **start)
{
	uint32_t *off = calloc((size_t)a->ngroups + 1, sizeof(*off));
	struct member *m = malloc((a->npages ? a->npages : 1) * sizeof(*m));

	if (!off || !m) {
		free(off);
		free(m);
		return NULL;
	}
	for (size_t i = 0; i < a->npages; i++)
		if (a->pages[i].group != ADV_NONE)
			off[a->pages[i].group + 1]++;
	for (uint32_t g = 0; g < a->ngroups; g++)
		off[g + 1] += off[g];
	*start = off;
	for (size_t i = 0; i < a->npages; i++) {
		uint32_t g = a->pages[i].group;

		if (g != ADV_NONE)
			m[off[g]++] = (struct member){ .idx = (uint32_t)i };
	}
	/* off[g] now ends group g; shift back to starts */
	memmove(off + 1, off, (size_t)a->ngroups * sizeof(*off));
	off[0] = 0;
	return m;
}

int adv_predict(struct adv *a)
{
	uint32_t *start = NULL, *cgs = calloc(a->ncgs ? a->ncgs : 1, sizeof(*cgs));
	struct member *m = sort_by_group(a, &start);
	uint64_t *keys = NULL;
	size_t nk = 0, cap = 0;
	int err = 0;

	if (!m || !cgs) {
		free(m);
		free(start);
		free(cgs);
		return -ENOMEM;
	}
	for (uint32_t g = 0; g < a->ngroups && !err; g++)
		err = predict_group(a, m + start[g], start[g + 1] - start[g], cgs, &keys, &nk,
				    &cap);
	free(m);
	free(start);
	free(cgs);
	if (err) {
		free(keys);
		return err;
	}
	a->config = a->knobs.merge_across_nodes ? a->global : a->per_node;
	count_pages(a);
	return sharing_pairs_count(keys, nk, &a->pairs, &a->npairs);
}
