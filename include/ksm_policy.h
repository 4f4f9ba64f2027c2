/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between bpf/ksm_policy.bpf.c (the built-in ksm_bpf_ops
 * policy) and ksmpolicy: the maps' keys and values.  Fixed-width fields,
 * explicit padding, no vmlinux.h (compiled by clang -target bpf and by gcc).
 *
 * Rules are keyed by cgroup v2 id and apply to the cgroup's whole subtree.
 * The action and the weight are resolved separately: each from the nearest
 * cgroup, walking from the mm owner's cgroup up to the root, whose rule sets
 * it.  So "/t isolate" and "/t/batch weight 0" give /t/batch isolation and
 * weight 0.
 */
#ifndef KSM_POLICY_H
#define KSM_POLICY_H

#ifdef __bpf__
/* vmlinux.h already defines the __u* types */
#else
#include <linux/types.h>
#endif

/* What a rule says about merging. */
enum ksm_policy_action {
	KSM_POLICY_NONE = 0, /* no action in this rule: inherit */
	KSM_POLICY_ALLOW,    /* default domain 0: merge with everyone */
	KSM_POLICY_DENY,     /* never merge */
	KSM_POLICY_ISOLATE,  /* merge only within the rule's cgroup subtree */
	KSM_POLICY_ACTION_MAX,
};

/* The merge domain that means "never merge" (KSM_BPF_DOMAIN_NEVER). */
#ifndef KSM_POLICY_DOMAIN_NEVER
#define KSM_POLICY_DOMAIN_NEVER (~0ULL)
#endif

#define KSM_POLICY_RULE_WEIGHT (1u << 0) /* the rule sets a weight */

/* Deepest cgroup level the policy walks (the root is level 0). */
#define KSM_POLICY_MAX_DEPTH 32
/* Largest weight a rule may set (ksmd caps passes at 8 anyway). */
#define KSM_POLICY_MAX_WEIGHT 1000

/* Value of the "rules" hash map, keyed by __u64 cgroup id. */
struct ksm_policy_rule {
	__u32 action; /* enum ksm_policy_action */
	__u32 flags;  /* KSM_POLICY_RULE_* */
	__u32 weight; /* valid with KSM_POLICY_RULE_WEIGHT */
	__u32 __pad;
};

/*
 * Value of the per-CPU "rule_stats" hash map, keyed by the cgroup id of the
 * rule that decided (0: no rule, the defaults).  One count per mm per scan
 * round and per field the rule decided.
 */
struct ksm_policy_stats {
	__u64 action_hits; /* the rule's action was applied */
	__u64 weight_hits; /* the rule's weight was applied */
};

/* Indexes into the per-CPU "counters" array. */
enum ksm_policy_counter {
	KSM_POLICY_CALLS = 0, /* merge_domain calls */
	KSM_POLICY_NO_CGROUP, /* mm without an owner cgroup: defaults */
	KSM_POLICY_ALLOWED,
	KSM_POLICY_DENIED,
	KSM_POLICY_ISOLATED,
	KSM_POLICY_SKIPPED, /* weight 0 */
	KSM_POLICY_COUNTER_MAX,
};

#endif /* KSM_POLICY_H */
