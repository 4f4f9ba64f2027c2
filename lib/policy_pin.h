/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Readers of the pinned built-in KSM policy (ksmpolicy pins it under
 * /sys/fs/bpf/ksm-bpf, or $KSMPOLICY_PIN_DIR): the rule in force for a
 * cgroup, as the BPF program resolves it.
 */
#ifndef KSM_POLICY_PIN_H
#define KSM_POLICY_PIN_H

#include <stddef.h>

#include "policy_rules.h"

/* bpffs, and the directory of ours in it */
#define POLICY_BPFFS "/sys/fs/bpf"
#define POLICY_PIN_NAME "ksm-bpf"
#define POLICY_PIN_DIR POLICY_BPFFS "/" POLICY_PIN_NAME

/* The pin directory in use: POLICY_PIN_DIR, or $KSMPOLICY_PIN_DIR. */
const char *policy_pin_dir(void);
/* fd of the pinned rules map, or -errno (-ENOENT: no built-in policy). */
int policy_rules_open(void);

/*
 * Resolve the rules for a cgroup path ("/a/b") against the rules map fd:
 * walks the path's ancestors (which must exist).  The paths of the rules
 * that set the action and the weight go to action_rule and weight_rule
 * ("" for the defaults).  Returns 0 or -errno.
 */
int policy_resolve_path(int rules_fd, const char *path, struct policy_resolution *res,
			char *action_rule, size_t ar_len, char *weight_rule, size_t wr_len);

/* A short form for a table: "isolate", "deny", "allow w8", "isolate w0". */
void policy_brief(const struct policy_resolution *res, char *buf, size_t len);

#endif
