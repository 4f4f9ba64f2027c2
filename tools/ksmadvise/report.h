/* SPDX-License-Identifier: GPL-2.0 */
/* ksmadvise's outputs, all from struct adv: text, JSON, a ksmpolicy rules file. */
#ifndef KSMADVISE_REPORT_H
#define KSMADVISE_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "advise.h"

json_t *report_json(const struct adv *a);
/* rows: at most this many rows per table (0: all). */
void report_text(FILE *f, const struct adv *a, int rows);
/*
 * A rules file for `ksmpolicy apply` that isolates each --boundary (each
 * cgroup without --boundary): the sharing it keeps is the per-domain (or
 * per-cgroup) scope.  A cgroup whose name cannot be written in a rules
 * file (blanks, '#', control bytes, too long) is left as a comment.
 */
void report_rules(FILE *f, const struct adv *a);

#endif
