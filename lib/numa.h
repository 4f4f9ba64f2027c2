/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfn -> NUMA node from /proc/zoneinfo zone spans. Stock tracepoints carry
 * only a pfn; the patched ones carry the node and do not need this.
 */
#ifndef KSM_NUMA_H
#define KSM_NUMA_H

#include <stdint.h>

#include "ksm_event.h"

#define NUMA_MAX_ZONES 64

struct numa_map {
	int nr;
	int nr_nodes;
	struct {
		uint64_t start, end;	/* [start, end) pfns */
		int nid;
	} zone[NUMA_MAX_ZONES];
};

/* Parse zoneinfo text; 0 or -EINVAL. */
int numa_map_parse(struct numa_map *m, const char *text);
/* Read $KSM_PROC_DIR/zoneinfo; 0 or -errno. */
int numa_map_load(struct numa_map *m);
/* Node of pfn, -1 if outside every zone. */
int numa_pfn_to_nid(const struct numa_map *m, uint64_t pfn);

/*
 * Fill the NUMA nodes a stock tracepoint could not give (nid, nid2 of -1)
 * from the event's pfns.
 */
void numa_fill_event(const struct numa_map *m, struct ksm_event *e);

#endif
