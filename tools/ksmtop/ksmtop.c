// SPDX-License-Identifier: GPL-2.0
/*
 * ksmtop: the live view of KSM. How much memory KSM saves right now, for
 * which cgroup and process, on which NUMA node, at what ksmd cost: an
 * ncurses view, plain text (-b), JSON (-j), and a Prometheus /metrics
 * exporter (--web.listen-address).
 *
 * The shape: events drain into the model every DRAIN_MS; every interval the
 * sampler reads the kernel's state and makes a sample; the outputs print it.
 */
#include <argp.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "event_source.h"
#include "ksm_sysfs.h"
#include "model.h"
#include "options.h"
#include "prom.h"
#include "render_json.h"
#include "render_text.h"
#include "sampler.h"
#include "top_sharing.h"
#include "ui.h"
#include "util.h"

/* Drain the ring buffer this often: one wake-up per tick, not per event. */
#define DRAIN_MS 250

enum output { OUT_NONE, OUT_BATCH, OUT_JSON, OUT_UI };

static struct state {
	enum output out;
	struct top_model m;
	struct top_sampler sampler;
	struct ksm_source src;
	struct prom_server *prom;
	struct top_ui ui;
	struct top_sharing sharing;
	/* the command line's filter: the exporter's, whatever the view's keys set */
	struct top_filter cli_filter;
} st;

static enum output pick_output(void)
{
	if (cli.json)
		return OUT_JSON;
	if (top_opt.batch)
		return OUT_BATCH;
	if (isatty(STDOUT_FILENO) && isatty(STDIN_FILENO))
		return OUT_UI;
	/* no terminal: an exporter alone prints nothing; else batch */
	return top_opt.prom_addr ? OUT_NONE : OUT_BATCH;
}

static int on_event(void *ctx, const struct ksm_event *e)
{
	top_model_event(&st.m, e);
	return 0;
}

/* Print the sample; 0, or CLI_EXIT_ERROR when stdout failed (said once). */
static int emit(void)
{
	switch (st.out) {
	case OUT_JSON:
		/* rates are good to 6 digits, not jansson's 17 */
		cli_json_print_flags(top_json(&st.m, (int)top_opt.rows), JSON_REAL_PRECISION(6));
		break;
	case OUT_BATCH:
		top_text_print(&st.m, stdout, (int)top_opt.rows, top_opt.tree);
		break;
	case OUT_UI:
		top_ui_draw(&st.ui, &st.m);
		return 0;
	case OUT_NONE:
		return 0;
	}
	return cli_out_check();
}

/* -b, -j: has the reader of stdout gone (a closed pipe) since the last sample? */
static bool output_gone(void)
{
	return (st.out == OUT_BATCH || st.out == OUT_JSON) && cli_out_check();
}

static bool same_filter(const struct top_filter *a, const struct top_filter *b)
{
	return a->pid == b->pid && a->depth == b->depth && !strcmp(a->cgroup, b->cgroup);
}

/*
 * The exporter serves what the command line asked for: a filter typed in
 * the view (c, p, x) narrows the view only, so the rows are made again
 * with the command line's filter for the exporter, then with the view's.
 */
static void prom_update(void)
{
	static struct top_filter view;
	bool narrowed = !same_filter(&st.m.filter, &st.cli_filter);

	if (narrowed) {
		view = st.m.filter;
		st.m.filter = st.cli_filter;
		top_model_rebuild(&st.m);
	}
	prom_server_update(st.prom, &st.m);
	if (narrowed) {
		st.m.filter = view;
		top_model_rebuild(&st.m);
	}
}

