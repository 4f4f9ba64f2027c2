// SPDX-License-Identifier: GPL-2.0
/*
 * ksmctl: KSM settings and waits for scripts (tests, demo, bench), so that
 * no script polls sysfs with fixed sleeps or forgets to restore a knob.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ksm_settings.h"
#include "ksm_stat.h"
#include "ksm_sysfs.h"
#include "util.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: ksmctl save FILE            save every KSM knob\n"
		"       ksmctl restore FILE         put them back\n"
		"       ksmctl set KNOB=VALUE ...   write knobs\n"
		"       ksmctl show                 every file in /sys/kernel/mm/ksm\n"
		"       ksmctl stat PID             /proc/PID/ksm_stat\n"
		"       ksmctl wait-scans N [SECS]  wait for N more full scans\n"
		"       ksmctl wait-merged PID N [SECS]  wait for ksm_merging_pages >= N\n"
		"       ksmctl wait-stable PID [SECS]    wait until merging stops changing\n");
	return 2;
}

static double timeout_arg(int argc, char **argv, int i, double def)
{
	double t = def;

	if (argc > i && !parse_seconds(argv[i], &t)) {
		fprintf(stderr, "ksmctl: invalid timeout '%s'\n", argv[i]);
		exit(2);
	}
	return t;
}

static int cmd_wait_scans(uint64_t n, double secs)
{
	uint64_t start, cur, deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)(secs * 1e9);

	if (ksm_sysfs_read_u64(NULL, "full_scans", &start)) {
		fprintf(stderr, "ksmctl: cannot read full_scans\n");
		return 1;
	}
	do {
		if (ksm_sysfs_read_u64(NULL, "full_scans", &cur))
			return 1;
		if (cur >= start + n)
			return 0;
		usleep(20000);
	} while (now_ns(CLOCK_MONOTONIC) < deadline);
	fprintf(stderr, "ksmctl: timeout: full_scans went %llu -> %llu, wanted +%llu\n",
		(unsigned long long)start, (unsigned long long)cur, (unsigned long long)n);
	return 1;
}

static int cmd_wait_merged(int pid, int64_t n, double secs)
{
	uint64_t deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)(secs * 1e9);
	struct ksm_proc_stat st = { 0 };

	do {
		if (ksm_stat_read(pid, &st)) {
			fprintf(stderr, "ksmctl: cannot read /proc/%d/ksm_stat\n", pid);
			return 1;
		}
		if (st.merging_pages >= n)
			return 0;
		usleep(20000);
	} while (now_ns(CLOCK_MONOTONIC) < deadline);
	fprintf(stderr, "ksmctl: timeout: pid %d has %lld merging pages, wanted %lld\n", pid,
		(long long)st.merging_pages, (long long)n);
	return 1;
}

/* Merging is stable when two full scans pass without a change. */
static int cmd_wait_stable(int pid, double secs)
{
	uint64_t deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)(secs * 1e9);
	struct ksm_proc_stat a, b;

	do {
		if (ksm_stat_read(pid, &a) || cmd_wait_scans(2, secs) || ksm_stat_read(pid, &b))
			return 1;
		if (a.merging_pages == b.merging_pages && a.rmap_items == b.rmap_items &&
		    b.merging_pages > 0)
			return 0;
	} while (now_ns(CLOCK_MONOTONIC) < deadline);
	fprintf(stderr, "ksmctl: timeout waiting for pid %d to settle\n", pid);
	return 1;
}

static int cmd_save(int argc, char **argv)
{
	struct ksm_settings s;
	int err = ksm_settings_save(&s);

	if (!err)
		err = ksm_settings_write_file(&s, argv[2]);
	if (err)
		fprintf(stderr, "ksmctl: save: %s\n", strerror(-err));
	return !!err;
}

static int cmd_restore(int argc, char **argv)
{
	struct ksm_settings s;
	int bad = 0, err = ksm_settings_read_file(&s, argv[2], &bad);

	if (err == -EINVAL) {
		fprintf(stderr, "ksmctl: %s:%d: malformed line\n", argv[2], bad);
		return 1;
	}
	if (!err)
		err = ksm_settings_restore(&s);
	if (err)
		fprintf(stderr, "ksmctl: restore: %s\n", strerror(-err));
	return !!err;
}

static int cmd_set(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		int err;

		if (!eq) {
			fprintf(stderr, "ksmctl: expected KNOB=VALUE, got '%s'\n", argv[i]);
			return 2;
		}
		*eq = '\0';
		err = ksm_sysfs_write(NULL, argv[i], eq + 1);
		if (err) {
			fprintf(stderr, "ksmctl: %s=%s: %s\n", argv[i], eq + 1, strerror(-err));
			return 1;
		}
	}
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	struct ksm_sysfs fs;
	int err = ksm_sysfs_read(NULL, &fs);

	if (err) {
		fprintf(stderr, "ksmctl: %s: %s\n", ksm_sysfs_dir(), strerror(-err));
		return 1;
	}
	for (int i = 0; i < fs.n; i++)
		printf("%s %s\n", fs.ent[i].name, fs.ent[i].text);
	return 0;
}

static int cmd_stat(int argc, char **argv)
{
	struct ksm_proc_stat st;
	uint64_t pid;
	int err;

	if (!parse_u64(argv[2], 1, INT32_MAX, &pid))
		return usage();
	err = ksm_stat_read((int)pid, &st);
	if (err) {
		fprintf(stderr, "ksmctl: /proc/%llu/ksm_stat: %s\n", (unsigned long long)pid,
			strerror(-err));
		return 1;
	}
	printf("ksm_rmap_items %lld\nksm_zero_pages %lld\nksm_merging_pages %lld\n"
	       "ksm_process_profit %lld\n", (long long)st.rmap_items, (long long)st.zero_pages,
	       (long long)st.merging_pages, (long long)st.profit);
	return 0;
}

static int cmd_waits(int argc, char **argv)
{
	uint64_t v, pid;

	if (!strcmp(argv[1], "wait-scans") && parse_u64(argv[2], 1, 1 << 20, &v))
		return cmd_wait_scans(v, timeout_arg(argc, argv, 3, 60));
	if (!strcmp(argv[1], "wait-merged") && argc >= 4 &&
	    parse_u64(argv[2], 1, INT32_MAX, &pid) && parse_u64(argv[3], 0, 1ULL << 40, &v))
		return cmd_wait_merged((int)pid, (int64_t)v, timeout_arg(argc, argv, 4, 60));
	if (!strcmp(argv[1], "wait-stable") && parse_u64(argv[2], 1, INT32_MAX, &pid))
		return cmd_wait_stable((int)pid, timeout_arg(argc, argv, 3, 60));
	return usage();
}

/* name, the argument counts it takes (including "ksmctl NAME"), the command */
static const struct {
	const char *name;
	int min_args, max_args;
	int (*run)(int argc, char **argv);
} cmds[] = {
	{ "save", 3, 3, cmd_save },		{ "restore", 3, 3, cmd_restore },
	{ "set", 3, 1 << 16, cmd_set },		{ "show", 2, 2, cmd_show },
	{ "stat", 3, 3, cmd_stat },		{ "wait-scans", 3, 4, cmd_waits },
	{ "wait-merged", 4, 5, cmd_waits },	{ "wait-stable", 3, 4, cmd_waits },
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name) && argc >= cmds[i].min_args &&
		    argc <= cmds[i].max_args)
			return cmds[i].run(argc, argv);
	return usage();
}
