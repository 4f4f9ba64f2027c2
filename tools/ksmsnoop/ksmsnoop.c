// SPDX-License-Identifier: GPL-2.0
/*
 * ksmsnoop: every KSM event as it happens, attributed to the process and
 * cgroup that own the page, as text or JSON lines.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cli.h"
#include "event_fmt.h"
#include "event_source.h"
#include "numa.h"
#include "util.h"

static struct env {
	uint32_t event_mask;
	bool failed_only;
	bool timestamp;
	bool list_probes;
	bool list_events;
	bool fallback;
	bool standins;
	bool kprobes;
} env;

static struct state {
	struct cgroup_cache cg;
	struct numa_map numa;
	bool have_numa;
	struct ksm_fmt_opts fmt;
	uint64_t printed;
} st;

static const char doc[] =
	"Trace KSM events: merges, unmerges, scans, and (with kernel-patch/ or\n"
	"fentry) stable-node lifecycle, migration and swap-in copies.\n"
	"\n"
	"USAGE: ksmsnoop [-j] [-T] [-p PID] [-c CGROUP] [-e EVENT,...] [-x] [-d SECS]\n"
	"\n"
	"EXAMPLES:\n"
	"    ksmsnoop                   # every KSM event, one line each\n"
	"    ksmsnoop -j                # JSON lines\n"
	"    ksmsnoop -p 1234           # events for pages of process 1234\n"
	"    ksmsnoop -c /vms/tenant-a  # events for a cgroup v2 subtree\n"
	"    ksmsnoop -e merge_with_ksm_page,remove_rmap_item\n"
	"    ksmsnoop -x                # failed merges only\n"
	"    ksmsnoop --list-probes     # which event sources work here, and why not\n"
	"\n"
	"Exit status: 0 ok, 1 error, 2 usage error.";

enum { OPT_LIST_PROBES = 1000, OPT_FALLBACK, OPT_LIST_EVENTS, OPT_STANDINS, OPT_KPROBES };

static const struct argp_option opts[] = {
	{ "events", 'e', "EVENT,...", 0, "Only these events (names as printed)", 0 },
	{ "failed", 'x', NULL, 0, "Only failed merges (err != 0)", 0 },
	{ "timestamp", 'T', NULL, 0, "Print a wall-clock time column", 0 },
	{ "list-probes", OPT_LIST_PROBES, NULL, 0, "List event sources and exit", 0 },
	{ "list-events", OPT_LIST_EVENTS, NULL, 0, "List event names and exit", 0 },
	{ "fallback", OPT_FALLBACK, NULL, 0,
	  "Use fentry/fexit fallbacks even where patched tracepoints exist", 0 },
	{ "stand-ins", OPT_STANDINS, NULL, 0,
	  "Use the stand-ins of the stock tracepoints (as before Linux 6.4) even where "
	  "those exist", 0 },
	{ "kprobes", OPT_KPROBES, NULL, 0,
	  "Stand-ins through kprobes, not fentry (as where trampolines are refused)", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	const char *bad;

	switch (key) {
	case 'e':
		if (ksm_event_parse_list(arg, &env.event_mask, &bad))
			argp_error(state, "unknown event '%s' (--list-events shows the names)", bad);
		break;
	case 'x':
		env.failed_only = true;
		break;
	case 'T':
		env.timestamp = true;
		break;
	case OPT_LIST_PROBES:
		env.list_probes = true;
		break;
	case OPT_LIST_EVENTS:
		env.list_events = true;
		break;
	case OPT_FALLBACK:
		env.fallback = true;
		break;
	case OPT_STANDINS:
		env.standins = true;
		break;
	case OPT_KPROBES:
		env.kprobes = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int on_event(void *ctx, const struct ksm_event *ev)
{
	struct ksm_event e = *ev;

	if (env.failed_only && (!ksm_event_has_err(e.kind) || !e.err))
		return 0;
	/* Stock tracepoints carry no node: map the pfn through zoneinfo. */
	if (st.have_numa)
		numa_fill_event(&st.numa, &e);
	if (cli.json)
		cli_json_print(ksm_event_to_json(&e, cgroup_cache_path(&st.cg, e.cgroup_id)));
	else
		ksm_event_print_text(stdout, &e, &st.fmt);
	st.printed++;
	/* stdout failed (a closed pipe, a full disk): say why while errno says it, stop */
	return ferror(stdout) ? -cli_out_check() : 0;
}

