// SPDX-License-Identifier: GPL-2.0
/* The live accounting sample of live.h: two readings around a drain. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "procfs.h"
#include "util.h"

#define MAX_PIDS 4096

/* One reading of the sysfs counters. */
struct counters {
	bool ok; /* read, and both counters present */
	int64_t shared, sharing;
	struct ksm_sysfs fs;
};

struct sampler {
	int n; /* processes sampled this time */
	int pid[MAX_PIDS];
	bool ok[MAX_PIDS]; /* ksm_stat read both times */
	struct ksm_proc_stat before[MAX_PIDS], after[MAX_PIDS];
	struct counters c1, c2;
	uint32_t named[MAX_PIDS]; /* scratch: pids the events named */
	int users[MAX_PIDS];	  /* scratch: pids using KSM */
};

struct sampler *sampler_new(void)
{
	return calloc(1, sizeof(struct sampler));
}

void sampler_free(struct sampler *s)
{
	free(s);
}

static void add_pid(struct sampler *s, int pid)
{
	for (int i = 0; i < s->n; i++)
		if (s->pid[i] == pid)
			return;
	if (s->n < MAX_PIDS)
		s->pid[s->n++] = pid;
}

/* The processes the events named, and with all_users every KSM user. */
static void pick_pids(struct sampler *s, const struct detectors *det, bool all_users)
{
	int n = det_pids(det, s->named, MAX_PIDS);

	s->n = 0;
	for (int i = 0; i < n; i++)
		add_pid(s, (int)s->named[i]);
	if (!all_users)
		return;
	n = snap_ksm_pids(s->users, MAX_PIDS);
	for (int i = 0; i < n; i++)
		add_pid(s, s->users[i]);
}

static void read_counters(struct counters *c)
{
	memset(c, 0, sizeof(*c));
	c->ok = !ksm_sysfs_read(NULL, &c->fs) &&
		ksm_sysfs_get(&c->fs, "pages_shared", &c->shared) &&
		ksm_sysfs_get(&c->fs, "pages_sharing", &c->sharing);
}

static void read_procs(struct sampler *s, struct ksm_proc_stat *st, bool first)
{
	for (int i = 0; i < s->n; i++) {
		bool ok = !ksm_stat_read(s->pid[i], &st[i]);

		s->ok[i] = ok && (first || s->ok[i]);
	}
}

void live_baseline(struct live *l)
{
	struct counters *c = &l->sampler->c1;

	read_counters(c);
	if (c->ok)
		det_baseline(l->det, c->shared, c->sharing);
}

static bool counters_stable(const struct sampler *s)
{
	return s->c1.ok && s->c2.ok && s->c1.shared == s->c2.shared &&
	       s->c1.sharing == s->c2.sharing;
}

static int snapshot_head(struct live *l, struct snapshot *snap, const char *label, uint64_t ts)
{
	if (snapshot_init(snap, label, ts))
		return -ENOMEM;
	snap->stable = counters_stable(l->sampler);
	snap->sysfs = l->sampler->c2.fs;
	snap->nodes = l->have_numa ? l->numa.nr_nodes : 0;
	snap->nr_stable_per_node = det_nodes_per_nid(l->det, snap->stable_per_node, SNAP_MAX_NODES);
	return 0;
}

static int judge_procs(struct live *l, uint64_t ts, struct snapshot *snap)
{
	struct sampler *s = l->sampler;

	for (int i = 0; i < s->n; i++) {
		int64_t merging = s->after[i].merging_pages;
		bool stable = s->before[i].merging_pages == merging;
		struct det_acct a;
		char comm[KSM_COMM_LEN];

		if (!s->ok[i])
			continue;
		det_check_proc(l->det, ts, s->pid[i], merging, stable, &a);
		/* a KSM user the events never named */
		if (!a.comm[0] && !proc_read_comm(s->pid[i], comm, sizeof(comm)))
			snprintf(a.comm, sizeof(a.comm), "%s", comm);
		if (acct_sample_add_proc(&l->last, &a))
			return -ENOMEM;
		if (snap && snapshot_add_proc(snap, s->pid[i], a.comm, &s->after[i], stable))
			return -ENOMEM;
	}
	return 0;
}

int live_sample(struct live *l, const char *label, struct snapshot *snap)
{
	struct sampler *s = l->sampler;
	uint64_t stats[KSM_STAT_MAX], ts;

	pick_pids(s, l->det, snap != NULL);
	read_counters(&s->c1);
	read_procs(s, s->before, true);
	ksm_source_drain(&l->src);
	/* what the kernel emitted just before the first reading may still be on its way */
	usleep(20000);
	ksm_source_drain(&l->src);
	ts = now_ns(CLOCK_MONOTONIC);
	read_counters(&s->c2);
	read_procs(s, s->after, false);
	ksm_source_stats(&l->src, stats);
	if (stats[KSM_STAT_DROPPED])
		det_mark_incomplete(l->det, "events were lost (ring buffer full)");

	acct_sample_free(&l->last);
	acct_sample_init(&l->last, NULL, ts);
	if (s->c1.ok && s->c2.ok) {
		det_check_sysfs(l->det, ts, s->c2.shared, s->c2.sharing, counters_stable(s),
				&l->last.sysfs);
		l->last.have_sysfs = true;
	}
	if (snap && snapshot_head(l, snap, label, ts))
		return -ENOMEM;
	/* who shares with whom, outside the two readings: best effort (needs root) */
	if (snap && snapshot_add_sharing(snap) == -ENOMEM)
		return -ENOMEM;
	return judge_procs(l, ts, snap);
}
