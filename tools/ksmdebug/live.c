// SPDX-License-Identifier: GPL-2.0
/*
 * ksmdebug: race detectors, a flight recorder and a bug-report bundle for
 * KSM. The detectors (tools/lib/detectors.c) run the same live and on a
 * recorded trace; see docs/ksmdebug.md for the signatures.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "detectors.h"
#include "event_fmt.h"
#include "event_source.h"
#include "flight_recorder.h"
#include "kernel_facts.h"
#include "ksm_stat.h"
#include "ksm_sysfs.h"
#include "numa.h"
#include "procfs.h"
#include "replay.h"
#include "report.h"
#include "snapshot.h"
#include "trace_io.h"
#include "util.h"

#define MAX_PIDS 4096

const char *argp_program_version = "ksmdebug 0.1";
const char *argp_program_bug_address = "<ksm-bpf@example.org>";

/* Options every command takes (bpftool style: -j/-p anywhere). */
static struct {
	bool json;
	bool pretty;
	bool verbose;
	bool quiet;
} g;

static volatile sig_atomic_t dump_requested;

static void on_usr1(int sig)
{
	dump_requested = 1;
}

static void emit_json(json_t *o)
{
	json_dumpf(o, stdout, g.pretty ? JSON_INDENT(2) : JSON_COMPACT);
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(o);
}

/* Common options of the commands; ARGP_KEY handling shared. */
static error_t common_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'j':
		g.json = true;
		return 0;
	case 'P':
		g.pretty = g.json = true;
		return 0;
	case 'v':
		g.verbose = true;
		return 0;
	case 'q':
		g.quiet = true;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

#define COMMON_OPTS                                                                       \
	{ "json", 'j', NULL, 0, "JSON output", 0 },                                        \
	{ "pretty", 'P', NULL, 0, "Indented JSON (implies -j)", 0 },                       \
	{ "verbose", 'v', NULL, 0, "libbpf debug output", 0 },                             \
	{ "quiet", 'q', NULL, 0, "No progress lines on stderr", 0 }

static struct det_config det_cfg;

#define DET_OPTS                                                                          \
	{ "race-window", 1001, "MS", 0, "migrate -> stale race window (default 1000)", 0 }, \
	{ "retry-limit", 1002, "N", 0, "Retries on one node that make a storm (default 8)", 0 }

static error_t det_opt(int key, char *arg, struct argp_state *state)
{
	uint64_t v;

	switch (key) {
	case 1001:
		if (!parse_u64(arg, 1, 600000, &v))
			argp_error(state, "invalid race window '%s' (ms)", arg);
		det_cfg.race_window_ns = v * 1000000ULL;
		return 0;
	case 1002:
		if (!parse_u64(arg, 2, 1000000, &v))
			argp_error(state, "invalid retry limit '%s'", arg);
		det_cfg.retry_limit = (unsigned int)v;
		return 0;
	default:
		return common_opt(key, arg, state);
	}
}

/* ---- live: watch and record -------------------------------------------- */

static struct live_env {
	double duration;
	double interval;
	const char *output;
	uint64_t max_events;
	double max_age;
	bool no_trigger;
} le = { .interval = 2.0, .max_events = 100000, .max_age = 60.0 };

struct live {
	struct ksm_source src;
	struct detectors *det;
	struct numa_map numa;
	bool have_numa;
	struct cgroup_cache cg;
	bool recording;
	struct flight_recorder fr;
	json_t *start_snap;	/* sysfs and procs when tracing began */
	json_t *findings;	/* every finding so far (record), as JSON lines */
	json_t *last_acct;	/* the last sample's verdicts */
	bool trigger;
	uint64_t events;
	const char *cmd;
};

static int live_event(void *ctx, const struct ksm_event *ev)
{
	struct live *l = ctx;
	struct ksm_event e = *ev;

	/* Stock tracepoints carry no node: map the pfn through zoneinfo. */
	if (l->have_numa) {
		if (e.nid < 0 && e.pfn && e.kind != KSM_EV_START_SCAN && e.kind != KSM_EV_STOP_SCAN)
			e.nid = numa_pfn_to_nid(&l->numa, e.pfn);
		if (e.nid2 < 0 && e.pfn2)
			e.nid2 = numa_pfn_to_nid(&l->numa, e.pfn2);
	}
	l->events++;
	det_feed(l->det, &e);
	if (l->recording)
		fr_push(&l->fr, &e);
	return 0;
}

