// SPDX-License-Identifier: GPL-2.0
/*
 * The migration family (migration_stale_race, retry_storm), from the patched
 * migrate_folio, get_folio_stale and get_folio_retry tracepoints: the last
 * migration of each stable node and the kpfn-change retries that followed.
 */
#include <stdio.h>

#include "det_model.h"
#include "event_fmt.h"

static void on_stale(struct detectors *d, const struct ksm_event *e)
{
	struct node_st *n = u64map_get(&d->nodes, e->node);
	struct det_finding f;

	if (!n || !n->have_migrate || n->retried)
		return;
	if (e->pfn != n->migrate.pfn || e->pfn == n->migrate.pfn2)
		return;
	if (e->ts_ns < n->migrate.ts_ns || e->ts_ns - n->migrate.ts_ns > d->cfg.race_window_ns)
		return;
	det_finding_init(&f, DET_MIGRATION_STALE_RACE, e->ts_ns, e->node, 0);
	snprintf(f.message, sizeof(f.message),
		 "stable node 0x%llx called stale (%s) on kpfn 0x%llx %.3f ms after its page "
		 "migrated 0x%llx -> 0x%llx, without a kpfn re-read retry",
		 e->node, ksm_reason_name(e->kind, e->reason), e->pfn,
		 (e->ts_ns - n->migrate.ts_ns) / 1e6, n->migrate.pfn, n->migrate.pfn2);
	if (n->have_insert)
		det_add_evidence(&f, &n->insert);
	det_add_evidence(&f, &n->migrate);
	det_add_evidence(&f, e);
	det_report(d, &f);
}

static void on_retry(struct detectors *d, const struct ksm_event *e)
{
	struct node_st *n = u64map_get_or_add(&d->nodes, e->node, NULL);
	struct det_finding f;
	unsigned int i, first, kept;

	if (!n)
		return;
	n->retried = true;
	if (!n->retries || e->ts_ns - n->retry_start > d->cfg.retry_window_ns) {
		n->retries = 0;
		n->retry_start = e->ts_ns;
	}
	n->retry[n->retries % NODE_RETRIES] = *e;
	if (++n->retries < d->cfg.retry_limit)
		return;
	det_finding_init(&f, DET_RETRY_STORM, e->ts_ns, e->node, 0);
	snprintf(f.message, sizeof(f.message),
		 "%u kpfn-change retries on stable node 0x%llx within %.3f ms: "
		 "ksm_get_folio does not converge",
		 n->retries, e->node, (e->ts_ns - n->retry_start) / 1e6);
	kept = n->retries < NODE_RETRIES ? n->retries : NODE_RETRIES;
	first = n->retries - kept;
	for (i = 0; i < kept; i++)
		det_add_evidence(&f, &n->retry[(first + i) % NODE_RETRIES]);
	det_report(d, &f);
	/* Start a new window: a storm that goes on reports again, not per retry. */
	n->retries = 0;
}

static void on_migrate(struct detectors *d, const struct ksm_event *e)
{
	struct node_st *n;

	if (!e->node)
		return;
	n = u64map_get_or_add(&d->nodes, e->node, NULL);
	if (n) {
		n->have_migrate = true;
		n->migrate = *e;
		n->retried = false;
	}
}

void det_migration_feed(struct detectors *d, const struct ksm_event *e)
{
	switch (e->kind) {
	case KSM_EV_GET_FOLIO_STALE:
		on_stale(d, e);
		break;
	case KSM_EV_GET_FOLIO_RETRY:
		on_retry(d, e);
		break;
	case KSM_EV_MIGRATE_FOLIO:
		on_migrate(d, e);
		break;
	}
}
