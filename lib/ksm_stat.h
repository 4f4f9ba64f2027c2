/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/PID/ksm_stat: the kernel's per-process KSM accounting, whose lines
 * grew with the kernel: ksm_rmap_items (6.1), ksm_merging_pages and
 * ksm_process_profit (6.4; before, ksm_merging_pages was a file of its own,
 * /proc/PID/ksm_merging_pages, since 5.19), ksm_zero_pages (6.6),
 * ksm_merge_any and ksm_mergeable (6.12.y stable and later).  The has_*
 * flags say which lines this kernel wrote: a value it did not write is
 * unknown, not 0.
 */
#ifndef KSM_STAT_H
#define KSM_STAT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ksm_proc_stat {
	int64_t rmap_items;    /* ksm_rmap_items */
	int64_t zero_pages;    /* ksm_zero_pages */
	int64_t merging_pages; /* ksm_merging_pages */
	int64_t profit;	       /* ksm_process_profit, bytes */
	bool merge_any;	       /* ksm_merge_any: prctl(PR_SET_MEMORY_MERGE) */
	bool mergeable;	       /* ksm_mergeable: has VM_MERGEABLE vmas */
	bool has_merge_any, has_mergeable, has_zero_pages, has_profit, has_merging_pages;
};

/* Parse the text of a ksm_stat file; 0 or -EINVAL. */
int ksm_stat_parse(const char *text, struct ksm_proc_stat *st);
/*
 * Read /proc/PID/ksm_stat ($KSM_PROC_DIR overrides /proc), and
 * /proc/PID/ksm_merging_pages where ksm_stat lacks that line (5.19 to 6.3;
 * before 6.1 it is the only file); 0 or -errno.
 */
int ksm_stat_read(pid_t pid, struct ksm_proc_stat *st);
/*
 * Does the process use KSM: opted in (madvise, prctl), or holding rmap
 * items, merged or zero pages?
 */
bool ksm_stat_is_user(const struct ksm_proc_stat *st);

#endif
