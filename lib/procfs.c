// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"
#include "util.h"

const char *proc_dir(void)
{
	const char *d = getenv("KSM_PROC_DIR");

	return d && *d ? d : "/proc";
}

void proc_path(char *buf, size_t len, pid_t pid, const char *name)
{
	snprintf(buf, len, "%s/%d/%s", proc_dir(), (int)pid, name);
}

bool pid_exists(pid_t pid)
{
	char path[128];

	proc_path(path, sizeof(path), pid, "");
	return pid > 0 && access(path, F_OK) == 0;
}

int proc_read_comm(pid_t pid, char *buf, size_t len)
{
	char path[128];
	ssize_t n;

	proc_path(path, sizeof(path), pid, "comm");
	n = read_small_file(path, buf, len);
	if (n < 0)
		return (int)n;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int proc_cgroup_parse(const char *text, size_t n, char *buf, size_t len)
{
	const char *p = NULL, *end = text + n;
	size_t k;

	/*
	 * The kernel writes the path raw, a newline in a cgroup name included,
	 * and the v2 entry ("0::PATH") last: the path runs to the file's final
	 * newline.  On a v2-only system the entry is the whole file.
	 */
	if (n >= 3 && !memcmp(text, "0::", 3))
		p = text + 3;
	for (const char *q = text; !p && (q = memchr(q, '\n', (size_t)(end - q))); q++)
		if (end - q > 4 && !memcmp(q + 1, "0::/", 4))
			p = q + 4;
	if (!p || p >= end || *p != '/' || !len)
		return -ENOENT;
	k = (size_t)(end - p);
	if (end[-1] == '\n')
		k--;
	if (memchr(p, '\0', k) || k >= len)
		return -ENAMETOOLONG;
	memcpy(buf, p, k);
	buf[k] = '\0';
	return 0;
}

int proc_read_cgroup(pid_t pid, char *buf, size_t len)
{
	char path[128], text[4096 + 8];
	ssize_t n;

	proc_path(path, sizeof(path), pid, "cgroup");
	n = read_small_file(path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	return proc_cgroup_parse(text, (size_t)n, buf, len);
}

int proc_vmstat_read(const char *const *names, size_t n, uint64_t *vals, bool *found)
{
	char path[128], text[16384];
	ssize_t len;

	snprintf(path, sizeof(path), "%s/vmstat", proc_dir());
	len = read_small_file(path, text, sizeof(text));
	if (len < 0)
		return (int)len;
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(names[i]);
		const char *l = text;

		found[i] = false;
		vals[i] = 0;
		/* "name value\n" lines: match the whole name at a line start */
		for (; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
			if (!strncmp(l, names[i], k) && l[k] == ' ') {
				found[i] = sscanf(l + k, "%" SCNu64, &vals[i]) == 1;
				break;
			}
		}
	}
	return 0;
}

static int cmp_pid(const void *x, const void *y)
{
	pid_t a = *(const pid_t *)x, b = *(const pid_t *)y;

	return a < b ? -1 : a > b;
}

int proc_list_pids(pid_t **pids, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d = opendir(proc_dir());

	*pids = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (array_grow((void **)pids, &cap, *n + 1, sizeof(**pids))) {
			closedir(d);
			free(*pids);
			*pids = NULL;
			*n = 0;
			return -ENOMEM;
		}
		(*pids)[(*n)++] = (pid_t)atoi(de->d_name);
	}
	closedir(d);
	qsort(*pids, *n, sizeof(**pids), cmp_pid);
	return 0;
}
