// SPDX-License-Identifier: GPL-2.0
/*
 * ksmdebug watch and record: open the event source, feed every event to the
 * detectors (and the flight recorder), sample the accounting every -i
 * seconds, and on exit print what was found and the last verdicts.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "live.h"
#include "outfile.h"
#include "trace_io.h"
#include "util.h"

enum { OPT_NO_TRIGGER = 0x3000 };

static struct live_opts lo = { .interval = 2.0, .max_events = 100000, .max_age = 60.0 };

static volatile sig_atomic_t dump_requested;

static void on_usr1(int sig)
{
	dump_requested = 1;
}

static error_t live_opt(int key, char *arg, struct argp_state *state)
{
	uint64_t v;

	switch (key) {
	case 'i':
		if (!parse_seconds(arg, &lo.interval))
			argp_error(state, "invalid interval '%s' (seconds > 0)", arg);
		return 0;
	case 'o':
		lo.output = arg;
		return 0;
	case 'n':
		if (!parse_u64(arg, 1, 1 << 26, &v))
			argp_error(state, "invalid event count '%s'", arg);
		lo.max_events = v;
		return 0;
	case 's':
		if (!parse_seconds(arg, &lo.max_age))
			argp_error(state, "invalid window '%s' (seconds > 0)", arg);
		return 0;
	case OPT_NO_TRIGGER:
		lo.no_trigger = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	case ARGP_KEY_END:
		if (lo.recording && !lo.output)
			argp_error(state, "-o FILE is required");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp_child children[] = {
	{ &det_argp, 0, NULL, 0 },
	{ &cli_duration_argp, 0, NULL, 0 },
	{ &cli_output_argp, 0, NULL, 0 },
	{},
};

static int live_event(void *ctx, const struct ksm_event *ev)
{
	struct live *l = ctx;
	struct ksm_event e = *ev;

	/* Stock tracepoints carry no node: map the pfn through zoneinfo. */
	if (l->have_numa)
		numa_fill_event(&l->numa, &e);
	l->events++;
	det_feed(l->det, &e);
	if (l->opt->recording)
		fr_push(&l->fr, &e);
	return 0;
}

static void live_finding(void *ctx, const struct det_finding *f)
{
	struct live *l = ctx;

	if (l->opt->recording) {
		if (det_findings_add(&l->findings, f))
			cli_warn("out of memory: finding %s not kept for the file",
				 det_name(f->id));
		l->trigger = !l->opt->no_trigger;
		cli_info("finding %s: %s", det_name(f->id), f->message);
	} else if (cli.json) {
		cli_json_print(trace_finding_to_json(f));
	} else {
		trace_finding_print(stdout, f);
		fflush(stdout);
	}
}

static void print_summary(const struct live *l)
{
	uint64_t stats[KSM_STAT_MAX];

	ksm_source_stats(&l->src, stats);
	if (cli.json) {
		cli_json_print(json_pack(
			"{s:s, s:I, s:I, s:I, s:o, s:I, s:o}", "type", "summary", "events",
			(json_int_t)l->events, "lost", (json_int_t)stats[KSM_STAT_DROPPED],
			"findings", (json_int_t)det_total(l->det), "per_detector",
			det_counts_json(l->det), "migration_entries_unjudged",
			(json_int_t)det_migration_unjudged(l->det), "accounting",
			acct_sample_rows_json(&l->last)));
		return;
	}
	printf("\n%llu events, %llu lost, %llu findings\n", (unsigned long long)l->events,
	       (unsigned long long)stats[KSM_STAT_DROPPED], (unsigned long long)det_total(l->det));
	det_unjudged_print(stdout, l->det);
	acct_print_header(stdout, "");
	acct_print_rows(stdout, "", &l->last);
}

/* Probe the event source and make what the loop needs; 0 or CLI_EXIT_ERROR. */
static int live_open(struct live *l)
{
	struct ksm_source_opts so = { .cb = live_event, .ctx = l, .verbose = cli.verbose };
	char err[256];

	if (ksm_source_probe(&l->src, &so, err, sizeof(err)))
		return cli_err("%s", err);
	l->det = det_new(&det_cfg, live_finding, l);
	l->sampler = sampler_new();
	if (!l->det || !l->sampler)
		return cli_err("out of memory");
	if (l->opt->recording &&
	    fr_init(&l->fr, l->opt->max_events, (uint64_t)(l->opt->max_age * 1e9)))
		return cli_err("out of memory for %llu events",
			       (unsigned long long)l->opt->max_events);
	cgroup_cache_init(&l->cg);
	l->have_numa = numa_map_load(&l->numa) == 0;
	return 0;
}

