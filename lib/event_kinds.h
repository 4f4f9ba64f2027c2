/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What user space knows about each event kind, expanded from the one table
 * in include/ksm_event_kinds.h: names, probe group, the common fields a kind
 * fills and its kind-specific (aux) fields.  Text, JSON and the JSON reader
 * walk this, so a new row there needs no code here.
 */
#ifndef KSM_EVENT_KINDS_INFO_H
#define KSM_EVENT_KINDS_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "ksm_event.h"

struct ksm_aux_field {
	const char *key;   /* JSON key, NULL: unused */
	const char *label; /* text label, "" keeps it out of the text line */
	unsigned int type; /* KSM_AUX_* */
};

struct ksm_kind_info {
	const char *name;  /* "merge_with_ksm_page" */
	unsigned int group; /* KSM_GRP_* */
	unsigned int flags; /* KSM_EVF_* */
	unsigned int reasons; /* KSM_RSN_* */
	unsigned int result;  /* KSM_RES_* */
	struct ksm_aux_field aux[3];
};

/* The kind's row, NULL for KSM_EV_NONE or out of range. */
const struct ksm_kind_info *ksm_kind(unsigned int kind);

/* Event name without the ksm_ prefix ("merge_with_ksm_page"), NULL if bad. */
const char *ksm_event_name(unsigned int kind);
/* Kind by name (with or without "ksm_"); KSM_EV_NONE if unknown. */
unsigned int ksm_event_by_name(const char *name);
/*
 * Parse "a,b,c" into a bit mask of kinds. On an unknown name returns -EINVAL
 * and points *bad at it (inside a static copy).
 */
int ksm_event_parse_list(const char *list, uint32_t *mask, const char **bad);
bool ksm_event_has_err(unsigned int kind);

const char *ksm_source_name(unsigned int source);
/* The source by name; -1 if unknown. */
int ksm_source_by_name(const char *name);
/* Reason/result names, per kind: NULL if the kind has none, "unknown" if out of range. */
const char *ksm_reason_name(unsigned int kind, unsigned int reason);
const char *ksm_result_name(unsigned int kind, unsigned int result);
/* The reason/result value of a name for the kind; -1 if unknown. */
int ksm_reason_by_name(unsigned int kind, const char *name);
int ksm_result_by_name(unsigned int kind, const char *name);

/* "deny", "isolate" or "allow" for a policy_decision's domain. */
const char *ksm_policy_decision_name(uint64_t domain);

#endif
