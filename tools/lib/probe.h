/* SPDX-License-Identifier: GPL-2.0 */
/* What the running kernel offers: BTF, KSM, tracepoints, trampolines. */
#ifndef KSM_PROBE_H
#define KSM_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct btf;

/* Kernel BTF, or NULL with errno set (ENOENT: the kernel has no BTF). */
struct btf *probe_load_btf(void);
/* Does the kernel define tracepoint NAME (e.g. "ksm_merge_one_page")? */
bool probe_tracepoint(const struct btf *btf, const char *name);
/*
 * Can an fentry program attach to FUNC? 0, or -errno with why filled:
 * -ENOENT not in BTF, -EPERM trampolines refused, ...
 */
int probe_fentry(const struct btf *btf, const char *func, char *why, size_t len);
/* Address of a kernel symbol from /proc/kallsyms, 0 if absent or hidden. */
unsigned long long probe_kallsyms(const char *sym);
/* Is KSM built in (/sys/kernel/mm/ksm exists)? */
bool probe_ksm(void);

#endif
