// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for migration_entry_leftover (tools/ksmdebug/
 * det_migration_entries.c): the signature as synthetic migrate tracepoint
 * streams, and its near misses, which must stay silent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detectors.h"

#define MS 1000000ULL
#define MIGRATOR 700
#define STACK_OLD 0x7ffffffde000ULL /* a page of exec's temporary stack */
#define HEAP 0x55555555a000ULL
#define MR_SYSCALL 3

struct fx {
	struct detectors *d;
	int findings;
	struct det_finding last;
	uint64_t now;
	uint32_t tid;
	uint64_t disturbed;
};

static void collect(void *ctx, const struct det_finding *f)
{
	struct fx *fx = ctx;

	fx->findings++;
	fx->last = *f;
}

/* One detector per test, fresh. */
static struct fx fx_static;

static int setup(void **state)
{
	fx_static = (struct fx){ .now = 5000 * MS, .tid = MIGRATOR };
	fx_static.d = det_new(NULL, collect, &fx_static);
	*state = &fx_static;
	return fx_static.d ? 0 : -1;
}

static int teardown(void **state)
{
	det_free(fx_static.d);
	return 0;
}

/* An event of the migrating thread fx->tid, 1 ms after the previous one. */
static void feed(struct fx *fx, unsigned int kind, uint64_t pfn, uint64_t a0, uint64_t a1,
		 uint64_t a2)
{
	struct ksm_event e = { 0 };

	fx->now += MS;
	e.ts_ns = fx->now;
	e.kind = kind;
	e.tid = fx->tid;
	e.pid = MIGRATOR;
	strcpy(e.comm, "migrator");
	e.pfn = pfn;
	e.nid = -1;
	e.nid2 = -1;
	e.aux[0] = a0;
	e.aux[1] = a1;
	e.aux[2] = a2;
	if (kind == KSM_EV_MIGRATE_PAGES_START)
		e.reason = MR_SYSCALL;
	det_feed(fx->d, &e);
}

static void batch_start(struct fx *fx)
{
	feed(fx, KSM_EV_MIGRATE_PAGES_START, 0, 2, fx->disturbed, 0);
}

static void batch_end(struct fx *fx, uint64_t ok, uint64_t failed)
{
	feed(fx, KSM_EV_MIGRATE_PAGES, 0, ok, failed, fx->disturbed);
}

static void set_pte(struct fx *fx, uint64_t addr, uint64_t pfn, uint64_t order)
{
	feed(fx, KSM_EV_SET_MIGRATION_PTE, pfn, addr, order, 0);
}

static void remove_pte(struct fx *fx, uint64_t addr, uint64_t pfn)
{
	feed(fx, KSM_EV_REMOVE_MIGRATION_PTE, pfn, addr, 0, 0);
}

/*
 * The 2010 race: the first walk sets the entry at the stack's old address,
 * exec moves the page tables, the second walk looks at the new address and
 * finds nothing: no remove, and the batch reports the page migrated.
 */
static void exec_race_fires(void **state)
{
	struct fx *fx = *state;

	batch_start(fx);
	set_pte(fx, STACK_OLD, 0x1234, 0);
	batch_end(fx, 1, 0);
	assert_int_equal(fx->findings, 1);
	assert_int_equal(fx->last.id, DET_MIGRATION_ENTRY_LEFTOVER);
	assert_string_equal(det_name(fx->last.id), "migration_entry_leftover");
	assert_int_equal(fx->last.pid, MIGRATOR);
	assert_non_null(strstr(fx->last.message, "at 0x7ffffffde000 for pfn 0x1234"));
	assert_non_null(strstr(fx->last.message, "syscall_or_cpuset"));
	assert_int_equal(fx->last.nr_evidence, 3);
	assert_int_equal(fx->last.evidence[0].kind, KSM_EV_MIGRATE_PAGES_START);
	assert_int_equal(fx->last.evidence[1].kind, KSM_EV_SET_MIGRATION_PTE);
	assert_int_equal(fx->last.evidence[2].kind, KSM_EV_MIGRATE_PAGES);
	assert_int_equal(det_count(fx->d, DET_MIGRATION_ENTRY_LEFTOVER), 1);
}

/* Found when the batch ends, not before: the remove may still come. */
static void fires_at_batch_end_only(void **state)
{
	struct fx *fx = *state;

	batch_start(fx);
	set_pte(fx, STACK_OLD, 0x1234, 0);
	set_pte(fx, HEAP, 0x5678, 0);
	remove_pte(fx, HEAP, 0x9999);
	assert_int_equal(fx->findings, 0);
	batch_end(fx, 2, 0);
	assert_int_equal(fx->findings, 1);
	assert_int_equal(fx->last.evidence[1].pfn, 0x1234);
}

