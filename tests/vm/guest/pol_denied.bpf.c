// SPDX-License-Identifier: GPL-2.0
/*
 * A test policy calling a kfunc that struct_ops programs may call in
 * general (bpf_task_from_pid) but a KSM policy may not: its load must fail.
 */
#include "pol_common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/scan_weight")
__u32 BPF_PROG(denied_weight, struct ksm_bpf_ctx *kctx, struct mm_struct *mm,
	       struct cgroup *cgrp)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (t)
		bpf_task_release(t);
	return 1;
}

SEC(".struct_ops")
struct ksm_bpf_ops denied = {
	.scan_weight = (void *)denied_weight,
	.name = "denied",
};
