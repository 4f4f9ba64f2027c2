// SPDX-License-Identifier: GPL-2.0
/*
 * ksmtop's one-pass reader of per-process KSM counters: a task iterator.
 * Reading /proc/PID/ksm_stat costs an open, a read, a close and the
 * kernel's mmap lock round trip per process (about 40 us each); this walks
 * every task once and writes a fixed record (include/ksm_iter.h) for each
 * thread group leader whose mm uses KSM, with the same numbers ksm_stat
 * prints: ksm_merging_pages, ksm_rmap_items, ksm_zero_pages, and the
 * MMF_VM_MERGEABLE / MMF_VM_MERGE_ANY flags, plus the cgroup and the comm.
 *
 * The counters are read without the mm's lock, as /proc reads them; a
 * process that exits during the walk may show its last values (loads
 * through BTF pointers never fault).  Fields that some kernels lack are
 * guarded by CO-RE existence checks, and the header says which were there.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "ksm_iter.h"

char LICENSE[] SEC("license") = "GPL";

/* mm->flags was an unsigned long up to 6.17; 6.18 made it mm_flags_t, a bitmap. */
struct mm_struct___flags_ul {
	unsigned long flags;
} __attribute__((preserve_access_index));

/* mm->ksm_zero_pages was an unsigned long in 6.6 to 6.9, then an atomic_long_t. */
struct mm_struct___zero_ul {
	unsigned long ksm_zero_pages;
} __attribute__((preserve_access_index));

static __always_inline __u32 have_fields(void)
{
	__u32 have = 0;

	if (bpf_core_field_exists(struct mm_struct, ksm_merging_pages))
		have |= KSM_ITER_HAVE_MERGING;
	if (bpf_core_field_exists(struct mm_struct, ksm_rmap_items))
		have |= KSM_ITER_HAVE_RMAP;
	if (bpf_core_field_exists(struct mm_struct, ksm_zero_pages) ||
	    bpf_core_field_exists(struct mm_struct___zero_ul, ksm_zero_pages))
		have |= KSM_ITER_HAVE_ZERO;
	return have;
}

static __always_inline void write_header(struct seq_file *seq)
{
	struct ksm_iter_hdr h = {
		.type = KSM_ITER_HDR,
		.have = have_fields(),
		.rec_size = sizeof(struct ksm_iter_rec),
	};

	if (bpf_core_type_exists(struct ksm_rmap_item))
		h.rmap_item_size = bpf_core_type_size(struct ksm_rmap_item);
	bpf_seq_write(seq, &h, sizeof(h));
}

/*
 * The loads below go through BTF pointers (the task the iterator holds, its
 * mm): plain loads the verifier allows and the JIT guards against faults,
 * several times cheaper than bpf_probe_read_kernel, which matters at
 * 10,000 processes per sample.
 */
static __always_inline __u64 mm_flags_word(struct mm_struct *mm)
{
	struct mm_struct___flags_ul *old = (void *)mm;

	if (bpf_core_field_exists(old->flags))
		return old->flags;
	/* mm_flags_t: the bitmap's first word holds the MMF_ bits */
	return mm->flags.__mm_flags[0];
}

static __always_inline __s64 mm_zero_pages(struct mm_struct *mm)
{
	struct mm_struct___zero_ul *old = (void *)mm;

	if (bpf_core_field_exists(mm->ksm_zero_pages))
		return mm->ksm_zero_pages.counter;
	if (bpf_core_field_exists(old->ksm_zero_pages))
		return old->ksm_zero_pages;
	return 0;
}

SEC("iter/task")
int ksm_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct ksm_iter_rec r = { .type = KSM_ITER_TASK };
	const __u64 ksm_flags = 1ULL << KSM_MMF_VM_MERGEABLE | 1ULL << KSM_MMF_VM_MERGE_ANY;
	struct mm_struct *mm;

	if (ctx->meta->seq_num == 0)
		write_header(seq);
	/* threads share their leader's mm: the leader speaks for the process */
	if (!task || task->pid != task->tgid)
		return 0;
	mm = task->mm;
	if (!mm) /* a kernel thread, or a process on its way out */
		return 0;
	if (bpf_core_field_exists(mm->ksm_merging_pages))
		r.merging_pages = mm->ksm_merging_pages;
	if (bpf_core_field_exists(mm->ksm_rmap_items))
		r.rmap_items = mm->ksm_rmap_items;
	r.zero_pages = mm_zero_pages(mm);
	r.mm_flags = mm_flags_word(mm);
	if (!(r.mm_flags & ksm_flags) && !r.merging_pages && !r.rmap_items && !r.zero_pages)
		return 0; /* not a KSM user */
	r.tgid = task->tgid;
	r.cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	__builtin_memcpy(r.comm, task->comm, sizeof(r.comm));
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}
