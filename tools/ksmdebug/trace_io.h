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
#include "kernel_facts.h"
#include "ksm_event.h"

#define TRACE_FORMAT 1
#define TRACE_MAX_PROBES 32

/* The recorder's window when it wrote the file (the header's "trace"). */
struct trace_window {
	uint64_t seen;	  /* events pushed */
	uint64_t held;	  /* in the file */
	uint64_t evicted; /* fell out of the window: the trace lost its start */
	uint64_t dropped; /* lost to a full ring buffer */
	uint64_t max_events;
	double max_age_s;
};

/* One row of the header's "probes" (ksmsnoop --list-probes -j), as printed. */
struct trace_probe {
	char target[64];
	char state[16];	  /* "active", ... */
	char detail[128]; /* why it is (not) active */
};

/* What a report prints of a header line; "?" stands for a missing string. */
struct trace_header {
	bool have_kernel;
	struct kernel_facts kernel;
	bool have_probes;
	int nr_probes;
	struct trace_probe probes[TRACE_MAX_PROBES];
	struct trace_window window;
};

/*
 * {"type": "header", "tool", "format", "reason", "ts_ns", "kernel", "probes",
 * "trace"}; the object takes the reference to probes.
 */
json_t *trace_header_json(const char *reason, uint64_t ts_ns, const struct kernel_facts *k,
			  json_t *probes, const struct trace_window *w);
void trace_header_from_json(const json_t *o, struct trace_header *h);

/* A finding line ({"type":"finding",...}) with its evidence events. */
json_t *trace_finding_to_json(const struct det_finding *f);
int trace_finding_from_json(const json_t *o, struct det_finding *f, char *err, size_t len);
/* Print a finding as text: one summary line, then its evidence indented. */
void trace_finding_print(FILE *out, const struct det_finding *f);
/* {"leftover_nodes": N, ...}: findings per detector so far */
json_t *det_counts_json(const struct detectors *d);
/* A line on the migration entries not judged, if there were any. */
void det_unjudged_print(FILE *out, const struct detectors *d);

struct trace_reader_ops {
	/* Each returns 0 to go on, non-zero to stop reading. NULL: ignored. */
	int (*event)(void *ctx, const struct ksm_event *e, const json_t *o);
	int (*header)(void *ctx, const json_t *o);
	int (*snapshot)(void *ctx, const json_t *o);
	int (*finding)(void *ctx, const json_t *o);
};

struct trace_stats {
	uint64_t lines; /* non-empty lines */
	uint64_t events;
	uint64_t malformed;    /* reported on errf */
	uint64_t unknown_type; /* objects with a "type" this reader does not know */
	char open_err[128];    /* why the file could not be opened */
};

/* A longer line is not a trace's: the reader says so and stops. */
#define TRACE_MAX_LINE (32u << 20)
/* After this many malformed lines the file is taken for something else. */
#define TRACE_MAX_MALFORMED 1000

/*
 * Read path ("-" is stdin) line by line.  Errors go to errf as
 * "PATH:LINE: message", shown by the name rule: malformed JSON (jansson:
 * duplicate keys, NaN, nesting deeper than 2048, numbers out of range), an
 * event ksm_event_from_json rejects, a truncated last line, an empty file.
 * A line over TRACE_MAX_LINE or TRACE_MAX_MALFORMED errors stop the reading.
 * Returns 0 if it could read the file at all (even with malformed lines:
 * see st->malformed), -errno and st->open_err if it could not open it (a
 * directory, a FIFO or a device is refused: lib/infile.h).
 */
int trace_read(const char *path, const struct trace_reader_ops *ops, void *ctx, FILE *errf,
	       struct trace_stats *st);

#endif
