/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters the exporter keeps itself. The model counts merges and unmerges
 * per interval, per row; Prometheus wants counters that only grow, so that
 * rate() works and a process that exits takes nothing away from its
 * cgroup's total. Each sample adds a row's interval counts to the running
 * total of its key (a cgroup path, or a pid); keys not seen in a sample are
 * forgotten, and their series end.
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
 * Add a row's interval counts to the total of its key (a string key, or
 * pid > 0 with key NULL); returns the new total, or the interval counts
 * alone when out of memory.
 */
struct prom_count prom_acc_add(struct prom_acc *a, const char *key, int pid,
			       const struct prom_count *delta);
/* Forget the keys this sample did not add to. */
void prom_acc_prune(struct prom_acc *a);
void prom_acc_free(struct prom_acc *a);

#endif
