/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bug-report bundle of a trace (ksmdebug report): findings with the
 * timeline around each, the state snapshots, the kernel and its config, the
 * probe sources that were active. As text, as one JSON object, or as an HTML
 * page with an inline SVG timeline.
 */
#ifndef KSM_REPORT_H
#define KSM_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "replay.h"

struct report_opts {
	uint64_t context_ns;	/* timeline: events this close to a finding (default 2 s) */
	int context_max;	/* ... at most this many on each side (default 20) */
};

void report_opts_default(struct report_opts *o);
void report_text(FILE *out, const struct replay *r, const struct report_opts *o);
json_t *report_json(const struct replay *r, const struct report_opts *o);
void report_html(FILE *out, const struct replay *r, const struct report_opts *o);

#endif