static void live_finding(void *ctx, const struct det_finding *f)
{
	struct live *l = ctx;

	if (l->recording) {
		json_array_append_new(l->findings, trace_finding_to_json(f));
		l->trigger = !le.no_trigger;
		if (!g.quiet)
			fprintf(stderr, "ksmdebug: finding %s: %s\n", det_name(f->id), f->message);
		return;
	}
	if (g.json) {
		emit_json(trace_finding_to_json(f));
	} else {
		trace_finding_print(stdout, f);
		fflush(stdout);
	}
}

/* Read pages_shared and pages_sharing; false if unreadable. */
static bool read_counters(struct ksm_sysfs *fs, int64_t *shared, int64_t *sharing)
{
	return !ksm_sysfs_read(NULL, fs) && ksm_sysfs_get(fs, "pages_shared", shared) &&
	       ksm_sysfs_get(fs, "pages_sharing", sharing);
}

static int add_pid(int *pids, int n, int pid)
{
	for (int i = 0; i < n; i++)
		if (pids[i] == pid)
			return n;
	if (n < MAX_PIDS)
		pids[n++] = pid;
	return n;
}

/*
 * One sample: counters read, the event source drained, counters read again.
 * Every event the kernel emitted before the first read is then in the model,
 * and a counter that moved across the drain is "moving", never judged: that
 * is what keeps ksmd's ongoing work from looking like drift. Returns the
 * snapshot object when want_snap.
 */
static json_t *live_sample(struct live *l, const char *label, bool want_snap, bool all_pids)
{
	static int pids[MAX_PIDS];
	static uint32_t seen[MAX_PIDS];
	static struct ksm_proc_stat st1[MAX_PIDS], st2[MAX_PIDS];
	static bool ok[MAX_PIDS];
	struct ksm_sysfs fs1, fs2;
	int64_t sh1 = 0, sg1 = 0, sh2 = 0, sg2 = 0;
	bool have1, have2;
	uint64_t stats[KSM_STAT_MAX], ts;
	json_t *snap = NULL, *procs = NULL, *acct = json_array();
	struct det_acct a;
	int n = 0, ns;

	ns = det_pids(l->det, seen, MAX_PIDS);
	for (int i = 0; i < ns; i++)
		n = add_pid(pids, n, (int)seen[i]);
	if (all_pids) {
		static int users[MAX_PIDS];
		int nu = snap_ksm_pids(users, MAX_PIDS);

		for (int i = 0; i < nu; i++)
			n = add_pid(pids, n, users[i]);
	}
	have1 = read_counters(&fs1, &sh1, &sg1);
	for (int i = 0; i < n; i++)
		ok[i] = !ksm_stat_read(pids[i], &st1[i]);
	ksm_source_drain(&l->src);
	usleep(20000);
	ksm_source_drain(&l->src);
	ts = now_ns(CLOCK_MONOTONIC);
	have2 = read_counters(&fs2, &sh2, &sg2);
	for (int i = 0; i < n; i++)
		ok[i] = ok[i] && !ksm_stat_read(pids[i], &st2[i]);
	ksm_source_stats(&l->src, stats);
	if (stats[KSM_STAT_DROPPED])
		det_mark_incomplete(l->det, "events were lost (ring buffer full)");

	if (have1 && have2) {
		det_check_sysfs(l->det, ts, sh2, sg2, sh1 == sh2 && sg1 == sg2, &a);
		json_array_append_new(acct, det_acct_json(&a));
	}
	if (want_snap) {
		int nodes = l->have_numa ? l->numa.nr_nodes : 0;
		int64_t per[64];
		int used = det_nodes_per_nid(l->det, per, 64);

		procs = json_array();
		snap = json_pack("{s:s, s:s, s:I, s:b}", "type", "snapshot", "label", label,
				 "ts_ns", (json_int_t)ts, "stable",
				 have1 && have2 && sh1 == sh2 && sg1 == sg2);
		json_object_set_new(snap, "sysfs", snap_sysfs_json(&fs2));
		json_object_set_new(snap, "numa", snap_numa_json(&fs2, nodes, used ? per : NULL,
								 used));
		json_object_set_new(snap, "procs", procs);
	}
	for (int i = 0; i < n; i++) {
		bool stable = st1[i].merging_pages == st2[i].merging_pages;
		char comm[16] = "";

		if (!ok[i])
			continue;
		det_check_proc(l->det, ts, pids[i], st2[i].merging_pages, stable, &a);
		if (!a.comm[0] && !proc_read_comm(pids[i], comm, sizeof(comm)))
			snprintf(a.comm, sizeof(a.comm), "%s", comm);
		json_array_append_new(acct, det_acct_json(&a));
		if (procs)
			json_array_append_new(procs, snap_proc_json(pids[i], a.comm, &st2[i],
								    stable));
	}
	json_decref(l->last_acct);
	l->last_acct = acct;
	return snap;
}

