/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cgroup hierarchy of a sample: every cgroup that holds a KSM user, and
 * its ancestors up to the root, each with the sums of its own processes
 * (self) and of its whole subtree, so that a pod, a systemd slice or a VM's
 * scope tree has a total.  A node keeps its workload identity (lib/workload,
 * parsed once) and its counters (monotonic) from sample to sample, and is
 * dropped at the first sample that finds no KSM user left below it.
 */
#ifndef KSM_TOP_CGTREE_H
#define KSM_TOP_CGTREE_H

#include <stdint.h>

#include "stats.h"
#include "workload.h"

struct top_cgroup {
	char *path;		   /* "/a/b"; "/" the root; "?" for processes of no v2 cgroup */
	int depth;		   /* "/" and "?" are 0, "/a" is 1 */
	struct top_cgroup *parent; /* NULL for "/" and "?" */
	struct workload wl;
	struct top_stats self;	  /* the processes directly in this cgroup */
	struct top_stats subtree; /* self and every descendant */
	struct top_totals self_total, subtree_total;
	char policy[24];  /* the KSM policy rule in force ("isolate", "allow w8"), "" if none */
	uint32_t gen;	  /* the last sample that found a KSM user in the subtree */
	unsigned int idx; /* in cgtree.node */
};

struct cgtree {
	struct top_cgroup **node; /* unordered */
	unsigned int n, cap;
	void *index; /* tsearch(3) tree by path */
	uint32_t gen;
};

void cgtree_init(struct cgtree *t);
void cgtree_free(struct cgtree *t);
/* The node of a path, made with its ancestors on first sight; NULL on ENOMEM. */
struct top_cgroup *cgtree_get(struct cgtree *t, const char *path);
/* A new sample: every self and subtree sum starts from zero. */
void cgtree_begin(struct cgtree *t);
/* Count one process (its numbers in s) in cgroup c. */
void cgtree_add(struct cgtree *t, struct top_cgroup *c, const struct top_stats *s);
/*
 * The sample is complete: sum every subtree, advance the totals, and drop
 * the nodes with no KSM user below them (no process may point at those).
 */
void cgtree_end(struct cgtree *t);

#endif
