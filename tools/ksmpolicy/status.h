/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ksmpolicy status`: the loaded policy, the built-in policy's counters and
 * what its programs cost, gathered in one struct and printed from it as text
 * or JSON.
 */
#ifndef KSMPOLICY_STATUS_H
#define KSMPOLICY_STATUS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <linux/bpf.h>

#include "ksm_policy.h"

/* A pinned program and what bpf_stats measured of it. */
struct prog_stat {
	char name[NAME_MAX + 1]; /* its pin's name without "prog_" */
	uint32_t id;
	uint64_t run_cnt, run_time_ns;
};

struct policy_status {
	const char *pin_dir;
	bool loaded, attached, builtin;
	char name[BPF_OBJ_NAME_LEN]; /* the struct_ops map's, "" if detached */
	uint32_t link_id, map_id;
	bool bpf_stats_enabled;
	/* the built-in policy only */
	size_t rules;
	uint64_t counters[KSM_POLICY_COUNTER_MAX];
	struct prog_stat *progs;
	size_t nprogs;
};

json_t *policy_status_json(const struct policy_status *s);
void policy_status_print(FILE *out, const struct policy_status *s);

#endif
