/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmdebug trace files: JSON lines, one object per line.
 *
 * - Event lines are exactly `ksmsnoop -j` lines (ksm_event_to_json), with
 *   "src_uptodate" (true/false, null when the source cannot tell) on
 *   swapin_copy.
 * - Other lines carry "type" and no "event", so ksm_event_from_json-based
 *   readers skip them: "header" (tool, format, kernel, config, probes, window),
 *   "snapshot" (sysfs counters and per-process ksm_stat at one moment), and
 *   "finding" (what the recorder's detectors reported, with evidence).
 *
 * The reader goes on after a malformed line: it reports "FILE:LINE: why" and
 * counts it, so one torn line does not hide the rest of an incident.
 */
#ifndef KSM_TRACE_IO_H
#define KSM_TRACE_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "detectors.h"
#include "ksm_event.h"

#define TRACE_FORMAT 1

/* A finding line ({"type":"finding",...}) with its evidence events. */
json_t *trace_finding_to_json(const struct det_finding *f);
int trace_finding_from_json(const json_t *o, struct det_finding *f, char *err, size_t len);
/* Print a finding as text: one summary line, then its evidence indented. */
void trace_finding_print(FILE *out, const struct det_finding *f);

struct trace_reader_ops {
	/* Each returns 0 to go on, non-zero to stop reading. NULL: ignored. */
	int (*event)(void *ctx, const struct ksm_event *e, const json_t *o);
	int (*header)(void *ctx, const json_t *o);
	int (*snapshot)(void *ctx, const json_t *o);
	int (*finding)(void *ctx, const json_t *o);
};

struct trace_stats {
	uint64_t lines;		/* non-empty lines */
	uint64_t events;
	uint64_t other;		/* header, snapshot, finding lines */
	uint64_t malformed;	/* reported on errf */
	uint64_t unknown_type;	/* objects with a "type" this reader does not know */
};

/*
 * Read path ("-" is stdin) line by line. Errors go to errf as
 * "PATH:LINE: message". Returns 0 if it could read the file at all (even
 * with malformed lines: see st->malformed), -errno if it could not open it.
 */
int trace_read(const char *path, const struct trace_reader_ops *ops, void *ctx, FILE *errf,
	       struct trace_stats *st);

#endif