static json_t *trace_stats_json(struct live *l)
{
	uint64_t stats[KSM_STAT_MAX];

	ksm_source_stats(&l->src, stats);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:f}", "seen", (json_int_t)l->fr.seen,
			 "held", (json_int_t)fr_len(&l->fr), "evicted", (json_int_t)l->fr.evicted,
			 "dropped", (json_int_t)stats[KSM_STAT_DROPPED], "max_events",
			 (json_int_t)le.max_events, "max_age_s", le.max_age);
}

static int write_line(FILE *f, json_t *o, bool steal)
{
	int r = json_dumpf(o, f, JSON_COMPACT);

	fputc('\n', f);
	if (steal)
		json_decref(o);
	return r;
}

/* Write the recorder's window to le.output atomically (tmp + rename). */
static int dump(struct live *l, const char *reason)
{
	char tmp[4096];
	json_t *snap, *hdr, *x;
	size_t i;
	FILE *f;

	fr_expire(&l->fr, now_ns(CLOCK_MONOTONIC));
	snap = live_sample(l, reason, true, true);
	snprintf(tmp, sizeof(tmp), "%s.tmp", le.output);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "ksmdebug: cannot write %s: %s\n", tmp, strerror(errno));
		json_decref(snap);
		return -1;
	}
	hdr = json_pack("{s:s, s:s, s:i, s:s, s:I}", "type", "header", "tool", "ksmdebug",
			"format", TRACE_FORMAT, "reason", reason, "ts_ns",
			(json_int_t)now_ns(CLOCK_MONOTONIC));
	json_object_set_new(hdr, "kernel", kernel_facts_json());
	json_object_set_new(hdr, "probes", ksm_source_probes_json(&l->src));
	json_object_set_new(hdr, "trace", trace_stats_json(l));
	write_line(f, hdr, true);
	/* The start state is a baseline only if the window still holds the start. */
	if (!l->fr.evicted && l->start_snap)
		write_line(f, l->start_snap, false);
	for (size_t n = 0; n < fr_len(&l->fr); n++) {
		const struct ksm_event *e = fr_at(&l->fr, n);

		write_line(f, ksm_event_to_json(e, cgroup_cache_path(&l->cg, e->cgroup_id)),
			   true);
	}
	write_line(f, snap, true);
	json_array_foreach(l->findings, i, x)
		write_line(f, x, false);
	if (fclose(f) || rename(tmp, le.output)) {
		fprintf(stderr, "ksmdebug: cannot write %s: %s\n", le.output, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (!g.quiet)
		fprintf(stderr, "ksmdebug: wrote %s (%zu events, %zu findings, %s)\n", le.output,
			fr_len(&l->fr), json_array_size(l->findings), reason);
	return 0;
}

static void print_summary(struct live *l)
{
	uint64_t stats[KSM_STAT_MAX];
	json_t *counts = json_object(), *a;
	size_t i;

	ksm_source_stats(&l->src, stats);
	for (int d = 0; d < DET_MAX; d++)
		json_object_set_new(counts, det_name(d), json_integer(det_count(l->det, d)));
	if (g.json) {
		emit_json(json_pack("{s:s, s:I, s:I, s:I, s:o, s:O}", "type", "summary", "events",
				    (json_int_t)l->events, "lost",
				    (json_int_t)stats[KSM_STAT_DROPPED], "findings",
				    (json_int_t)det_total(l->det), "per_detector", counts,
				    "accounting", l->last_acct));
		return;
	}
	json_decref(counts);
	printf("\n%llu events, %llu lost, %llu findings\n", (unsigned long long)l->events,
	       (unsigned long long)stats[KSM_STAT_DROPPED], (unsigned long long)det_total(l->det));
	printf("%-7s %-15s %8s %8s  %-10s %s\n", "PID", "COMM", "EVENTS", "KERNEL", "VERDICT",
	       "WHY");
	json_array_foreach(l->last_acct, i, a) {
		json_t *pid = json_object_get(a, "pid");
		char pidbuf[16] = "-";

		if (json_is_integer(pid))
			snprintf(pidbuf, sizeof(pidbuf), "%lld", json_integer_value(pid));
		printf("%-7s %-15s %8lld %8lld  %-10s %s\n", pidbuf,
		       json_string_value(json_object_get(a, "comm")),
		       json_integer_value(json_object_get(a, "events")),
		       json_integer_value(json_object_get(a, "kernel")),
		       json_string_value(json_object_get(a, "verdict")),
		       json_string_value(json_object_get(a, "why")));
	}
}

static int live_run(const char *cmd, bool recording)
{
	struct ksm_source_opts so = { 0 };
	struct live l = { .cmd = cmd, .recording = recording };
	struct sigaction sa = { .sa_handler = on_usr1 };
	uint64_t deadline = 0, next_sample;
	int64_t shared, sharing;
	struct ksm_sysfs fs;
	char err[256];
	int r, ret = 1;

	so.cb = live_event;
	so.ctx = &l;
	so.verbose = g.verbose;
	r = ksm_source_probe(&l.src, &so, err, sizeof(err));
	if (r) {
		fprintf(stderr, "ksmdebug: %s\n", err);
		return 1;
	}
	l.det = det_new(&det_cfg, live_finding, &l);
	l.findings = json_array();
	if (!l.det || (recording && fr_init(&l.fr, le.max_events,
					     (uint64_t)(le.max_age * 1e9)))) {
		fprintf(stderr, "ksmdebug: out of memory\n");
		goto out;
	}
	cgroup_cache_init(&l.cg);
	l.have_numa = numa_map_load(&l.numa) == 0;
	install_exit_signals();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	r = ksm_source_start(&l.src, err, sizeof(err));
	if (r) {
		fprintf(stderr, "ksmdebug: %s\n", err);
		goto out;
	}
	/* The baseline: what was in the stable tree when tracing began. */
	if (read_counters(&fs, &shared, &sharing))
		det_baseline(l.det, shared, sharing);
	if (recording) {
		l.start_snap = live_sample(&l, "start", true, true);
	}
	if (!g.quiet) {
		fprintf(stderr, "ksmdebug: ");
		ksm_source_print_summary(&l.src, stderr);
		fprintf(stderr, "ksmdebug: %s, Ctrl-C to end%s\n",
			recording ? "recording" : "watching",
			recording ? ", SIGUSR1 to write a snapshot" : "");
	}
	if (le.duration > 0)
		deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)(le.duration * 1e9);
	next_sample = now_ns(CLOCK_MONOTONIC) + (uint64_t)(le.interval * 1e9);
	while (!exiting) {
		uint64_t now = now_ns(CLOCK_MONOTONIC);

		if (deadline && now >= deadline)
			break;
		r = ksm_source_poll(&l.src, 100);
		if (r < 0 && r != -EINTR) {
			fprintf(stderr, "ksmdebug: polling the ring buffer: %s\n", strerror(-r));
			goto out;
		}
		now = now_ns(CLOCK_MONOTONIC);
		if (now >= next_sample) {
			json_decref(live_sample(&l, "periodic", false, false));
			next_sample = now + (uint64_t)(le.interval * 1e9);
		}
		if (recording && dump_requested) {
			dump_requested = 0;
			dump(&l, "sigusr1");
		}
		if (recording && l.trigger) {
			l.trigger = false;
			dump(&l, "trigger");
		}
	}
	/* Whatever is still in the ring buffer was traced: analyse it too. */
	ksm_source_drain(&l.src);
	if (recording) {
		if (dump(&l, "exit"))
			goto out;
	} else {
		json_decref(live_sample(&l, "exit", false, false));
	}
	print_summary(&l);
	ret = 0;
out:
	ksm_source_close(&l.src);
	det_free(l.det);
	fr_free(&l.fr);
	cgroup_cache_free(&l.cg);
	json_decref(l.start_snap);
	json_decref(l.findings);
	json_decref(l.last_acct);
	return ret;
}

