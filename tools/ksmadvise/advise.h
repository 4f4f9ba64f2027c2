/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmadvise's model: the processes it reads, their pages with a content
 * hash per sample, the groups of equal contents, and what KSM would make
 * of them under each scope.  One struct each, shared by the modules:
 *   targets.c  which processes and VMAs (KSM users, -p, -c, --all)
 *   reader.c   reading pages politely: batches, --max-rate, nice, idle I/O
 *   sample.c   two samples, the content groups (hash, then bytes)
 *   predict.c  KSM's outcome per scope, per process, cgroup and workload
 *   report.c   text, JSON and --rules from the same structs
 */
#ifndef KSMADVISE_H
#define KSMADVISE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "boundary.h"
#include "pagemap.h"
#include "sharing.h"
#include "workload.h"

#define ADV_PAGE 4096u
#define ADV_NONE UINT32_MAX

/* What the prediction counts for a process, a cgroup, a workload, a domain. */
struct adv_counts {
	uint64_t pages;		/* candidate pages read in the first sample */
	uint64_t volatile_;	/* changed (or went away) between the samples */
	uint64_t zero;		/* all-zero pages */
	uint64_t merging;	/* would map a KSM page (ksm_merging_pages) */
	uint64_t isolated;	/* would still merge with isolation at its boundary */
	uint64_t needs_sharing; /* merge only with pages of other cgroups */
	double saving;		/* its pro-rata share of the pages saved */
};

struct adv_cgroup {
	char *path;
	struct workload wl;
	uint32_t domain;   /* index in adv.domains: its --boundary (itself without) */
	uint32_t workload; /* index in adv.workloads */
	uint32_t nprocs;
	struct adv_counts c;
	uint64_t saving_isolated; /* pages saved when the cgroup is isolated */
};

struct adv_proc {
	pid_t pid;
	char comm[16];
	uint32_t cg;
	struct vma_list vmas; /* the VMAs to read */
	struct adv_counts c;
};

struct adv_name {
	char *name;
	struct adv_counts c;
	uint64_t saving_isolated; /* pages saved when isolated (domains only) */
};

enum adv_page_flags {
	PG_ZERO = 1 << 0,     /* all zero bytes */
	PG_VOLATILE = 1 << 1, /* changed between the samples, or went away */
	PG_MERGED = 1 << 2,   /* the prediction: maps a KSM page (or the zero page) */
	PG_ISOLATED = 1 << 3, /* merges too when its cgroup is isolated */
	PG_DUP = 1 << 4,      /* another page had its hash in the first sample */
};

/* One candidate page: 24 bytes, the bulk of ksmadvise's memory. */
struct adv_page {
	uint64_t vpage; /* virtual address >> 12 */
	uint64_t hash;	/* XXH3 of the content at the first sample */
	uint32_t proc;
	uint32_t group; /* content group, ADV_NONE for volatile pages */
	int16_t nid;	/* NUMA node of the frame, -1 if unknown */
	uint16_t flags;
};

/* KSM's knobs the outcome depends on (sysfs, or --assume). */
struct adv_knobs {
	uint64_t max_page_sharing;
	bool use_zero_pages;
	bool merge_across_nodes;
};

struct adv_scope {
	uint64_t ksm_pages; /* pages_shared */
	uint64_t sharing;   /* pages_sharing */
	uint64_t zero;	    /* ksm_zero_pages */
	uint64_t merging;   /* sum of ksm_merging_pages */
	uint64_t leftover;  /* a lone page past a full chain: never merges */
	uint64_t saving;    /* sharing + zero */
};

struct adv {
	struct adv_proc *procs;
	struct adv_cgroup *cgs;
	struct adv_name *domains, *workloads;
	struct adv_page *pages;
	struct sharing_pair *pairs; /* .frames: the KSM pages two cgroups would share */
	size_t nprocs, ncgs, ndomains, nworkloads, npages, npairs, pages_cap;
	uint32_t ngroups;
	struct adv_knobs knobs;
	struct boundaries bounds;
	int nr_nodes;
	/* what reading cost and found; pages_reread: read in the second sample */
	uint64_t bytes_read, pages_reread, zero_pfn_pages, swapped_pages, collisions, reread_reps;
	double read_s, cpu_s, sample_gap_s;
	/*
	 * The outcome: as configured now, everything together, per NUMA node
	 * (merge_across_nodes=0), each cgroup isolated, each --boundary
	 * isolated (the domains).
	 */
	struct adv_scope config, global, per_node, per_cgroup, per_domain;
	uint64_t cross_contents; /* merged contents mapped from two or more cgroups */
};

/* predict.c: fill the scopes, the counts and the pairs; 0 or -ENOMEM. */
int adv_predict(struct adv *a);

/* targets.c */
struct adv_target_opts {
	pid_t pid;
	const char *cgroup;
	bool all; /* every process's anonymous memory, mergeable or not */
};
int adv_find_targets(struct adv *a, const struct adv_target_opts *o);
void adv_free(struct adv *a);

#endif
