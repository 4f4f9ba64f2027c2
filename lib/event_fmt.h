/* SPDX-License-Identifier: GPL-2.0 */
/* Names, text lines and JSON objects for struct ksm_event. */
#ifndef KSM_EVENT_FMT_H
#define KSM_EVENT_FMT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "event_kinds.h"
#include "ksm_event.h"

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
