/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stand-ins for the stock ksm tracepoints, on kernels before Linux 6.4
 * (Debian 12's 6.1, Ubuntu 22.04, RHEL 9): the KSM functions that carry the
 * same facts, probed with fentry/fexit (KSM_WITH_STOCK_FENTRY) where the
 * kernel allows trampolines, with kprobes (KSM_WITH_STOCK_KPROBE) where it
 * does not.  Part of bpf/ksm_events.bpf.c (its design note applies): every
 * program ends in the builders there, so an event is the same whichever
 * probe delivered it.  Where each tracepoint sits in 6.4+ and its stand-in:
 *
 *   ksm_merge_with_ksm_page   end of try_to_merge_with_ksm_page()   its exit
 *   ksm_merge_one_page        after the zero-page try_to_merge_one_page()
 *                             in cmp_and_merge_page(): the exits of the
 *                             calls not made by try_to_merge_with_ksm_page()
 *   ksm_remove_rmap_item      in remove_node_from_stable_tree(), for each
 *   ksm_remove_ksm_page       item but the last, then for the node: its
 *                             entry walks the node's list the same way
 *   ksm_enter, ksm_exit       end of __ksm_enter() (success) / __ksm_exit()
 *   ksm_start_scan/stop_scan  inside scan_get_next_rmap_item(), which these
 *                             kernels inline: no stand-in
 *
 * kprobes see no arguments at return: the entry keeps them, per thread, for
 * the return probe (ksmd never nests these calls in one thread).
 */
#ifndef KSM_STANDINS_BPF_H
#define KSM_STANDINS_BPF_H

/* A call in flight, entry -> return, keyed by thread id. */
struct call_args {
	__u64 arg[3];
};

/*
 * try_to_merge_with_ksm_page() calls in flight: what the return needs
 * (kprobe), and the mark that a try_to_merge_one_page() inside it is not a
 * zero-page merge (both backends).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct call_args);
} merge_calls SEC(".maps");

#ifdef KSM_WITH_STOCK_KPROBE
/* zero-page try_to_merge_one_page() and __ksm_enter() calls in flight */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct call_args);
} one_page_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct call_args);
} enter_calls SEC(".maps");
#endif

static __always_inline __u32 standin_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline void call_begin(void *map, __u64 a0, __u64 a1, __u64 a2)
{
	struct call_args c = { { a0, a1, a2 } };
	__u32 tid = standin_tid();

	bpf_map_update_elem(map, &tid, &c, BPF_ANY);
}

/* The arguments kept at entry, forgotten; false if the entry was not seen. */
static __always_inline bool call_end(void *map, struct call_args *out)
{
	__u32 tid = standin_tid();
	struct call_args *c = bpf_map_lookup_elem(map, &tid);

	if (!c)
		return false;
	*out = *c;
	bpf_map_delete_elem(map, &tid);
	return true;
}

static __always_inline bool in_merge_with_ksm_page(void)
{
	__u32 tid = standin_tid();

	return bpf_map_lookup_elem(&merge_calls, &tid) != NULL;
}

/* try_to_merge_with_ksm_page(rmap_item, page, kpage) returned err. */
static __always_inline void with_ksm_page_done(__u32 src, __u64 rmap_item, __u64 page, __u64 kpage,
					       int err)
{
	merge_event(KSM_EV_MERGE_WITH_KSM_PAGE, src, page_ptr_to_pfn(kpage ? kpage : page),
		    rmap_item_mm(rmap_item), err, kpage != 0);
}

/* The zero-page try_to_merge_one_page(vma, page, zero page) returned err. */
static __always_inline void one_page_done(__u32 src, __u64 vma, __u64 kpage, int err)
{
	merge_event(KSM_EV_MERGE_ONE_PAGE, src, page_ptr_to_pfn(kpage),
		    BPF_CORE_READ((struct vm_area_struct *)vma, vm_mm), err, false);
}

/* One rmap_item of a stable node being removed, as bpf_loop walks them. */
struct rmap_walk {
	__u64 pos;	/* struct hlist_node * of the current item */
	__u64 kpfn;
	__u32 src;
};

static long rmap_walk_one(__u32 i, struct rmap_walk *w)
{
	__u64 next = hlist_next(w->pos);

	/* the tracepoint fires for every item but the last (pages_sharing) */
	if (next)
		remove_rmap_item_event(w->src, w->kpfn, rmap_item_mm(rmap_item_of(w->pos)));
	w->pos = next;
	return next ? 0 : 1;
}

/*
 * remove_node_from_stable_tree(stable_node) is starting: the events the
 * tracepoints would give during it.  max_page_sharing bounds the list
 * (default 256); bpf_loop takes up to 8M steps, more than any node has.
 */
