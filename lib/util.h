/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers every command shares. */
#ifndef KSM_UTIL_H
#define KSM_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Set by the SIGINT/SIGTERM handler that install_exit_signals installs. */
extern volatile sig_atomic_t exiting;
void install_exit_signals(void);

uint64_t now_ns(int clock);
/* CLOCK_REALTIME - CLOCK_MONOTONIC, to print bpf_ktime_get_ns() as wall time. */
uint64_t monotonic_to_realtime_offset(void);
/* Parse a positive integer (or a duration in seconds); false if malformed. */
bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
bool parse_seconds(const char *s, double *out);
/*
 * Read a small file (sysfs, procfs) with one read(2), NUL-terminated;
 * returns the length or -errno.
 */
ssize_t read_small_file(const char *path, char *buf, size_t len);

/*
 * Make room for need elements of size elem in *arr (capacity *cap),
 * doubling; 0 or -ENOMEM (*arr unchanged).
 */
int array_grow(void **arr, size_t *cap, size_t need, size_t elem);
/* "512 B", "4.0 KiB", "1.5 GiB": binary units, one decimal. Returns buf. */
const char *fmt_bytes(uint64_t bytes, char *buf, size_t len);

#endif
