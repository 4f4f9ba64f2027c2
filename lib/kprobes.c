// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kprobes.h"
#include "util.h"

int kallsyms_find(const char *path, const char *const *names, size_t n, bool *found)
{
	char line[512], name[256], type;
	unsigned long long addr;
	FILE *f = fopen(path, "re");

	for (size_t i = 0; i < n; i++)
		found[i] = false;
	if (!f)
		return -errno;
	/* "ADDR TYPE NAME [module]": text symbols are t or T */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T')
			continue;
		for (size_t i = 0; i < n; i++)
			if (!found[i] && !strcmp(name, names[i]))
				found[i] = true;
	}
	fclose(f);
	return 0;
}

int kprobe_pmu_type(void)
{
	char buf[32];
	ssize_t r = read_small_file(KPROBE_PMU "/type", buf, sizeof(buf));

	if (r < 0)
		return (int)r;
	return atoi(buf);
}

/* The config bit that makes a kprobe PMU event a return probe ("config:N"). */
static int retprobe_bit(void)
{
	char buf[32];
	ssize_t r = read_small_file(KPROBE_PMU "/format/retprobe", buf, sizeof(buf));

	if (r < 0 || strncmp(buf, "config:", 7))
		return -ENOENT;
	return atoi(buf + 7);
}

int kprobe_attach(int prog_fd, const char *func, bool retprobe)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	int type = kprobe_pmu_type(), bit = retprobe ? retprobe_bit() : 0, fd;

	if (type < 0)
		return type;
	if (bit < 0 || bit > 63)
		return bit < 0 ? bit : -EINVAL;
	attr.type = type;
	attr.config = retprobe ? 1ULL << bit : 0;
	attr.config1 = (uint64_t)(uintptr_t)func;	/* kprobe_func */
	attr.config2 = 0;				/* probe_offset */
	fd = syscall(SYS_perf_event_open, &attr, -1 /* any pid */, 0 /* cpu */, -1,
		     PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}
