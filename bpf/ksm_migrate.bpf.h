/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSM_MIGRATE_BPF_H
#define KSM_MIGRATE_BPF_H

/*
 * The stock migrate tracepoints (KSM_WITH_MIGRATE): a migrate_pages() batch
 * and, inside it, each pte replaced by a migration entry and restored.
 * Part of bpf/ksm_events.bpf.c: its design note applies.
 */
#ifdef KSM_WITH_MIGRATE
#include "migrate_reason.bpf.h"
#include "pte_decode.bpf.h"

/*
 * The rmap walks and the batch run in the migrating thread (a move_pages()
 * caller, kcompactd, a task faulting on a misplaced page): the event is
 * attributed to it, with its thread id, which is what pairs a batch's events.
 * The tracepoints carry no vma, so the mm whose entry changed is not known.
 */
static __always_inline bool mig_event(struct ksm_event *e, __u32 kind)
{
	if (!ev_init(e, kind, KSM_SRC_TP_STOCK))
		return false;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	return true;
}

/* Emit an event of the current task: filters by its tgid and cgroup. */
static __always_inline void ev_emit_current(struct ksm_event *e)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();

	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if ((targ_tgid && e->pid != targ_tgid) || !cgroup_matches(task))
		stat_inc(KSM_STAT_FILTERED);
	else
		ev_output(e);
}

static __always_inline __u64 disturbed_so_far(void)
{
	__u64 *n = mig_count(MIG_DISTURBED);

	return n ? *n : 0;
}

static __always_inline int pte_event(__u32 kind, unsigned long addr, unsigned long pte, int order)
{
	struct ksm_event e;

	if (!mig_event(&e, kind))
		return 0;
	e.pfn = pte_pfn(pte);
	e.aux[0] = addr;
	e.aux[1] = order;
	e.aux[2] = pte;
	ev_emit_current(&e);
	return 0;
}

SEC("tp_btf/set_migration_pte")
int BPF_PROG(ksm_set_migration_pte, unsigned long addr, unsigned long pte, int order)
{
	return pte_event(KSM_EV_SET_MIGRATION_PTE, addr, pte, order);
}

SEC("tp_btf/remove_migration_pte")
int BPF_PROG(ksm_remove_migration_pte, unsigned long addr, unsigned long pte, int order)
{
	return pte_event(KSM_EV_REMOVE_MIGRATION_PTE, addr, pte, order);
}

SEC("tp_btf/mm_migrate_pages_start")
int BPF_PROG(ksm_migrate_pages_start, int mode, int reason)
{
	__u64 *open = mig_count(MIG_BATCHES);
	struct ksm_event e;

	if (open)
		__sync_fetch_and_add(open, 1);
	if (!mig_event(&e, KSM_EV_MIGRATE_PAGES_START))
		return 0;
	e.reason = migrate_reason(reason);
	e.aux[0] = mode;
	e.aux[1] = disturbed_so_far();
	ev_emit_current(&e);
	return 0;
}

/* Only the first two arguments: the later ones moved between kernel versions. */
SEC("tp_btf/mm_migrate_pages")
int BPF_PROG(ksm_migrate_pages, unsigned long succeeded, unsigned long failed)
{
	__u64 *open = mig_count(MIG_BATCHES);
	struct ksm_event e;

	/* a batch opened before the source was loaded must not wrap it */
	if (open && *open)
		__sync_fetch_and_add(open, -1);
	if (!mig_event(&e, KSM_EV_MIGRATE_PAGES))
		return 0;
	e.aux[0] = succeeded;
	e.aux[1] = failed;
	e.aux[2] = disturbed_so_far();
	ev_emit_current(&e);
	return 0;
}

/*
 * A process that exits while one of its pages is under migration zaps the
 * migration entry (zap_nonpresent_ptes()), and the restoring walk then finds
 * nothing to restore: no remove event, and no leftover either.  Every zap
 * changes the mm's rss (under the pte lock, so before that walk), and an
 * exiting mm has no users left: count those changes while a batch is open,
 * so that the batch's two ends differ.  A process that unmaps a page (munmap,
 * MADV_DONTNEED) while it is under migration is not seen: the tracepoints do
 * not say whose page table an entry was in.  Outside batches this costs a
 * map lookup per rss change.
 */
SEC("tp_btf/rss_stat")
int BPF_PROG(ksm_rss_stat, struct mm_struct *mm, int member)
{
	__u64 *open = mig_count(MIG_BATCHES), *n;

	if (!open || !*open || BPF_CORE_READ(mm, mm_users.counter))
		return 0;
	n = mig_count(MIG_DISTURBED);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
#endif /* KSM_WITH_MIGRATE */

#endif /* KSM_MIGRATE_BPF_H */
