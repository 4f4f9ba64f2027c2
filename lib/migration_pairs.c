// SPDX-License-Identifier: GPL-2.0
/*
 * Pairing the migration pte events of each thread, batch by batch (the
 * rules are in migration_pairs.h).  The fields of the four kinds are the
 * columns of their rows in include/ksm_event_kinds.h.
 */
#include <stdlib.h>
#include <string.h>

#include "migration_pairs.h"
#include "u64map.h"

#define PTE_ADDR(e) ((e)->aux[0])
#define PTE_ORDER(e) ((e)->aux[1])
#define START_DISTURBED(e) ((e)->aux[1])
#define END_DISTURBED(e) ((e)->aux[2])

/* Nested batches kept per thread; deeper means lost end events. */
#define MAX_DEPTH 4

/* The pending sets at one address, oldest first. */
struct at_addr {
	int n, cap;
	struct ksm_event *sets;
};

struct batch {
	struct ksm_event start;
	struct u64map pending; /* address -> struct at_addr */
	struct u64map moved;   /* old pfn -> the pfn it was seen moving to */
	struct u64map folios;  /* first pfn of a large folio a page of which moved -> 0 */
};

struct thread {
	int depth;
	struct batch *open[MAX_DEPTH];
};

struct mig_pairs {
	mig_fn fn;
	void *ctx;
	struct u64map threads; /* tid -> struct thread */
	size_t nopen;
};

struct mig_pairs *mig_pairs_new(mig_fn fn, void *ctx)
{
	struct mig_pairs *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->fn = fn;
	p->ctx = ctx;
	u64map_init(&p->threads, sizeof(struct thread));
	return p;
}

static void batch_free(struct batch *b)
{
	struct u64map_ent *e = NULL;
	size_t bucket = 0;

	while ((e = u64map_next(&b->pending, e, &bucket)))
		free(((struct at_addr *)u64map_val(e))->sets);
	u64map_free(&b->pending);
	u64map_free(&b->moved);
	u64map_free(&b->folios);
	free(b);
}

void mig_pairs_free(struct mig_pairs *p)
{
	struct u64map_ent *e = NULL;
	size_t bucket = 0;

	if (!p)
		return;
	while ((e = u64map_next(&p->threads, e, &bucket))) {
		struct thread *t = u64map_val(e);

		for (int i = 0; i < t->depth; i++)
			batch_free(t->open[i]);
	}
	u64map_free(&p->threads);
	free(p);
}

size_t mig_pairs_open(const struct mig_pairs *p)
{
	return p->nopen;
}

static uint64_t folio_first_pfn(const struct ksm_event *set)
{
	uint64_t order = PTE_ORDER(set) < 63 ? PTE_ORDER(set) : 0;

	return set->pfn & ~((1ULL << order) - 1);
}

static int cmp_ts(const void *a, const void *b)
{
	const struct ksm_event *x = a, *y = b;

	return x->ts_ns < y->ts_ns ? -1 : x->ts_ns > y->ts_ns;
}

/* Report every set still pending in b, oldest first, as left by end. */
static void report_left(struct mig_pairs *p, struct batch *b, const struct ksm_event *end,
			bool lossy)
{
	struct mig_match m = { .outcome = MIG_LEFT, .start = &b->start, .end = end };
	struct u64map_ent *e = NULL;
	struct ksm_event *all = NULL, *grown;
	size_t n = 0, bucket = 0;

	while ((e = u64map_next(&b->pending, e, &bucket))) {
		struct at_addr *a = u64map_val(e);

		grown = realloc(all, (n + a->n) * sizeof(*all));
		if (!grown)
			break; /* out of memory: report what fits */
		all = grown;
		memcpy(all + n, a->sets, a->n * sizeof(*all));
		n += a->n;
	}
	if (n) /* qsort(NULL, 0) is undefined (UBSan) */
		qsort(all, n, sizeof(*all), cmp_ts);
	m.lossy = lossy;
	for (size_t i = 0; i < n; i++) {
		m.set = &all[i];
		m.folio_moved =
			PTE_ORDER(&all[i]) && u64map_get(&b->folios, folio_first_pfn(&all[i]));
		p->fn(p->ctx, &m);
	}
	free(all);
}

/* Close the innermost batch of t (end NULL: its end event was lost). */
static void close_batch(struct mig_pairs *p, struct thread *t, const struct ksm_event *end)
{
	struct batch *b = t->open[--t->depth];

	report_left(p, b, end, !end || START_DISTURBED(&b->start) != END_DISTURBED(end));
	batch_free(b);
	p->nopen--;
}

