/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Input files a user names (a recorded trace, a rules file): opened so that
 * no path can make a command wait or eat all memory, and read in lines of
 * bounded length.
 *
 * - A named path must be a regular file (symlinks followed: reading through
 *   one reads nothing the user could not name directly).  A directory, a
 *   FIFO, a socket or a device (/dev/zero) is refused before the first
 *   read; the open itself is O_NONBLOCK, so a FIFO without a writer never
 *   blocks it.  "-" is stdin, which may also be a pipe, a socket or a
 *   terminal, but not a directory or another device.
 * - A regular file larger than the caller's cap is refused by its size.
 * - A line longer than the caller's cap is reported, never read whole.
 */
#ifndef KSM_INFILE_H
#define KSM_INFILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Open path ("-": stdin) for reading; max_bytes caps a regular file's size
 * (0: no cap).  Returns the stream, or NULL with -errno in *err_no and the
 * reason in err ("is a directory", "not a regular file (a FIFO)", "larger
 * than 4 MiB").
 */
FILE *infile_open(const char *path, off_t max_bytes, char *err, size_t err_len, int *err_no);
/* Close a stream of infile_open (stdin stays open). */
void infile_close(FILE *f);

/*
 * The next line of f into *buf (grown as needed, like getline), without its
 * newline, NUL-terminated; a NUL byte inside counts in the length.  Returns
 * the length, -1 at the end of the file, -ENOMEM, or -E2BIG when the line
 * is longer than max bytes: then its first max bytes are read and the rest
 * is left for infile_skip (or the caller stops).  *torn is set when the
 * line is the last and has no newline (a writer that died mid-line).
 */
ssize_t infile_line(FILE *f, char **buf, size_t *cap, size_t max, bool *torn);
/* Skip the rest of a line: 0, or -E2BIG when no newline came in max bytes. */
int infile_skip(FILE *f, size_t max);

#endif