static error_t live_opt(int key, char *arg, struct argp_state *state)
{
	uint64_t v;

	switch (key) {
	case 'd':
		if (!parse_seconds(arg, &le.duration))
			argp_error(state, "invalid duration '%s' (seconds > 0)", arg);
		return 0;
	case 'i':
		if (!parse_seconds(arg, &le.interval))
			argp_error(state, "invalid interval '%s' (seconds > 0)", arg);
		return 0;
	case 'o':
		le.output = arg;
		return 0;
	case 'n':
		if (!parse_u64(arg, 1, 1 << 26, &v))
			argp_error(state, "invalid event count '%s'", arg);
		le.max_events = v;
		return 0;
	case 's':
		if (!parse_seconds(arg, &le.max_age))
			argp_error(state, "invalid window '%s' (seconds > 0)", arg);
		return 0;
	case 1003:
		le.no_trigger = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return det_opt(key, arg, state);
	}
}

static int cmd_watch(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "duration", 'd', "SECS", 0, "Stop after SECS seconds", 0 },
		{ "interval", 'i', "SECS", 0, "Accounting checks every SECS (default 2)", 0 },
		DET_OPTS,
		COMMON_OPTS,
		{},
	};
	static const char doc[] =
		"Run the detectors live: one finding per line with its evidence events, and\n"
		"an accounting summary (events vs sysfs and ksm_stat) at exit.\n"
		"\n"
		"EXAMPLES:\n"
		"    ksmdebug watch            # until Ctrl-C\n"
		"    ksmdebug watch -j -d 60   # JSON lines for a minute\n";
	static const struct argp argp = { opts, live_opt, NULL, doc, NULL, NULL, NULL };

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 1;
	return live_run("watch", false);
}