static __always_inline void node_removal(__u32 src, __u64 node)
{
	struct rmap_walk w = { .kpfn = stable_node_kpfn(node), .src = src };

	w.pos = stable_node_first(node);
	if (w.pos)
		bpf_loop(1 << 23, rmap_walk_one, &w, 0);
	remove_ksm_page_event(src, w.kpfn);
}

#ifdef KSM_WITH_STOCK_FENTRY
SEC("fentry/try_to_merge_with_ksm_page")
int BPF_PROG(fentry_try_to_merge_with_ksm_page, void *rmap_item)
{
	call_begin(&merge_calls, 0, 0, 0);
	return 0;
}

SEC("fexit/try_to_merge_with_ksm_page")
int BPF_PROG(fexit_try_to_merge_with_ksm_page, void *rmap_item, struct page *page,
	     struct page *kpage, int err)
{
	struct call_args c;

	call_end(&merge_calls, &c);
	with_ksm_page_done(KSM_SRC_FENTRY, ptr_value(rmap_item), ptr_value(page),
			   ptr_value(kpage), err);
	return 0;
}

SEC("fexit/try_to_merge_one_page")
int BPF_PROG(fexit_try_to_merge_one_page, struct vm_area_struct *vma, struct page *page,
	     struct page *kpage, int err)
{
	if (!in_merge_with_ksm_page())
		one_page_done(KSM_SRC_FENTRY, ptr_value(vma), ptr_value(kpage), err);
	return 0;
}

SEC("fentry/remove_node_from_stable_tree")
int BPF_PROG(fentry_remove_node_from_stable_tree, void *stable_node)
{
	node_removal(KSM_SRC_FENTRY, ptr_value(stable_node));
	return 0;
}

SEC("fexit/__ksm_enter")
int BPF_PROG(fexit___ksm_enter, struct mm_struct *mm, int ret)
{
	if (!ret)
		enter_event(KSM_SRC_FENTRY, (void *)ptr_value(mm));
	return 0;
}

SEC("fentry/__ksm_exit")
int BPF_PROG(fentry___ksm_exit, struct mm_struct *mm)
{
	exit_event(KSM_SRC_FENTRY, (void *)ptr_value(mm));
	return 0;
}
#endif /* KSM_WITH_STOCK_FENTRY */

#ifdef KSM_WITH_STOCK_KPROBE
SEC("kprobe/try_to_merge_with_ksm_page")
int BPF_KPROBE(kprobe_try_to_merge_with_ksm_page, void *rmap_item, void *page, void *kpage)
{
	call_begin(&merge_calls, (__u64)rmap_item, (__u64)page, (__u64)kpage);
	return 0;
}

SEC("kretprobe/try_to_merge_with_ksm_page")
int BPF_KRETPROBE(kretprobe_try_to_merge_with_ksm_page, int err)
{
	struct call_args c;

	if (call_end(&merge_calls, &c))
		with_ksm_page_done(KSM_SRC_KPROBE, c.arg[0], c.arg[1], c.arg[2], err);
	return 0;
}

SEC("kprobe/try_to_merge_one_page")
int BPF_KPROBE(kprobe_try_to_merge_one_page, void *vma, void *page, void *kpage)
{
	if (!in_merge_with_ksm_page())
		call_begin(&one_page_calls, (__u64)vma, (__u64)kpage, 0);
	return 0;
}

SEC("kretprobe/try_to_merge_one_page")
int BPF_KRETPROBE(kretprobe_try_to_merge_one_page, int err)
{
	struct call_args c;

	if (call_end(&one_page_calls, &c))
		one_page_done(KSM_SRC_KPROBE, c.arg[0], c.arg[1], err);
	return 0;
}

SEC("kprobe/remove_node_from_stable_tree")
int BPF_KPROBE(kprobe_remove_node_from_stable_tree, void *stable_node)
{
	node_removal(KSM_SRC_KPROBE, (__u64)stable_node);
	return 0;
}

SEC("kprobe/__ksm_enter")
int BPF_KPROBE(kprobe___ksm_enter, void *mm)
{
	call_begin(&enter_calls, (__u64)mm, 0, 0);
	return 0;
}

SEC("kretprobe/__ksm_enter")
int BPF_KRETPROBE(kretprobe___ksm_enter, int ret)
{
	struct call_args c;

	if (call_end(&enter_calls, &c) && !ret)
		enter_event(KSM_SRC_KPROBE, (void *)c.arg[0]);
	return 0;
}

SEC("kprobe/__ksm_exit")
int BPF_KPROBE(kprobe___ksm_exit, void *mm)
{
	exit_event(KSM_SRC_KPROBE, mm);
	return 0;
}
#endif /* KSM_WITH_STOCK_KPROBE */

#endif /* KSM_STANDINS_BPF_H */
