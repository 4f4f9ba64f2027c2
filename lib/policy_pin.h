/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Readers of the pinned built-in KSM policy (ksmpolicy pins it under
 * /sys/fs/bpf/ksm-bpf, or $KSMPOLICY_PIN_DIR): the rule in force for a
 * cgroup, as the BPF program resolves it.  Raw bpf(2) calls, no libbpf.
 */
#ifndef KSM_POLICY_PIN_H
#define KSM_POLICY_PIN_H

#include <stddef.h>

#include "policy_rules.h"

#define POLICY_PIN_DIR "/sys/fs/bpf/ksm-bpf"

/* The pin directory in use. */
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
