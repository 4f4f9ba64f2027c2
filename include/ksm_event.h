/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between bpf/ksm_events.bpf.c and every user-space consumer.
 *
 * Fixed-width fields only, explicit padding, no vmlinux.h: this header is
 * compiled both by clang -target bpf and by the host C compiler.
 *
 * The reason/result enums are this ABI's own values, never the kernel's: the
 * BPF programs read the kernel's enums of include/trace/events/ksm.h (from
 * kernel-patch/) by enumerator name with CO-RE and translate them
 * (bpf/ksm_enums.bpf.h), so a kernel that renumbers them cannot mislabel
 * an event.  Values here are only ever appended: user space of another
 * build reads them.  The event kinds and what each fills: ksm_event_kinds.h.
 */
#ifndef KSM_EVENT_H
#define KSM_EVENT_H

#ifdef __bpf__
/* vmlinux.h already defines the __u* types */
#else
#include <linux/types.h>
#endif

#define KSM_COMM_LEN 16

#include "ksm_event_kinds.h"

/* One kind per row of KSM_EVENT_KINDS (ksm_event_kinds.h says what each fills). */
#define KSM_EV_ENUM_ENTRY(ID, ...) KSM_EV_##ID,
enum ksm_event_kind {
	KSM_EV_NONE = 0,
	KSM_EVENT_KINDS(KSM_EV_ENUM_ENTRY)
	KSM_EV_MAX,
};
#undef KSM_EV_ENUM_ENTRY

/* A kind's bit in event masks (the -e filter, probe coverage). */
#define KSM_EV_BIT(ID) (1u << KSM_EV_##ID)
_Static_assert(KSM_EV_MAX <= 32, "event masks are 32 bits: widen them first");

/* The merge domain that means "never merge" (KSM_BPF_DOMAIN_NEVER). */
#ifndef KSM_POLICY_DOMAIN_NEVER
#define KSM_POLICY_DOMAIN_NEVER (~0ULL)
#endif

/* Where an event came from; user space reports the active set. */
enum ksm_event_source {
	KSM_SRC_TP_STOCK = 0,	/* tp_btf on a stock ksm tracepoint */
	KSM_SRC_TP_PATCHED,	/* tp_btf on a kernel-patch/ tracepoint */
	KSM_SRC_FENTRY,		/* fentry/fexit stand-in */
	KSM_SRC_KPROBE,		/* kprobe/kretprobe stand-in */
};

/* Why a stable node left the tree (ksm_stable_node_remove reason). */
enum ksm_node_remove_reason {
	KSM_NODE_RM_STALE = 0,		/* ksm_get_folio found the page gone */
	KSM_NODE_RM_FORCED,		/* remove_stable_node, no more specific cause */
	KSM_NODE_RM_UNMERGE,		/* echo 2 > run */
	KSM_NODE_RM_MERGE_ACROSS_NODES,	/* merge_across_nodes switch */
	KSM_NODE_RM_MAX_PAGE_SHARING,	/* max_page_sharing switch */
	KSM_NODE_RM_HOTREMOVE,		/* memory hot-remove */
	KSM_NODE_RM_CHAIN_PRUNE,	/* stale dup pruned from a chain */
	KSM_NODE_RM_ORPHAN,		/* its merge domain has no mm left (CONFIG_KSM_BPF) */
	KSM_NODE_RM_UNKNOWN,		/* a kernel reason this build does not know */
	KSM_NODE_RM_MAX,
};

/* Why ksm_get_folio called a node stale (ksm_get_folio_stale reason). */
enum ksm_stale_reason {
	KSM_STALE_MAPPING = 0,		/* folio->mapping no longer points at the node */
	KSM_STALE_FREED,		/* refcount zero and not in swap cache */
	KSM_STALE_MAPPING_AFTER_GET,	/* mapping changed after taking a reference */
	KSM_STALE_MAPPING_AFTER_LOCK,	/* mapping changed after locking the folio */
	KSM_STALE_UNKNOWN,		/* not visible (fallback probe), or not known to this build */
	KSM_STALE_MAX,
};

