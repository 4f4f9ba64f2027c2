// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "policy_pin.h"
#include "procfs.h"
#include "sampler.h"
#include "util.h"

/* ksmd is a kernel thread named "ksmd": find it once. */
static int find_ksmd(void)
{
	struct dirent *de;
	DIR *d = opendir(proc_dir());
	int pid = 0;

	if (!d)
		return 0;
	while (!pid && (de = readdir(d))) {
		char comm[32];
		int p = atoi(de->d_name);

		if (p > 0 && !proc_read_comm(p, comm, sizeof(comm)) && !strcmp(comm, "ksmd"))
			pid = p;
	}
	closedir(d);
	return pid;
}

/* utime + stime of a task in clock ticks; 0 or -errno. */
static int read_ticks(int pid, uint64_t *ticks)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	ssize_t n;

	proc_path(path, sizeof(path), pid, "stat");
	n = read_small_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	/* comm may hold spaces and parens: fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -EINVAL;
	*ticks = ut + st;
	return 0;
}

/* The BPF task iterator where it loads, else /proc (the reason in procs_note). */
static void choose_listing(struct top_sampler *s, struct top_model *m, bool bpf_iter)
{
	char err[sizeof(m->procs_note)] = "";

	m->procs_source = "proc";
	if (!bpf_iter) {
		snprintf(m->procs_note, sizeof(m->procs_note), "--no-bpf-iter");
		return;
	}
	if (getenv("KSM_PROC_DIR") && *getenv("KSM_PROC_DIR")) {
		snprintf(m->procs_note, sizeof(m->procs_note), "KSM_PROC_DIR stands in for /proc");
		return;
	}
	if (task_iter_open(&s->iter, err, sizeof(err))) {
		snprintf(m->procs_note, sizeof(m->procs_note), "%s", err);
		return;
	}
	s->use_iter = true;
	m->procs_source = "bpf_iter";
	/* a note (no cgroup v2), but the iterator runs */
	snprintf(m->procs_note, sizeof(m->procs_note), "%s", err);
}

void top_sampler_free(struct top_sampler *s)
{
	if (s->use_iter)
		task_iter_close(&s->iter);
	s->use_iter = false;
}

void top_sampler_init(struct top_sampler *s, struct top_model *m, bool bpf_iter)
{
	memset(s, 0, sizeof(*s));
	choose_listing(s, m, bpf_iter);
	m->have_numa = numa_map_load(&m->numa) == 0 && m->numa.nr_nodes > 0;
	m->nr_nodes = m->have_numa ? m->numa.nr_nodes : 1;
	if (m->nr_nodes > TOP_MAX_NODES)
		m->nr_nodes = TOP_MAX_NODES;
	s->hz = sysconf(_SC_CLK_TCK);
	if (s->hz <= 0)
		s->hz = 100;
	m->g.ksmd_pid = find_ksmd();
	if (m->g.ksmd_pid)
		read_ticks(m->g.ksmd_pid, &s->prev_ticks);
	s->last_ns = now_ns(CLOCK_MONOTONIC);
}

static void sample_ksmd(struct top_sampler *s, struct top_global *g)
{
	uint64_t ticks;

	g->ksmd_cpu_percent = -1;
	if (!g->ksmd_pid || read_ticks(g->ksmd_pid, &ticks))
		return;
	g->ksmd_cpu_seconds = (double)ticks / s->hz;
	g->ksmd_cpu_percent =
		100.0 * top_per_s((double)(ticks - s->prev_ticks) / s->hz, g->interval_s);
	s->prev_ticks = ticks;
}

/* Per second change of a sysfs counter since the previous sample. */
static double sysfs_rate(const struct top_global *g, const char *name)
{
	if (!g->have_prev)
		return 0;
	return top_per_s(top_sysfs(&g->sys, name) - top_sysfs(&g->sys_prev, name), g->interval_s);
}

static void sysfs_rates(struct top_global *g)
{
	int64_t shared = top_sysfs(&g->sys, "pages_shared");

	g->scan_pages_per_s = sysfs_rate(g, "pages_scanned");
	g->full_scans_per_s = sysfs_rate(g, "full_scans");
	g->shared_per_s = sysfs_rate(g, "pages_shared");
	g->sharing_per_s = sysfs_rate(g, "pages_sharing");
	g->unshared_per_s = sysfs_rate(g, "pages_unshared");
	g->volatile_per_s = sysfs_rate(g, "pages_volatile");
	g->profit_per_s = sysfs_rate(g, "general_profit");
	g->sharing_ratio = shared ? (double)top_sysfs(&g->sys, "pages_sharing") / shared : 0;
}

