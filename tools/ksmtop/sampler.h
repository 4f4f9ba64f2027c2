/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmtop's sampler: the one place that reads the kernel's state
 * (/sys/kernel/mm/ksm, ksmd's /proc stat, /proc/vmstat, /proc/zoneinfo, and
 * every KSM user's counters, comm and cgroup: from the BPF task iterator,
 * or from /proc/PID/ksm_stat through the process table), once per
 * interval, and turns it and the events counted since the last sample into
 * rates.
 */
#ifndef KSM_TOP_SAMPLER_H
#define KSM_TOP_SAMPLER_H

#include <stdint.h>

#include "model.h"
#include "task_iter.h"

struct top_sampler {
	long hz;	     /* clock ticks per second of /proc stat times */
	uint64_t prev_ticks; /* ksmd's utime + stime at the last sample */
	uint64_t last_ns;    /* CLOCK_MONOTONIC of the last sample */
	struct task_iter iter;
	bool use_iter; /* the task iterator is loaded: it lists the processes */
};

/*
 * Find ksmd and the NUMA layout, and load the task iterator if bpf_iter
 * (never with $KSM_PROC_DIR: the iterator sees the real kernel, not a
 * stand-in /proc); m must be initialised.  Where the iterator does not
 * load, m->procs_note says why and the processes come from /proc.
 */
void top_sampler_init(struct top_sampler *s, struct top_model *m, bool bpf_iter);
void top_sampler_free(struct top_sampler *s);
/*
 * Take a sample now: sysfs, ksmd, /proc; compute rates and rows (unsorted).
 * Returns 0 or -errno.
 */
int top_sample(struct top_sampler *s, struct top_model *m);

#endif
