// SPDX-License-Identifier: GPL-2.0
/*
 * The migration entry family (migration_entry_leftover), from the stock
 * migrate tracepoints: an entry set by a batch's first rmap walk that no
 * remove restored by the batch's end.  lib/migration_pairs.c does the
 * pairing; this file judges what it left over.
 *
 * Not judged, only counted (det_migration_unjudged): entries of a batch
 * during which events were lost (the remove may be one of them) or an
 * exiting process changed its page tables (a zap ends an entry without a
 * remove), and entries of a large folio none of whose pages moved in the
 * batch (a THP split maps its zero-filled subpages to the zero page without
 * a remove).
 */
#include <stdio.h>

#include "det_model.h"
#include "event_fmt.h"

static void report_leftover(struct detectors *d, const struct mig_match *m)
{
	const struct ksm_event *s = m->set;
	struct det_finding f;

	det_finding_init(&f, DET_MIGRATION_ENTRY_LEFTOVER, m->end->ts_ns, 0, s->pid);
	snprintf(f.message, sizeof(f.message),
		 "migration entry at 0x%llx for pfn 0x%llx (order %llu) never removed: "
		 "%s batch of tid %u ended (%llu migrated, %llu failed) with it in place",
		 (unsigned long long)s->aux[0], (unsigned long long)s->pfn,
		 (unsigned long long)s->aux[1],
		 ksm_reason_name(m->start->kind, m->start->reason) ?: "a", s->tid,
		 (unsigned long long)m->end->aux[0], (unsigned long long)m->end->aux[1]);
	det_add_evidence(&f, m->start);
	det_add_evidence(&f, s);
	det_add_evidence(&f, m->end);
	det_report(d, &f);
}

static void on_match(void *ctx, const struct mig_match *m)
{
	struct detectors *d = ctx;

	if (m->outcome != MIG_LEFT)
		return;
	if (m->lossy || (m->set->aux[1] && !m->folio_moved))
		d->mig_unjudged++;
	else
		report_leftover(d, m);
}

struct mig_pairs *det_migration_entries_new(struct detectors *d)
{
	return mig_pairs_new(on_match, d);
}

void det_migration_entries_feed(struct detectors *d, const struct ksm_event *e)
{
	mig_pairs_feed(d->migs, e);
}

uint64_t det_migration_unjudged(const struct detectors *d)
{
	return d->mig_unjudged;
}
