/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bug-report bundle of a trace (ksmdebug report): findings with the
 * timeline around each, the state snapshots, the kernel and its config, the
 * probe sources that were active.  As text (report_text.c), as one JSON
 * object (report_json.c), or as an HTML page with an inline SVG timeline
 * (report_html.c, report_svg.c), all from one struct replay.
 */
#ifndef KSM_REPORT_H
#define KSM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "replay.h"

struct report_opts {
	uint64_t context_ns; /* timeline: events this close to a finding (default 2 s) */
	int context_max;     /* ... at most this many on each side (default 20) */
};

void report_opts_default(struct report_opts *o);
void report_text(FILE *out, const struct replay *r, const struct report_opts *o);
json_t *report_json(const struct replay *r, const struct report_opts *o);
void report_html(FILE *out, const struct replay *r, const struct report_opts *o);

/* What the renderings share (report.c). */

/* [*first, *last): the kept events around ts, within context_ns, capped per side. */
void report_context(const struct replay *r, const struct report_opts *o, uint64_t ts, size_t *first,
		    size_t *last);
/* Is e one of f's evidence events? */
bool report_is_evidence(const struct det_finding *f, const struct ksm_event *e);
/* The inline SVG timeline of the whole trace. */
void report_svg_timeline(FILE *out, const struct replay *r);
/* s with <, >, & and " escaped for HTML text and attributes. */
void html_escape(FILE *out, const char *s);

#endif
