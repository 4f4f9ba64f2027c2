/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KSM policy rules without BPF: parsing "allow|deny|isolate|weight N", the
 * rules file (`ksmpolicy apply` reads it, `ksmadvise --rules` writes one and
 * its tests read it back), and the resolution the built-in policy does in
 * BPF (the nearest rule up the cgroup tree sets the action, the nearest one
 * the weight), so that `ksmpolicy explain` and ksmtop say what the kernel
 * will decide.
 */
#ifndef KSM_POLICY_RULES_H
#define KSM_POLICY_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ksm_policy.h"

const char *policy_action_name(uint32_t action);

/*
 * Parse the words of a rule ("isolate", "weight 4", "deny weight 0") and
 * merge them into *r (policy_rule_merge): a set on a cgroup that has a rule
 * changes only what the words say.  Returns 0, or -EINVAL with a message in
 * err and *r unchanged.
 */
int policy_parse_words(int argc, char **argv, struct ksm_policy_rule *r, char *err, size_t err_len);
/* What r sets (its action, its weight) replaces what *into has. */
void policy_rule_merge(struct ksm_policy_rule *into, const struct ksm_policy_rule *r);

/* "isolate weight 4", "deny", "weight 0", "-" for an empty rule. */
void policy_rule_str(const struct ksm_policy_rule *r, char *buf, size_t len);

/* One cgroup's rule in a rules file. */
struct policy_line {
	unsigned int line; /* 1-based number of its first line */
	char cgroup[256];  /* as written */
	struct ksm_policy_rule rule;
};

struct policy_file {
	struct policy_line *v;
	size_t n, cap;
	/* every error, "FILE:LINE: message\n", in line order */
	char *errors;
	size_t nerrors;
};

/* What a rules file may hold: the policy's map has 4096 rules. */
#define POLICY_FILE_MAX_RULES 4096
#define POLICY_FILE_MAX_LINE 1022
#define POLICY_FILE_MAX_LINES 65536
#define POLICY_FILE_MAX_BYTES (4 << 20)

/*
 * Parse a rules file: one rule per line, "CGROUP WORDS..." as for
 * `ksmpolicy set`; '#' starts a comment; blank lines are ignored.  Lines for
 * the same cgroup merge in order.  Every malformed line is reported (not
 * only the first); name is used in the messages.  A line over
 * POLICY_FILE_MAX_LINE is an error; a NUL byte, no newline in 1 MiB, more
 * than POLICY_FILE_MAX_LINES lines or POLICY_FILE_MAX_RULES cgroups end the
 * parse with an error.  Returns the number of errors (0: pf holds the
 * rules), or -errno on a read error.
 */
int policy_file_parse(FILE *f, const char *name, struct policy_file *pf);
void policy_file_free(struct policy_file *pf);

/* Resolution of a cgroup's rules, as bpf/ksm_policy.bpf.c does it. */
struct policy_resolution {
	uint32_t action; /* never KSM_POLICY_NONE: ALLOW by default */
	uint32_t weight;
	int action_from; /* index into the ancestors array, -1: default */
	int weight_from;
	uint64_t domain; /* what merge_domain returns */
};

/*
 * ids[0] is the cgroup itself, ids[n-1] the root; lookup returns the rule
 * of an id or NULL.
 */
typedef const struct ksm_policy_rule *(*policy_lookup_fn)(uint64_t id, void *ctx);
void policy_resolve(const uint64_t *ids, int n, policy_lookup_fn lookup, void *ctx,
		    struct policy_resolution *res);

#endif
