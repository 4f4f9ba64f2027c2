// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "advise.h"
#include "procfs.h"
#include "reader.h"
#include "util.h"

/* linux/ioprio.h is not in every libc's headers: the two values we need */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_CLASS_SHIFT 13

void reader_init(struct adv_reader *r, double max_rate_mb, bool proc_mem)
{
	memset(r, 0, sizeof(*r));
	r->max_rate = max_rate_mb * 1e6;
	r->proc_mem = proc_mem;
	r->mem_fd = -1;
}

void reader_close(struct adv_reader *r)
{
	if (r->mem_fd >= 0)
		close(r->mem_fd);
	r->mem_fd = -1;
	r->mem_pid = 0;
}

int reader_be_polite(void)
{
	int err = 0;

	if (setpriority(PRIO_PROCESS, 0, 19))
		err = -errno;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
		    IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT) &&
	    !err)
		err = -errno;
	return err;
}

/* Sleep until the bytes read so far fit under the rate limit. */
static void throttle(struct adv_reader *r)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC), due;

	if (!r->t0)
		r->t0 = now;
	if (r->max_rate <= 0)
		return;
	due = r->t0 + (uint64_t)(r->bytes / r->max_rate * 1e9);
	if (due > now) {
		struct timespec ts = { (time_t)((due - now) / 1000000000ULL),
				       (long)((due - now) % 1000000000ULL) };

		nanosleep(&ts, NULL);
	}
}

/* Contiguous pages become one remote iovec. */
static int make_iovs(const uint64_t *vpages, size_t n, struct iovec *riov)
{
	int k = 0;

	for (size_t i = 0; i < n; i++) {
		if (k && vpages[i] == vpages[i - 1] + 1) {
			riov[k - 1].iov_len += ADV_PAGE;
			continue;
		}
		riov[k].iov_base = (void *)(uintptr_t)(vpages[i] << 12);
		riov[k++].iov_len = ADV_PAGE;
	}
	return k;
}

static bool read_one(struct adv_reader *r, pid_t pid, uint64_t vpage, unsigned char *buf)
{
	struct iovec l = { buf, ADV_PAGE }, rv = { (void *)(uintptr_t)(vpage << 12), ADV_PAGE };

	r->calls++;
	if (!r->proc_mem)
		return process_vm_readv(pid, &l, 1, &rv, 1, 0) == ADV_PAGE;
	return pread(r->mem_fd, buf, ADV_PAGE, (off_t)(vpage << 12)) == ADV_PAGE;
}

/* /proc/PID/mem: one pread per contiguous run. */
static size_t read_mem(struct adv_reader *r, pid_t pid, const uint64_t *vpages, size_t n,
		       unsigned char *buf, bool *ok)
{
	char path[128];
	size_t got = 0;

	if (r->mem_pid != pid) {
		reader_close(r);
		proc_path(path, sizeof(path), pid, "mem");
		r->mem_fd = open(path, O_RDONLY | O_CLOEXEC);
		r->mem_pid = pid;
	}
	for (size_t i = 0; i < n; i++) {
		size_t run = 1;

		while (i + run < n && vpages[i + run] == vpages[i] + run)
			run++;
		r->calls++;
		if (r->mem_fd >= 0 &&
		    pread(r->mem_fd, buf + i * ADV_PAGE, run * ADV_PAGE,
			  (off_t)(vpages[i] << 12)) == (ssize_t)(run * ADV_PAGE)) {
			for (size_t k = 0; k < run; k++)
				ok[i + k] = true;
			got += run;
		} else {
			for (size_t k = 0; k < run; k++)
				ok[i + k] = r->mem_fd >= 0 && read_one(r, pid, vpages[i + k],
								       buf + (i + k) * ADV_PAGE);
			for (size_t k = 0; k < run; k++)
				got += ok[i + k];
		}
		i += run - 1;
	}
	return got;
}

size_t reader_read(struct adv_reader *r, pid_t pid, const uint64_t *vpages, size_t n,
		   unsigned char *buf, bool *ok)
{
	struct iovec local = { buf, n * ADV_PAGE }, riov[READ_BATCH];
	size_t got = 0;
	ssize_t b;
	int k;

	throttle(r);
	if (r->proc_mem) {
		got = read_mem(r, pid, vpages, n, buf, ok);
	} else {
		k = make_iovs(vpages, n, riov);
		r->calls++;
		b = process_vm_readv(pid, &local, 1, riov, (unsigned long)k, 0);
		if (b == (ssize_t)(n * ADV_PAGE)) {
			for (size_t i = 0; i < n; i++)
				ok[i] = true;
			got = n;
		} else {
			/* a page went away under us: find which, one by one */
			for (size_t i = 0; i < n; i++)
				got += ok[i] = read_one(r, pid, vpages[i], buf + i * ADV_PAGE);
		}
	}
	r->bytes += got * ADV_PAGE;
	return got;
}
