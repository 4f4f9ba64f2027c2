/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Offline analysis of a trace file: the same detectors as the live commands,
 * fed from the file's event lines, with its snapshot lines as the samples
 * for the accounting checks.  What ksmdebug replay prints and report renders.
 *
 * The header, snapshot and recorded-finding lines are kept twice: parsed
 * (what the text and HTML renderings print) and as the JSON they were in
 * the file (what the report bundle carries, byte for byte, whatever a newer
 * writer put in them).
 */
#ifndef KSM_REPLAY_H
#define KSM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "accounting.h"
#include "detectors.h"
#include "snapshot.h"
#include "trace_io.h"

struct replay {
	const char *path;
	bool have_header;	    /* a ksmsnoop -j trace has none */
	struct trace_header header; /* the first header line */
	json_t *header_json;	    /* ... as recorded, or NULL */
	struct snapshot *snaps;	    /* snapshot lines, in file order */
	size_t nr_snaps, cap_snaps;
	json_t *snapshots_json;	  /* ... as recorded */
	json_t *recorded;	  /* finding lines the recorder wrote, as recorded */
	struct acct_sample *acct; /* one per snapshot judged */
	size_t nr_acct, cap_acct;
	struct det_findings findings; /* recomputed, in stream order */
	struct ksm_event *events;     /* kept when keep_events (for the timeline) */
	size_t nr_events, cap_events;
	uint64_t per_kind[KSM_EV_MAX];
	uint64_t first_ts, last_ts;
	struct trace_stats stats;
	struct detectors *det;
};

/*
 * Read and analyse path. keep_events keeps up to max_events events in memory.
 * Returns 0 (see r->stats.malformed) or -errno if the file cannot be read.
 */
int replay_file(const char *path, const struct det_config *cfg, bool keep_events, size_t max_events,
		FILE *errf, struct replay *r);
void replay_free(struct replay *r);

#endif
