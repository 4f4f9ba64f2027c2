// SPDX-License-Identifier: GPL-2.0
/*
 * The built-in KSM policy: a ksm_bpf_ops (kernel-patch/ 0008) driven by
 * rules in BPF maps, keyed by cgroup v2 id, that ksmpolicy edits.
 *
 * ksmd calls merge_domain and scan_weight once per mm per scan round.  Both
 * walk the mm owner's cgroup and its ancestors, most specific first, and
 * take the action and the weight each from the nearest rule that sets it,
 * so a rule covers its cgroup's whole subtree, children created later
 * included, with nothing running in user space:
 *   allow      domain 0, the default: merge with anyone allowed
 *   deny       KSM_BPF_DOMAIN_NEVER: never merge
 *   isolate    the rule's cgroup id as the domain: pages of the subtree
 *              merge among themselves only
 *   weight N   scan weight N (0: not scanned; default 1)
 * Every decision is counted per rule (rule_stats) and globally (counters).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ksm_bpf_ops.h"
#include "ksm_policy.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct ksm_policy_rule);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4097); /* every rule, and 0 for "no rule" */
	__type(key, __u64);
	__type(value, struct ksm_policy_stats);
} rule_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSM_POLICY_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct resolved {
	__u64 action_cg; /* cgroup id of the rule that set the action, 0 if none */
	__u64 weight_cg; /* same for the weight */
	__u32 action;
	__u32 weight;
};

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		(*v)++;
}

static __always_inline void count_rule(__u64 cg, bool weight)
{
	struct ksm_policy_stats *s, zero = {};

	s = bpf_map_lookup_elem(&rule_stats, &cg);
	if (!s) {
		bpf_map_update_elem(&rule_stats, &cg, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&rule_stats, &cg);
		if (!s)
			return;
	}
	if (weight)
		s->weight_hits++;
	else
		s->action_hits++;
}

/* Apply the rule of cgroup id cg, if any, to what is still unresolved. */
static __always_inline void apply(struct resolved *r, __u64 cg)
{
	struct ksm_policy_rule *rule = bpf_map_lookup_elem(&rules, &cg);

	if (!rule)
		return;
	if (!r->action_cg && rule->action != KSM_POLICY_NONE) {
		r->action = rule->action;
		r->action_cg = cg;
	}
	if (!r->weight_cg && (rule->flags & KSM_POLICY_RULE_WEIGHT)) {
		r->weight = rule->weight;
		r->weight_cg = cg;
	}
}

static __always_inline bool resolve(struct ksm_bpf_ctx *ctx, struct resolved *r)
{
	struct cgroup *cgrp = BPF_CORE_READ(ctx, cgroup);
	int level, i;

	r->action = KSM_POLICY_ALLOW;
	r->weight = KSM_BPF_WEIGHT_DEFAULT;
	r->action_cg = r->weight_cg = 0;
	if (!cgrp) {
		__u64 id = BPF_CORE_READ(ctx, cgroup_id);

		if (id)
			apply(r, id);
		return false;
	}
	level = BPF_CORE_READ(cgrp, level);
	for (i = 0; i < KSM_POLICY_MAX_DEPTH; i++) {
		int lvl = level - i;
		struct cgroup *anc;
		__u64 id;

		if (lvl < 0 || (r->action_cg && r->weight_cg))
			break;
		anc = BPF_CORE_READ(cgrp, ancestors[lvl]);
		if (!anc)
			break;
		id = BPF_CORE_READ(anc, kn, id);
		apply(r, id);
	}
	return true;
}

SEC("struct_ops/merge_domain")
__u64 BPF_PROG(ksm_policy_merge_domain, struct ksm_bpf_ctx *kctx)
{
	struct resolved r;

	count(KSM_POLICY_CALLS);
	if (!resolve(kctx, &r) && !r.action_cg)
		count(KSM_POLICY_NO_CGROUP);
	count_rule(r.action_cg, false);
	switch (r.action) {
	case KSM_POLICY_DENY:
		count(KSM_POLICY_DENIED);
		return KSM_BPF_DOMAIN_NEVER;
	case KSM_POLICY_ISOLATE:
		count(KSM_POLICY_ISOLATED);
		return r.action_cg;
	default:
		count(KSM_POLICY_ALLOWED);
		return KSM_BPF_DOMAIN_DEFAULT;
	}
}

SEC("struct_ops/scan_weight")
__u32 BPF_PROG(ksm_policy_scan_weight, struct ksm_bpf_ctx *kctx)
{
	struct resolved r;

	resolve(kctx, &r);
	count_rule(r.weight_cg, true);
	if (!r.weight)
		count(KSM_POLICY_SKIPPED);
	return r.weight;
}

SEC(".struct_ops")
struct ksm_bpf_ops ksm_policy = {
	.merge_domain = (void *)ksm_policy_merge_domain,
	.scan_weight = (void *)ksm_policy_scan_weight,
	.name = "ksm_policy",
};
