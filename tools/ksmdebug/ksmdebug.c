// SPDX-License-Identifier: GPL-2.0
/*
 * ksmdebug: race detectors, a flight recorder and a bug-report bundle for
 * KSM.  The detectors (det_*.c) run the same live (live.c) and on a
 * recorded trace (offline.c); see docs/ksmdebug.md for the signatures.
 * audit (audit.c) checks who shares KSM frames against security boundaries.
 */
#include "cli.h"
#include "commands.h"

int main(int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "watch", cmd_watch, "run the detectors live, one line per finding" },
		{ "record", cmd_record,
		  "flight recorder: write the last events on exit/trigger/SIGUSR1" },
		{ "replay", cmd_replay, "run the detectors over a recorded trace" },
		{ "report", cmd_report, "bug-report bundle of a trace: text, JSON, HTML+SVG" },
		{ "snapshot", cmd_snapshot,
		  "current KSM state: sysfs, per process, per NUMA node, who shares" },
		{ "audit", cmd_audit,
		  "who shares KSM frames with whom; 3 if it crosses --boundary" },
	};
	static const char doc[] =
		"Race detectors, a flight recorder and a bug-report bundle for KSM.\n"
		"Exit status: 0 ok, 1 error, 2 usage error, 3 something was found.";

	cli_init("ksmdebug");
	return cli_dispatch(doc, cmds, sizeof(cmds) / sizeof(cmds[0]), argc, argv);
}
