/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The records of bpf/ksm_iter.bpf.c, the task iterator that reads every KSM
 * user's counters in one pass, and ksmtop (tools/ksmtop/task_iter.c), which
 * reads them.  A read of the iterator gives one header, then one record per
 * process (thread group leader) whose mm uses KSM.  Fixed-width fields, no
 * vmlinux.h: compiled by clang -target bpf and by the host compiler.
 */
#ifndef KSM_ITER_H
#define KSM_ITER_H

#ifdef __bpf__
/* vmlinux.h already defines the __u* types */
#else
#include <linux/types.h>
#endif

enum ksm_iter_type {
	KSM_ITER_HDR = 0x4b534d48,  /* "KSMH" */
	KSM_ITER_TASK = 0x4b534d54, /* "KSMT" */
};

/* Which mm_struct counters this kernel has (ksm_iter_hdr.have). */
#define KSM_ITER_HAVE_MERGING (1u << 0) /* ksm_merging_pages, 5.19+ */
#define KSM_ITER_HAVE_RMAP (1u << 1)	/* ksm_rmap_items, 6.1+ */
#define KSM_ITER_HAVE_ZERO (1u << 2)	/* ksm_zero_pages, 6.6+ */

/*
 * Bits of mm->flags (MMF_* in include/linux/mm_types.h, sched/coredump.h
 * before): defines, so not in BTF.  MMF_VM_MERGEABLE is 16 in every kernel
 * with KSM; MMF_VM_MERGE_ANY is 30 from 6.4 (prctl PR_SET_MEMORY_MERGE),
 * another bit or nothing before: user space looks at it only where the
 * kernel has the prctl.
 */
#define KSM_MMF_VM_MERGEABLE 16
#define KSM_MMF_VM_MERGE_ANY 30

struct ksm_iter_hdr {
	__u32 type; /* KSM_ITER_HDR */
	__u32 have; /* KSM_ITER_HAVE_* */
	__u32 rec_size;
	__u32 rmap_item_size; /* sizeof(struct ksm_rmap_item): the profit's cost term */
	__u8 pad[48];
};

struct ksm_iter_rec {
	__u32 type; /* KSM_ITER_TASK */
	__u32 tgid;
	__u64 cgroup_id; /* the cgroup v2 id of the thread group leader */
	__s64 merging_pages;
	__s64 rmap_items;
	__s64 zero_pages;
	__u64 mm_flags; /* the first word of mm->flags */
	char comm[16];
};

_Static_assert(sizeof(struct ksm_iter_hdr) == 64, "the header is one record long");
_Static_assert(sizeof(struct ksm_iter_rec) == 64, "fixed records");

#endif
