/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel-patch/ ksm_bpf_ops types, for BPF programs built against a
 * vmlinux.h that lacks them (the shipped one comes from a stock kernel).
 * struct ksm_bpf_ctx is read with CO-RE (preserve_access_index): field
 * offsets are taken from the running kernel's BTF.  struct ksm_bpf_ops is
 * matched by libbpf, by name and member names, against the kernel's type.
 * Include after vmlinux.h.  See include/linux/ksm_bpf.h in the patched tree.
 */
#ifndef KSM_BPF_OPS_H
#define KSM_BPF_OPS_H

#ifndef KSM_BPF_OPS_IN_VMLINUX_H
#define KSM_BPF_MADVISE (1U << 0)
#define KSM_BPF_PRCTL (1U << 1)
#define KSM_BPF_DOMAIN_DEFAULT 0ULL
#define KSM_BPF_DOMAIN_NEVER (~0ULL)
#define KSM_BPF_WEIGHT_DEFAULT 1U
#define KSM_BPF_WEIGHT_MAX 1024U
#define KSM_BPF_NAME_LEN 16

/*
 * ctx->mm and ctx->cgroup are the callbacks' mm and cgrp arguments, read as
 * untrusted pointers; the arguments are trusted (kfuncs take them).
 * ctx->domain (the mm's current domain) exists from series v2 on: read it
 * with bpf_core_field_exists() to load on a v1 kernel too.
 */
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
	__u64 (*merge_domain)(struct ksm_bpf_ctx *ctx, struct mm_struct *mm, struct cgroup *cgrp);
	__u32 (*scan_weight)(struct ksm_bpf_ctx *ctx, struct mm_struct *mm, struct cgroup *cgrp);
	char name[KSM_BPF_NAME_LEN];
};
#endif

/* The kfunc of series v2 (a policy may call it and the cgroup kfuncs only) */
extern __u64 bpf_ksm_cgroup_ancestor_id(struct cgroup *cgrp, int level) __ksym __weak;

#endif /* KSM_BPF_OPS_H */
