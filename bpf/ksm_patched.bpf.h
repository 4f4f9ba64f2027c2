/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSM_PATCHED_BPF_H
#define KSM_PATCHED_BPF_H

/*
 * The kernel-patch/ tracepoints (KSM_WITH_PATCHED), and those of the series
 * that exist only with CONFIG_KSM_BPF=y (KSM_WITH_POLICY, built only beside
 * PATCHED).  Part of bpf/ksm_events.bpf.c: its design note applies.  Reasons
 * and results come through ksm_enums.bpf.h, never as the kernel's numbers.
 */
#ifdef KSM_WITH_PATCHED
#include "ksm_enums.bpf.h"

/* A stable-node event of a patched tracepoint, its node and kpfn filled. */
static __always_inline bool node_event(struct ksm_event *e, __u32 kind, void *node,
				       unsigned long kpfn)
{
	if (!ev_init(e, kind, KSM_SRC_TP_PATCHED))
		return false;
	e->node = (__u64)node;
	e->pfn = kpfn;
	return true;
}

SEC("tp_btf/ksm_stable_node_insert")
int BPF_PROG(ksm_stable_node_insert, void *node, void *chain, unsigned long kpfn, int nid)
{
	struct ksm_event e;

	if (node_event(&e, KSM_EV_STABLE_NODE_INSERT, node, kpfn)) {
		e.aux[0] = (__u64)chain;
		e.nid = nid;
		ev_emit_global(&e);
	}
	return 0;
}

SEC("tp_btf/ksm_stable_node_remove")
int BPF_PROG(ksm_stable_node_remove, void *node, unsigned long kpfn, int nid, int reason,
	     int rmap_items)
{
	struct ksm_event e;

	if (node_event(&e, KSM_EV_STABLE_NODE_REMOVE, node, kpfn)) {
		e.nid = nid;
		e.reason = node_rm_reason(reason);
		e.aux[0] = rmap_items;
		ev_emit_global(&e);
	}
	return 0;
}

SEC("tp_btf/ksm_get_folio_stale")
int BPF_PROG(ksm_get_folio_stale, void *node, unsigned long kpfn, int reason)
{
	struct ksm_event e;

	if (node_event(&e, KSM_EV_GET_FOLIO_STALE, node, kpfn)) {
		e.reason = stale_reason(reason);
		ev_emit_global(&e);
	}
	return 0;
}

SEC("tp_btf/ksm_get_folio_retry")
int BPF_PROG(ksm_get_folio_retry, void *node, unsigned long old_kpfn, unsigned long new_kpfn)
{
	struct ksm_event e;

	if (node_event(&e, KSM_EV_GET_FOLIO_RETRY, node, old_kpfn)) {
		e.pfn2 = new_kpfn;
		ev_emit_global(&e);
	}
	return 0;
}

SEC("tp_btf/ksm_migrate_folio")
int BPF_PROG(ksm_migrate_folio, void *node, unsigned long old_pfn, unsigned long new_pfn,
	     int old_nid, int new_nid)
{
	struct ksm_event e;

	if (node_event(&e, KSM_EV_MIGRATE_FOLIO, node, old_pfn)) {
		e.pfn2 = new_pfn;
		e.nid = old_nid;
		e.nid2 = new_nid;
		ev_emit_global(&e);
	}
	return 0;
}

SEC("tp_btf/ksm_swapin_copy")
int BPF_PROG(ksm_swapin_copy, unsigned long pfn, unsigned long new_pfn, void *mm, int reason,
	     int result, bool uptodate)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_SWAPIN_COPY, KSM_SRC_TP_PATCHED))
		return 0;
	e.pfn = pfn;
	e.pfn2 = new_pfn;
	e.reason = copy_reason(reason);
	e.result = copy_result(result);
	/* the source folio's PG_uptodate when the kernel decided */
	e.aux[0] = KSM_COPY_F_UPTODATE_KNOWN | (uptodate ? KSM_COPY_F_UPTODATE : 0);
	ev_emit_mm(&e, mm);
	return 0;
}

