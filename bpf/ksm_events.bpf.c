// SPDX-License-Identifier: GPL-2.0
/*
 * The one KSM event source.
 *
 * Every probe point, whatever its kind of probe, becomes a struct ksm_event
 * (include/ksm_event.h) on one ring buffer; ksmsnoop prints the stream,
 * ksmtop aggregates it, ksmdebug records it and runs detectors over it.
 * include/ksm_event_kinds.h is the table of kinds: what each fills, how it is
 * named, shown and read back.  A new tracepoint is a program here, named
 * ksm_<name> in its group's #ifdef, plus one row there.
 *
 * Groups and variants.  A program whose attach target is missing makes the
 * whole load fail, so the programs are grouped by what a kernel may lack and
 * the file is built once per set of groups (the Makefile's EV_VARIANTS), each
 * as a light skeleton: its loader does CO-RE and the attach lookups in the
 * kernel, so user space never parses the 5 MB kernel BTF (peak RSS 5 MB
 * instead of 12).  The stock tracepoints are always in; besides them
 *   KSM_WITH_ADVISOR  ksm_advisor (Linux 6.9+),
 *   KSM_WITH_PATCHED  the kernel-patch/ tracepoints,
 *   KSM_WITH_FENTRY   fentry/fexit stand-ins for those on stock kernels that
 *                     allow trampolines (kernel layouts: core_fixes.bpf.h).
 * lib/event_source.c looks the names up in the kernel's BTF string table and
 * loads the variant that fits; a refused fentry load falls back to the rest.
 *
 * Attribution.  The ksm tracepoints fire in ksmd (or in a sysfs writer), not
 * in the page owner's context, so the owner is resolved from the mm argument
 * (mm->owner, or the task seen at ksm_enter), cached for a second per mm.
 *
 * Cost.  Events are built on the stack and filtered (pid, cgroup subtree,
 * kind) before they reach the ring buffer, so a full buffer loses only what
 * was asked for; the reader is woken only when the buffer is half full.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ksm_event.h"

char LICENSE[] SEC("license") = "GPL";

/* Filters, set by user space before load. 0 means "no filter". */
const volatile __u32 targ_tgid = 0;
const volatile __u64 targ_cgid = 0;	/* cgroup id of the subtree root */
const volatile __s32 targ_cglevel = -1;	/* its depth below the v2 root */
const volatile __u32 event_mask = 0;	/* bit per enum ksm_event_kind, 0 = all */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 21);	/* 2 MiB: fixed in a light skeleton */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSM_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/*
 * mm -> owning tgid, learnt at ksm_enter (which runs in the madvise/prctl
 * caller). Used when the kernel has no mm->owner (CONFIG_MEMCG=n).
 */
struct mm_owner {
	__u32 tgid;
	__u32 __pad;
	__u64 cgroup_id;
	char comm[KSM_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct mm_owner);
} mm_owners SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		(*v)++;
}

static __always_inline bool kind_wanted(__u32 kind)
{
	return !event_mask || (event_mask & (1u << kind));
}

/*
 * What attribute() found for an mm, kept for a second: the owner walk is
 * eight kernel reads (~300 ns), a lookup here one, and merges of one mm
 * come in runs. Dropped at ksm_exit, before the mm can be reused.
 */
struct owner_info {
	__u64 ts_ns;
	__u64 cgroup_id;
	__u32 tgid;
	__u32 match;		/* passed the pid/cgroup filters */
	char comm[KSM_COMM_LEN];
};

#define OWNER_TTL_NS 1000000000ULL

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct owner_info);
} owner_cache SEC(".maps");

/* Is the cgroup with this task's v2 cgroup under the filter's subtree? */
static __always_inline bool cgroup_matches(struct task_struct *task)
{
	struct cgroup *cgrp, *anc;
	int level;

	if (!targ_cgid)
		return true;
	if (!task)
		return false;
	cgrp = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	if (!cgrp)
		return false;
	level = BPF_CORE_READ(cgrp, level);
	if (level < targ_cglevel || targ_cglevel < 0 || targ_cglevel > 255)
		return false;
	anc = BPF_CORE_READ(cgrp, ancestors[targ_cglevel]);
	return anc && BPF_CORE_READ(anc, kn, id) == targ_cgid;
}

/*
 * Fill pid/comm/cgroup of the mm's owner. Returns false when a pid or
 * cgroup filter is set and the owner does not match.
 */
