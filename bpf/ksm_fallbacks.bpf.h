/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSM_FALLBACKS_BPF_H
#define KSM_FALLBACKS_BPF_H

/*
 * fentry/fexit fallbacks for the kernel-patch/ tracepoints on stock kernels
 * that allow trampolines (KSM_WITH_FENTRY).  Part of bpf/ksm_events.bpf.c:
 * its design note applies; kernel layouts: core_fixes.bpf.h.
 */
#ifdef KSM_WITH_FENTRY

/*
 * What a fentry saw of a stable node, for its fexit: the node is gone (or
 * changed) by the time the function returns.  Keyed by thread id: a fentry
 * and its fexit run in the same thread, and ksmd never nests these calls.
 */
struct node_seen {
	__u64 node;
	__u64 kpfn;
	__u64 rmap_items;
};

/* ksm_get_folio(): entry -> exit */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct node_seen);
} get_folio_seen SEC(".maps");

/*
 * remove_stable_node(): entry -> exit, and whether a stale verdict inside it
 * (ksm_get_folio returned NULL) already reported the node's removal.
 */
struct remove_seen {
	struct node_seen n;
	__u64 reported;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct remove_seen);
} remove_seen SEC(".maps");

/* remove_all_stable_nodes(): what its remove_stable_node() calls did. */
struct remove_all_counts {
	__u64 removed;
	__u64 busy;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct remove_all_counts);
} remove_all_counts SEC(".maps");

