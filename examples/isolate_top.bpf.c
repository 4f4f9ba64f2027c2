// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny custom KSM policy, to load with `ksmpolicy load`: every top-level
 * cgroup is its own merge domain (its pages merge only with pages of its own
 * subtree); processes in the root cgroup merge as usual.  No maps, no rules.
 *
 * Build: make examples (build/examples/isolate_top.bpf.o)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ksm_bpf_ops.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/merge_domain")
__u64 BPF_PROG(isolate_top_domain, struct ksm_bpf_ctx *kctx)
{
	struct cgroup *cgrp = BPF_CORE_READ(kctx, cgroup);
	struct cgroup *top;

	if (!cgrp || BPF_CORE_READ(cgrp, level) < 1)
		return KSM_BPF_DOMAIN_DEFAULT;
	top = BPF_CORE_READ(cgrp, ancestors[1]);
	return top ? BPF_CORE_READ(top, kn, id) : KSM_BPF_DOMAIN_DEFAULT;
}

SEC(".struct_ops")
struct ksm_bpf_ops isolate_top = {
	.merge_domain = (void *)isolate_top_domain,
	.name = "isolate_top",
};
