// SPDX-License-Identifier: GPL-2.0
/*
 * The one KSM event source.
 *
 * Every probe point, whatever its kind of probe, becomes a struct ksm_event
 * (include/ksm_event.h) on one ring buffer; ksmsnoop prints the stream,
 * ksmtop aggregates it, ksmdebug records it and runs detectors over it.
 * include/ksm_event_kinds.h is the table of kinds: what each fills, how it is
 * named, shown and read back.  A new tracepoint is a program named
 * ksm_<name> in its group's #ifdef, plus one row there.  The common parts
 * and the stock tracepoints are here; the other groups are in parts of this
 * file included at its end: ksm_standins.bpf.h, ksm_patched.bpf.h,
 * ksm_fallbacks.bpf.h, ksm_migrate.bpf.h.
 *
 * Groups and variants.  A program whose attach target is missing makes the
 * whole load fail, so the programs are grouped by what a kernel may lack and
 * the file is built once per set of groups (the Makefile's EV_VARIANTS), each
 * as a light skeleton: its loader does CO-RE and the attach lookups in the
 * kernel, so user space never parses the 5 MB kernel BTF (peak RSS 5 MB
 * instead of 12; in-kernel CO-RE needs Linux 5.17).  The groups:
 *   KSM_WITH_STOCK          the stock ksm tracepoints (Linux 6.4+),
 *   KSM_WITH_ADVISOR        ksm_advisor (Linux 6.9+),
 *   KSM_WITH_PATCHED        the kernel-patch/ tracepoints,
 *   KSM_WITH_POLICY         those of them that only CONFIG_KSM_BPF=y has
 *                           (the policy, merge domains), beside PATCHED,
 *   KSM_WITH_FENTRY         fentry/fexit stand-ins for those on stock kernels
 *                           that allow trampolines,
 *   KSM_WITH_STOCK_FENTRY   stand-ins for the stock tracepoints before 6.4,
 *   KSM_WITH_STOCK_KPROBE   the same through kprobes (ksm_standins.bpf.h),
 *   KSM_WITH_MIGRATE        the stock migrate tracepoints (Linux 6.0+ with
 *                           CONFIG_MIGRATION), attributed to the migrating
 *                           thread (ksm_migrate.bpf.h);
 * kernel layouts: core_fixes.bpf.h.  lib/event_choice.c looks the targets up
 * (BTF string table, kallsyms) and lib/event_source.c loads the variant with
 * the most chosen groups; a refused fentry load falls back to the rest.
 * Whatever the probe, the stock kinds are built by the same functions
 * (merge_event() and its siblings): the same fields, the same owners.
 *
 * Attribution.  The ksm tracepoints (and their stand-ins) fire in ksmd (or
 * in a sysfs writer), not in the page owner's context, so the owner is
 * resolved from the mm argument (mm->owner, or the task seen at ksm_enter),
 * cached for a second per mm.
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
#include "core_fixes.bpf.h"

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

/*
 * What may hide a migration's events, counted across CPUs (see
 * ksm_migrate.bpf.h): [DISTURBED] events lost so far plus page table changes
 * of exiting processes while a migration batch was open, [BATCHES] batches
 * open now.  The batch events carry the first: a batch whose two ends differ
 * cannot be judged.  Written only on a loss, a batch, or a dying mm's change.
 */
enum { MIG_DISTURBED, MIG_BATCHES, MIG_NR };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MIG_NR);
	__type(key, __u32);
	__type(value, __u64);
} mig_counts SEC(".maps");

static __always_inline __u64 *mig_count(__u32 idx)
{
	return bpf_map_lookup_elem(&mig_counts, &idx);
}

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

	if (bpf_ringbuf_output(&events, e, sizeof(*e), flags)) {
		__u64 *n = mig_count(MIG_DISTURBED);

		stat_inc(KSM_STAT_DROPPED);
		if (n)
			__sync_fetch_and_add(n, 1);
	} else
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

/* ---- the stock kinds, whichever probe delivers them ---------------------- */

/*
 * Tracepoints and stand-ins build the stock kinds here, so that an event is
 * the same, field for field and owner for owner, whatever delivered it.
 */
