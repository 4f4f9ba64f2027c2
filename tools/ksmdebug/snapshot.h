/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A state snapshot: the KSM sysfs counters, per-process ksm_stat and the
 * NUMA picture at one moment, as a trace's "snapshot" lines carry it
 * (docs/ksmdebug.md has the schema), and its reading back from a trace.
 */
#ifndef KSM_SNAPSHOT_H
#define KSM_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ksm_event.h"
#include "ksm_stat.h"
#include "ksm_sysfs.h"

#define SNAP_MAX_NODES 64

struct snap_proc {
	int pid;
	char comm[KSM_COMM_LEN];
	struct ksm_proc_stat st;
	bool stable; /* ksm_merging_pages did not change across the sample */
};

struct snapshot {
	char *label; /* "start", "exit", "periodic", "snapshot", ... (owned) */
	uint64_t ts_ns;
	bool stable; /* the sysfs counters did not change across the sample */
	struct ksm_sysfs sysfs;
	int nodes; /* NUMA nodes, 0 if unknown */
	/* stable nodes per NUMA node, from the patched tracepoints; 0 if not seen */
	int nr_stable_per_node;
	int64_t stable_per_node[SNAP_MAX_NODES];
	struct snap_proc *procs;
	size_t nr_procs, cap_procs;
	/* who shares KSM frames with whom (lib/sharing.h JSON), NULL if not taken */
	json_t *sharing;
};

/* A fresh snapshot labelled label; 0 or -ENOMEM. */
int snapshot_init(struct snapshot *s, const char *label, uint64_t ts_ns);
void snapshot_free(struct snapshot *s);
/* Append one process; -ENOMEM leaves the snapshot as it was. */
int snapshot_add_proc(struct snapshot *s, int pid, const char *comm, const struct ksm_proc_stat *st,
		      bool stable);
/*
 * Walk the KSM users' pagemaps (lib/sharing.h) and keep who shares with
 * whom in the snapshot; 0 or -errno (not root, no kpageflags).
 */
int snapshot_add_sharing(struct snapshot *s);
/* Its sharing as text: the total line and the cgroup pairs (nothing without). */
void snapshot_print_sharing(FILE *out, const struct snapshot *s, const char *indent);
/* Pids whose ksm_stat says they use KSM (mergeable, merge_any or rmap items). */
int snap_ksm_pids(int *pids, int max);

/*
 * pages_shared of the only NUMA node: false when there is more than one
 * node (sysfs has no per-node count), or no counter.
 */
bool snapshot_shared_on_one_node(const struct snapshot *s, int64_t *shared);
/* What the per-node figures are, or why they are missing. */
const char *snapshot_stable_nodes_source(const struct snapshot *s);
const char *snapshot_shared_source(const struct snapshot *s);

/* {"type": "snapshot", "label", "ts_ns", "stable", "sysfs", "numa", "procs", "sharing"} */
json_t *snapshot_json(const struct snapshot *s);
/*
 * The inverse, for replay: label, ts_ns, stable (absent means true),
 * sysfs, the procs that have a pid and ksm_merging_pages, and sharing as it
 * is; numa is not read back (nothing judges it).  0 or -ENOMEM.
 */
int snapshot_from_json(const json_t *o, struct snapshot *s);

#endif
