/* SPDX-License-Identifier: GPL-2.0 */
/* Reading other processes' pages politely: batched, rate-limited, niced. */
#ifndef KSMADVISE_READER_H
#define KSMADVISE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define READ_BATCH 64 /* pages per system call: 256 KiB */

struct adv_reader {
	double max_rate; /* bytes per second, 0: no limit */
	bool proc_mem;	 /* read /proc/PID/mem instead of process_vm_readv */
	uint64_t bytes;	 /* read so far */
	uint64_t t0;	 /* when the rate limit started counting */
	uint64_t calls;	 /* system calls made to read */
	pid_t mem_pid;
	int mem_fd;
};

void reader_init(struct adv_reader *r, double max_rate_mb, bool proc_mem);
void reader_close(struct adv_reader *r);
/*
 * Lowest CPU priority and the idle I/O class for this process, so that a
 * busy host's own work goes first.  Returns 0 or -errno of the first
 * call that failed (the caller warns; it is not fatal).
 */
int reader_be_polite(void);
/*
 * Read the n (<= READ_BATCH) pages at vpages[] of pid into buf; ok[i] is
 * false for a page that could not be read (unmapped since, or the process
 * exited).  Sleeps as needed to keep under max_rate.  Returns the number
 * of pages read.
 */
size_t reader_read(struct adv_reader *r, pid_t pid, const uint64_t *vpages, size_t n,
		   unsigned char *buf, bool *ok);

#endif