SEC("tp_btf/ksm_remove_all_stable_nodes_begin")
int BPF_PROG(ksm_remove_all_stable_nodes_begin, int reason)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN, KSM_SRC_TP_PATCHED))
		return 0;
	e.reason = node_rm_reason(reason);
	ev_emit_global(&e);
	return 0;
}

SEC("tp_btf/ksm_remove_all_stable_nodes_end")
int BPF_PROG(ksm_remove_all_stable_nodes_end, int reason, unsigned long removed,
	     unsigned long busy, int err)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_REMOVE_ALL_STABLE_NODES_END, KSM_SRC_TP_PATCHED))
		return 0;
	e.reason = node_rm_reason(reason);
	e.aux[0] = removed;
	e.aux[1] = busy;
	e.err = err;
	ev_emit_global(&e);
	return 0;
}

/* A chain down to one dup: the dup (node) takes the chain's place in the tree. */
SEC("tp_btf/ksm_stable_node_chain_collapse")
int BPF_PROG(ksm_stable_node_chain_collapse, void *chain, void *dup, unsigned long kpfn)
{
	struct ksm_event e;

	if (node_event(&e, KSM_EV_STABLE_NODE_CHAIN_COLLAPSE, dup, kpfn)) {
		e.aux[0] = (__u64)chain;
		ev_emit_global(&e);
	}
	return 0;
}

SEC("tp_btf/ksm_stable_node_chain_free")
int BPF_PROG(ksm_stable_node_chain_free, void *chain)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_STABLE_NODE_CHAIN_FREE, KSM_SRC_TP_PATCHED))
		return 0;
	e.aux[0] = (__u64)chain;
	ev_emit_global(&e);
	return 0;
}

/* merge_across_nodes=0: a node whose page is now on another NUMA node leaves its tree. */
SEC("tp_btf/ksm_stable_node_migrate_list")
int BPF_PROG(ksm_stable_node_migrate_list, void *node, unsigned long kpfn, int nid, int page_nid)
{
	struct ksm_event e;

	if (node_event(&e, KSM_EV_STABLE_NODE_MIGRATE_LIST, node, kpfn)) {
		e.nid = nid;
		e.aux[0] = page_nid;
		ev_emit_global(&e);
	}
	return 0;
}

#endif /* KSM_WITH_PATCHED */

#if defined(KSM_WITH_POLICY) && defined(KSM_WITH_PATCHED)
SEC("tp_btf/ksm_policy_decision")
int BPF_PROG(ksm_policy_decision, void *mm, __u64 cgroup_id, __u64 domain, __u32 weight)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_POLICY_DECISION, KSM_SRC_TP_PATCHED))
		return 0;
	e.aux[0] = domain;
	e.aux[1] = weight;
	e.aux[2] = cgroup_id;
	ev_emit_mm(&e, mm);
	return 0;
}

/* ksmd moved an mm to another merge domain (its pages unmerged), or could not (err). */
SEC("tp_btf/ksm_mm_domain")
int BPF_PROG(ksm_mm_domain, void *mm, __u64 from, __u64 to, int err)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_MM_DOMAIN, KSM_SRC_TP_PATCHED))
		return 0;
	e.aux[0] = from;
	e.aux[1] = to;
	e.err = err;
	ev_emit_mm(&e, mm);
	return 0;
}

SEC("tp_btf/ksm_domain_free")
int BPF_PROG(ksm_domain_free, __u64 domain, unsigned long removed)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_DOMAIN_FREE, KSM_SRC_TP_PATCHED))
		return 0;
	e.aux[0] = domain;
	e.aux[1] = removed;
	ev_emit_global(&e);
	return 0;
}
#endif /* KSM_WITH_POLICY */

#endif /* KSM_PATCHED_BPF_H */