static int cmd_record(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "output", 'o', "FILE", 0, "Trace file to write (required)", 0 },
		{ "events", 'n', "N", 0, "Keep the last N events (default 100000)", 0 },
		{ "seconds", 's', "SECS", 0, "Keep events of the last SECS (default 60)", 0 },
		{ "duration", 'd', "SECS", 0, "Stop after SECS seconds", 0 },
		{ "interval", 'i', "SECS", 0, "Accounting checks every SECS (default 2)", 0 },
		{ "no-trigger", 1003, NULL, 0, "Do not write the file when a detector fires", 0 },
		DET_OPTS,
		COMMON_OPTS,
		{},
	};
	static const char doc[] =
		"Flight recorder: keep the last N events / S seconds in memory and write\n"
		"them, with state snapshots, to FILE on exit, when a detector fires, and on\n"
		"SIGUSR1. FILE is JSON lines that ksmsnoop -j readers understand.\n"
		"\n"
		"EXAMPLES:\n"
		"    ksmdebug record -o ksm.trace             # until Ctrl-C\n"
		"    ksmdebug record -o ksm.trace -n 20000 -s 10\n"
		"    kill -USR1 $(pidof ksmdebug)             # write it now\n";
	static const struct argp argp = { opts, live_opt, NULL, doc, NULL, NULL, NULL };

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 1;
	if (!le.output) {
		fprintf(stderr, "ksmdebug: record: -o FILE is required\n");
		return 1;
	}
	return live_run("record", true);
}

/* ---- offline: replay and report ------------------------------------------ */

static struct {
	const char *file;
	const char *html;
	const char *output;
} oe;