static __always_inline bool attribute_slow(struct ksm_event *e, struct mm_struct *mm)
{
	struct task_struct *owner = NULL;
	struct mm_owner *mo;
	__u64 key = (__u64)mm;

	if (bpf_core_field_exists(mm->owner))
		owner = BPF_CORE_READ(mm, owner);
	if (owner) {
		e->pid = BPF_CORE_READ(owner, tgid);
		BPF_CORE_READ_STR_INTO(&e->comm, owner, group_leader, comm);
		e->cgroup_id = BPF_CORE_READ(owner, cgroups, dfl_cgrp, kn, id);
		if (targ_tgid && e->pid != targ_tgid)
			return false;
		return cgroup_matches(owner);
	}
	mo = bpf_map_lookup_elem(&mm_owners, &key);
	if (mo) {
		e->pid = mo->tgid;
		e->cgroup_id = mo->cgroup_id;
		__builtin_memcpy(e->comm, mo->comm, sizeof(e->comm));
	}
	if (targ_tgid && e->pid != targ_tgid)
		return false;
	/* Without an owner task the subtree test falls back to an exact id. */
	return !targ_cgid || e->cgroup_id == targ_cgid;
}

static __always_inline bool attribute(struct ksm_event *e, struct mm_struct *mm)
{
	__u64 key = (__u64)mm;
	struct owner_info *c, oi = {};

	e->mm = key;
	if (!mm)
		return !targ_tgid && !targ_cgid;
	c = bpf_map_lookup_elem(&owner_cache, &key);
	if (c && e->ts_ns - c->ts_ns < OWNER_TTL_NS) {
		e->pid = c->tgid;
		e->cgroup_id = c->cgroup_id;
		__builtin_memcpy(e->comm, c->comm, sizeof(e->comm));
		return c->match;
	}
	oi.match = attribute_slow(e, mm);
	oi.ts_ns = e->ts_ns;
	oi.tgid = e->pid;
	oi.cgroup_id = e->cgroup_id;
	__builtin_memcpy(oi.comm, e->comm, sizeof(oi.comm));
	bpf_map_update_elem(&owner_cache, &key, &oi, BPF_ANY);
	return oi.match;
}

/*
 * Events are built on the stack and copied to the ring buffer only once they
 * pass the filters, so that a full buffer counts as lost only events the
 * user asked for.
 */
static __always_inline bool ev_init(struct ksm_event *e, __u32 kind, __u32 source)
{
	if (!kind_wanted(kind))
		return false;
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->source = source;
	e->cpu = bpf_get_smp_processor_id();
	e->nid = -1;
	e->nid2 = -1;
	return true;
}

/*
 * Waking the reader for every record costs an irq_work per event (a VM exit
 * on virtual machines: microseconds, in ksmd). The reader polls on a timer
 * instead and is woken only when the buffer is half full, so a burst still
 * gets drained before it overflows.
 */
#define RB_WAKEUP_BYTES (1 << 20)

static __always_inline void ev_output(struct ksm_event *e)
{
	__u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= RB_WAKEUP_BYTES ?
			      BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_output(&events, e, sizeof(*e), flags))
		stat_inc(KSM_STAT_DROPPED);
	else
		stat_inc(KSM_STAT_EMITTED);
}

/* Events with an mm: attribute, then emit or drop by filter. */
static __always_inline void ev_emit_mm(struct ksm_event *e, void *mm)
{
	if (attribute(e, mm))
		ev_output(e);
	else
		stat_inc(KSM_STAT_FILTERED);
}

/* Events without an owner are dropped when a pid or cgroup filter is set. */
static __always_inline void ev_emit_global(struct ksm_event *e)
{
	if (targ_tgid || targ_cgid)
		stat_inc(KSM_STAT_FILTERED);
	else
		ev_output(e);
}

/* ---- stock tracepoints ------------------------------------------------ */

static __always_inline int scan_event(__u32 kind, int seq, __u32 rmap_entries)
{
	struct ksm_event e;

	if (!ev_init(&e, kind, KSM_SRC_TP_STOCK))
		return 0;
	e.aux[0] = seq;
	e.aux[1] = rmap_entries;
	ev_emit_global(&e);
	return 0;
}

SEC("tp_btf/ksm_start_scan")
int BPF_PROG(ksm_start_scan, int seq, __u32 rmap_entries)
{
	return scan_event(KSM_EV_START_SCAN, seq, rmap_entries);
}

