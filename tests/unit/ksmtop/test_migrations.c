// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ksmtop's page migrations per node (tools/ksmtop/
 * migrations.c): the stock migrate tracepoints of a batch, as the event
 * source delivers them, counted per node of the old and the new page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model.h"

static void mig(struct top_model *m, unsigned int kind, uint64_t addr, uint64_t pfn, int nid)
{
	struct ksm_event e = { .kind = kind, .tid = 77, .pid = 77, .pfn = pfn, .nid = nid };

	e.aux[0] = addr;
	top_model_event(m, &e);
}

static void counts_pages_per_node(void **state)
{
	struct top_model m;

	assert_int_equal(top_model_init(&m), 0);
	mig(&m, KSM_EV_MIGRATE_PAGES_START, 0, 0, -1);
	/* page 10 on node 0, mapped by two processes, moves to 20 on node 1 */
	mig(&m, KSM_EV_SET_MIGRATION_PTE, 0x1000, 10, 0);
	mig(&m, KSM_EV_SET_MIGRATION_PTE, 0x1000, 10, 0);
	/* page 11 fails to move: restored */
	mig(&m, KSM_EV_SET_MIGRATION_PTE, 0x2000, 11, 0);
	mig(&m, KSM_EV_REMOVE_MIGRATION_PTE, 0x1000, 20, 1);
	mig(&m, KSM_EV_REMOVE_MIGRATION_PTE, 0x1000, 20, 1);
	mig(&m, KSM_EV_REMOVE_MIGRATION_PTE, 0x2000, 11, 0);
	mig(&m, KSM_EV_MIGRATE_PAGES, 0, 0, -1);
	assert_int_equal(m.nr_nodes, 2);
	assert_int_equal(m.node[0].page_migrations_out, 1);
	assert_int_equal(m.node[0].page_migrations_in, 0);
	assert_int_equal(m.node[1].page_migrations_in, 1);
	assert_int_equal(m.node[1].page_migrations_out, 0);
	/* the KSM folio counts are the patched kernel's, untouched */
	assert_int_equal(m.node[0].migrations_out, 0);
	top_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_pages_per_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
