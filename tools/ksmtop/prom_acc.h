/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-process counters the exporter keeps itself (--prom-processes). The
 * model counts a process's merges and unmerges per interval; Prometheus
 * wants counters that only grow, so that rate() works. Each sample adds a
 * process row's interval counts to the running total of its pid; pids not
 * seen in a sample are forgotten, and their series end. (Per cgroup, the
 * model keeps such totals itself: struct top_cgroup.)
 */
#ifndef KSM_PROM_ACC_H
#define KSM_PROM_ACC_H

#include <stdint.h>

struct prom_count {
	uint64_t merges, unmerges;
};

struct prom_acc {
	void *root;   /* tsearch tree of entries */
	uint32_t gen; /* the sample being accounted */
	unsigned int n;
};

/* Start a sample. */
void prom_acc_begin(struct prom_acc *a);
/*
 * Add a process's interval counts to the total of its pid; returns the new
 * total, or the interval counts alone when out of memory.
 */
struct prom_count prom_acc_add(struct prom_acc *a, int pid, const struct prom_count *delta);
/* Forget the pids this sample did not add to. */
void prom_acc_prune(struct prom_acc *a);
void prom_acc_free(struct prom_acc *a);

#endif
