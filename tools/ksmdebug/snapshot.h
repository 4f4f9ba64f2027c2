/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State snapshots for ksmdebug: the KSM sysfs counters, per-process
 * ksm_stat and the NUMA picture, as the JSON objects a trace's "snapshot"
 * lines carry (docs/ksmdebug.md has the schema), and their reading back.
 */
#ifndef KSM_SNAPSHOT_H
#define KSM_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "ksm_stat.h"
#include "ksm_sysfs.h"

/* {"pages_shared": 12, "run": 1, ...}: numbers as numbers, the rest as text. */
json_t *snap_sysfs_json(const struct ksm_sysfs *fs);
/* {"pid", "comm", "ksm_rmap_items", "ksm_merging_pages", ..., "stable"} */
json_t *snap_proc_json(int pid, const char *comm, const struct ksm_proc_stat *st, bool stable);
/* Pids whose ksm_stat says they use KSM (mergeable, merge_any or rmap items). */
int snap_ksm_pids(int *pids, int max);
/*
 * The per-node picture: stable nodes per node when the caller has them from
 * the patched tracepoints (per_nid, else NULL), pages_shared per node only
 * when derivable (a single node), and a note saying what is not exposed.
 */
json_t *snap_numa_json(const struct ksm_sysfs *fs, int nr_nodes, const int64_t *per_nid,
		       int per_nid_len);

/* Read back: a sysfs counter of a snapshot object; false if absent. */
bool snap_sysfs_get(const json_t *snap, const char *name, int64_t *v);
bool snap_stable(const json_t *snap);

#endif