static int list_events(void)
{
	json_t *names = json_array();

	for (unsigned int k = 1; k < KSM_EV_MAX; k++) {
		if (cli.json)
			json_array_append_new(names, json_string(ksm_event_name(k)));
		else
			printf("%s\n", ksm_event_name(k));
	}
	if (cli.json)
		return cli_json_print(json_pack("{s:o}", "events", names)) ? CLI_EXIT_ERROR : 0;
	json_decref(names);
	return CLI_EXIT_OK;
}

/* Poll until Ctrl-C or the -d deadline; 0 or a poll error. */
static int trace_loop(struct ksm_source *src)
{
	uint64_t deadline = 0;
	int r;

	if (cli.duration > 0)
		deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)(cli.duration * 1e9);
	while (!exiting) {
		int timeout = 100;

		if (deadline) {
			uint64_t now = now_ns(CLOCK_MONOTONIC);

			if (now >= deadline)
				break;
			if ((deadline - now) / 1000000 < (uint64_t)timeout)
				timeout = (int)((deadline - now) / 1000000) + 1;
		}
		r = ksm_source_poll(src, timeout);
		/* output gone: end now, whether or not an event was printed since */
		if (cli_out_check())
			return CLI_EXIT_ERROR;
		if (r < 0 && r != -EINTR)
			return cli_err("polling the ring buffer: %s", strerror(-r));
	}
	/* Whatever is still in the ring buffer was traced: print it too. */
	ksm_source_drain(src);
	return cli_out_check();
}

static void print_totals(struct ksm_source *src)
{
	uint64_t stats[KSM_STAT_MAX];

	ksm_source_stats(src, stats);
	if (stats[KSM_STAT_DROPPED])
		cli_warn("%llu events lost (ring buffer full: the reader fell behind; "
			 "-e or -p narrows the stream)",
			 (unsigned long long)stats[KSM_STAT_DROPPED]);
	cli_info("%llu events, %llu lost", (unsigned long long)st.printed,
		 (unsigned long long)stats[KSM_STAT_DROPPED]);
}

static int trace(struct ksm_source *src, uint64_t start_ns)
{
	char err[256];
	int r;

	cgroup_cache_init(&st.cg);
	st.have_numa = numa_map_load(&st.numa) == 0;
	st.fmt.timestamp = env.timestamp;
	st.fmt.boot_offset_ns = monotonic_to_realtime_offset();
	install_exit_signals();

	r = ksm_source_start(src, err, sizeof(err));
	if (r) {
		r = cli_err("%s", err);
		goto out;
	}
	if (!cli.quiet) {
		fprintf(stderr, "%s: ", cli.prog);
		ksm_source_print_summary(src, stderr);
		if (cli.verbose)
			cli_info("ready after %.1f ms", (now_ns(CLOCK_MONOTONIC) - start_ns) / 1e6);
		cli_info("tracing, Ctrl-C to end");
	}
	if (!cli.json)
		ksm_event_print_header(stdout, &st.fmt);
	fflush(stdout);
	r = trace_loop(src);
	if (!r)
		print_totals(src);
out:
	ksm_source_close(src);
	cgroup_cache_free(&st.cg);
	return r;
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cli_output_argp, 0, NULL, 0 },
		{ &cli_filter_argp, 0, NULL, 0 },
		{ &cli_duration_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = { opts, parse_arg, NULL, doc, children, NULL, NULL };
	struct ksm_source_opts so = { .cb = on_event };
	uint64_t start_ns = now_ns(CLOCK_MONOTONIC);
	struct ksm_source src;
	char err[256];
	int r;

	cli_init("ksmsnoop");
	cli_parse(&argp, argc, argv);
	if (env.list_events)
		return list_events();
	if (env.failed_only && !env.event_mask)
		env.event_mask = (1u << KSM_EV_MERGE_ONE_PAGE) | (1u << KSM_EV_MERGE_WITH_KSM_PAGE);
	so.pid = cli.pid;
	so.event_mask = env.event_mask;
	so.fallback = env.fallback;
	so.standins = env.standins;
	so.kprobes = env.kprobes;
	so.verbose = cli.verbose;
	r = cli_resolve_filter(&so.cgroup_id, &so.cgroup_level, NULL, 0);
	if (r)
		return r;
	r = ksm_source_probe(&src, &so, err, sizeof(err));
	if (r)
		return cli_err("%s", err);
	if (env.list_probes)
		return ksm_source_list_probes(&src);
	return trace(&src, start_ns);
}