SEC("tp_btf/ksm_stop_scan")
int BPF_PROG(ksm_stop_scan, int seq, __u32 rmap_entries)
{
	return scan_event(KSM_EV_STOP_SCAN, seq, rmap_entries);
}

SEC("tp_btf/ksm_enter")
int BPF_PROG(ksm_enter, void *mm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct mm_owner mo = {};
	struct ksm_event e;
	__u64 key = (__u64)mm;

	/* ksm_enter runs in the task that asked for merging: remember it. */
	if (BPF_CORE_READ(task, mm) == mm) {
		mo.tgid = BPF_CORE_READ(task, tgid);
		mo.cgroup_id = bpf_get_current_cgroup_id();
		bpf_get_current_comm(mo.comm, sizeof(mo.comm));
		bpf_map_update_elem(&mm_owners, &key, &mo, BPF_ANY);
	}
	if (ev_init(&e, KSM_EV_ENTER, KSM_SRC_TP_STOCK))
		ev_emit_mm(&e, mm);
	return 0;
}

SEC("tp_btf/ksm_exit")
int BPF_PROG(ksm_exit, void *mm)
{
	struct ksm_event e;
	__u64 key = (__u64)mm;

	if (ev_init(&e, KSM_EV_EXIT, KSM_SRC_TP_STOCK))
		ev_emit_mm(&e, mm);
	bpf_map_delete_elem(&mm_owners, &key);
	bpf_map_delete_elem(&owner_cache, &key);
	return 0;
}

SEC("tp_btf/ksm_merge_one_page")
int BPF_PROG(ksm_merge_one_page, unsigned long pfn, void *rmap_item, void *mm, int err)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_MERGE_ONE_PAGE, KSM_SRC_TP_STOCK))
		return 0;
	e.pfn = pfn;
	e.err = err;
	ev_emit_mm(&e, mm);
	return 0;
}

SEC("tp_btf/ksm_merge_with_ksm_page")
int BPF_PROG(ksm_merge_with_ksm_page, void *ksm_page, unsigned long pfn, void *rmap_item,
	     void *mm, int err)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_MERGE_WITH_KSM_PAGE, KSM_SRC_TP_STOCK))
		return 0;
	e.pfn = pfn;
	e.err = err;
	e.aux[0] = ksm_page != NULL;
	ev_emit_mm(&e, mm);
	return 0;
}

SEC("tp_btf/ksm_remove_ksm_page")
int BPF_PROG(ksm_remove_ksm_page, unsigned long pfn)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_REMOVE_KSM_PAGE, KSM_SRC_TP_STOCK))
		return 0;
	e.pfn = pfn;
	ev_emit_global(&e);
	return 0;
}

SEC("tp_btf/ksm_remove_rmap_item")
int BPF_PROG(ksm_remove_rmap_item, unsigned long pfn, void *rmap_item, void *mm)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_REMOVE_RMAP_ITEM, KSM_SRC_TP_STOCK))
		return 0;
	e.pfn = pfn;
	ev_emit_mm(&e, mm);
	return 0;
}

#ifdef KSM_WITH_ADVISOR
SEC("tp_btf/ksm_advisor")
int BPF_PROG(ksm_advisor, __s64 scan_time, unsigned long pages_to_scan, unsigned int cpu_percent)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_ADVISOR, KSM_SRC_TP_STOCK))
		return 0;
	e.aux[0] = scan_time;
	e.aux[1] = pages_to_scan;
	e.aux[2] = cpu_percent;
	ev_emit_global(&e);
	return 0;
}

#endif /* KSM_WITH_ADVISOR */

/* ---- kernel-patch/ tracepoints ---------------------------------------- */
#ifdef KSM_WITH_PATCHED

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
		e.reason = reason;
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
		e.reason = reason;
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
	e.reason = reason;
	e.result = result;
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
	e.reason = reason;
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
	e.reason = reason;
	e.aux[0] = removed;
	e.aux[1] = busy;
	e.err = err;
	ev_emit_global(&e);
	return 0;
}

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

#endif /* KSM_WITH_PATCHED */

/* ---- fentry/fexit fallbacks for stock kernels that allow trampolines --- */
#ifdef KSM_WITH_FENTRY
#include "core_fixes.bpf.h"

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
