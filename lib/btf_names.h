/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Is a name in the kernel's BTF? A streaming look through the BTF string
 * table, in 64 KiB of memory, instead of parsing 5 MB of types: enough to
 * know whether a tracepoint (btf_trace_<name>) or a function exists before
 * picking which BPF variant to load. The load itself is the final word.
 */
#ifndef KSM_BTF_NAMES_H
#define KSM_BTF_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define BTF_VMLINUX "/sys/kernel/btf/vmlinux"

/*
 * For each of the n names set found[i]. Returns 0, -ENOENT (no such file:
 * the kernel has no BTF) or -EINVAL (not BTF).
 */
int btf_names_find(const char *path, const char *const *names, size_t n, bool *found);

#endif
