/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UAPI constants newer than the headers a build host may have.  Debian 12
 * ships Linux 6.1's linux/bpf.h and libbpf 1.1: each definition below names
 * the kernel that brought it.  The running kernel decides at run time.
 */
#ifndef KSM_BPF_COMPAT_H
#define KSM_BPF_COMPAT_H

#include <linux/bpf.h>

/* BPF_MAP_CREATE flag: a struct_ops map attached through a link (6.4) */
#ifndef BPF_F_LINK
#define BPF_F_LINK (1U << 13)
#endif

/*
 * enum bpf_attach_type BPF_STRUCT_OPS (6.4): 6.1's enum stops before it, so
 * it is spelled as its value.
 */
#define KSM_BPF_ATTACH_STRUCT_OPS 44

#endif
