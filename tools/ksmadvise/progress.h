/* SPDX-License-Identifier: GPL-2.0 */
/* A progress bar on stderr, only when stderr is a terminal. */
#ifndef KSMADVISE_PROGRESS_H
#define KSMADVISE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool on;
	const char *what;
	uint64_t total, done, bytes;
	uint64_t start_ns, last_ns;
};

/* on: the caller's choice (not -q); the bar shows only on a terminal. */
void progress_start(struct progress *p, bool on, const char *what, uint64_t total);
/* n more units done, bytes more read; redrawn at most ten times a second. */
void progress_add(struct progress *p, uint64_t n, uint64_t bytes);
/* Erase the bar. */
void progress_end(struct progress *p);

#endif
