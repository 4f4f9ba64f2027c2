/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probe decision of lib/event_source.c: which programs of
 * bpf/ksm_events.bpf.c this kernel can run and which groups to load, with
 * a why for every probe.  Internal to the event source.
 */
#ifndef KSM_EVENT_CHOICE_H
#define KSM_EVENT_CHOICE_H

#include "event_source.h"

/* Groups that need trampolines, which a kernel may refuse at load. */
#define KSM_TRAMPOLINE_GROUPS (KSM_GRP_FENTRY | KSM_GRP_STOCK_FENTRY)

/*
 * Fill s->probe from the probe table, look every target up (kernel BTF,
 * /proc/kallsyms for kprobes) and choose the groups.  0 or -errno with a
 * message in err (no BTF).
 */
int event_choice_make(struct ksm_source *s, char *err, size_t len);

/*
 * The kernel refused to load the groups in refused (trampolines): mark
 * them inactive with the error, and bring in the kprobe stand-ins that were
 * waiting for that.
 */
void event_choice_refused(struct ksm_source *s, unsigned int refused, int error);

/* The groups no built variant could add: inactive, and why. */
void event_choice_unbuilt(struct ksm_source *s, unsigned int groups);

void event_choice_set(struct ksm_probe *p, enum probe_state st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Recompute s->active_kinds, and say which probe serves each stock kind. */
void event_choice_settle(struct ksm_source *s);

#endif