static __always_inline __u32 thread_id(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline void node_seen_fill(struct node_seen *n, struct ksm_stable_node *node)
{
	n->node = ptr_value(node);
	n->kpfn = BPF_CORE_READ(node, kpfn);
	n->rmap_items = BPF_CORE_READ(node, rmap_hlist_len);
}

/* A stable-node event from what the fentry saw. */
static __always_inline void emit_node_event(__u32 kind, const struct node_seen *n, __u32 reason)
{
	struct ksm_event e;

	if (!ev_init(&e, kind, KSM_SRC_FENTRY))
		return;
	e.node = n->node;
	e.pfn = n->kpfn;
	e.reason = reason;
	if (kind == KSM_EV_STABLE_NODE_REMOVE)
		e.aux[0] = n->rmap_items;
	ev_emit_global(&e);
}

/* remove_all_stable_nodes begin/end, with the counts of its removals. */
static __always_inline void emit_remove_all(__u32 kind, const struct remove_all_counts *c,
					    int err)
{
	struct ksm_event e;

	if (!ev_init(&e, kind, KSM_SRC_FENTRY))
		return;
	/* the stock function has no reason argument: not more specific than forced */
	e.reason = KSM_NODE_RM_FORCED;
	e.err = err;
	if (c) {
		e.aux[0] = c->removed;
		e.aux[1] = c->busy;
	}
	ev_emit_global(&e);
}

SEC("fentry/folio_migrate_ksm")
int BPF_PROG(fentry_folio_migrate_ksm, struct folio *newfolio, struct folio *folio)
{
	struct ksm_event e;
	bool is_ksm;
	__u64 node = folio_ksm_node(folio, &is_ksm);

	if (!node)
		return 0;
	if (!ev_init(&e, KSM_EV_MIGRATE_FOLIO, KSM_SRC_FENTRY))
		return 0;
	e.node = node;
	e.pfn = folio_to_pfn(folio);
	e.pfn2 = folio_to_pfn(newfolio);
	ev_emit_global(&e);
	return 0;
}

/* What ksm_might_need_to_copy() returned, in the patched tracepoint's terms. */
static __always_inline void copy_result(struct ksm_event *e, __u64 fv, __u64 rv, bool uptodate)
{
	long r = (long)rv;

	if (rv == fv) {
		e->result = uptodate ? KSM_COPY_SAME : KSM_COPY_NOT_UPTODATE;
	} else if (!rv) {
		e->result = KSM_COPY_NOMEM;
	} else if (r < 0 && r >= -4095) {
		e->result = KSM_COPY_HWPOISON;
		e->err = r;
	} else {
		e->result = KSM_COPY_NEW;
		e->pfn2 = folio_to_pfn((struct folio *)rv);
	}
}

SEC("fexit/ksm_might_need_to_copy")
int BPF_PROG(fexit_ksm_might_need_to_copy, struct folio *folio, struct vm_area_struct *vma)
{
	struct ksm_event e;
	bool is_ksm, uptodate;
	__u64 node = folio_ksm_node(folio, &is_ksm);
	__u64 fv = ptr_value(folio), rv = func_ret(ctx);

	/* Same contract as the patched tracepoint: KSM folios and real copies. */
	if (!is_ksm && rv == fv)
		return 0;
	if (!ev_init(&e, KSM_EV_SWAPIN_COPY, KSM_SRC_FENTRY))
		return 0;
	e.pfn = folio_to_pfn(folio);
	/* nothing in ksm_might_need_to_copy() changes the source's PG_uptodate */
	uptodate = folio_test_uptodate_word(folio);
	e.aux[0] = KSM_COPY_F_UPTODATE_KNOWN | (uptodate ? KSM_COPY_F_UPTODATE : 0);
	copy_result(&e, fv, rv, uptodate);
	if (!is_ksm)
		e.reason = KSM_COPY_ANON_VMA;
	else if (!node)
		e.reason = KSM_COPY_NO_STABLE_NODE;
	else if (e.result == KSM_COPY_SAME)
		e.reason = KSM_COPY_NONE;
	else
		e.reason = KSM_COPY_UNMERGE;	/* a node, yet a copy: only unmerge does that */
	ev_emit_mm(&e, BPF_CORE_READ(vma, vm_mm));
	return 0;
}

SEC("fentry/ksm_get_folio")
int BPF_PROG(fentry_ksm_get_folio, struct ksm_stable_node *node)
{
	struct node_seen n;
	__u32 tid = thread_id();

	node_seen_fill(&n, node);
	bpf_map_update_elem(&get_folio_seen, &tid, &n, BPF_ANY);
	return 0;
}

SEC("fexit/ksm_get_folio")
int BPF_PROG(fexit_ksm_get_folio, struct ksm_stable_node *node)
{
	__u32 tid = thread_id();
	struct node_seen *n = bpf_map_lookup_elem(&get_folio_seen, &tid);
	struct remove_seen *rs;

	if (!n)
		return 0;
	/*
	 * NULL is the stale verdict (ERR_PTR(-EBUSY) a failed trylock), and
	 * ksm_get_folio has then removed the node from the tree: report both,
	 * as the patched kernel does, and tell remove_stable_node's exit.
	 */
	if (!func_ret(ctx) && n->node == ptr_value(node)) {
		rs = bpf_map_lookup_elem(&remove_seen, &tid);
		if (rs)
			rs->reported = 1;
		emit_node_event(KSM_EV_GET_FOLIO_STALE, n, KSM_STALE_UNKNOWN);
		emit_node_event(KSM_EV_STABLE_NODE_REMOVE, n, KSM_NODE_RM_STALE);
	}
	bpf_map_delete_elem(&get_folio_seen, &tid);
	return 0;
}

SEC("fentry/remove_stable_node")
int BPF_PROG(fentry_remove_stable_node, struct ksm_stable_node *node)
{
	struct remove_seen rs = {};
	__u32 tid = thread_id();

	node_seen_fill(&rs.n, node);
	bpf_map_update_elem(&remove_seen, &tid, &rs, BPF_ANY);
	return 0;
}

SEC("fexit/remove_stable_node")
int BPF_PROG(fexit_remove_stable_node, struct ksm_stable_node *node)
{
	__s64 ret = func_ret(ctx);
	__u32 tid = thread_id();
	struct remove_seen *rs = bpf_map_lookup_elem(&remove_seen, &tid);
	struct remove_all_counts *c = bpf_map_lookup_elem(&remove_all_counts, &tid);

	if (c) {
		if (ret)
			c->busy++;
		else
			c->removed++;
	}
	if (!rs)
		return 0;
	if (!ret && !rs->reported)
		emit_node_event(KSM_EV_STABLE_NODE_REMOVE, &rs->n, KSM_NODE_RM_FORCED);
	bpf_map_delete_elem(&remove_seen, &tid);
	return 0;
}

SEC("fentry/remove_all_stable_nodes")
int BPF_PROG(fentry_remove_all_stable_nodes)
{
	struct remove_all_counts c = {};
	__u32 tid = thread_id();

	bpf_map_update_elem(&remove_all_counts, &tid, &c, BPF_ANY);
	emit_remove_all(KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN, NULL, 0);
	return 0;
}

SEC("fexit/remove_all_stable_nodes")
int BPF_PROG(fexit_remove_all_stable_nodes)
{
	__u32 tid = thread_id();

	emit_remove_all(KSM_EV_REMOVE_ALL_STABLE_NODES_END,
			bpf_map_lookup_elem(&remove_all_counts, &tid), func_ret(ctx));
	bpf_map_delete_elem(&remove_all_counts, &tid);
	return 0;
}
#endif /* KSM_WITH_FENTRY */

#endif /* KSM_FALLBACKS_BPF_H */
