/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /proc files of a process that more than one command reads, one parser
 * each.  $KSM_PROC_DIR stands in for /proc in tests.
 */
#ifndef KSM_PROCFS_H
#define KSM_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* /proc, or $KSM_PROC_DIR. */
const char *proc_dir(void);
/* "/proc/PID/NAME" into buf. */
void proc_path(char *buf, size_t len, pid_t pid, const char *name);
bool pid_exists(pid_t pid);
/* /proc/PID/comm without its newline; 0 or -errno. */
int proc_read_comm(pid_t pid, char *buf, size_t len);
/*
 * The cgroup v2 path of a process ("/a/b"), the "0::" line of
 * /proc/PID/cgroup; 0, -ENOENT (no v2 line) or -errno.
 */
int proc_read_cgroup(pid_t pid, char *buf, size_t len);
/*
 * The same from the n bytes of the file's text: the last entry, "0::PATH"
 * to the final newline (a cgroup name may hold newlines); -ENAMETOOLONG
 * when the path does not fit len.
 */
int proc_cgroup_parse(const char *text, size_t n, char *buf, size_t len);

/*
 * Counters of /proc/vmstat ($KSM_PROC_DIR/vmstat) by name: vals[i] and
 * found[i] for names[i] (found false where this kernel has no such line).
 * 0 or -errno.
 */
int proc_vmstat_read(const char *const *names, size_t n, uint64_t *vals, bool *found);

/*
 * The pids in /proc ($KSM_PROC_DIR), ascending, into a new array (*pids,
 * free it); 0 or -errno.
 */
int proc_list_pids(pid_t **pids, size_t *n);

#endif
