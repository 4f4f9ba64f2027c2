// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/migration_pairs.c: how set/remove_migration_pte events
 * of a thread's batches pair into migrations, restores and leftovers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migration_pairs.h"

#define TID 4242
#define A1 0x7f0000001000ULL
#define A2 0x7f0000002000ULL

struct seen {
	int n[3];	       /* per outcome */
	int first;	       /* MOVED with first set */
	uint64_t last_set_pfn; /* copied from last */
	uint64_t last_end_pfn;
	bool last_lossy, last_folio_moved;
};

static void record(void *ctx, const struct mig_match *m)
{
	struct seen *s = ctx;

	s->n[m->outcome]++;
	s->first += m->outcome == MIG_MOVED && m->first;
	s->last_set_pfn = m->set->pfn;
	s->last_end_pfn = m->end ? m->end->pfn : 0;
	s->last_lossy = m->lossy;
	s->last_folio_moved = m->folio_moved;
}

struct fx {
	struct seen seen;
	struct mig_pairs *p;
	uint64_t ts;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	fx->p = mig_pairs_new(record, &fx->seen);
	*state = fx;
	return fx->p ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	mig_pairs_free(fx->p);
	free(fx);
	return 0;
}

/* One event of thread tid: aux as the kind's row orders it. */
static void ev(struct fx *fx, uint32_t tid, unsigned int kind, uint64_t pfn, uint64_t a0,
	       uint64_t a1, uint64_t a2)
{
	struct ksm_event e = { .kind = kind, .tid = tid, .pfn = pfn, .ts_ns = ++fx->ts };

	e.aux[0] = a0;
	e.aux[1] = a1;
	e.aux[2] = a2;
	mig_pairs_feed(fx->p, &e);
}

static void start(struct fx *fx, uint32_t tid, uint64_t disturbed)
{
	ev(fx, tid, KSM_EV_MIGRATE_PAGES_START, 0, 2, disturbed, 0);
}

static void end(struct fx *fx, uint32_t tid, uint64_t disturbed)
{
	ev(fx, tid, KSM_EV_MIGRATE_PAGES, 0, 1, 0, disturbed);
}

static void set(struct fx *fx, uint32_t tid, uint64_t addr, uint64_t pfn, int order)
{
	ev(fx, tid, KSM_EV_SET_MIGRATION_PTE, pfn, addr, order, 0);
}

static void rm(struct fx *fx, uint32_t tid, uint64_t addr, uint64_t pfn)
{
	ev(fx, tid, KSM_EV_REMOVE_MIGRATION_PTE, pfn, addr, 0, 0);
}

static void moved_and_restored(void **state)
{
	struct fx *fx = *state;

	start(fx, TID, 0);
	set(fx, TID, A1, 100, 0);
	set(fx, TID, A2, 200, 0);
	rm(fx, TID, A1, 900); /* migrated */
	rm(fx, TID, A2, 200); /* failed, the old page back */
	end(fx, TID, 0);
	assert_int_equal(fx->seen.n[MIG_MOVED], 1);
	assert_int_equal(fx->seen.n[MIG_RESTORED], 1);
	assert_int_equal(fx->seen.n[MIG_LEFT], 0);
	assert_int_equal(mig_pairs_open(fx->p), 0);
}

static void left_at_batch_end(void **state)
{
	struct fx *fx = *state;

	start(fx, TID, 0);
	set(fx, TID, A1, 100, 0);
	set(fx, TID, A2, 200, 0);
	rm(fx, TID, A1, 900);
	assert_int_equal(fx->seen.n[MIG_LEFT], 0); /* not before the end */
	end(fx, TID, 0);
	assert_int_equal(fx->seen.n[MIG_LEFT], 1);
	assert_int_equal(fx->seen.last_set_pfn, 200);
	assert_false(fx->seen.last_lossy);
}

/* Parent and child after fork: one page, two mms, one address. */
static void forked_mms_share_an_address(void **state)
{
	struct fx *fx = *state;

	start(fx, TID, 0);
	set(fx, TID, A1, 100, 0);
	set(fx, TID, A1, 100, 0);
	rm(fx, TID, A1, 900);
	end(fx, TID, 0);
	assert_int_equal(fx->seen.n[MIG_MOVED], 1);
	assert_int_equal(fx->seen.n[MIG_LEFT], 1); /* two set, one removed */

	memset(&fx->seen, 0, sizeof(fx->seen));
	start(fx, TID, 0);
	set(fx, TID, A1, 100, 0);
	set(fx, TID, A1, 100, 0);
	rm(fx, TID, A1, 900);
	rm(fx, TID, A1, 900);
	end(fx, TID, 0);
	assert_int_equal(fx->seen.n[MIG_MOVED], 2);
	assert_int_equal(fx->seen.first, 1); /* one page, counted once */
	assert_int_equal(fx->seen.n[MIG_LEFT], 0);
}