static __always_inline void merge_event(__u32 kind, __u32 src, __u64 pfn, void *mm, int err,
					bool into_ksm_page)
{
	struct ksm_event e;

	if (!ev_init(&e, kind, src))
		return;
	e.pfn = pfn;
	e.err = err;
	if (kind == KSM_EV_MERGE_WITH_KSM_PAGE)
		e.aux[0] = into_ksm_page;
	ev_emit_mm(&e, mm);
}

static __always_inline void remove_rmap_item_event(__u32 src, __u64 pfn, void *mm)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_REMOVE_RMAP_ITEM, src))
		return;
	e.pfn = pfn;
	ev_emit_mm(&e, mm);
}

static __always_inline void remove_ksm_page_event(__u32 src, __u64 pfn)
{
	struct ksm_event e;

	if (!ev_init(&e, KSM_EV_REMOVE_KSM_PAGE, src))
		return;
	e.pfn = pfn;
	ev_emit_global(&e);
}

static __always_inline void enter_event(__u32 src, void *mm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
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
	if (ev_init(&e, KSM_EV_ENTER, src))
		ev_emit_mm(&e, mm);
}

static __always_inline void exit_event(__u32 src, void *mm)
{
	struct ksm_event e;
	__u64 key = (__u64)mm;

	if (ev_init(&e, KSM_EV_EXIT, src))
		ev_emit_mm(&e, mm);
	bpf_map_delete_elem(&mm_owners, &key);
	bpf_map_delete_elem(&owner_cache, &key);
}

/* ---- stock tracepoints ------------------------------------------------ */
#ifdef KSM_WITH_STOCK

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
	enter_event(KSM_SRC_TP_STOCK, mm);
	return 0;
}

SEC("tp_btf/ksm_exit")
int BPF_PROG(ksm_exit, void *mm)
{
	exit_event(KSM_SRC_TP_STOCK, mm);
	return 0;
}

SEC("tp_btf/ksm_merge_one_page")
int BPF_PROG(ksm_merge_one_page, unsigned long pfn, void *rmap_item, void *mm, int err)
{
	merge_event(KSM_EV_MERGE_ONE_PAGE, KSM_SRC_TP_STOCK, pfn, mm, err, false);
	return 0;
}

SEC("tp_btf/ksm_merge_with_ksm_page")
int BPF_PROG(ksm_merge_with_ksm_page, void *ksm_page, unsigned long pfn, void *rmap_item,
	     void *mm, int err)
{
	merge_event(KSM_EV_MERGE_WITH_KSM_PAGE, KSM_SRC_TP_STOCK, pfn, mm, err, ksm_page != NULL);
	return 0;
}

SEC("tp_btf/ksm_remove_ksm_page")
int BPF_PROG(ksm_remove_ksm_page, unsigned long pfn)
{
	remove_ksm_page_event(KSM_SRC_TP_STOCK, pfn);
	return 0;
}

SEC("tp_btf/ksm_remove_rmap_item")
int BPF_PROG(ksm_remove_rmap_item, unsigned long pfn, void *rmap_item, void *mm)
{
	remove_rmap_item_event(KSM_SRC_TP_STOCK, pfn, mm);
	return 0;
}
#endif /* KSM_WITH_STOCK */

#if defined(KSM_WITH_STOCK_FENTRY) || defined(KSM_WITH_STOCK_KPROBE)
#include "ksm_standins.bpf.h"
#endif

#ifdef KSM_WITH_ADVISOR
SEC("tp_btf/ksm_advisor")
int BPF_PROG(ksm_advisor, __s64 scan_time, unsigned long pages_to_scan, unsigned int cpu_percent)
{
	struct ksm_event e;

	if (ev_init(&e, KSM_EV_ADVISOR, KSM_SRC_TP_STOCK)) {
		e.aux[0] = scan_time;
		e.aux[1] = pages_to_scan;
		e.aux[2] = cpu_percent;
		ev_emit_global(&e);
	}
	return 0;
}

#endif /* KSM_WITH_ADVISOR */

#include "ksm_patched.bpf.h"
#include "ksm_fallbacks.bpf.h"
#include "ksm_migrate.bpf.h"
