/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmtop's model: one sample per interval of everything KSM, with rates.
 * State comes from the kernel's own accounting (/sys/kernel/mm/ksm,
 * /proc/PID/ksm_stat, ksmd's /proc stat); what happened between two samples
 * comes from events (merges, rmap removals, scan start/stop, and the patched
 * kernel's stable node, migration, swap-in copy and stale verdict events).
 * The views (batch text, JSON, Prometheus, ncurses) only read a sample.
 */
#ifndef KSM_TOP_MODEL_H
#define KSM_TOP_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ksm_event.h"
#include "ksm_sysfs.h"
#include "numa.h"
#include "proc_table.h"

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

/* One row of the process or the cgroup table. */
struct top_row {
	int pid;    /* 0 for cgroup rows */
	int nprocs; /* cgroup rows: processes counted */
	char comm[16];
	const char *cgroup; /* points into the proc table / model; "?" if unknown */
	int64_t merging_pages, rmap_items, zero_pages, profit;
	bool mergeable, merge_any;
	/* this interval */
	uint64_t merges, unmerges, rmap_removals, zero_merges, swapin_copies;
	double merges_per_s, unmerges_per_s, rmap_removals_per_s;
	/* cgroup rows: the KSM policy rule in force ("isolate", "allow w8"), "" if none */
	char policy[24];
};

struct top_node {
	int nid;
	int64_t ksm_pages;	   /* exact on one node (pages_shared); else events, see docs */
	uint64_t created, removed; /* KSM pages created/removed since start */
	uint64_t merges, rmap_removals; /* totals since start */
	uint64_t merges_prev, rmap_removals_prev;
	double merges_per_s, unmerges_per_s;
	uint64_t migrations_in, migrations_out; /* patched kernel */
	uint64_t cross_node_migrations;
};

struct top_global {
	struct ksm_sysfs sys, sys_prev;
	bool have_prev;
	double interval_s;	 /* time since the previous sample */
	double ksmd_cpu_percent; /* -1 if ksmd was not found */
	uint64_t ksmd_ticks;	 /* utime + stime, clock ticks */
	double scan_pages_per_s; /* pages_scanned delta */
	double full_scans_per_s;
	double full_scan_seconds;     /* last complete scan, from start/stop events; 0 unknown */
	double full_scan_seconds_avg; /* mean of the scans seen in this interval */
	double sharing_ratio;	      /* pages_sharing / pages_shared */
	double merges_per_s, unmerges_per_s, rmap_removals_per_s;
	uint64_t merges, unmerges, rmap_removals; /* this interval */
	/* per-interval changes of the sysfs counters, per second */
	double shared_per_s, sharing_per_s, unshared_per_s, volatile_per_s, profit_per_s;
};

struct top_filter {
	int pid;	   /* 0: all */
	char cgroup[4096]; /* subtree ("/a/b"), "" for all */
};

struct top_model {
	struct proc_table procs;
	struct top_global g;
	struct numa_map numa;
	bool have_numa;
	int ksmd_pid; /* 0: not found */
	uint64_t last_sample_ns, prev_ticks;
	long hz;
	/* events since start, per kind */
	uint64_t ev_count[KSM_EV_MAX], ev_prev[KSM_EV_MAX];
	double ev_rate[KSM_EV_MAX];
	uint32_t active_kinds;	  /* kinds some active probe delivers */
	uint64_t lost, lost_prev; /* ring buffer drops */
	/* scan timing from start/stop events */
	uint64_t scan_start_ts;
	double scan_sum_s;
	unsigned int scan_n;
	double last_scan_s;
	/* unattributed merges (no owner pid) since start */
	uint64_t merges_total, rmap_removals_total, merges_prev, rmap_removals_prev;
	struct top_node node[TOP_MAX_NODES];
	int nr_nodes;
	/* the sample's rows (filtered, unsorted until top_model_sort) */
	struct top_row *rows, *cgrows;
	int nrows, ncgrows, rows_cap, cgrows_cap;
	struct top_filter filter;
	/* the pinned built-in KSM policy's rules (ksmpolicy), -1 if none */
	int policy_fd;
};

int top_model_init(struct top_model *m);
void top_model_free(struct top_model *m);
/* Account one event (the event source's callback). */
void top_model_event(struct top_model *m, const struct ksm_event *e);
/* Take a sample now: sysfs, ksmd, /proc; compute rates and rows. 0 or -errno. */
int top_model_sample(struct top_model *m);
/* Re-filter the current sample's rows (after a filter change). */
void top_model_rebuild(struct top_model *m);
void top_model_sort(struct top_model *m, enum top_sort key, bool ascending);
/* Is the cgroup path inside the subtree filter ("" matches all)? */
bool top_cgroup_in(const char *path, const char *subtree);
/* "mergeable", "merge_any", "both" or "-" */
const char *top_row_mode(const struct top_row *r);
/* The sample as one JSON document; rows limits processes and cgroups (0 = all). */
json_t *top_model_json(const struct top_model *m, int rows);
#define TOP_LINE_LEN 512
/* The summary lines (ksmd, counters, rates); returns how many were filled. */
int top_model_header(const struct top_model *m, char (*line)[TOP_LINE_LEN], int max);
/* Column titles and one formatted row of the process (proc) or cgroup table. */
const char *top_row_header(bool proc);
void top_row_format(const struct top_row *r, bool proc, char *buf, size_t len);
const char *top_node_header(void);
void top_node_format(const struct top_model *m, int k, char *buf, size_t len);
/* The sample as plain text (batch mode); rows limits the tables (0 = all). */
void top_model_print(const struct top_model *m, FILE *out, int rows);
/* Is the kernel's event of that kind delivered by some probe? */
bool top_kind_active(const struct top_model *m, unsigned int kind);

#endif
