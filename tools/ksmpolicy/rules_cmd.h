/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rules of the built-in policy in its pinned maps: set, unset, list and
 * explain.  Each answer is a struct, printed as text or JSON from the same
 * struct (cmd_print_json sorts the keys, as scripts expect).
 */
#ifndef KSMPOLICY_RULES_CMD_H
#define KSMPOLICY_RULES_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ksm_policy.h"
#include "pin.h"
#include "policy_rules.h"

/* One rule as `list` shows it. */
struct rule_row {
	uint64_t cgroup_id;
	char *cgroup; /* its path, NULL when the cgroup is gone */
	struct ksm_policy_rule rule;
	struct ksm_policy_stats hits; /* the decisions it made, over all CPUs */
};

struct rule_list {
	bool loaded; /* the built-in policy is loaded */
	struct rule_row *v;
	size_t n;
};

json_t *rule_list_json(const struct rule_list *l);
void rule_list_print(FILE *out, const struct rule_list *l);
void rule_list_free(struct rule_list *l);

/* What `explain` says about a process or a cgroup. */
struct explanation {
	int pid; /* 0: asked about a cgroup */
	char cgroup[4096];
	uint64_t cgroup_id;
	bool policy_loaded;
	struct policy_resolution res;
	char action_rule[256], weight_rule[256]; /* where they come from, "" for defaults */
};

json_t *explanation_json(const struct explanation *e);
void explanation_print(FILE *out, const struct explanation *e);

/*
 * Write the rule of a cgroup id, or delete it (and its counters) when it
 * sets nothing.  Returns 0 or -errno.
 */
int rule_put(const struct pinned *p, uint64_t id, const struct ksm_policy_rule *r);

#endif
