// SPDX-License-Identifier: GPL-2.0
/*
 * The stable-node family (leftover_nodes, removed_while_mapped), from the
 * patched stable_node_insert/remove and remove_all_stable_nodes_begin/end
 * tracepoints: which nodes are live, and what a bulk removal left behind.
 */
#include <stdio.h>

#include "det_model.h"
#include "event_fmt.h"

static void on_insert(struct detectors *d, const struct ksm_event *e)
{
	struct node_st *n = u64map_get_or_add(&d->nodes, e->node, NULL);

	if (!n)
		return;
	/* A dup moving under a new chain is inserted again: same node, keep history. */
	n->have_insert = true;
	n->insert = *e;
	u64map_del(&d->removed, e->pfn);
}

/* Removals that do not walk the node's rmap items first (stale and
 * chain_prune do, by design).  An orphan node's domain has no mm left, so
 * none of its rmap items can be live either. */
static bool forced_reason(unsigned int reason)
{
	return reason == KSM_NODE_RM_FORCED || reason == KSM_NODE_RM_UNMERGE ||
	       reason == KSM_NODE_RM_MERGE_ACROSS_NODES || reason == KSM_NODE_RM_MAX_PAGE_SHARING ||
	       reason == KSM_NODE_RM_HOTREMOVE || reason == KSM_NODE_RM_ORPHAN;
}

static void on_node_remove(struct detectors *d, const struct ksm_event *e)
{
	struct node_st *n = u64map_get(&d->nodes, e->node);
	uint64_t *ts;

	if (forced_reason(e->reason) && e->aux[0] > 0) {
		struct det_finding f;

		det_finding_init(&f, DET_REMOVED_WHILE_MAPPED, e->ts_ns, e->node, 0);
		snprintf(f.message, sizeof(f.message),
			 "stable node 0x%llx (kpfn 0x%llx) removed (%s) with %llu rmap items "
			 "still attached: its KSM page was still mapped",
			 e->node, e->pfn, ksm_reason_name(e->kind, e->reason), e->aux[0]);
		if (n && n->have_insert)
			det_add_evidence(&f, &n->insert);
		det_add_evidence(&f, e);
		det_report(d, &f);
	}
	u64map_del(&d->nodes, e->node);
	/* swap-in copies of this page may now say "no stable node" (det_swapin_copy.c) */
	ts = u64map_get_or_add(&d->removed, e->pfn, NULL);
	if (ts)
		*ts = e->ts_ns;
}

static void on_remove_all_begin(struct detectors *d, const struct ksm_event *e)
{
	d->in_remove_all = true;
	d->in_unmerge = e->reason == KSM_NODE_RM_UNMERGE;
	d->remove_all_begin = *e;
}

static void on_remove_all_end(struct detectors *d, const struct ksm_event *e)
{
	struct u64map_ent *it = NULL;
	struct det_finding f;
	size_t b = 0;
	uint64_t left = 0;

	d->in_unmerge = false;
	if (e->err == 0) {
		det_finding_init(&f, DET_LEFTOVER_NODES, e->ts_ns, 0, 0);
		if (d->in_remove_all)
			det_add_evidence(&f, &d->remove_all_begin);
		det_add_evidence(&f, e);
		while ((it = u64map_next(&d->nodes, it, &b))) {
			struct node_st *n = u64map_val(it);

			/* Only nodes whose insert was seen are known to be in the tree. */
			if (!n->have_insert)
				continue;
			if (!left++)
				f.node = it->key;
			det_add_evidence(&f, &n->insert);
		}
		if (left) {
			snprintf(
				f.message, sizeof(f.message),
				"remove_all_stable_nodes (%s) returned 0 (removed %llu, busy %llu) "
				"but %llu stable nodes seen inserted were never removed",
				ksm_reason_name(e->kind, e->reason), e->aux[0], e->aux[1],
				(unsigned long long)left);
			det_report(d, &f);
		}
	}
	d->in_remove_all = false;
}

void det_stable_nodes_feed(struct detectors *d, const struct ksm_event *e)
{
	switch (e->kind) {
	case KSM_EV_STABLE_NODE_INSERT:
		on_insert(d, e);
		break;
	case KSM_EV_STABLE_NODE_REMOVE:
		on_node_remove(d, e);
		break;
	case KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN:
		on_remove_all_begin(d, e);
		break;
	case KSM_EV_REMOVE_ALL_STABLE_NODES_END:
		on_remove_all_end(d, e);
		break;
	}
}

int det_nodes_per_nid(const struct detectors *d, int64_t *per_nid, int max)
{
	struct u64map_ent *e = NULL;
	size_t b = 0;
	int used = 0;

	for (int i = 0; i < max; i++)
		per_nid[i] = 0;
	while ((e = u64map_next(&d->nodes, e, &b))) {
		struct node_st *n = u64map_val(e);

		if (!n->have_insert || n->insert.nid < 0 || n->insert.nid >= max)
			continue;
		per_nid[n->insert.nid]++;
		if (n->insert.nid + 1 > used)
			used = n->insert.nid + 1;
	}
	return used;
}