static void on_start(struct mig_pairs *p, const struct ksm_event *e)
{
	struct thread *t = u64map_get_or_add(&p->threads, e->tid, NULL);
	struct batch *b;

	if (!t)
		return;
	/*
	 * A batch opened before events were lost (or an exiting process
	 * zapped pages), or too deep a stack: the end events of the open
	 * batches may be among the lost ones.
	 */
	if (t->depth && (START_DISTURBED(&t->open[t->depth - 1]->start) != START_DISTURBED(e) ||
			 t->depth == MAX_DEPTH))
		while (t->depth)
			close_batch(p, t, NULL);
	b = calloc(1, sizeof(*b));
	if (!b)
		return;
	b->start = *e;
	u64map_init(&b->pending, sizeof(struct at_addr));
	u64map_init(&b->moved, sizeof(uint64_t));
	u64map_init(&b->folios, 0);
	t->open[t->depth++] = b;
	p->nopen++;
}

static struct batch *innermost(struct mig_pairs *p, const struct ksm_event *e)
{
	struct thread *t = u64map_get(&p->threads, e->tid);

	return t && t->depth ? t->open[t->depth - 1] : NULL;
}

static void on_set(struct mig_pairs *p, const struct ksm_event *e)
{
	struct batch *b = innermost(p, e);
	struct at_addr *a;

	if (!b || !(a = u64map_get_or_add(&b->pending, PTE_ADDR(e), NULL)))
		return;
	if (a->n == a->cap) {
		int cap = a->cap ? a->cap * 2 : 2;
		struct ksm_event *s = realloc(a->sets, cap * sizeof(*s));

		if (!s)
			return;
		a->sets = s;
		a->cap = cap;
	}
	a->sets[a->n++] = *e;
}

/* Which pending set at the address a remove restores (see the header). */
static int pick(struct batch *b, const struct at_addr *a, uint64_t pfn)
{
	for (int i = 0; i < a->n; i++)
		if (a->sets[i].pfn == pfn)
			return i;
	for (int i = 0; i < a->n; i++) {
		uint64_t *to = u64map_get(&b->moved, a->sets[i].pfn);

		if (to && *to == pfn)
			return i;
	}
	return 0;
}

static void on_remove(struct mig_pairs *p, const struct ksm_event *e)
{
	struct batch *b = innermost(p, e);
	struct mig_match m = { .end = e };
	struct ksm_event set;
	struct at_addr *a;
	uint64_t *to;
	int i;

	if (!b || !(a = u64map_get(&b->pending, PTE_ADDR(e))))
		return;
	i = pick(b, a, e->pfn);
	set = a->sets[i];
	memmove(a->sets + i, a->sets + i + 1, (a->n - i - 1) * sizeof(set));
	if (!--a->n) {
		free(a->sets);
		u64map_del(&b->pending, PTE_ADDR(e));
	}
	m.start = &b->start;
	m.set = &set;
	m.outcome = set.pfn == e->pfn ? MIG_RESTORED : MIG_MOVED;
	if (m.outcome == MIG_MOVED) {
		m.first = !u64map_get(&b->moved, set.pfn);
		to = u64map_get_or_add(&b->moved, set.pfn, NULL);
		if (to)
			*to = e->pfn;
		if (PTE_ORDER(&set))
			u64map_get_or_add(&b->folios, folio_first_pfn(&set), NULL);
	}
	p->fn(p->ctx, &m);
}

static void on_end(struct mig_pairs *p, const struct ksm_event *e)
{
	struct thread *t = u64map_get(&p->threads, e->tid);

	if (!t || !t->depth)
		return; /* its start came before tracing began */
	close_batch(p, t, e);
	if (!t->depth)
		u64map_del(&p->threads, e->tid);
}

void mig_pairs_feed(struct mig_pairs *p, const struct ksm_event *e)
{
	switch (e->kind) {
	case KSM_EV_MIGRATE_PAGES_START:
		on_start(p, e);
		break;
	case KSM_EV_SET_MIGRATION_PTE:
		on_set(p, e);
		break;
	case KSM_EV_REMOVE_MIGRATION_PTE:
		on_remove(p, e);
		break;
	case KSM_EV_MIGRATE_PAGES:
		on_end(p, e);
		break;
	}
}
