// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "util.h"

#define BAR_WIDTH 30

void progress_start(struct progress *p, bool on, const char *what, uint64_t total)
{
	p->on = on && isatty(STDERR_FILENO);
	p->what = what;
	p->total = total ? total : 1;
	p->done = p->bytes = 0;
	p->start_ns = p->last_ns = now_ns(CLOCK_MONOTONIC);
}

static void draw(const struct progress *p, uint64_t now)
{
	double frac = (double)p->done / (double)p->total, secs = (now - p->start_ns) / 1e9;
	int fill = (int)(frac * BAR_WIDTH + 0.5);
	char bar[BAR_WIDTH + 1];

	if (frac > 1)
		frac = 1, fill = BAR_WIDTH;
	for (int i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r%-8s [%s] %3.0f%%  %8.1f MiB  %6.0f MB/s ", p->what, bar, frac * 100,
		p->bytes / 1048576.0, secs > 0 ? p->bytes / secs / 1e6 : 0.0);
	fflush(stderr);
}

void progress_add(struct progress *p, uint64_t n, uint64_t bytes)
{
	uint64_t now;

	p->done += n;
	p->bytes += bytes;
	if (!p->on)
		return;
	now = now_ns(CLOCK_MONOTONIC);
	if (now - p->last_ns < 100000000ULL)
		return;
	p->last_ns = now;
	draw(p, now);
}

void progress_end(struct progress *p)
{
	if (!p->on)
		return;
	/* erase the line: what follows starts clean */
	fprintf(stderr, "\r%*s\r", 80, "");
	fflush(stderr);
}
