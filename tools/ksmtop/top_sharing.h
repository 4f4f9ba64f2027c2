/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmtop's view of who shares with whom: the sharing walker of lib/sharing
 * stepped once per sample within a time budget (a pass over every KSM user
 * may take several samples on a big host; what is shown is the last
 * complete pass), and that pass as a header line, ranked cgroup pairs (the
 * sharing view, and -b), JSON and exporter series.  Machine-wide: the -p
 * and -c filters narrow the process and cgroup tables, not the pairs.
 */
#ifndef KSM_TOP_SHARING_H
#define KSM_TOP_SHARING_H

#include <argp.h>
#include <stdio.h>

#include <jansson.h>

#include "sharing.h"

struct top_sharing {
	struct sharing_walker w;
	uint64_t budget_ns; /* per sample */
	int err;	    /* why the walker stopped (-errno), 0 while it runs */
	uint64_t passes;    /* complete passes so far */
	uint64_t steps;	    /* steps so far (the first has a budget of 1 s) */
};

/* --sharing-budget MS, --prom-sharing-pairs N: an argp child of ksmtop. */
struct top_sharing_opts {
	double budget_ms;    /* default 20; 0: no walker */
	uint64_t prom_pairs; /* exporter series for the top N pairs; 0: none */
};
extern struct top_sharing_opts top_sharing_opts;
extern const struct argp top_sharing_argp;

/* Start the walker with a budget per sample; 0 or -errno (not root, no kpageflags). */
int top_sharing_start(struct top_sharing *s, double budget_ms);
void top_sharing_stop(struct top_sharing *s);
/* One step, at most the budget; an error stops the walker (and is shown). */
void top_sharing_step(struct top_sharing *s);
/* The last complete pass, NULL before the first. */
const struct sharing_snapshot *top_sharing_last(const struct top_sharing *s);

/* "sharing: 20 KSM frames (80.0 KiB) shared across cgroups, 1 cgroup pair ..." */
void top_sharing_summary(const struct top_sharing *s, char *buf, size_t len);
/* Column titles and pair i of the last pass (names escaped, padded). */
const char *top_sharing_titles(void);
void top_sharing_row(const struct sharing_snapshot *ss, size_t i, char *buf, size_t len);
/* The pairs as plain text, at most rows (0: all); nothing before a pass. */
void top_sharing_print(FILE *out, const struct top_sharing *s, int rows);
/* lib/sharing's JSON of the last pass, with "passes", "budget_ms", "error". */
json_t *top_sharing_json(const struct top_sharing *s);

#endif
