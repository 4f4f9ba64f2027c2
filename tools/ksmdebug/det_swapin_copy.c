// SPDX-License-Identifier: GPL-2.0
/*
 * The swap-in copy family (copy_not_uptodate, copy_during_unmerge,
 * copy_nomem), from the patched swapin_copy tracepoint: each copy decision
 * of ksm_might_need_to_copy(), judged alone or against a run=2 unmerge in
 * progress (the stable-node family tracks that window).
 */
#include <stdarg.h>
#include <stdio.h>

#include "det_model.h"
#include "event_fmt.h"

/* One finding whose only evidence is the copy itself, or begin and copy. */
static void copy_finding(struct detectors *d, const struct ksm_event *e, enum det_id id,
			 const struct ksm_event *begin, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void copy_finding(struct detectors *d, const struct ksm_event *e, enum det_id id,
			 const struct ksm_event *begin, const char *fmt, ...)
{
	struct det_finding f;
	va_list ap;

	det_finding_init(&f, id, e->ts_ns, 0, e->pid);
	va_start(ap, fmt);
	vsnprintf(f.message, sizeof(f.message), fmt, ap);
	va_end(ap);
	det_add_evidence(&f, begin);
	det_add_evidence(&f, e);
	det_report(d, &f);
}

static bool src_not_uptodate(const struct ksm_event *e)
{
	return (e->aux[0] & KSM_COPY_F_UPTODATE_KNOWN) && !(e->aux[0] & KSM_COPY_F_UPTODATE);
}

/*
 * During run=2 every copy of a KSM folio must be explained by the unmerge,
 * by a non-KSM folio (anon_vma), by a fallback probe that cannot tell
 * (unknown), or by its stable node having just been removed.
 */
static bool unexplained_during_unmerge(const struct detectors *d, const struct ksm_event *e)
{
	if (!d->in_unmerge)
		return false;
	if (e->reason == KSM_COPY_UNMERGE || e->reason == KSM_COPY_ANON_VMA ||
	    e->reason == KSM_COPY_UNKNOWN)
		return false;
	return !(e->reason == KSM_COPY_NO_STABLE_NODE && u64map_get(&d->removed, e->pfn));
}

static void on_copy(struct detectors *d, const struct ksm_event *e)
{
	const char *why = ksm_reason_name(e->kind, e->reason);

	if (e->result == KSM_COPY_NOMEM) {
		copy_finding(d, e, DET_COPY_NOMEM, NULL,
			     "swap-in of pfn 0x%llx by pid %u needed a copy (%s) and could not "
			     "allocate or charge it",
			     e->pfn, e->pid, why);
		return;
	}
	if (e->result != KSM_COPY_NEW)
		return;
	if (src_not_uptodate(e))
		copy_finding(d, e, DET_COPY_NOT_UPTODATE, NULL,
			     "swap-in copy of pfn 0x%llx -> 0x%llx (%s) made from a folio that was "
			     "not uptodate: the copy holds garbage",
			     e->pfn, e->pfn2, why);
	if (unexplained_during_unmerge(d, e))
		copy_finding(d, e, DET_COPY_DURING_UNMERGE, &d->remove_all_begin,
			     "swap-in copy of pfn 0x%llx for pid %u during a run=2 unmerge gave "
			     "reason %s%s",
			     e->pfn, e->pid, why,
			     e->reason == KSM_COPY_NO_STABLE_NODE
				     ? " but no removal of its stable node was seen"
				     : ", not unmerge");
}

void det_swapin_copy_feed(struct detectors *d, const struct ksm_event *e)
{
	if (e->kind == KSM_EV_SWAPIN_COPY)
		on_copy(d, e);
}
