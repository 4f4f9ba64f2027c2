/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every file ksmdebug writes (the recorder's trace, report -o and --html)
 * is created here, so how an output file is opened is decided in one place.
 */
#ifndef KSM_OUTFILE_H
#define KSM_OUTFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

struct outfile {
	FILE *f;
	const char *path;
	bool atomic; /* written to tmp, renamed over path on close */
	char tmp[PATH_MAX];
};

/* Open path for writing; 0, or the error said (cli_err) and CLI_EXIT_ERROR. */
int outfile_open(struct outfile *o, const char *path, bool atomic);
/*
 * Close it, renaming an atomic file into place; 0, or the error said and
 * CLI_EXIT_ERROR (an atomic file then leaves path as it was).
 */
int outfile_close(struct outfile *o);

#endif
