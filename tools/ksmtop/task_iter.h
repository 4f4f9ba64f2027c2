/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-process listing from the BPF task iterator (bpf/ksm_iter.bpf.c):
 * every KSM user's counters, comm and cgroup in one read, instead of one
 * /proc/PID/ksm_stat read per process.  The sampler uses it where it loads
 * and falls back to proc_table_scan() where it does not; /proc stays the
 * reference the host tests hold it to.
 */
#ifndef KSM_TOP_TASK_ITER_H
#define KSM_TOP_TASK_ITER_H

#include <stdbool.h>
#include <stddef.h>

#include "cgroup.h"
#include "proc_table.h"

struct ksm_iter_bpf;
struct bpf_link;

struct task_iter {
	struct ksm_iter_bpf *skel;
	struct bpf_link *link;
	struct cgroup_cache cgroups; /* cgroup id -> path */
	bool profit;		     /* the kernel computes ksm_process_profit (6.4+) */
	long page_size;
	char *buf; /* one read of the iterator */
	size_t cap;
};

/* Load and attach; 0, or -errno with the reason in err. */
int task_iter_open(struct task_iter *it, char *err, size_t len);
/* One listing of every KSM user into t (proc_table_begin ... end); 0 or -errno. */
int task_iter_scan(struct task_iter *it, struct proc_table *t);
void task_iter_close(struct task_iter *it);

#endif