/* After COW, two pages at one address: each remove finds its own. */
static void two_pages_one_address(void **state)
{
	struct fx *fx = *state;

	start(fx, TID, 0);
	set(fx, TID, A1, 100, 0);
	set(fx, TID, A1, 300, 0);
	rm(fx, TID, A1, 300); /* the second restored */
	end(fx, TID, 0);
	assert_int_equal(fx->seen.n[MIG_RESTORED], 1);
	assert_int_equal(fx->seen.n[MIG_LEFT], 1);
	assert_int_equal(fx->seen.last_set_pfn, 100);
}

static void threads_apart(void **state)
{
	struct fx *fx = *state;

	start(fx, 1, 0);
	start(fx, 2, 0);
	set(fx, 1, A1, 100, 0);
	set(fx, 2, A1, 100, 0);
	rm(fx, 1, A1, 900);
	end(fx, 1, 0); /* thread 2's entry is still in flight: fine */
	assert_int_equal(fx->seen.n[MIG_LEFT], 0);
	rm(fx, 2, A1, 901);
	end(fx, 2, 0);
	assert_int_equal(fx->seen.n[MIG_MOVED], 2);
	assert_int_equal(fx->seen.n[MIG_LEFT], 0);
	/* a remove by a thread that did not set it is not a match */
	start(fx, 3, 0);
	set(fx, 3, A2, 5, 0);
	rm(fx, 4, A2, 6);
	end(fx, 3, 0);
	assert_int_equal(fx->seen.n[MIG_LEFT], 1);
}

/* Direct compaction inside a batch: the inner batch judges its own sets. */
static void nested_batches(void **state)
{
	struct fx *fx = *state;

	start(fx, TID, 0);
	set(fx, TID, A1, 100, 0);
	start(fx, TID, 0);
	set(fx, TID, A2, 200, 0);
	rm(fx, TID, A2, 201);
	end(fx, TID, 0);
	assert_int_equal(fx->seen.n[MIG_LEFT], 0);
	rm(fx, TID, A1, 101);
	end(fx, TID, 0);
	assert_int_equal(fx->seen.n[MIG_MOVED], 2);
	assert_int_equal(fx->seen.n[MIG_LEFT], 0);
	assert_int_equal(mig_pairs_open(fx->p), 0);
}

static void lost_events_make_it_lossy(void **state)
{
	struct fx *fx = *state;

	start(fx, TID, 3);
	set(fx, TID, A1, 100, 0);
	end(fx, TID, 4); /* one event lost meanwhile */
	assert_int_equal(fx->seen.n[MIG_LEFT], 1);
	assert_true(fx->seen.last_lossy);
	/* a lost end: the next start after the loss closes the batch, lossy */
	start(fx, TID, 4);
	set(fx, TID, A1, 100, 0);
	start(fx, TID, 5);
	assert_int_equal(fx->seen.n[MIG_LEFT], 2);
	assert_true(fx->seen.last_lossy);
	assert_int_equal(fx->seen.last_end_pfn, 0);
	assert_int_equal(mig_pairs_open(fx->p), 1);
}

static void outside_a_batch_not_paired(void **state)
{
	struct fx *fx = *state;

	set(fx, TID, A1, 100, 2); /* a THP split */
	rm(fx, TID, A1, 100);
	end(fx, TID, 0); /* started before tracing did */
	rm(fx, TID, A2, 7);
	assert_int_equal(fx->seen.n[MIG_MOVED] + fx->seen.n[MIG_RESTORED] + fx->seen.n[MIG_LEFT],
			 0);
	assert_int_equal(mig_pairs_open(fx->p), 0);
}

/* A large folio: whether one of its pages moved decides folio_moved. */
static void large_folio(void **state)
{
	struct fx *fx = *state;

	start(fx, TID, 0);
	set(fx, TID, A1, 512, 9);
	set(fx, TID, A2, 513, 9);
	rm(fx, TID, A1, 1024);
	end(fx, TID, 0);
	assert_int_equal(fx->seen.n[MIG_LEFT], 1);
	assert_true(fx->seen.last_folio_moved);

	start(fx, TID, 0);
	set(fx, TID, A1, 512, 9);
	set(fx, TID, A2, 513, 9);
	rm(fx, TID, A1, 512); /* split, restored in place; A2 was zero */
	end(fx, TID, 0);
	assert_int_equal(fx->seen.n[MIG_LEFT], 2);
	assert_false(fx->seen.last_folio_moved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(moved_and_restored, setup, teardown),
		cmocka_unit_test_setup_teardown(left_at_batch_end, setup, teardown),
		cmocka_unit_test_setup_teardown(forked_mms_share_an_address, setup, teardown),
		cmocka_unit_test_setup_teardown(two_pages_one_address, setup, teardown),
		cmocka_unit_test_setup_teardown(threads_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(nested_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(lost_events_make_it_lossy, setup, teardown),
		cmocka_unit_test_setup_teardown(outside_a_batch_not_paired, setup, teardown),
		cmocka_unit_test_setup_teardown(large_folio, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
