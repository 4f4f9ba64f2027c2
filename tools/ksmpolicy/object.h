/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading and unloading a policy: the built-in one (bpf/ksm_policy.bpf.c,
 * rules in maps) or a user's own ksm_bpf_ops object, checked before the
 * kernel sees it.  pin.c attaches and pins what is loaded here.
 */
#ifndef KSMPOLICY_OBJECT_H
#define KSMPOLICY_OBJECT_H

#include <stdbool.h>

#include <bpf/libbpf.h>

#include "pin.h"

/*
 * Open the pinned built-in policy in p, loading it first when no policy is
 * loaded and load is set.  Returns 0 (p is open), -ENOENT when no policy is
 * loaded and load is not set, or the exit status after reporting (a custom
 * policy is loaded, or loading failed).
 */
int builtin_open(struct pinned *p, bool load);

/*
 * Check a user's object before the kernel sees it: exactly one struct_ops
 * map, of type ksm_bpf_ops, and only struct_ops programs.  Sets *ops to the
 * map.  Returns 0, or the exit status after reporting.
 */
int object_check(struct bpf_object *obj, struct bpf_map **ops);

#endif
