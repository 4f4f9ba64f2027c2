// SPDX-License-Identifier: GPL-2.0
/*
 * Pages migrated per NUMA node, from the stock migrate tracepoints, so that
 * kernels without kernel-patch/ show migrations too: a set_migration_pte
 * paired with the remove_migration_pte that maps another page
 * (lib/migration_pairs.c) is a page that moved from the old page's node to
 * the new one's.  Each page counts once however many processes map it; a
 * failed migration (the old page mapped back) counts nothing.  These are all
 * pages, not only KSM ones: the tracepoints do not say which.
 */
#include "model.h"

static void on_match(void *ctx, const struct mig_match *mm)
{
	struct top_model *m = ctx;
	struct top_node *from, *to;

	if (mm->outcome != MIG_MOVED || !mm->first)
		return;
	from = top_node_of(m, mm->set->nid, mm->set->pfn);
	to = top_node_of(m, mm->end->nid, mm->end->pfn);
	if (from)
		from->page_migrations_out++;
	if (to)
		to->page_migrations_in++;
}

struct mig_pairs *top_migrations_new(struct top_model *m)
{
	return mig_pairs_new(on_match, m);
}
