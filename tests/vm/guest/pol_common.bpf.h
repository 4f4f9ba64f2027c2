/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel-patch/ ksm_bpf_ops types as the VM suite's own test policies
 * see them: the callbacks' trusted mm and cgroup arguments, and the kfuncs.
 * libbpf matches struct ksm_bpf_ops by name and member names.
 */
#ifndef POL_COMMON_BPF_H
#define POL_COMMON_BPF_H
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "ksm_bpf_ops.h"

extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
#endif
