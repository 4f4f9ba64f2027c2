/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmtop's model: one sample per interval of everything KSM, with rates.
 * State comes from the kernel's own accounting (/sys/kernel/mm/ksm,
 * /proc/PID/ksm_stat, ksmd's /proc stat), which the sampler reads; what
 * happened between two samples comes from events (merges, rmap removals,
 * scan start/stop, and the patched kernel's stable node, migration and
 * stale verdict events), which top_model_event() counts.  The views (batch
 * text, JSON, Prometheus, ncurses) only read a sample.
 */
#ifndef KSM_TOP_MODEL_H
#define KSM_TOP_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "ksm_event.h"
#include "ksm_sysfs.h"
#include "migration_pairs.h"
#include "numa.h"
#include "cgtree.h"
#include "proc_table.h"
#include "stats.h"

#define TOP_MAX_NODES 64

/* Sort keys, shared by the process and the cgroup views. */
enum top_sort {
	TOP_SORT_PID = 0, /* cgroups: number of processes */
	TOP_SORT_COMM,	  /* cgroups: path */
	TOP_SORT_CGROUP,
	TOP_SORT_MERGING,
	TOP_SORT_RMAP,
	TOP_SORT_ZERO,
	TOP_SORT_PROFIT,
	TOP_SORT_MERGES,
	TOP_SORT_UNMERGES,
	TOP_SORT_MODE,
	TOP_SORT_MAX,
};

const char *top_sort_name(enum top_sort s);
/* Key by name; -1 if unknown. */
int top_sort_by_name(const char *name);
/* The natural direction: names and pids A to Z, numbers biggest first. */
bool top_sort_ascending(enum top_sort s);
/* "pid, comm, ..." for messages. */
const char *top_sort_names(void);

/*
 * One row of the process or the cgroup table.  A process row holds its own
 * numbers; a cgroup row its subtree's (its own processes' are in cg->self).
 */
struct top_row {
	int pid;		     /* 0 for cgroup rows */
	char comm[16];		     /* process rows */
	const char *cgroup;	     /* the cgroup's path; "?" if unknown */
	const struct top_cgroup *cg; /* that cgroup; NULL if unknown */
	struct top_stats s;
	/* cgroup rows, set by top_model_tree(): depth in the tree view, last child? */
	int tree_depth;
	bool tree_last;
};

/* One NUMA node; its index in top_model.node is its node id. */
struct top_node {
	int64_t ksm_pages;	   /* exact on one node (pages_shared); else events, see docs */
	uint64_t created, removed; /* KSM pages created/removed since start */
	uint64_t merges, rmap_removals; /* totals since start */
	uint64_t merges_prev, rmap_removals_prev;
	double merges_per_s, unmerges_per_s;
	uint64_t migrations_in, migrations_out; /* patched kernel */
	uint64_t cross_node_migrations;
	/* pages (any, not only KSM) migrated, from the stock migrate tracepoints */
	uint64_t page_migrations_in, page_migrations_out;
};

/* A counter of /proc/vmstat: exact, where the kernel has it. */
struct top_vmstat {
	bool known;	/* this kernel has it (and CONFIG_VM_EVENT_COUNTERS) */
	uint64_t value; /* since boot */
	uint64_t delta; /* this interval */
	double per_s;
};

struct top_global {
	struct ksm_sysfs sys, sys_prev;
	bool have_prev;
	double interval_s;	 /* time since the previous sample */
	int ksmd_pid;		 /* 0: not found */
	double ksmd_cpu_percent; /* -1 if ksmd was not found */
	double ksmd_cpu_seconds; /* utime + stime since boot */
	double scan_pages_per_s; /* pages_scanned delta */
	double full_scans_per_s;
	double full_scan_seconds; /* last complete scan, from start/stop events; 0 unknown */
	double sharing_ratio;	  /* pages_sharing / pages_shared */
	double merges_per_s, unmerges_per_s, rmap_removals_per_s;
	uint64_t merges, unmerges, rmap_removals; /* this interval */
	double sample_seconds;	   /* wall time the last sample took (the exporter's self-metric) */
	double sample_cpu_seconds; /* CPU time (user + system) it took: make bench's figure */
	/* pages copied out of a KSM page (COW) and KSM pages copied on swap-in */
	struct top_vmstat cow_ksm, swpin_copy;
	bool unmerges_exact; /* unmerges are cow_ksm's delta, not derived */
	bool merges_exact;   /* merges are counted from events, not derived */
	/* per-interval changes of the sysfs counters, per second */
	double shared_per_s, sharing_per_s, unshared_per_s, volatile_per_s, profit_per_s;
};

struct top_filter {
	int pid;	   /* 0: all */
	char cgroup[4096]; /* subtree ("/a/b"), "" for all */
	int depth;	   /* cgroup rows at most this deep (--cgroup-depth), -1: all */
};

