/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel-patch/ ksm_bpf_ops types as the VM suite's own test policies
 * see them: the callbacks' trusted mm and cgroup arguments, and the kfuncs.
 * libbpf matches struct ksm_bpf_ops by name and member names.
 */
#ifndef POL_COMMON_BPF_H
#define POL_COMMON_BPF_H
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct ksm_bpf_ctx {
	struct mm_struct *mm;
	struct cgroup *cgroup;
	__u64 cgroup_id;
	__u32 pid;
	__s32 nid;
	__u32 flags;
	__u64 domain;
} __attribute__((preserve_access_index));

struct ksm_bpf_ops {
	__u64 (*merge_domain)(struct ksm_bpf_ctx *ctx, struct mm_struct *mm,
			      struct cgroup *cgrp);
	__u32 (*scan_weight)(struct ksm_bpf_ctx *ctx, struct mm_struct *mm,
			     struct cgroup *cgrp);
	char name[16];
};

extern __u64 bpf_ksm_cgroup_ancestor_id(struct cgroup *cgrp, int level) __ksym;
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
#endif
