/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmtop's sampler: the one place that reads the kernel's state
 * (/sys/kernel/mm/ksm, ksmd's /proc stat, /proc/zoneinfo, and through the
 * process table /proc/PID/ksm_stat, comm and cgroup), once per interval, and
 * turns it and the events counted since the last sample into rates.
 */
#ifndef KSM_TOP_SAMPLER_H
#define KSM_TOP_SAMPLER_H

#include <stdint.h>

#include "model.h"

struct top_sampler {
	long hz;	     /* clock ticks per second of /proc stat times */
	uint64_t prev_ticks; /* ksmd's utime + stime at the last sample */
	uint64_t last_ns;    /* CLOCK_MONOTONIC of the last sample */
};

/* Find ksmd and the NUMA layout; m must be initialised. */
void top_sampler_init(struct top_sampler *s, struct top_model *m);
/*
 * Take a sample now: sysfs, ksmd, /proc; compute rates and rows (unsorted).
 * Returns 0 or -errno.
 */
int top_sample(struct top_sampler *s, struct top_model *m);

#endif
