/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSM_MIGRATE_REASON_BPF_H
#define KSM_MIGRATE_REASON_BPF_H

/*
 * The reason of the stock mm_migrate_pages_start tracepoint, the kernel's
 * enum migrate_reason (include/linux/migrate_mode.h), translated to this
 * ABI's enum ksm_migrate_reason by enumerator name with CO-RE, as
 * ksm_enums.bpf.h does for the series' enums: a kernel that numbers the
 * enum otherwise, or lacks a value (MR_DAMON came in 6.2), never gives an
 * event another reason's name.  Part of ksm_migrate.bpf.h.
 */
enum migrate_reason___k {
	MR_COMPACTION___k,
	MR_MEMORY_FAILURE___k,
	MR_MEMORY_HOTPLUG___k,
	MR_SYSCALL___k,
	MR_MEMPOLICY_MBIND___k,
	MR_NUMA_MISPLACED___k,
	MR_CONTIG_RANGE___k,
	MR_LONGTERM_PIN___k,
	MR_DEMOTION___k,
	MR_DAMON___k,
};

/* v is the kernel's MR_NAME (if it has one): return KSM_MR_NAME */
#define KSM_MR_MAP(name)                                                                          \
	if (bpf_core_enum_value_exists(enum migrate_reason___k, name##___k) &&                      \
	    v == bpf_core_enum_value(enum migrate_reason___k, name##___k))                          \
		return KSM_##name;

static __always_inline __u32 migrate_reason(int v)
{
	KSM_MR_MAP(MR_COMPACTION)
	KSM_MR_MAP(MR_MEMORY_FAILURE)
	KSM_MR_MAP(MR_MEMORY_HOTPLUG)
	KSM_MR_MAP(MR_SYSCALL)
	KSM_MR_MAP(MR_MEMPOLICY_MBIND)
	KSM_MR_MAP(MR_NUMA_MISPLACED)
	KSM_MR_MAP(MR_CONTIG_RANGE)
	KSM_MR_MAP(MR_LONGTERM_PIN)
	KSM_MR_MAP(MR_DEMOTION)
	KSM_MR_MAP(MR_DAMON)
	return KSM_MR_UNKNOWN;
}

#undef KSM_MR_MAP

#endif /* KSM_MIGRATE_REASON_BPF_H */
