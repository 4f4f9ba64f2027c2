/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Offline analysis of a trace file: the same detectors as the live commands,
 * fed from the file's event lines, with its snapshot lines as the samples
 * for the accounting checks. What ksmdebug replay prints and report renders.
 */
#ifndef KSM_REPLAY_H
#define KSM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "detectors.h"
#include "trace_io.h"

struct replay {
	const char *path;
	json_t *header;			/* the first header line, or NULL (ksmsnoop -j) */
	json_t *snapshots;		/* array of snapshot objects, in file order */
	json_t *recorded;		/* finding lines the recorder wrote */
	json_t *accounting;		/* array: one object per snapshot judged */
	struct det_finding *findings;	/* recomputed, in stream order */
	size_t nr_findings, cap_findings;
	struct ksm_event *events;	/* kept when keep_events (for the timeline) */
	size_t nr_events, cap_events;
	bool events_truncated;		/* more events than max_events */
	uint64_t per_kind[KSM_EV_MAX];
	uint64_t first_ts, last_ts;
	struct trace_stats stats;
	struct detectors *det;
};

/*
 * Read and analyse path. keep_events keeps up to max_events events in memory.
 * Returns 0 (see r->stats.malformed) or -errno if the file cannot be read.
 */
int replay_file(const char *path, const struct det_config *cfg, bool keep_events,
		size_t max_events, FILE *errf, struct replay *r);
void replay_free(struct replay *r);
json_t *det_acct_json(const struct det_acct *a);

#endif
