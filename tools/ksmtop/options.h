/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmtop's command line: what the user asked for (top_opt), parsed from
 * argv by argp with the shared option groups of lib/cli.h and the sharing
 * walker's (options.c).  A usage error exits with status 2.
 */
#ifndef KSM_TOP_OPTIONS_H
#define KSM_TOP_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct top_options {
	double interval; /* seconds between samples */
	uint64_t count;	 /* samples before exiting, 0: until stopped */
	bool batch, list_probes, list_sort_keys, tree, no_events, no_bpf_iter;
	enum top_sort sort;
	uint64_t rows;	  /* -r: at most this many rows per table, 0: all */
	int cgroup_depth; /* --cgroup-depth, -1: every level */
	/* the exporter's */
	const char *prom_addr, *telemetry_path, *web_config;
	uint64_t prom_procs;
	bool no_bpf_stats;
	int nargs; /* positional arguments seen */
};

extern struct top_options top_opt;

void top_options_parse(int argc, char **argv);
/* --list-sort-keys: the keys of -s, one a line (or JSON); an exit status. */
int top_list_sort_keys(void);

#endif
