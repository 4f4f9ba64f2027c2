// SPDX-License-Identifier: GPL-2.0
/*
 * A test policy that needs the trusted cgroup argument: each top-level
 * cgroup is a merge domain, found with the kfuncs bpf_cgroup_ancestor()
 * (acquire/release) and bpf_ksm_cgroup_ancestor_id(); both must agree.
 * The root cgroup's mms stay in the default domain.
 */
#include "pol_common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/merge_domain")
__u64 BPF_PROG(trusted_domain, struct ksm_bpf_ctx *kctx, struct mm_struct *mm,
	       struct cgroup *cgrp)
{
	struct cgroup *top;
	__u64 id, id2;

	if (cgrp->level < 1)
		return 0;
	id = bpf_ksm_cgroup_ancestor_id(cgrp, 1);
	top = bpf_cgroup_ancestor(cgrp, 1);
	if (!top)
		return ~0ULL;
	id2 = top->kn->id;
	bpf_cgroup_release(top);
	/* disagreeing kfuncs: never merge, which the suite sees */
	return id == id2 ? id : ~0ULL;
}

SEC(".struct_ops")
struct ksm_bpf_ops trusted_top = {
	.merge_domain = (void *)trusted_domain,
	.name = "trusted_top",
};
