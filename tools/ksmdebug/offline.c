// SPDX-License-Identifier: GPL-2.0
/*
 * ksmdebug replay and report: the detectors over a recorded trace (replay.c),
 * printed as findings and a summary, or rendered as a report bundle.
 */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "name_esc.h"
#include "commands.h"
#include "outfile.h"
#include "replay.h"
#include "report.h"

/* Events a report keeps in memory for its timelines. */
#define REPORT_MAX_EVENTS 1000000

enum { OPT_HTML = 'H', OPT_OUTPUT = 'o' };

static struct {
	const char *file;
	const char *html;
	const char *output;
} oe;

static error_t file_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_HTML:
		oe.html = arg;
		return 0;
	case OPT_OUTPUT:
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
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp_child children[] = {
	{ &det_argp, 0, NULL, 0 },
	{ &cli_output_argp, 0, NULL, 0 },
	{},
};

/* Read and analyse the trace; 0, or the error said and CLI_EXIT_ERROR. */
static int load(struct replay *r, bool keep_events)
{
	int err = replay_file(oe.file, &det_cfg, keep_events, REPORT_MAX_EVENTS, stderr, r);

	if (err) {
		err = cli_err("%s: %s", oe.file,
			      r->stats.open_err[0] ? r->stats.open_err : strerror(-err));
		replay_free(r);
		return err;
	}
	if (r->stats.malformed)
		cli_info("%s: %llu malformed lines skipped, the rest analysed", oe.file,
			 (unsigned long long)r->stats.malformed);
	return 0;
}

/* A malformed line is an error even when the rest was analysed. */
static int exit_status(const struct replay *r)
{
	if (r->stats.malformed)
		return CLI_EXIT_ERROR;
	return r->findings.n ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

static void print_summary_json(const struct replay *r)
{
	json_t *acct = json_array();

	for (size_t i = 0; i < r->nr_acct; i++)
		json_array_append_new(acct, acct_sample_json(&r->acct[i]));
	cli_json_print(json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:I, s:o}", "type", "summary",
				 "lines", (json_int_t)r->stats.lines, "events",
				 (json_int_t)r->stats.events, "malformed",
				 (json_int_t)r->stats.malformed, "findings", (json_int_t)r->findings.n,
				 "per_detector", det_counts_json(r->det), "migration_entries_unjudged",
				 (json_int_t)det_migration_unjudged(r->det), "accounting", acct));
}

/* The counts, and the verdicts of the last snapshot judged. */
static void print_summary_text(const struct replay *r)
{
	const struct acct_sample *last = r->nr_acct ? &r->acct[r->nr_acct - 1] : NULL;
	char comm[NAME_ESC_COMM];

	printf("%llu events, %llu malformed lines, %zu findings\n",
	       (unsigned long long)r->stats.events, (unsigned long long)r->stats.malformed,
	       r->findings.n);
	det_unjudged_print(stdout, r->det);
	if (!last)
		return;
	/* a label and a comm come from the trace file: shown by the name rule */
	fputs("accounting at ", stdout);
	name_fputs(last->label, stdout);
	fputs(":\n", stdout);
	if (last->have_sysfs)
		printf("  sysfs: events %lld kernel %lld: %s %s\n", (long long)last->sysfs.events,
		       (long long)last->sysfs.kernel, det_acct_verdict_name(last->sysfs.verdict),
		       last->sysfs.why);
	for (size_t i = 0; i < last->nr_procs; i++) {
		const struct det_acct *a = &last->procs[i];

		name_escapen(comm, sizeof(comm), a->comm, sizeof(a->comm), 0);
		printf("  pid %u %s: events %lld kernel %lld: %s %s\n", a->pid, comm,
		       (long long)a->events, (long long)a->kernel,
		       det_acct_verdict_name(a->verdict), a->why);
	}
}

int cmd_replay(int argc, char **argv)
{
	static const char doc[] =
		"Run the detectors over a recorded trace (ksmdebug record, or ksmsnoop -j).\n"
		"Exit status: 0 nothing found, 3 findings, 1 malformed lines or errors,\n"
		"2 usage error.\n"
		"\n"
		"EXAMPLES:\n"
		"    ksmdebug replay ksm.trace\n"
		"    ksmsnoop -j > t.json; ksmdebug replay -j t.json\n";
	static const struct argp argp = { NULL, file_opt, "FILE", doc, children, NULL, NULL };
	struct replay r;
	int ret;

	cli_parse(&argp, argc, argv);
	if (load(&r, false))
		return CLI_EXIT_ERROR;
	for (size_t i = 0; i < r.findings.n; i++) {
		if (cli.json)
			cli_json_print(trace_finding_to_json(&r.findings.v[i]));
		else
			trace_finding_print(stdout, &r.findings.v[i]);
	}
	if (cli.json)
		print_summary_json(&r);
	else
		print_summary_text(&r);
	fflush(stdout);
	ret = exit_status(&r);
	replay_free(&r);
	return ret;
}

/* The text or JSON report on stdout or in -o FILE; 0 or CLI_EXIT_ERROR. */
static int write_report(const struct replay *r, const struct report_opts *ro)
{
	struct outfile of = { .f = stdout };

	if (oe.output && outfile_open(&of, oe.output))
		return CLI_EXIT_ERROR;
	if (cli.json) {
		json_t *o = report_json(r, ro);

		json_dumpf(o, of.f, cli.pretty ? JSON_INDENT(2) : JSON_COMPACT);
		fputc('\n', of.f);
		json_decref(o);
	} else {
		report_text(of.f, r, ro);
	}
	if (oe.output)
		return outfile_close(&of);
	return fflush(stdout) ? cli_err("writing the report: %s", strerror(errno)) : 0;
}

static int write_html(const struct replay *r, const struct report_opts *ro)
{
	struct outfile of;

	if (outfile_open(&of, oe.html))
		return CLI_EXIT_ERROR;
	report_html(of.f, r, ro);
	return outfile_close(&of);
}

int cmd_report(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "html", OPT_HTML, "OUT", 0, "Also write an HTML page with an SVG timeline", 0 },
		{ "output", OPT_OUTPUT, "OUT", 0, "Write the text/JSON report here, not stdout",
		  0 },
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
	static const struct argp argp = { opts, file_opt, "FILE", doc, children, NULL, NULL };
	struct report_opts ro;
	struct replay r;
	int ret;

	cli_parse(&argp, argc, argv);
	if (load(&r, true))
		return CLI_EXIT_ERROR;
	report_opts_default(&ro);
	ret = write_report(&r, &ro);
	if (!ret) {
		ret = exit_status(&r);
		if (oe.html && write_html(&r, &ro))
			ret = CLI_EXIT_ERROR;
	}
	replay_free(&r);
	return ret;
}