static error_t file_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'H':
		oe.html = arg;
		return 0;
	case 'o':
		oe.output = arg;
		return 0;
	case ARGP_KEY_ARG:
		if (oe.file)
			argp_error(state, "unexpected argument '%s'", arg);
		oe.file = arg;
		return 0;
	case ARGP_KEY_END:
		if (!oe.file)
			argp_error(state, "missing trace FILE");
		return 0;
	default:
		return det_opt(key, arg, state);
	}
}

static int load(struct replay *r, bool keep)
{
	int err = replay_file(oe.file, &det_cfg, keep, 1000000, stderr, r);

	if (err) {
		fprintf(stderr, "ksmdebug: %s: %s\n", oe.file, strerror(-err));
		replay_free(r);
		return 1;
	}
	if (r->stats.malformed && !g.quiet)
		fprintf(stderr, "ksmdebug: %s: %llu malformed lines skipped, the rest analysed\n",
			oe.file, (unsigned long long)r->stats.malformed);
	return 0;
}

/* 1 if a line was malformed, else 3 if something was found, else 0. */
static int exit_code(const struct replay *r)
{
	return r->stats.malformed ? 1 : r->nr_findings ? 3 : 0;
}

static int cmd_replay(int argc, char **argv)
{
	static const struct argp_option opts[] = { DET_OPTS, COMMON_OPTS, {} };
	static const char doc[] =
		"Run the detectors over a recorded trace (ksmdebug record, or ksmsnoop -j).\n"
		"Exit status: 0 nothing found, 3 findings, 1 malformed lines or errors.\n"
		"\n"
		"EXAMPLES:\n"
		"    ksmdebug replay ksm.trace\n"
		"    ksmsnoop -j > t.json; ksmdebug replay -j t.json\n";
	static const struct argp argp = { opts, file_opt, "FILE", doc, NULL, NULL, NULL };
	struct replay r;
	json_t *counts;
	int ret;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 1;
	if (load(&r, false))
		return 1;
	for (size_t i = 0; i < r.nr_findings; i++) {
		if (g.json)
			emit_json(trace_finding_to_json(&r.findings[i]));
		else
			trace_finding_print(stdout, &r.findings[i]);
	}
	counts = json_object();
	for (int d = 0; d < DET_MAX; d++)
		json_object_set_new(counts, det_name(d), json_integer(det_count(r.det, d)));
	if (g.json) {
		emit_json(json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:O}", "type", "summary",
				    "lines", (json_int_t)r.stats.lines, "events",
				    (json_int_t)r.stats.events, "malformed",
				    (json_int_t)r.stats.malformed, "findings",
				    (json_int_t)r.nr_findings, "per_detector", counts, "accounting",
				    r.accounting));
	} else {
		json_decref(counts);
		printf("%llu events, %llu malformed lines, %zu findings\n",
		       (unsigned long long)r.stats.events, (unsigned long long)r.stats.malformed,
		       r.nr_findings);
		if (json_array_size(r.accounting)) {
			json_t *last = json_array_get(r.accounting, json_array_size(r.accounting) - 1);
			json_t *p;
			size_t i;

			printf("accounting at %s:\n",
			       json_string_value(json_object_get(last, "label")));
			p = json_object_get(last, "sysfs");
			if (p)
				printf("  sysfs: events %lld kernel %lld: %s %s\n",
				       json_integer_value(json_object_get(p, "events")),
				       json_integer_value(json_object_get(p, "kernel")),
				       json_string_value(json_object_get(p, "verdict")),
				       json_string_value(json_object_get(p, "why")));
			json_array_foreach(json_object_get(last, "procs"), i, p)
				printf("  pid %lld %s: events %lld kernel %lld: %s %s\n",
				       json_integer_value(json_object_get(p, "pid")),
				       json_string_value(json_object_get(p, "comm")),
				       json_integer_value(json_object_get(p, "events")),
				       json_integer_value(json_object_get(p, "kernel")),
				       json_string_value(json_object_get(p, "verdict")),
				       json_string_value(json_object_get(p, "why")));
		}
	}
	fflush(stdout);
	ret = exit_code(&r);
	replay_free(&r);
	return ret;
}