/* cow_ksm and ksm_swpin_copy, exact where the kernel counts them. */
static void vmstat_counters(struct top_global *g)
{
	static const char *const names[] = { "cow_ksm", "ksm_swpin_copy" };
	struct top_vmstat *c[] = { &g->cow_ksm, &g->swpin_copy };
	uint64_t v[2];
	bool found[2];

	if (proc_vmstat_read(names, 2, v, found))
		found[0] = found[1] = false;
	for (int i = 0; i < 2; i++) {
		bool had = c[i]->known;

		c[i]->known = found[i];
		c[i]->delta = had && found[i] && v[i] >= c[i]->value ? v[i] - c[i]->value : 0;
		c[i]->value = v[i];
		c[i]->per_s = top_per_s(c[i]->delta, g->interval_s);
	}
}

/*
 * Merges are counted from events where a probe delivers them; without, they
 * are the growth of pages_shared + pages_sharing (plus the COW breaks that
 * vmstat counts).  Unmerges are vmstat's cow_ksm where the kernel has it;
 * else the merges that the sysfs counters do not show.
 */
static void merge_rates(struct top_model *m)
{
	struct top_global *g = &m->g;
	int64_t d = 0;

	g->merges_exact = top_kind_active(m, KSM_EV_MERGE_WITH_KSM_PAGE);
	g->unmerges_exact = g->cow_ksm.known;
	g->full_scan_seconds = m->last_scan_s;
	if (g->have_prev)
		d = top_sysfs(&g->sys, "pages_shared") + top_sysfs(&g->sys, "pages_sharing") -
		    top_sysfs(&g->sys_prev, "pages_shared") -
		    top_sysfs(&g->sys_prev, "pages_sharing");
	g->merges = m->merges_total - m->merges_prev;
	if (!g->merges_exact)
		g->merges = d + (int64_t)g->cow_ksm.delta > 0 ? d + g->cow_ksm.delta : 0;
	g->rmap_removals = m->rmap_removals_total - m->rmap_removals_prev;
	m->merges_prev = m->merges_total;
	m->rmap_removals_prev = m->rmap_removals_total;
	if (g->unmerges_exact)
		g->unmerges = g->cow_ksm.delta;
	else
		g->unmerges = (int64_t)g->merges > d ? (uint64_t)((int64_t)g->merges - d) : 0;
	g->merges_per_s = top_per_s(g->merges, g->interval_s);
	g->unmerges_per_s = top_per_s(g->unmerges, g->interval_s);
	g->rmap_removals_per_s = top_per_s(g->rmap_removals, g->interval_s);
	for (int k = 0; k < KSM_EV_MAX; k++) {
		m->ev_rate[k] = top_per_s(m->ev_count[k] - m->ev_prev[k], g->interval_s);
		m->ev_prev[k] = m->ev_count[k];
	}
}

static void node_rates(struct top_model *m)
{
	const struct top_global *g = &m->g;

	for (int k = 0; k < m->nr_nodes; k++) {
		struct top_node *n = &m->node[k];

		n->merges_per_s = top_per_s(n->merges - n->merges_prev, g->interval_s);
		n->unmerges_per_s =
			top_per_s(n->rmap_removals - n->rmap_removals_prev, g->interval_s);
		n->merges_prev = n->merges;
		n->rmap_removals_prev = n->rmap_removals;
		/* one node holds every KSM page; else count what events showed */
		if (m->nr_nodes == 1)
			n->ksm_pages = top_sysfs(&g->sys, "pages_shared");
		else
			n->ksm_pages = n->created > n->removed ? n->created - n->removed : 0;
	}
}

/* Every KSM user's counters, the cgroup sums, and the rows made of them. */
static int sample_procs(struct top_sampler *s, struct top_model *m, uint64_t now)
{
	int r = -ENODATA;

	if (s->use_iter) {
		r = task_iter_scan(&s->iter, &m->procs);
		if (r) { /* from now on /proc, and say why */
			snprintf(m->procs_note, sizeof(m->procs_note),
				 "the task iterator failed: %s", strerror(-r));
			m->procs_source = "proc";
			top_sampler_free(s);
		}
	}
	if (r)
		r = proc_table_scan(&m->procs, now);
	if (r)
		return r;
	/* the policy may come and go between samples: look again each time */
	if (m->policy_fd >= 0)
		close(m->policy_fd);
	m->policy_fd = policy_rules_open();
	top_model_account(m);
	top_model_rebuild(m);
	return 0;
}

int top_sample(struct top_sampler *s, struct top_model *m)
{
	struct top_global *g = &m->g;
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	int r;

	g->interval_s = (now - s->last_ns) / 1e9;
	s->last_ns = now;
	g->sys_prev = g->sys;
	g->have_prev = g->sys.n > 0;
	r = ksm_sysfs_read(NULL, &g->sys);
	if (r)
		return r;
	sample_ksmd(s, g);
	vmstat_counters(g);
	sysfs_rates(g);
	merge_rates(m);
	node_rates(m);
	return sample_procs(s, m, now);
}