static int sample(void)
{
	uint64_t stats[KSM_STAT_MAX], t0, c0;
	int r;

	/* without an event source (none loaded) both do nothing */
	ksm_source_drain(&st.src);
	ksm_source_stats(&st.src, stats);
	st.m.lost = stats[KSM_STAT_DROPPED];
	t0 = now_ns(CLOCK_MONOTONIC);
	c0 = now_ns(CLOCK_THREAD_CPUTIME_ID); /* user and system time of this thread */
	r = top_sample(&st.sampler, &st.m);
	st.m.g.sample_seconds = (now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	st.m.g.sample_cpu_seconds = (now_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / 1e9;
	/* a budgeted step of who-shares-with-whom, apart from the sample's own time */
	if (st.m.sharing)
		top_sharing_step(st.m.sharing);
	if (r) {
		top_ui_stop(&st.ui); /* the message must not land on the view */
		return cli_err("reading KSM state: %s", strerror(-r));
	}
	if (st.prom)
		prom_update();
	return 0;
}

/*
 * The event source, where this kernel has one. Only "not root" and "no KSM"
 * stop ksmtop: without events (no BTF, no ksm tracepoints before Linux 6.4,
 * a refused load) it runs on sysfs and /proc alone and says why.
 */
static int probe_events(void)
{
	/* No filter in BPF: the global and per-node rates count every event. */
	struct ksm_source_opts so = { .cb = on_event, .verbose = cli.verbose };
	char err[200];
	int r;

	if (top_opt.no_events) {
		snprintf(st.m.events_off, sizeof(st.m.events_off), "not loaded (--no-events)");
		return 0;
	}
	r = ksm_source_probe(&st.src, &so, err, sizeof(err));
	if (!r)
		return 0;
	if (r == -EPERM || !ksm_sysfs_present() || top_opt.list_probes)
		return cli_err("%s", err);
	snprintf(st.m.events_off, sizeof(st.m.events_off), "%s", err);
	return 0;
}

/* The model with the command line's filter and order; the event source probed. */
static int setup(void)
{
	int r;

	if (top_model_init(&st.m))
		return cli_err("out of memory");
	r = cli_resolve_filter(NULL, NULL, st.m.filter.cgroup, sizeof(st.m.filter.cgroup));
	if (r)
		return r;
	if (!strcmp(st.m.filter.cgroup, "/"))
		st.m.filter.cgroup[0] = '\0';
	st.m.filter.pid = cli.pid;
	st.m.filter.depth = top_opt.cgroup_depth;
	st.cli_filter = st.m.filter;
	st.m.sort = top_opt.sort;
	st.m.ascending = top_sort_ascending(top_opt.sort);
	st.ui.interval = top_opt.interval;
	st.ui.tree = top_opt.tree;
	top_sampler_init(&st.sampler, &st.m, !top_opt.no_bpf_iter && !top_opt.list_probes);
	return probe_events();
}

/*
 * The one-line summary of missing event sources and where the processes'
 * numbers come from, for stderr and the view.
 */
static void report_sources(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	if (st.m.events_off[0])
		fprintf(f,
			"sources: no events: %s; KSM state from sysfs and /proc alone, "
			"merges and unmerges from counter deltas",
			st.m.events_off);
	else
		ksm_source_print_summary(&st.src, f);
	if (fclose(f))
		return;
	if (len && text[len - 1] == '\n')
		text[len - 1] = '\0';
	snprintf(st.ui.sources, sizeof(st.ui.sources), "%s; processes from %s%s%s%s", text,
		 st.m.procs_source, st.m.procs_note[0] ? " (" : "", st.m.procs_note,
		 st.m.procs_note[0] ? ")" : "");
	if (st.out != OUT_UI)
		cli_info("%s", st.ui.sources);
	free(text);
}

/* Attach the event source; if the kernel refuses it, go on without. */
static void start_events(void)
{
	char err[200];

	if (st.m.events_off[0])
		return;
	if (ksm_source_start(&st.src, err, sizeof(err))) {
		snprintf(st.m.events_off, sizeof(st.m.events_off), "%s", err);
		ksm_source_close(&st.src);
		return;
	}
	st.m.active_kinds = st.src.active_kinds;
}

/* Serve, attach, take the baseline sample, take over the terminal. */
static int start(void)
{
	struct prom_opts po = { .max_procs = (int)top_opt.prom_procs,
				.interval_s = top_opt.interval,
				.telemetry_path = top_opt.telemetry_path,
				.web_config = top_opt.web_config,
				.bpf_stats = !top_opt.no_bpf_stats,
				.sharing_pairs = (int)top_sharing_opts.prom_pairs };
	char err[256];
	int r;

	if (top_sharing_opts.prom_pairs && !top_opt.prom_addr)
		return cli_usage_err("--prom-sharing-pairs needs --web.listen-address");
	if (top_sharing_opts.budget_ms > 0) {
		/* without it (not root, no kpageflags) the header says why */
		r = top_sharing_start(&st.sharing, top_sharing_opts.budget_ms);
		if (r && st.out != OUT_UI)
			cli_warn("who shares with whom: %s", strerror(-r));
		st.m.sharing = &st.sharing;
	}
	if (top_opt.prom_addr) {
		st.prom = prom_server_start(top_opt.prom_addr, &po, err, sizeof(err));
		if (!st.prom)
			return cli_err("%s", err);
	}
	install_exit_signals();
	start_events();
	report_sources();
	if (top_opt.prom_addr && st.out != OUT_UI)
		cli_info("serving %s on %s%s", top_opt.telemetry_path, top_opt.prom_addr,
			 top_opt.web_config ? " (see --web.config.file)" : "");
	/* A baseline: the first interval's rates need a previous sample. */
	r = sample();
	if (r || st.out != OUT_UI)
		return r;
	if (top_ui_start(&st.ui, err, sizeof(err)))
		return cli_err("%s", err);
	return emit();
}

/* How long to sleep: until the next sample, one drain tick at most. */
static int wait_ms(uint64_t next)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);

	if (next <= now)
		return 0;
	if ((next - now) / 1000000 < DRAIN_MS)
		return (int)((next - now) / 1000000) + 1;
	return DRAIN_MS;
}

