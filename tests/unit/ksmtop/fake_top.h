/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake /proc and /sys/kernel/mm/ksm for ksmtop's unit tests (in a scratch
 * directory named by $KSM_PROC_DIR and $KSM_SYSFS_DIR), and a model with
 * its baseline sample.  Include after <cmocka.h>.
 */
#ifndef KSM_UNIT_FAKE_TOP_H
#define KSM_UNIT_FAKE_TOP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model.h"
#include "sampler.h"

#include "../fake_dir.h"

/* One file of /proc/PID, a line of text in it. */
static void proc_file(int pid, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void proc_file(int pid, const char *name, const char *fmt, ...)
{
	char path[256], text[512];
	va_list ap;

	snprintf(path, sizeof(path), "%s/proc/%d", fake_dir, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "proc/%d/%s", pid, name);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fake_put(path, text);
}

/* A process as Linux 6.18 shows it. */
static __attribute__((unused)) void proc(int pid, const char *comm, const char *cg, long merging,
					 long rmap, bool mergeable)
{
	proc_file(pid, "ksm_stat",
		  "ksm_rmap_items %ld\nksm_zero_pages 0\nksm_merging_pages %ld\n"
		  "ksm_process_profit %ld\nksm_merge_any: no\nksm_mergeable: %s\n",
		  rmap, merging, merging * 4096 - rmap * 64, mergeable ? "yes" : "no");
	proc_file(pid, "comm", "%s\n", comm);
	proc_file(pid, "cgroup", "1:cpu:/\n0::%s\n", cg);
}

/* A process as Linux 6.1 shows it: ksm_stat holds ksm_rmap_items only. */
static __attribute__((unused)) void proc61(int pid, const char *comm, const char *cg, long merging,
					   long rmap)
{
	proc(pid, comm, cg, merging, rmap, true);
	proc_file(pid, "ksm_stat", "ksm_rmap_items %ld\n", rmap);
	proc_file(pid, "ksm_merging_pages", "%ld\n", merging);
}

static __attribute__((unused)) int setup(void **state)
{
	char p[128];

	strcpy(fake_dir, "/tmp/ksmtopunit.XXXXXX");
	if (!mkdtemp(fake_dir))
		return -1;
	snprintf(p, sizeof(p), "%s/proc", fake_dir);
	mkdir(p, 0755);
	setenv("KSM_PROC_DIR", p, 1);
	snprintf(p, sizeof(p), "%s/ksm", fake_dir);
	mkdir(p, 0755);
	setenv("KSM_SYSFS_DIR", p, 1);
	fake_put("ksm/pages_shared", "10\n");
	fake_put("ksm/pages_sharing", "40\n");
	fake_put("ksm/full_scans", "7\n");
	fake_put("ksm/pages_scanned", "1000\n");
	fake_put("ksm/run", "1\n");
	fake_put("ksm/advisor_mode", "[none] scan-time\n");
	proc(100, "vm-a", "/t/a", 30, 35, true);
	proc(101, "vm-b", "/t/a", 20, 20, true);
	proc(200, "bash", "/", 0, 0, false);
	return 0;
}

static __attribute__((unused)) void merge(struct top_model *m, int pid, int err)
{
	struct ksm_event e = {
		.kind = KSM_EV_MERGE_WITH_KSM_PAGE, .pid = pid, .err = err, .nid = -1, .pfn = 1234
	};

	top_model_event(m, &e);
}

/* A model and its sampler, with the baseline sample taken. */
static __attribute__((unused)) void start(struct top_model *m, struct top_sampler *s)
{
	assert_int_equal(top_model_init(m), 0);
	/* the stock tracepoints' kinds, as the event source reports them */
	m->active_kinds = 1u << KSM_EV_MERGE_WITH_KSM_PAGE | 1u << KSM_EV_MERGE_ONE_PAGE |
			  1u << KSM_EV_REMOVE_RMAP_ITEM | 1u << KSM_EV_START_SCAN |
			  1u << KSM_EV_STOP_SCAN;
	top_sampler_init(s, m, true);
	assert_int_equal(top_sample(s, m), 0);
}

static __attribute__((unused)) const struct top_row *row(const struct top_model *m, int pid)
{
	for (int i = 0; i < m->nrows; i++)
		if (m->rows[i].pid == pid)
			return &m->rows[i];
	return NULL;
}

#endif