static void migrated_and_failed_are_silent(void **state)
{
	struct fx *fx = *state;

	batch_start(fx);
	set_pte(fx, HEAP, 0x5678, 0);
	set_pte(fx, STACK_OLD, 0x1234, 0);
	remove_pte(fx, HEAP, 0x9999);	   /* migrated */
	remove_pte(fx, STACK_OLD, 0x1234); /* failed: the old folio restored */
	batch_end(fx, 1, 1);
	assert_int_equal(fx->findings, 0);
	assert_int_equal(det_migration_unjudged(fx->d), 0);
}

/* A page shared by parent and child after fork: one address, two entries. */
static void forked_multiplicity(void **state)
{
	struct fx *fx = *state;

	batch_start(fx);
	set_pte(fx, HEAP, 0x5678, 0);
	set_pte(fx, HEAP, 0x5678, 0);
	remove_pte(fx, HEAP, 0x9999);
	remove_pte(fx, HEAP, 0x9999);
	batch_end(fx, 1, 0);
	assert_int_equal(fx->findings, 0);

	batch_start(fx);
	set_pte(fx, HEAP, 0x5678, 0);
	set_pte(fx, HEAP, 0x5678, 0);
	set_pte(fx, HEAP, 0x5678, 0);
	remove_pte(fx, HEAP, 0x9999);
	remove_pte(fx, HEAP, 0x9999);
	batch_end(fx, 1, 0);
	assert_int_equal(fx->findings, 1); /* three mms, two restored */
	assert_non_null(strstr(fx->last.message, "for pfn 0x5678"));
}

/* Another thread's batch, or its remove, does not end or match this one. */
static void other_thread(void **state)
{
	struct fx *fx = *state;

	batch_start(fx);
	set_pte(fx, STACK_OLD, 0x1234, 0);
	fx->tid = MIGRATOR + 1;
	batch_start(fx);
	remove_pte(fx, STACK_OLD, 0x4321);
	batch_end(fx, 0, 0);
	assert_int_equal(fx->findings, 0);
	fx->tid = MIGRATOR;
	batch_end(fx, 1, 0);
	assert_int_equal(fx->findings, 1);
}

/* Events lost during the batch: the remove may be among them. */
static void lost_events_not_judged(void **state)
{
	struct fx *fx = *state;

	batch_start(fx);
	set_pte(fx, STACK_OLD, 0x1234, 0);
	fx->disturbed = 17;
	batch_end(fx, 1, 0);
	assert_int_equal(fx->findings, 0);
	assert_int_equal(det_migration_unjudged(fx->d), 1);
}

/* A THP split in a batch: zero-filled subpages go to the zero page, untraced. */
static void split_large_folio_not_judged(void **state)
{
	struct fx *fx = *state;

	batch_start(fx);
	set_pte(fx, HEAP, 0x200, 9);
	set_pte(fx, HEAP + 0x1000, 0x201, 9);
	remove_pte(fx, HEAP, 0x200); /* restored in place after the split */
	batch_end(fx, 0, 1);
	assert_int_equal(fx->findings, 0);
	assert_int_equal(det_migration_unjudged(fx->d), 1);
	/* but a large folio that moved must have all of its entries removed */
	batch_start(fx);
	set_pte(fx, HEAP, 0x200, 9);
	set_pte(fx, HEAP + 0x1000, 0x201, 9);
	remove_pte(fx, HEAP, 0x400);
	batch_end(fx, 512, 0);
	assert_int_equal(fx->findings, 1);
}

/* Sets outside a batch, and a batch whose start was not traced. */
static void outside_batches_silent(void **state)
{
	struct fx *fx = *state;

	set_pte(fx, HEAP, 0x5678, 0);
	batch_end(fx, 1, 0);
	set_pte(fx, STACK_OLD, 0x1234, 0);
	assert_int_equal(fx->findings, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(exec_race_fires, setup, teardown),
		cmocka_unit_test_setup_teardown(fires_at_batch_end_only, setup, teardown),
		cmocka_unit_test_setup_teardown(migrated_and_failed_are_silent, setup, teardown),
		cmocka_unit_test_setup_teardown(forked_multiplicity, setup, teardown),
		cmocka_unit_test_setup_teardown(other_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(lost_events_not_judged, setup, teardown),
		cmocka_unit_test_setup_teardown(split_large_folio_not_judged, setup, teardown),
		cmocka_unit_test_setup_teardown(outside_batches_silent, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
