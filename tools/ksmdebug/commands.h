/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The commands of ksmdebug (the table in ksmdebug.c), each parsing its own
 * arguments with argp, and the option group they share.
 */
#ifndef KSM_COMMANDS_H
#define KSM_COMMANDS_H

#include <argp.h>

#include "detectors.h"

/* live.c */
int cmd_watch(int argc, char **argv);
int cmd_record(int argc, char **argv);
/* offline.c */
int cmd_replay(int argc, char **argv);
int cmd_report(int argc, char **argv);
/* snapshot_cmd.c */
int cmd_snapshot(int argc, char **argv);
/* audit.c */
int cmd_audit(int argc, char **argv);

/*
 * --race-window MS, --retry-limit N: an argp child of every command that
 * runs the detectors; det_cfg holds the defaults and what was given.
 */
extern const struct argp det_argp;
extern struct det_config det_cfg;

#endif
