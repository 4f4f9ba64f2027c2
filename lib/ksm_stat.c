// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksm_stat.h"
#include "procfs.h"
#include "util.h"

int ksm_stat_parse(const char *text, struct ksm_proc_stat *st)
{
	const char *line = text;
	int seen = 0;

	memset(st, 0, sizeof(*st));
	while (line && *line) {
		char key[64];
		long long v;

		if (sscanf(line, "%63s %lld", key, &v) == 2) {
			if (!strcmp(key, "ksm_rmap_items")) {
				st->rmap_items = v;
				seen++;
			} else if (!strcmp(key, "ksm_zero_pages")) {
				st->zero_pages = v;
				st->has_zero_pages = true;
			} else if (!strcmp(key, "ksm_merging_pages")) {
				st->merging_pages = v;
				st->has_merging_pages = true;
				seen++;
			} else if (!strcmp(key, "ksm_process_profit")) {
				st->profit = v;
				st->has_profit = true;
			}
		}
		if (!strncmp(line, "ksm_merge_any: ", 15)) {
			st->merge_any = !strncmp(line + 15, "yes", 3);
			st->has_merge_any = true;
		} else if (!strncmp(line, "ksm_mergeable: ", 15)) {
			st->mergeable = !strncmp(line + 15, "yes", 3);
			st->has_mergeable = true;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return seen ? 0 : -EINVAL;
}

/* /proc/PID/ksm_merging_pages, the file of 5.19 to 6.3: one number. */
static int read_merging_file(pid_t pid, struct ksm_proc_stat *st)
{
	char path[128], buf[64], *end;
	long long v;
	ssize_t n;

	proc_path(path, sizeof(path), pid, "ksm_merging_pages");
	n = read_small_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	v = strtoll(buf, &end, 10);
	if (end == buf || (*end && *end != '\n'))
		return -EINVAL;
	st->merging_pages = v;
	st->has_merging_pages = true;
	return 0;
}

int ksm_stat_read(pid_t pid, struct ksm_proc_stat *st)
{
	char path[128], buf[1024];
	int err;

	proc_path(path, sizeof(path), pid, "ksm_stat");
	err = (int)read_small_file(path, buf, sizeof(buf));
	if (err == -ENOENT) { /* before 6.1 */
		memset(st, 0, sizeof(*st));
		return read_merging_file(pid, st);
	}
	if (err < 0)
		return err;
	err = ksm_stat_parse(buf, st);
	if (!err && !st->has_merging_pages)
		err = read_merging_file(pid, st);
	return err;
}

bool ksm_stat_is_user(const struct ksm_proc_stat *st)
{
	return st->mergeable || st->merge_any || st->rmap_items || st->merging_pages ||
	       st->zero_pages;
}
