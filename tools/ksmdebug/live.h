/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmdebug watch and record: the detectors on the live event source, with
 * periodic accounting samples (sample.c), and for record the flight recorder
 * and the trace file it writes (recorder.c).
 */
#ifndef KSM_LIVE_H
#define KSM_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "accounting.h"
#include "cgroup.h"
#include "detectors.h"
#include "event_source.h"
#include "flight_recorder.h"
#include "numa.h"
#include "snapshot.h"

struct live_opts {
	bool recording;	     /* record, not watch */
	double interval;     /* -i: seconds between accounting samples */
	const char *output;  /* -o: the trace file */
	uint64_t max_events; /* -n: the recorder's window, in events */
	double max_age;	     /* -s: ... and in seconds */
	bool no_trigger;     /* --no-trigger: a finding does not write the file */
};

struct sampler;

struct live {
	const struct live_opts *opt;
	struct ksm_source src;
	struct detectors *det;
	struct numa_map numa;
	bool have_numa;
	struct cgroup_cache cg;
	struct sampler *sampler;
	struct acct_sample last; /* the last sample's verdicts */
	uint64_t events;
	/* record only */
	struct flight_recorder fr;
	struct snapshot start; /* the state when tracing began */
	bool have_start;
	struct det_findings findings; /* every finding so far, written with each file */
	bool trigger;		      /* a finding asks for the file to be written */
};

/* sample.c */
struct sampler *sampler_new(void);
void sampler_free(struct sampler *s);
/* The sysfs counters when tracing began: the detectors' baseline. */
void live_baseline(struct live *l);
/*
 * One sample: counters read, the event source drained, counters read again.
 * Every event the kernel emitted before the first read is then in the model,
 * and a counter that moved across the drain is "moving", never judged: that
 * is what keeps ksmd's ongoing work from looking like drift.  The verdicts
 * replace l->last; with snap, every KSM user is sampled and the state goes
 * into snap too (labelled label).  0 or -ENOMEM.
 */
int live_sample(struct live *l, const char *label, struct snapshot *snap);

/* recorder.c: write the recorder's window to the trace file; 0 or CLI_EXIT_ERROR. */
int recorder_dump(struct live *l, const char *reason);

#endif