/* Attach, take the baseline (and the recorder's start snapshot), say so. */
static int live_start(struct live *l)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	char err[256];

	install_exit_signals();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	if (ksm_source_start(&l->src, err, sizeof(err)))
		return cli_err("%s", err);
	/* The baseline: what was in the stable tree when tracing began. */
	live_baseline(l);
	if (l->opt->recording) {
		if (live_sample(l, "start", &l->start))
			return cli_err("out of memory");
		l->have_start = true;
	}
	if (!cli.quiet) {
		fprintf(stderr, "%s: ", cli.prog);
		ksm_source_print_summary(&l->src, stderr);
		cli_info("%s, Ctrl-C to end%s", l->opt->recording ? "recording" : "watching",
			 l->opt->recording ? ", SIGUSR1 to write a snapshot" : "");
	}
	return 0;
}

/* Write the trace file now if SIGUSR1 or a finding asked for it. */
static void record_on_request(struct live *l)
{
	if (dump_requested) {
		dump_requested = 0;
		recorder_dump(l, "sigusr1");
	}
	if (l->trigger) {
		l->trigger = false;
		recorder_dump(l, "trigger");
	}
}

/* Until Ctrl-C or -d; 0, or CLI_EXIT_ERROR when the ring buffer cannot be read. */
static int live_loop(struct live *l)
{
	uint64_t interval = (uint64_t)(l->opt->interval * 1e9);
	uint64_t now = now_ns(CLOCK_MONOTONIC), next_sample = now + interval;
	uint64_t deadline = cli.duration > 0 ? now + (uint64_t)(cli.duration * 1e9) : 0;
	int r;

	while (!exiting && !(deadline && now_ns(CLOCK_MONOTONIC) >= deadline)) {
		r = ksm_source_poll(&l->src, 100);
		/* watch prints to stdout: a closed pipe or a full disk ends it now */
		if (!l->opt->recording && cli_out_check())
			return CLI_EXIT_ERROR;
		if (r < 0 && r != -EINTR)
			return cli_err("polling the ring buffer: %s", strerror(-r));
		now = now_ns(CLOCK_MONOTONIC);
		if (now >= next_sample) {
			live_sample(l, "periodic", NULL);
			next_sample = now + interval;
		}
		if (l->opt->recording)
			record_on_request(l);
	}
	return 0;
}

static int live_finish(struct live *l)
{
	/* Whatever is still in the ring buffer was traced: analyse it too. */
	ksm_source_drain(&l->src);
	if (l->opt->recording) {
		if (recorder_dump(l, "exit"))
			return CLI_EXIT_ERROR;
	} else {
		live_sample(l, "exit", NULL);
	}
	print_summary(l);
	/* as replay does: a clean run and a run that found something differ */
	return det_total(l->det) ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

static void live_close(struct live *l)
{
	ksm_source_close(&l->src);
	det_free(l->det);
	sampler_free(l->sampler);
	fr_free(&l->fr);
	cgroup_cache_free(&l->cg);
	snapshot_free(&l->start);
	det_findings_free(&l->findings);
	acct_sample_free(&l->last);
}

static int live_run(void)
{
	struct live l = { .opt = &lo };
	int r;

	r = live_open(&l);
	if (!r)
		r = live_start(&l);
	if (!r)
		r = live_loop(&l);
	if (!r)
		r = live_finish(&l);
	live_close(&l);
	return r;
}

int cmd_watch(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "interval", 'i', "SECS", 0, "Accounting checks every SECS (default 2)", 0 },
		{},
	};
	static const char doc[] =
		"Run the detectors live: one finding per line with its evidence events, and\n"
		"an accounting summary (events vs sysfs and ksm_stat) at exit.\n"
		"\n"
		"EXAMPLES:\n"
		"    ksmdebug watch            # until Ctrl-C\n"
		"    ksmdebug watch -j -d 60   # JSON lines for a minute\n";
	static const struct argp argp = { opts, live_opt, NULL, doc, children, NULL, NULL };

	cli_parse(&argp, argc, argv);
	return live_run();
}

int cmd_record(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "output", 'o', "FILE", 0, "Trace file to write (required)", 0 },
		{ "events", 'n', "N", 0, "Keep the last N events (default 100000)", 0 },
		{ "seconds", 's', "SECS", 0, "Keep events of the last SECS (default 60)", 0 },
		{ "interval", 'i', "SECS", 0, "Accounting checks every SECS (default 2)", 0 },
		{ "no-trigger", OPT_NO_TRIGGER, NULL, 0,
		  "Do not write the file when a detector fires", 0 },
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
	static const struct argp argp = { opts, live_opt, NULL, doc, children, NULL, NULL };

	lo.recording = true;
	cli_parse(&argp, argc, argv);
	/* a directory or a FIFO as -o: said now, not after the whole recording */
	if (outfile_check(lo.output))
		return CLI_EXIT_ERROR;
	return live_run();
}
