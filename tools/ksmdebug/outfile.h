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
	char tmp[PATH_MAX]; /* PATH's directory/.ksmdebug.XXXXXX, renamed over path */
	bool direct;	    /* a device or a FIFO, written in place */
};

/* Can path be written (see outfile_open)?  0, or the error said. */
int outfile_check(const char *path);
/*
 * Open path for writing: a new 0600 temporary in its directory (mkstemp),
 * renamed over path on close, so a reader never sees half a file and a
 * symlink at path is replaced, not followed.  A character device or a
 * FIFO named directly (/dev/null) is written in place (a FIFO without a
 * reader is an error, not a wait).  0, or the error said (cli_err) and
 * CLI_EXIT_ERROR: a directory, a block device, a link to a device.
 */
int outfile_open(struct outfile *o, const char *path);
/*
 * Flush, sync and rename it into place; 0, or the error said and
 * CLI_EXIT_ERROR (path is then left as it was).
 */
int outfile_close(struct outfile *o);

#endif
