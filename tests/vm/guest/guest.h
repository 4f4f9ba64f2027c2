/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the statically linked guest workloads of the VM suite. */
#ifndef KSM_BPF_GUEST_H
#define KSM_BPF_GUEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/syscall.h>

#ifndef MADV_MERGEABLE
#define MADV_MERGEABLE 12
#endif

static inline void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(1);
}

#endif