static int cmd_report(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "html", 'H', "OUT", 0, "Also write an HTML page with an SVG timeline", 0 },
		{ "output", 'o', "OUT", 0, "Write the text/JSON report here, not stdout", 0 },
		DET_OPTS,
		COMMON_OPTS,
		{},
	};
	static const char doc[] =
		"The bundle for a bug report: findings with the timeline around each, state\n"
		"snapshots, kernel version and config, active probe sources.\n"
		"Exit status as for replay.\n"
		"\n"
		"EXAMPLES:\n"
		"    ksmdebug report ksm.trace\n"
		"    ksmdebug report -j ksm.trace > report.json\n"
		"    ksmdebug report --html report.html ksm.trace\n";
	static const struct argp argp = { opts, file_opt, "FILE", doc, NULL, NULL, NULL };
	struct report_opts ro;
	struct replay r;
	FILE *out = stdout;
	int ret;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 1;
	if (load(&r, true))
		return 1;
	report_opts_default(&ro);
	if (oe.output && !(out = fopen(oe.output, "w"))) {
		fprintf(stderr, "ksmdebug: cannot write %s: %s\n", oe.output, strerror(errno));
		replay_free(&r);
		return 1;
	}
	if (g.json) {
		json_t *o = report_json(&r, &ro);

		json_dumpf(o, out, g.pretty ? JSON_INDENT(2) : JSON_COMPACT);
		fputc('\n', out);
		json_decref(o);
	} else {
		report_text(out, &r, &ro);
	}
	if (out != stdout)
		fclose(out);
	ret = exit_code(&r);
	if (oe.html) {
		FILE *h = fopen(oe.html, "w");

		if (!h) {
			fprintf(stderr, "ksmdebug: cannot write %s: %s\n", oe.html,
				strerror(errno));
			ret = 1;
		} else {
			report_html(h, &r, &ro);
			fclose(h);
		}
	}
	replay_free(&r);
	return ret;
}

/* ---- snapshot ---------------------------------------------------------- */

static error_t snap_opt(int key, char *arg, struct argp_state *state)
{
	if (key == ARGP_KEY_ARG) {
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	}
	return common_opt(key, arg, state);
}

