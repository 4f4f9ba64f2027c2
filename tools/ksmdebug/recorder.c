// SPDX-License-Identifier: GPL-2.0
/*
 * The flight recorder's trace file (docs/ksmdebug.md, "Trace files"): the
 * header, the start snapshot while the window still holds the start, the
 * window's events, a fresh snapshot and every finding so far (so evidence
 * survives after the window moved on).  Rewritten whole, atomically, on
 * exit, on a trigger and on SIGUSR1.
 */
#include <time.h>

#include "cli.h"
#include "event_fmt.h"
#include "kernel_facts.h"
#include "live.h"
#include "outfile.h"
#include "trace_io.h"
#include "util.h"

static void write_line(FILE *f, json_t *o)
{
	json_dumpf(o, f, JSON_COMPACT);
	fputc('\n', f);
	json_decref(o);
}

static json_t *header(struct live *l, const char *reason)
{
	uint64_t stats[KSM_STAT_MAX];
	struct kernel_facts k;
	struct trace_window w = {
		.seen = l->fr.seen,
		.held = fr_len(&l->fr),
		.evicted = l->fr.evicted,
		.max_events = l->opt->max_events,
		.max_age_s = l->opt->max_age,
	};

	ksm_source_stats(&l->src, stats);
	w.dropped = stats[KSM_STAT_DROPPED];
	kernel_facts_read(&k);
	return trace_header_json(reason, now_ns(CLOCK_MONOTONIC), &k,
				 ksm_source_probes_json(&l->src), &w);
}

static void write_trace(FILE *f, struct live *l, const char *reason, const struct snapshot *now)
{
	write_line(f, header(l, reason));
	/* The start state is a baseline only if the window still holds the start. */
	if (!l->fr.evicted && l->have_start)
		write_line(f, snapshot_json(&l->start));
	for (size_t i = 0; i < fr_len(&l->fr); i++) {
		const struct ksm_event *e = fr_at(&l->fr, i);

		write_line(f, ksm_event_to_json(e, cgroup_cache_path(&l->cg, e->cgroup_id)));
	}
	write_line(f, snapshot_json(now));
	for (size_t i = 0; i < l->findings.n; i++)
		write_line(f, trace_finding_to_json(&l->findings.v[i]));
}

int recorder_dump(struct live *l, const char *reason)
{
	struct snapshot now = { 0 };
	struct outfile out;
	int r;

	fr_expire(&l->fr, now_ns(CLOCK_MONOTONIC));
	if (live_sample(l, reason, &now)) {
		snapshot_free(&now);
		return cli_err("out of memory");
	}
	r = outfile_open(&out, l->opt->output);
	if (!r) {
		write_trace(out.f, l, reason, &now);
		r = outfile_close(&out);
	}
	if (!r)
		cli_info("wrote %s (%zu events, %zu findings, %s)", l->opt->output, fr_len(&l->fr),
			 l->findings.n, reason);
	snapshot_free(&now);
	return r;
}
