/* SPDX-License-Identifier: GPL-2.0 */
/* Names, text lines and JSON objects for struct ksm_event. */
#ifndef KSM_EVENT_FMT_H
#define KSM_EVENT_FMT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ksm_event.h"

/* Event name without the ksm_ prefix ("merge_with_ksm_page"), NULL if bad. */
const char *ksm_event_name(unsigned int kind);
/* Kind by name (with or without "ksm_"); KSM_EV_NONE if unknown. */
unsigned int ksm_event_by_name(const char *name);
/*
 * Parse "a,b,c" into a bit mask of kinds. On an unknown name returns -EINVAL
 * and points *bad at it (inside a static copy).
 */
int ksm_event_parse_list(const char *list, uint32_t *mask, const char **bad);
const char *ksm_source_name(unsigned int source);
/* Reason/result names, per kind; "unknown" when out of range. */
const char *ksm_reason_name(unsigned int kind, unsigned int reason);
const char *ksm_result_name(unsigned int kind, unsigned int result);
bool ksm_event_has_err(unsigned int kind);
/* "deny", "isolate" or "allow" for a policy_decision's domain. */
const char *ksm_policy_decision_name(__u64 domain, __u64 weight);

/* Options for printing. */
struct ksm_fmt_opts {
	bool timestamp;		/* -T: wall clock HH:MM:SS */
	uint64_t boot_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC at start */
};

/* The column header for ksm_event_print_text. */
void ksm_event_print_header(FILE *out, const struct ksm_fmt_opts *o);
/* One line, under 80 columns. */
void ksm_event_print_text(FILE *out, const struct ksm_event *e, const struct ksm_fmt_opts *o);
/* The event's kind-specific fields in a short "k=v ..." form. */
int ksm_event_detail(const struct ksm_event *e, char *buf, size_t len);
/* A new JSON object; cgroup may be NULL (null in the output). */
json_t *ksm_event_to_json(const struct ksm_event *e, const char *cgroup);
/*
 * The inverse, for recorded traces: fills e from a ksmsnoop -j object.
 * Returns 0 or -EINVAL with a message in err.
 */
int ksm_event_from_json(const json_t *obj, struct ksm_event *e, char *err, size_t err_len);

#endif
