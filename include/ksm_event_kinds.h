/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The table of event kinds: the one place an event kind is described.
 *
 * Every consumer expands KSM_EVENT_KINDS(X) with its own X:
 *   include/ksm_event.h     enum ksm_event_kind (C and BPF)
 *   lib/event_kinds.c       names, probe groups, the per-kind field table
 *                           that text, JSON and the JSON reader all walk
 *   lib/event_source.c      the probe table of the tracepoint programs
 * Adding a tracepoint means: its program in bpf/ksm_events.bpf.c (named
 * ksm_<name>, in the group's #ifdef) and one row here.
 *
 * A row:  X(ID, name, group, flags, reasons, result, aux0, aux1, aux2)
 *   ID      KSM_EV_<ID>
 *   name    the tracepoint without "ksm_", as printed and as in JSON
 *   group   which probe group delivers it (KSM_GRP_*: see the variants)
 *   flags   KSM_EVF_*: which common fields the kind fills
 *   reasons the enum its "reason" holds (KSM_RSN_*), or KSM_RSN_NONE
 *   result  the enum its "result" holds (KSM_RES_*), or KSM_RES_NONE
 *   auxN    F(json_key, text_label, type) for aux[N], or NOF
 *           text_label "" keeps the field out of the one-line text form
 *
 * Never include vmlinux.h here: clang -target bpf and gcc both read this.
 */
#ifndef KSM_EVENT_KINDS_H
#define KSM_EVENT_KINDS_H

/* Common fields a kind fills (besides ts, cpu, source, owner). */
#define KSM_EVF_PFN	(1u << 0) /* pfn: a page frame ("pfn"; else null) */
#define KSM_EVF_ERR	(1u << 1) /* err: a result code ("err"; else null) */
#define KSM_EVF_PFN2	(1u << 2) /* pfn2: a second frame ("new_pfn") */
#define KSM_EVF_NID2	(1u << 3) /* nid2: the second frame's node ("new_nid") */
#define KSM_EVF_TID	(1u << 4) /* tid: the calling thread ("tid") */

/* aux field types: how a u64 is shown and read back. */
#define KSM_AUX_U64	 0 /* a count: "label=N" */
#define KSM_AUX_BOOL_NEW 1 /* a boolean; the text shows label when it is false */
#define KSM_AUX_PTR	 2 /* an address (hex string), null when 0; text: label when set */
#define KSM_AUX_NS_MS	 3 /* nanoseconds; text in milliseconds */
#define KSM_AUX_PCT	 4 /* a percentage */
#define KSM_AUX_UPTODATE 5 /* KSM_COPY_F_* flags: true, false or null */
#define KSM_AUX_DOMAIN	 6 /* a merge domain: null for never; text: the decision */
#define KSM_AUX_HEX	 7 /* a number shown in hex ("0x..." in JSON); text: label and value */
#define KSM_AUX_DOMAIN_ID 8 /* a merge domain's id: null for never; text: label=id or never */

/*
 * Probe groups: a kind's group is where its events come from.  The BPF event
 * source is built in variants, one per set of groups (the Makefile's
 * EV_VARIANTS: a letter per group), and user space loads the best variant
 * the kernel accepts.  Groups are bits: a variant's groups are a mask.
 * FENTRY stands in for PATCHED kinds on kernels without kernel-patch/;
 * STOCK_FENTRY and STOCK_KPROBE stand in for STOCK kinds before Linux 6.4.
 * POLICY holds the series' tracepoints that exist only with CONFIG_KSM_BPF=y,
 * so that a kernel with the series but without the option still has all of
 * PATCHED; POLICY is loaded only beside PATCHED (see the variants).
 */
#define KSM_GRP_STOCK	     (1u << 0) /* stock ksm tracepoints (Linux 6.4+), letter s */
#define KSM_GRP_ADVISOR	     (1u << 1) /* ksm_advisor (Linux 6.9+), a */
#define KSM_GRP_PATCHED	     (1u << 2) /* kernel-patch/ tracepoints, p */
#define KSM_GRP_FENTRY	     (1u << 3) /* fentry/fexit stand-ins for PATCHED, f */
#define KSM_GRP_STOCK_FENTRY (1u << 4) /* fentry/fexit stand-ins for STOCK, e */
#define KSM_GRP_STOCK_KPROBE (1u << 5) /* kprobe stand-ins for STOCK, k */
#define KSM_GRP_MIGRATE	     (1u << 6) /* stock migrate tracepoints (6.0+, CONFIG_MIGRATION), m */
#define KSM_GRP_POLICY	     (1u << 7) /* kernel-patch/ with CONFIG_KSM_BPF=y, b */
#define KSM_NR_GROUPS	     8

#define KSM_EVENT_KINDS(X)                                                                       \
	X(START_SCAN, start_scan, KSM_GRP_STOCK, 0, KSM_RSN_NONE, KSM_RES_NONE,                   \
	  F(seq, seq, KSM_AUX_U64), F(rmap_entries, rmap, KSM_AUX_U64), NOF)                     \
	X(STOP_SCAN, stop_scan, KSM_GRP_STOCK, 0, KSM_RSN_NONE, KSM_RES_NONE,                     \
	  F(seq, seq, KSM_AUX_U64), F(rmap_entries, rmap, KSM_AUX_U64), NOF)                     \
	X(ENTER, enter, KSM_GRP_STOCK, 0, KSM_RSN_NONE, KSM_RES_NONE, NOF, NOF, NOF)               \
	X(EXIT, exit, KSM_GRP_STOCK, 0, KSM_RSN_NONE, KSM_RES_NONE, NOF, NOF, NOF)                 \
	X(MERGE_ONE_PAGE, merge_one_page, KSM_GRP_STOCK, KSM_EVF_PFN | KSM_EVF_ERR,               \
	  KSM_RSN_NONE, KSM_RES_NONE, NOF, NOF, NOF)                                             \
	X(MERGE_WITH_KSM_PAGE, merge_with_ksm_page, KSM_GRP_STOCK, KSM_EVF_PFN | KSM_EVF_ERR,     \
	  KSM_RSN_NONE, KSM_RES_NONE, F(into_ksm_page, new, KSM_AUX_BOOL_NEW), NOF, NOF)         \
	X(REMOVE_KSM_PAGE, remove_ksm_page, KSM_GRP_STOCK, KSM_EVF_PFN, KSM_RSN_NONE,             \
	  KSM_RES_NONE, NOF, NOF, NOF)                                                           \
	X(REMOVE_RMAP_ITEM, remove_rmap_item, KSM_GRP_STOCK, KSM_EVF_PFN, KSM_RSN_NONE,           \
	  KSM_RES_NONE, NOF, NOF, NOF)                                                           \
	X(ADVISOR, advisor, KSM_GRP_ADVISOR, 0, KSM_RSN_NONE, KSM_RES_NONE,                       \
	  F(scan_time_ns, scan, KSM_AUX_NS_MS), F(pages_to_scan, pages, KSM_AUX_U64),             \
	  F(cpu_percent, cpu, KSM_AUX_PCT))                                                      \
	X(STABLE_NODE_INSERT, stable_node_insert, KSM_GRP_PATCHED, KSM_EVF_PFN, KSM_RSN_NONE,     \
	  KSM_RES_NONE, F(chain, dup, KSM_AUX_PTR), NOF, NOF)                                    \
	X(STABLE_NODE_REMOVE, stable_node_remove, KSM_GRP_PATCHED, KSM_EVF_PFN, KSM_RSN_NODE_RM,  \
	  KSM_RES_NONE, F(rmap_items, rmap, KSM_AUX_U64), NOF, NOF)                              \
	X(GET_FOLIO_STALE, get_folio_stale, KSM_GRP_PATCHED, KSM_EVF_PFN, KSM_RSN_STALE,          \
	  KSM_RES_NONE, NOF, NOF, NOF)                                                           \
	X(GET_FOLIO_RETRY, get_folio_retry, KSM_GRP_PATCHED, KSM_EVF_PFN | KSM_EVF_PFN2,          \
	  KSM_RSN_NONE, KSM_RES_NONE, NOF, NOF, NOF)                                             \
	X(MIGRATE_FOLIO, migrate_folio, KSM_GRP_PATCHED,                                          \
	  KSM_EVF_PFN | KSM_EVF_PFN2 | KSM_EVF_NID2, KSM_RSN_NONE, KSM_RES_NONE, NOF, NOF, NOF)   \
	X(SWAPIN_COPY, swapin_copy, KSM_GRP_PATCHED,                                              \
	  KSM_EVF_PFN | KSM_EVF_ERR | KSM_EVF_PFN2 | KSM_EVF_NID2, KSM_RSN_COPY, KSM_RES_COPY,     \
	  F(src_uptodate, uptodate, KSM_AUX_UPTODATE), NOF, NOF)                                 \
	X(REMOVE_ALL_STABLE_NODES_BEGIN, remove_all_stable_nodes_begin, KSM_GRP_PATCHED, 0,       \
	  KSM_RSN_NODE_RM, KSM_RES_NONE, NOF, NOF, NOF)                                          \
	X(REMOVE_ALL_STABLE_NODES_END, remove_all_stable_nodes_end, KSM_GRP_PATCHED, KSM_EVF_ERR, \
	  KSM_RSN_NODE_RM, KSM_RES_NONE, F(removed, rm, KSM_AUX_U64), F(busy, busy, KSM_AUX_U64), \
	  NOF)                                                                                   \
	X(STABLE_NODE_CHAIN_COLLAPSE, stable_node_chain_collapse, KSM_GRP_PATCHED, KSM_EVF_PFN,   \
	  KSM_RSN_NONE, KSM_RES_NONE, F(chain, chain, KSM_AUX_PTR), NOF, NOF)                    \
	X(STABLE_NODE_CHAIN_FREE, stable_node_chain_free, KSM_GRP_PATCHED, 0, KSM_RSN_NONE,       \
	  KSM_RES_NONE, F(chain, chain, KSM_AUX_PTR), NOF, NOF)                                  \
	X(STABLE_NODE_MIGRATE_LIST, stable_node_migrate_list, KSM_GRP_PATCHED, KSM_EVF_PFN,       \
	  KSM_RSN_NONE, KSM_RES_NONE, F(page_nid, page_nid, KSM_AUX_U64), NOF, NOF)              \
	KSM_POLICY_KINDS(X)                                                                      \
	KSM_MIGRATE_KINDS(X)

/*
 * The series' tracepoints of CONFIG_KSM_BPF=y: the policy's decision per mm
 * and round, an mm moving between merge domains (after its pages were
 * unmerged; err: it stays), and an empty private domain freed with the
 * stable nodes removed with it (reason orphan).
 */
#define KSM_POLICY_KINDS(X)                                                                      \
	X(POLICY_DECISION, policy_decision, KSM_GRP_POLICY, 0, KSM_RSN_NONE, KSM_RES_NONE,        \
	  F(domain, domain, KSM_AUX_DOMAIN), F(weight, w, KSM_AUX_U64),                          \
	  F(policy_cgroup_id, , KSM_AUX_U64))                                                    \
	X(MM_DOMAIN, mm_domain, KSM_GRP_POLICY, KSM_EVF_ERR, KSM_RSN_NONE, KSM_RES_NONE,          \
	  F(from, from, KSM_AUX_DOMAIN_ID), F(to, to, KSM_AUX_DOMAIN_ID), NOF)                   \
	X(DOMAIN_FREE, domain_free, KSM_GRP_POLICY, 0, KSM_RSN_NONE, KSM_RES_NONE,                \
	  F(domain, domain, KSM_AUX_DOMAIN_ID), F(removed, rm, KSM_AUX_U64), NOF)

/*
 * The stock migrate tracepoints (include/trace/events/migrate.h), in the
 * thread that migrates: a batch (migrate_pages() from mm_migrate_pages_start
 * to mm_migrate_pages) and, inside it, each page table entry replaced by a
 * migration entry (set) and restored (remove) by the two rmap walks.  pfn is
 * decoded from the pte: the migration entry's page for set, the mapped page
 * for remove.  "disturbed" counts what may hide an entry's fate (events the
 * source lost, page table changes of exiting processes while a batch was
 * open): a batch whose two ends differ cannot be judged.
 */
#define KSM_MIGRATE_KINDS(X)                                                                     \
	X(MIGRATE_PAGES_START, migrate_pages_start, KSM_GRP_MIGRATE, KSM_EVF_TID, KSM_RSN_MIGRATE, \
	  KSM_RES_NONE, F(mode, mode, KSM_AUX_U64), F(disturbed, , KSM_AUX_U64), NOF)            \
	X(SET_MIGRATION_PTE, set_migration_pte, KSM_GRP_MIGRATE, KSM_EVF_PFN | KSM_EVF_TID,       \
	  KSM_RSN_NONE, KSM_RES_NONE, F(addr, @, KSM_AUX_HEX), F(order, o, KSM_AUX_U64),          \
	  F(pte, , KSM_AUX_HEX))                                                                 \
	X(REMOVE_MIGRATION_PTE, remove_migration_pte, KSM_GRP_MIGRATE, KSM_EVF_PFN | KSM_EVF_TID, \
	  KSM_RSN_NONE, KSM_RES_NONE, F(addr, @, KSM_AUX_HEX), F(order, o, KSM_AUX_U64),          \
	  F(pte, , KSM_AUX_HEX))                                                                 \
	X(MIGRATE_PAGES, migrate_pages, KSM_GRP_MIGRATE, KSM_EVF_TID, KSM_RSN_NONE, KSM_RES_NONE, \
	  F(succeeded, ok, KSM_AUX_U64), F(failed, failed, KSM_AUX_U64),                          \
	  F(disturbed, , KSM_AUX_U64))

/*
 * Programs of the migrate group that deliver no event of their own:
 * X(program, tracepoint, the kinds they serve).
 */
#define KSM_MIGRATE_HELPER_PROBES(X) X(ksm_rss_stat, rss_stat, KSM_EV_BIT(MIGRATE_PAGES))

/* The tracepoints of kinds not named ksm_<name>: X(ID, tracepoint). */
#define KSM_TRACEPOINT_NAMES(X)                                                                  \
	X(MIGRATE_PAGES_START, mm_migrate_pages_start)                                           \
	X(SET_MIGRATION_PTE, set_migration_pte)                                                  \
	X(REMOVE_MIGRATION_PTE, remove_migration_pte)                                            \
	X(MIGRATE_PAGES, mm_migrate_pages)

/* Which enum a kind's reason / result holds (user space names them). */
#define KSM_RSN_NONE	0
#define KSM_RSN_NODE_RM 1 /* enum ksm_node_remove_reason */
#define KSM_RSN_STALE	2 /* enum ksm_stale_reason */
#define KSM_RSN_COPY	3 /* enum ksm_copy_reason */
#define KSM_RSN_MIGRATE 4 /* enum ksm_migrate_reason (the kernel's MR_*, by name) */
#define KSM_RES_NONE	0
#define KSM_RES_COPY	1 /* enum ksm_copy_result */

/*
 * The fentry/fexit fallbacks: programs, not kinds.  Each stands in for the
 * kernel-patch/ tracepoints of the kinds it names (a mask of KSM_EV_BIT()),
 * on stock kernels that allow trampolines.  X(program, kernel function, kinds)
 */
#define KSM_FALLBACK_PROBES(X)                                                                   \
	X(fentry_folio_migrate_ksm, folio_migrate_ksm, KSM_EV_BIT(MIGRATE_FOLIO))                \
	X(fexit_ksm_might_need_to_copy, ksm_might_need_to_copy, KSM_EV_BIT(SWAPIN_COPY))         \
	X(fentry_ksm_get_folio, ksm_get_folio,                                                   \
	  KSM_EV_BIT(GET_FOLIO_STALE) | KSM_EV_BIT(STABLE_NODE_REMOVE))                          \
	X(fexit_ksm_get_folio, ksm_get_folio,                                                    \
	  KSM_EV_BIT(GET_FOLIO_STALE) | KSM_EV_BIT(STABLE_NODE_REMOVE))                          \
	X(fentry_remove_stable_node, remove_stable_node, KSM_EV_BIT(STABLE_NODE_REMOVE))         \
	X(fexit_remove_stable_node, remove_stable_node,                                          \
	  KSM_EV_BIT(STABLE_NODE_REMOVE) | KSM_EV_BIT(REMOVE_ALL_STABLE_NODES_END))              \
	X(fentry_remove_all_stable_nodes, remove_all_stable_nodes,                               \
	  KSM_EV_BIT(REMOVE_ALL_STABLE_NODES_BEGIN))                                             \
	X(fexit_remove_all_stable_nodes, remove_all_stable_nodes,                                \
	  KSM_EV_BIT(REMOVE_ALL_STABLE_NODES_END))

/*
 * The stand-ins for the stock tracepoints, on kernels before Linux 6.4: the
 * KSM functions that carry the same facts, each X(program, kernel function,
 * kinds).  fentry/fexit where the kernel allows trampolines, else kprobes
 * (a program named kretprobe_* is a return probe).  An entry half that
 * only keeps arguments for its return (or marks a call in flight) delivers
 * no kind itself: 0.  The scan loop (start_scan, stop_scan) has no function
 * of its own in those kernels.
 */
#define KSM_REMOVE_KINDS (KSM_EV_BIT(REMOVE_RMAP_ITEM) | KSM_EV_BIT(REMOVE_KSM_PAGE))
#define KSM_STOCK_FENTRY_PROBES(X)                                                               \
	X(fentry_try_to_merge_with_ksm_page, try_to_merge_with_ksm_page, 0)                       \
	X(fexit_try_to_merge_with_ksm_page, try_to_merge_with_ksm_page,                           \
	  KSM_EV_BIT(MERGE_WITH_KSM_PAGE))                                                       \
	X(fexit_try_to_merge_one_page, try_to_merge_one_page, KSM_EV_BIT(MERGE_ONE_PAGE))         \
	X(fentry_remove_node_from_stable_tree, remove_node_from_stable_tree, KSM_REMOVE_KINDS)    \
	X(fexit___ksm_enter, __ksm_enter, KSM_EV_BIT(ENTER))                                      \
	X(fentry___ksm_exit, __ksm_exit, KSM_EV_BIT(EXIT))
#define KSM_STOCK_KPROBE_PROBES(X)                                                               \
	X(kprobe_try_to_merge_with_ksm_page, try_to_merge_with_ksm_page, 0)                       \
	X(kretprobe_try_to_merge_with_ksm_page, try_to_merge_with_ksm_page,                       \
	  KSM_EV_BIT(MERGE_WITH_KSM_PAGE))                                                       \
	X(kprobe_try_to_merge_one_page, try_to_merge_one_page, 0)                                 \
	X(kretprobe_try_to_merge_one_page, try_to_merge_one_page, KSM_EV_BIT(MERGE_ONE_PAGE))     \
	X(kprobe_remove_node_from_stable_tree, remove_node_from_stable_tree, KSM_REMOVE_KINDS)    \
	X(kprobe___ksm_enter, __ksm_enter, 0)                                                     \
	X(kretprobe___ksm_enter, __ksm_enter, KSM_EV_BIT(ENTER))                                  \
	X(kprobe___ksm_exit, __ksm_exit, KSM_EV_BIT(EXIT))

#endif /* KSM_EVENT_KINDS_H */