static int cmd_snapshot(int argc, char **argv)
{
	static const struct argp_option opts[] = { COMMON_OPTS, {} };
	static const char doc[] =
		"Current KSM state: sysfs counters, per-process ksm_stat, the NUMA picture\n"
		"(what the kernel exposes per node, and what it does not), kernel facts.\n";
	static const struct argp argp = { opts, snap_opt, NULL, doc, NULL, NULL, NULL };
	static int pids[MAX_PIDS];
	struct ksm_sysfs fs;
	struct numa_map numa;
	json_t *o, *procs, *numa_j, *k, *v;
	const char *key;
	size_t i;
	int n, err, nodes;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 1;
	err = ksm_sysfs_read(NULL, &fs);
	if (err) {
		fprintf(stderr, "ksmdebug: %s: %s%s\n", ksm_sysfs_dir(), strerror(-err),
			err == -ENOENT ? " (CONFIG_KSM is not set)" : "");
		return 1;
	}
	nodes = numa_map_load(&numa) ? 0 : numa.nr_nodes;
	n = snap_ksm_pids(pids, MAX_PIDS);
	procs = json_array();
	for (int j = 0; j < n; j++) {
		struct ksm_proc_stat st;
		char comm[16] = "";

		if (ksm_stat_read(pids[j], &st))
			continue;
		proc_read_comm(pids[j], comm, sizeof(comm));
		json_array_append_new(procs, snap_proc_json(pids[j], comm, &st, true));
	}
	numa_j = snap_numa_json(&fs, nodes, NULL, 0);
	o = json_pack("{s:s, s:s, s:I, s:b}", "type", "snapshot", "label", "snapshot", "ts_ns",
		      (json_int_t)now_ns(CLOCK_MONOTONIC), "stable", true);
	json_object_set_new(o, "sysfs", snap_sysfs_json(&fs));
	json_object_set_new(o, "numa", numa_j);
	json_object_set_new(o, "procs", procs);
	json_object_set_new(o, "kernel", kernel_facts_json());
	if (g.json) {
		emit_json(o);
		return 0;
	}
	k = json_object_get(o, "kernel");
	printf("kernel %s", json_string_value(json_object_get(k, "release")));
	if (json_is_object(json_object_get(k, "config")))
		printf(", CONFIG_KSM=%s (%s)\n",
		       json_string_value(json_object_get(json_object_get(k, "config"),
							 "CONFIG_KSM")),
		       json_string_value(json_object_get(k, "config_source")));
	else
		printf(", config not available\n");
	printf("\n/sys/kernel/mm/ksm:\n");
	json_object_foreach(json_object_get(o, "sysfs"), key, v) {
		if (json_is_integer(v))
			printf("  %-36s %lld\n", key, json_integer_value(v));
		else
			printf("  %-36s %s\n", key, json_string_value(v));
	}
	printf("\nNUMA: %d node%s\n", nodes, nodes == 1 ? "" : "s");
	printf("  stable nodes per node: %s\n",
	       json_string_value(json_object_get(numa_j, "stable_nodes_source")));
	v = json_object_get(numa_j, "pages_shared_per_node");
	if (json_is_array(v))
		printf("  pages_shared on node 0: %lld (%s)\n",
		       json_integer_value(json_array_get(v, 0)),
		       json_string_value(json_object_get(numa_j, "pages_shared_source")));
	else
		printf("  pages_shared per node: %s\n",
		       json_string_value(json_object_get(numa_j, "pages_shared_source")));
	printf("\n%-7s %-15s %10s %10s %10s %12s\n", "PID", "COMM", "MERGING", "RMAP_ITEMS",
	       "ZERO", "PROFIT");
	json_array_foreach(procs, i, v)
		printf("%-7lld %-15s %10lld %10lld %10lld %12lld\n",
		       json_integer_value(json_object_get(v, "pid")),
		       json_string_value(json_object_get(v, "comm")),
		       json_integer_value(json_object_get(v, "ksm_merging_pages")),
		       json_integer_value(json_object_get(v, "ksm_rmap_items")),
		       json_integer_value(json_object_get(v, "ksm_zero_pages")),
		       json_integer_value(json_object_get(v, "ksm_process_profit")));
	json_decref(o);
	return 0;
}

/* ---- the command table ------------------------------------------------------ */

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "watch", cmd_watch, "run the detectors live, one line per finding" },
	{ "record", cmd_record, "flight recorder: write the last events on exit/trigger/SIGUSR1" },
	{ "replay", cmd_replay, "run the detectors over a recorded trace" },
	{ "report", cmd_report, "bug-report bundle of a trace: text, JSON, HTML+SVG" },
	{ "snapshot", cmd_snapshot, "current KSM state: sysfs, per process, per NUMA node" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: ksmdebug [-j] [-P] COMMAND [OPTIONS] [ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %-9s %s\n", cmds[i].name, cmds[i].help);
	fprintf(out, "\n'ksmdebug COMMAND --help' shows the options of a command.\n");
}

int ksmdebug_main(int argc, char **argv)
{
	int i;

	det_config_default(&det_cfg);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			g.json = true;
		} else if (!strcmp(a, "-P") || !strcmp(a, "--pretty")) {
			g.json = g.pretty = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			g.verbose = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			g.quiet = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("%s\n", argp_program_version);
			return 0;
		} else {
			fprintf(stderr, "ksmdebug: unknown option '%s'\n", a);
			usage(stderr);
			return 1;
		}
	}
	if (i == argc) {
		fprintf(stderr, "ksmdebug: missing command\n");
		usage(stderr);
		return 1;
	}
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		if (!strcmp(argv[i], cmds[c].name)) {
			char prog[64];

			/* argp sees "ksmdebug CMD" as the program name. */
			snprintf(prog, sizeof(prog), "ksmdebug %s", cmds[c].name);
			argv[i] = prog;
			return cmds[c].fn(argc - i, argv + i);
		}
	}
	fprintf(stderr, "ksmdebug: unknown command '%s' (commands: watch, record, replay, "
		"report, snapshot)\n", argv[i]);
	return 1;
}
