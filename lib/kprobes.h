/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kprobes for the event source's stand-ins, where the kernel refuses
 * trampolines (fentry) or a light skeleton cannot attach them: is a
 * function probeable (a text symbol of that exact name in /proc/kallsyms;
 * an inlined function has none, a compiler-made clone such as
 * name.isra.0 is another name), and attach a loaded BPF program to it
 * through the perf kprobe PMU.
 */
#ifndef KSM_KPROBES_H
#define KSM_KPROBES_H

#include <stdbool.h>
#include <stddef.h>

#define KALLSYMS "/proc/kallsyms"
#define KPROBE_PMU "/sys/bus/event_source/devices/kprobe"

/*
 * For each of the n names set found[i]: a text symbol of that exact name
 * in the kallsyms file at path.  Returns 0 or -errno.
 */
int kallsyms_find(const char *path, const char *const *names, size_t n, bool *found);

/* The kprobe PMU's perf type, or -errno (-ENOENT: no CONFIG_KPROBE_EVENTS). */
int kprobe_pmu_type(void);

/*
 * Attach prog_fd to the entry (or the return) of func; returns the perf
 * event fd that holds the probe (close it to detach) or -errno.
 */
int kprobe_attach(int prog_fd, const char *func, bool retprobe);

#endif
