/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accounting verdicts of one sample (struct det_acct from the
 * detectors: sysfs and each process, events against the kernel's count),
 * printed as text and JSON from the same struct.
 */
#ifndef KSM_ACCOUNTING_H
#define KSM_ACCOUNTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "detectors.h"

struct acct_sample {
	char *label; /* the snapshot judged (owned; NULL live) */
	uint64_t ts_ns;
	bool have_sysfs;
	struct det_acct sysfs;
	struct det_acct *procs;
	size_t nr_procs, cap_procs;
};

/* Empty s for a new sample; label may be NULL.  0 or -ENOMEM. */
int acct_sample_init(struct acct_sample *s, const char *label, uint64_t ts_ns);
void acct_sample_free(struct acct_sample *s);
/* -ENOMEM leaves the sample as it was. */
int acct_sample_add_proc(struct acct_sample *s, const struct det_acct *a);

/* {"pid" (null for sysfs), "comm", "events", "kernel", "verdict", "why", ...} */
json_t *det_acct_json(const struct det_acct *a);
/* [sysfs, procs...]: a live summary's "accounting" */
json_t *acct_sample_rows_json(const struct acct_sample *s);
/* {"label", "ts_ns", "sysfs", "procs"}: one judged snapshot of a replay */
json_t *acct_sample_json(const struct acct_sample *s);

/* The table: PID COMM EVENTS KERNEL VERDICT WHY, each line after indent. */
void acct_print_header(FILE *out, const char *indent);
void acct_print_rows(FILE *out, const char *indent, const struct acct_sample *s);

#endif