/*
 * Why pages are migrated (migrate_pages_start reason): the kernel's enum
 * migrate_reason (include/linux/migrate_mode.h), read by name with CO-RE.
 */
enum ksm_migrate_reason {
	KSM_MR_COMPACTION = 0,
	KSM_MR_MEMORY_FAILURE,
	KSM_MR_MEMORY_HOTPLUG,
	KSM_MR_SYSCALL,			/* migrate_pages(2), move_pages(2), cpusets */
	KSM_MR_MEMPOLICY_MBIND,
	KSM_MR_NUMA_MISPLACED,
	KSM_MR_CONTIG_RANGE,
	KSM_MR_LONGTERM_PIN,
	KSM_MR_DEMOTION,
	KSM_MR_DAMON,
	KSM_MR_UNKNOWN,			/* a kernel reason this build does not know */
	KSM_MR_MAX,
};

/* Why a swap-in needed a copy (ksm_swapin_copy reason). */
enum ksm_copy_reason {
	KSM_COPY_NONE = 0,		/* KSM folio still has its node: no copy */
	KSM_COPY_ANON_VMA,		/* anon folio from another anon_vma or index */
	KSM_COPY_NO_STABLE_NODE,	/* KSM folio whose stable node is gone */
	KSM_COPY_UNMERGE,		/* run=2 unmerge in progress */
	KSM_COPY_UNKNOWN,		/* not visible (fallback probe), or not known to this build */
	KSM_COPY_MAX,
};

/* What ksm_might_need_to_copy returned (ksm_swapin_copy result). */
enum ksm_copy_result {
	KSM_COPY_SAME = 0,		/* the same folio, no copy */
	KSM_COPY_NEW,			/* a new folio holding the copy */
	KSM_COPY_NOT_UPTODATE,		/* !uptodate: left to do_swap_page */
	KSM_COPY_HWPOISON,		/* -EHWPOISON */
	KSM_COPY_NOMEM,			/* allocation or memcg charge failed */
	KSM_COPY_RESULT_UNKNOWN,	/* a kernel result this build does not know */
	KSM_COPY_RESULT_MAX,
};

/*
 * swapin_copy aux[0]: whether the source folio was uptodate at the decision
 * (JSON "src_uptodate": true, false, or null when the source cannot tell).
 */
#define KSM_COPY_F_UPTODATE_KNOWN	(1ULL << 0)	/* the next bit is meaningful */
#define KSM_COPY_F_UPTODATE		(1ULL << 1)	/* folio_test_uptodate(source) */

/* One record on the ring buffer: 128 bytes, every field naturally aligned. */
struct ksm_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 cgroup_id;	/* cgroup v2 id of the mm's owner, 0 if unknown */
	__u64 mm;		/* mm_struct address: identity only */
	__u64 pfn;		/* page frame; the node's kpfn for stable-node events */
	__u64 pfn2;		/* second pfn: migration target, copy, new kpfn */
	__u64 node;		/* ksm_stable_node address: identity only */
	__u64 aux[3];		/* kind-specific: the F() columns of ksm_event_kinds.h */
	__u32 kind;		/* enum ksm_event_kind */
	__u32 source;		/* enum ksm_event_source */
	__u32 pid;		/* tgid owning mm, 0 if unknown */
	__u32 cpu;
	__s32 err;
	__s32 nid;		/* NUMA node of pfn, -1 if unknown to BPF */
	__s32 nid2;		/* NUMA node of pfn2, -1 if unknown */
	__u32 reason;		/* kind-specific enum */
	__u32 result;		/* kind-specific enum */
	__u32 tid;		/* the calling thread, for kinds with KSM_EVF_TID */
	char comm[KSM_COMM_LEN];
};

_Static_assert(sizeof(struct ksm_event) == 128, "the ring buffer record is 128 bytes");

/* Indexes into the per-CPU "stats" array map. */
enum ksm_stat_idx {
	KSM_STAT_EMITTED = 0,	/* events written to the ring buffer */
	KSM_STAT_DROPPED,	/* ring buffer full: event lost */
	KSM_STAT_FILTERED,	/* rejected by the pid/cgroup filter */
	KSM_STAT_MAX,
};

#endif /* KSM_EVENT_H */