/* Sleep, or read the keys of the view as they come; false when the user quits. */
static bool wait_input(int timeout)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	enum top_ui_action a;

	if (st.out != OUT_UI) {
		poll(NULL, 0, timeout);
		return true;
	}
	/* keys, and KEY_RESIZE after SIGWINCH interrupted poll */
	if (poll(&pfd, 1, timeout) == 0)
		return true;
	a = top_ui_keys(&st.ui, &st.m);
	if (a == UI_REFILTER)
		top_model_rebuild(&st.m);
	if (a == UI_REDRAW || a == UI_REFILTER)
		emit();
	return a != UI_QUIT;
}

static int run(void)
{
	uint64_t period = (uint64_t)(top_opt.interval * 1e9), next, now, done = 0;
	int r = start();

	if (r)
		return r;
	next = now_ns(CLOCK_MONOTONIC) + period;
	while (!exiting && wait_input(wait_ms(next))) {
		/* a closed pipe ends -b and -j within a drain tick, idle or not */
		if (output_gone())
			return CLI_EXIT_ERROR;
		ksm_source_drain(&st.src);
		now = now_ns(CLOCK_MONOTONIC);
		if (now < next)
			continue;
		/* fixed cadence; after a stall (suspend, pause) start over from now */
		next += period;
		if (next <= now)
			next = now + period;
		if (st.out == OUT_UI && st.ui.paused)
			continue;
		r = sample();
		if (!r)
			r = emit();
		if (r)
			return r;
		if (top_opt.count && ++done >= top_opt.count)
			break;
	}
	return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	int r;

	cli_init("ksmtop");
	top_options_parse(argc, argv);
	if (top_opt.list_sort_keys)
		return top_list_sort_keys();
	st.out = pick_output();
	r = setup();
	if (!r)
		r = top_opt.list_probes ? ksm_source_list_probes(&st.src) : run();
	top_ui_stop(&st.ui);
	top_sampler_free(&st.sampler);
	ksm_source_close(&st.src);
	prom_server_stop(st.prom);
	if (st.m.sharing)
		top_sharing_stop(st.m.sharing);
	top_model_free(&st.m);
	return r;
}
