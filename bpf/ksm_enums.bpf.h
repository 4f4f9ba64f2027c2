/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSM_ENUMS_BPF_H
#define KSM_ENUMS_BPF_H

/*
 * The reasons and results of the kernel-patch/ tracepoints, translated from
 * the kernel's enums (include/trace/events/ksm.h of the series) to this
 * ABI's (include/ksm_event.h).  The tracepoints pass them as plain ints; the
 * kernel's values are looked up by enumerator name with CO-RE when the
 * program loads, so a kernel that renumbers an enum, or lacks a value, can
 * never give an event another reason's name: an unmatched value becomes
 * "unknown".  Part of bpf/ksm_events.bpf.c.
 *
 * The local flavours (___k) name the kernel's enums and enumerators; CO-RE
 * drops the suffix when matching, and their values here do not matter.
 * The kernel's enums have no FORCED or CHAIN_PRUNE (fallback-only reasons).
 */
enum ksm_node_remove_reason___k {
	KSM_NODE_RM_STALE___k,
	KSM_NODE_RM_UNMERGE___k,
	KSM_NODE_RM_MERGE_ACROSS_NODES___k,
	KSM_NODE_RM_MAX_PAGE_SHARING___k,
	KSM_NODE_RM_HOTREMOVE___k,
	KSM_NODE_RM_ORPHAN___k,
};

enum ksm_stale_reason___k {
	KSM_STALE_MAPPING___k,
	KSM_STALE_FREED___k,
	KSM_STALE_MAPPING_AFTER_GET___k,
	KSM_STALE_MAPPING_AFTER_LOCK___k,
};

enum ksm_copy_reason___k {
	KSM_COPY_NONE___k,
	KSM_COPY_ANON_VMA___k,
	KSM_COPY_NO_STABLE_NODE___k,
	KSM_COPY_UNMERGE___k,
};

enum ksm_copy_result___k {
	KSM_COPY_SAME___k,
	KSM_COPY_NEW___k,
	KSM_COPY_NOT_UPTODATE___k,
	KSM_COPY_HWPOISON___k,
	KSM_COPY_NOMEM___k,
};

/*
 * v is the kernel's value of NAME in enum TYPE (if this kernel has it):
 * return our NAME.  Both CO-RE relocations are resolved at load; the value
 * is read only where the enumerator exists.
 */
#define KSM_ENUM_MAP(type, name)                                                                 \
	if (bpf_core_enum_value_exists(enum type##___k, name##___k) &&                             \
	    v == bpf_core_enum_value(enum type##___k, name##___k))                                 \
		return name;

static __always_inline __u32 node_rm_reason(int v)
{
	KSM_ENUM_MAP(ksm_node_remove_reason, KSM_NODE_RM_STALE)
	KSM_ENUM_MAP(ksm_node_remove_reason, KSM_NODE_RM_UNMERGE)
	KSM_ENUM_MAP(ksm_node_remove_reason, KSM_NODE_RM_MERGE_ACROSS_NODES)
	KSM_ENUM_MAP(ksm_node_remove_reason, KSM_NODE_RM_MAX_PAGE_SHARING)
	KSM_ENUM_MAP(ksm_node_remove_reason, KSM_NODE_RM_HOTREMOVE)
	KSM_ENUM_MAP(ksm_node_remove_reason, KSM_NODE_RM_ORPHAN)
	return KSM_NODE_RM_UNKNOWN;
}

static __always_inline __u32 stale_reason(int v)
{
	KSM_ENUM_MAP(ksm_stale_reason, KSM_STALE_MAPPING)
	KSM_ENUM_MAP(ksm_stale_reason, KSM_STALE_FREED)
	KSM_ENUM_MAP(ksm_stale_reason, KSM_STALE_MAPPING_AFTER_GET)
	KSM_ENUM_MAP(ksm_stale_reason, KSM_STALE_MAPPING_AFTER_LOCK)
	return KSM_STALE_UNKNOWN;
}

static __always_inline __u32 copy_reason(int v)
{
	KSM_ENUM_MAP(ksm_copy_reason, KSM_COPY_NONE)
	KSM_ENUM_MAP(ksm_copy_reason, KSM_COPY_ANON_VMA)
	KSM_ENUM_MAP(ksm_copy_reason, KSM_COPY_NO_STABLE_NODE)
	KSM_ENUM_MAP(ksm_copy_reason, KSM_COPY_UNMERGE)
	return KSM_COPY_UNKNOWN;
}

static __always_inline __u32 copy_result(int v)
{
	KSM_ENUM_MAP(ksm_copy_result, KSM_COPY_SAME)
	KSM_ENUM_MAP(ksm_copy_result, KSM_COPY_NEW)
	KSM_ENUM_MAP(ksm_copy_result, KSM_COPY_NOT_UPTODATE)
	KSM_ENUM_MAP(ksm_copy_result, KSM_COPY_HWPOISON)
	KSM_ENUM_MAP(ksm_copy_result, KSM_COPY_NOMEM)
	return KSM_COPY_RESULT_UNKNOWN;
}

#undef KSM_ENUM_MAP

#endif /* KSM_ENUMS_BPF_H */