struct top_sharing;

struct top_model {
	struct proc_table procs;
	struct top_global g;
	/* pfn -> node for stock tracepoints, which carry no node (loaded by the sampler) */
	struct numa_map numa;
	bool have_numa;
	/* events since start, per kind */
	uint64_t ev_count[KSM_EV_MAX], ev_prev[KSM_EV_MAX];
	double ev_rate[KSM_EV_MAX];
	uint32_t active_kinds; /* kinds some active probe delivers */
	uint64_t lost;	       /* ring buffer drops */
	/* scan timing from start/stop events */
	uint64_t scan_start_ts;
	double last_scan_s;
	/* merges and rmap removals of every process, owner known or not, since start */
	uint64_t merges_total, rmap_removals_total, merges_prev, rmap_removals_prev;
	struct top_node node[TOP_MAX_NODES];
	int nr_nodes;
	/* the cgroups of every KSM user and their ancestors, with sums */
	struct cgtree cgroups;
	/* the sample's rows, filtered and sorted; the cgroup rows in tree order */
	struct top_row *rows, *cgrows;
	int nrows, ncgrows, rows_cap, cgrows_cap;
	int *tree; /* ncgrows indices into cgrows, depth first (top_model_tree) */
	/* which rows, in which order: set from the command line and by the view's keys */
	struct top_filter filter;
	enum top_sort sort;
	bool ascending;
	/* the pinned built-in KSM policy's rules (ksmpolicy), -1 if none; the sampler opens it */
	int policy_fd;
	/* who shares KSM frames with whom (top_sharing.h); NULL when off */
	struct top_sharing *sharing;
	/* where this sample's numbers came from, for the views */
	const char *procs_source; /* "bpf_iter" or "proc" */
	char procs_note[160];	  /* why not the iterator (or what it lacks); "" if nothing */
	char events_off[200];	  /* why no event source runs; "" when one does */
	/* the migrate tracepoints paired into page migrations (migrations.c) */
	struct mig_pairs *migs;
};

int top_model_init(struct top_model *m);
void top_model_free(struct top_model *m);
/* Account one event (the event source's callback). */
void top_model_event(struct top_model *m, const struct ksm_event *e);
/*
 * The listing of this sample is in m->procs: compute each process's numbers
 * and the cgroup sums (once per sample, before top_model_rebuild).
 */
void top_model_account(struct top_model *m);
/*
 * Make the rows of the current sample, filtered and sorted (again, after a
 * filter or order change).
 */
void top_model_rebuild(struct top_model *m);
/* Order the cgroup rows as a tree (m->tree), siblings in the sort order. */
void top_model_tree(struct top_model *m);

/*
 * For the exporter: the cgroups of the sample, -c and --cgroup-depth
 * applied (a cgroup at the depth limit still sums its whole subtree), in
 * the sort order.  Each has its path and depth, its workload identity, the
 * sums of its own processes (self) and of its subtree (gauges and this
 * interval's counts), and counters since ksmtop started (self_total,
 * subtree_total: monotonic while the cgroup keeps a KSM user).  The vmstat
 * counters are in m->g.cow_ksm and m->g.swpin_copy (known = false where
 * the kernel has none).
 */
int top_model_ncgroups(const struct top_model *m);
const struct top_cgroup *top_model_cgroup(const struct top_model *m, int i);
/*
 * A cgroup's labels: "cgroup" (the path) and the workload's (lib/workload:
 * workload_kind, unit, slice, container_runtime, container_id, pod_uid,
 * qos_class, vm_driver, vm_name; only those set).  Raw bytes: the caller
 * escapes for its format.  Returns the number of pairs, at most max.
 */
int top_cgroup_labels(const struct top_cgroup *c, const char **keys, const char **vals, int max);
/* Is the cgroup path inside the subtree filter ("" matches all)? */
bool top_cgroup_in(const char *path, const char *subtree);
/* "mergeable", "merge_any", "both", "none", or "-" if this kernel cannot tell */
const char *top_row_mode(const struct top_row *r);
/* The node of a page: the event's own, else the pfn's zone; NULL if unknown. */
struct top_node *top_node_of(struct top_model *m, int nid, uint64_t pfn);
/* migrations.c: the pairing that counts page_migrations_in/out. */
struct mig_pairs *top_migrations_new(struct top_model *m);
/* Is the kernel's event of that kind delivered by some probe? */
bool top_kind_active(const struct top_model *m, unsigned int kind);
/* A numeric file of the sample's /sys/kernel/mm/ksm; 0 if the kernel lacks it. */
int64_t top_sysfs(const struct ksm_sysfs *s, const char *name);

static inline double top_per_s(double v, double secs)
{
	return secs > 0 ? v / secs : 0;
}

#endif
