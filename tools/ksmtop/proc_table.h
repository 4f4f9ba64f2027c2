/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The processes ksmtop shows, filled once per sample by a listing: the BPF
 * task iterator (task_iter.c) names every KSM user in one pass; without it,
 * proc_table_scan() lists /proc and reads /proc/PID/ksm_stat only for KSM
 * users.  ksm_stat exists for every process, so reading it for all of them
 * each second would cost more than the rest of ksmtop; a pid is known to be
 * a KSM user from its first reading, from an event that names it
 * (ksm_enter, a merge), or from a slow periodic recheck.
 */
#ifndef KSM_PROC_TABLE_H
#define KSM_PROC_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "ksm_stat.h"
#include "stats.h"

struct top_cgroup;

/* Event counts of one process since ksmtop started (monotonic). */
struct proc_events {
	uint64_t merges;	/* merge_with_ksm_page err == 0: a page now merged */
	uint64_t zero_merges;	/* merge_one_page err == 0: merged with the zero page */
	uint64_t rmap_removals; /* remove_rmap_item: a stable node let go of a page */
};

struct proc_ent {
	int pid;
	uint32_t gen;	     /* the listing that last saw it */
	bool ksm;	     /* KSM user: ksm_stat read every sample */
	bool hinted;	     /* an event named it since the last sample */
	bool valid;	     /* st is from the current sample */
	bool have_prev;	     /* prev_merging is from the sample before */
	uint64_t next_check; /* non-users: next look at ksm_stat (ns) */
	char comm[16];
	char *cgroup;	       /* cgroup v2 path ("/a/b"), NULL if unknown */
	uint64_t cgroup_id;    /* its id, where the listing knows it (the iterator), else 0 */
	struct top_cgroup *cg; /* the model's node of cgroup; NULL: look it up */
	struct ksm_proc_stat st;
	int64_t prev_merging; /* st.merging_pages of the sample before */
	struct proc_events ev, ev_prev;
	struct top_stats now; /* the model's numbers of this sample (top_model_account) */
};

/*
 * Entries are dense (ent[0..len), in no order) so that a sample's passes
 * over 10,000 processes touch only them; slot[] is the pid index (linear
 * probing, index + 1, 0 free).  Pointers to entries hold until the next
 * call that adds or drops one.
 */
struct proc_table {
	struct proc_ent *ent;
	unsigned int len, ent_cap;
	uint32_t *slot;
	unsigned int nslots; /* a power of two, at least twice len */
	uint32_t gen;
	unsigned int nr_read; /* ksm_stat files the last scan read (what it cost) */
};

int proc_table_init(struct proc_table *t);
void proc_table_free(struct proc_table *t);
/* The entry of pid, NULL if unknown. */
struct proc_ent *proc_table_find(struct proc_table *t, int pid);
/* The entry of pid, created (as a KSM user candidate) if new; NULL on ENOMEM. */
struct proc_ent *proc_table_get(struct proc_table *t, int pid);
/*
 * A listing: begin, put every KSM user it finds (the entry, with st as
 * read; comm and cgroup are the caller's to set), end, which drops every
 * pid the listing did not name.
 */
void proc_table_begin(struct proc_table *t);
struct proc_ent *proc_table_put(struct proc_table *t, int pid, const struct ksm_proc_stat *st);
void proc_table_end(struct proc_table *t);
/* Set the entry's cgroup path (NULL: unknown); the model looks its node up again. */
void proc_ent_set_cgroup(struct proc_ent *e, const char *path);
/*
 * The listing from $KSM_PROC_DIR (or /proc): every pid, ksm_stat, comm and
 * cgroup of every KSM user; now is CLOCK_MONOTONIC ns. 0 or -errno.
 */
int proc_table_scan(struct proc_table *t, uint64_t now);
/* Iterate: for (i = 0; (e = proc_table_next(t, &i));) */
struct proc_ent *proc_table_next(struct proc_table *t, unsigned int *i);

#endif
