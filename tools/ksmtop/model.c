// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event_fmt.h"
#include "ksm_stat.h"
#include "policy_pin.h"
#include "procfs.h"
#include "model.h"
#include "util.h"

static const char *const sort_names[TOP_SORT_MAX] = {
	[TOP_SORT_PID] = "pid",		  [TOP_SORT_COMM] = "comm",
	[TOP_SORT_CGROUP] = "cgroup",	  [TOP_SORT_MERGING] = "merging",
	[TOP_SORT_RMAP] = "rmap",	  [TOP_SORT_ZERO] = "zero",
	[TOP_SORT_PROFIT] = "profit",	  [TOP_SORT_MERGES] = "merges",
	[TOP_SORT_UNMERGES] = "unmerges", [TOP_SORT_MODE] = "mode",
};

const char *top_sort_name(enum top_sort s)
{
	return s < TOP_SORT_MAX ? sort_names[s] : "?";
}

int top_sort_by_name(const char *name)
{
	for (int i = 0; i < TOP_SORT_MAX; i++)
		if (!strcmp(name, sort_names[i]))
			return i;
	return -1;
}

bool top_sort_ascending(enum top_sort s)
{
	return s == TOP_SORT_PID || s == TOP_SORT_COMM || s == TOP_SORT_CGROUP ||
	       s == TOP_SORT_MODE;
}

const char *top_sort_names(void)
{
	return "pid, comm, cgroup, merging, rmap, zero, profit, merges, unmerges, mode";
}

bool top_kind_active(const struct top_model *m, unsigned int kind)
{
	return kind < 32 && (m->active_kinds & (1u << kind));
}

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
	int fd;

	snprintf(path, sizeof(path), "%s/%d/stat", proc_dir(), pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* comm may hold spaces and parens: fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -EINVAL;
	*ticks = ut + st;
	return 0;
}

int top_model_init(struct top_model *m)
{
	int r;

	memset(m, 0, sizeof(*m));
	r = proc_table_init(&m->procs);
	if (r)
		return r;
	m->have_numa = numa_map_load(&m->numa) == 0 && m->numa.nr_nodes > 0;
	m->nr_nodes = m->have_numa ? m->numa.nr_nodes : 1;
	if (m->nr_nodes > TOP_MAX_NODES)
		m->nr_nodes = TOP_MAX_NODES;
	for (int i = 0; i < TOP_MAX_NODES; i++)
		m->node[i].nid = i;
	m->hz = sysconf(_SC_CLK_TCK);
	if (m->hz <= 0)
		m->hz = 100;
	m->ksmd_pid = find_ksmd();
	if (m->ksmd_pid)
		read_ticks(m->ksmd_pid, &m->prev_ticks);
	m->last_sample_ns = now_ns(CLOCK_MONOTONIC);
	m->g.ksmd_cpu_percent = -1;
	m->policy_fd = -1;
	return 0;
}

void top_model_free(struct top_model *m)
{
	proc_table_free(&m->procs);
	if (m->policy_fd >= 0)
		close(m->policy_fd);
	free(m->rows);
	free(m->cgrows);
	memset(m, 0, sizeof(*m));
}

static struct top_node *node_of(struct top_model *m, int nid, uint64_t pfn)
{
	if (nid < 0 && pfn && m->have_numa)
		nid = numa_pfn_to_nid(&m->numa, pfn);
	if (nid < 0)
		nid = m->nr_nodes == 1 ? 0 : -1;
	if (nid < 0 || nid >= TOP_MAX_NODES)
		return NULL;
	if (nid >= m->nr_nodes)
		m->nr_nodes = nid + 1;
	return &m->node[nid];
}

void top_model_event(struct top_model *m, const struct ksm_event *e)
{
	struct proc_ent *p = NULL;
	struct top_node *n;

	if (e->kind >= KSM_EV_MAX)
		return;
	m->ev_count[e->kind]++;
	if (e->pid) {
		p = proc_table_get(&m->procs, e->pid);
		if (p)
			p->hinted = true; /* a KSM user, whatever we thought */
	}
	switch (e->kind) {
	case KSM_EV_START_SCAN:
		m->scan_start_ts = e->ts_ns;
		break;
	case KSM_EV_STOP_SCAN:
		if (m->scan_start_ts && e->ts_ns > m->scan_start_ts) {
			m->last_scan_s = (e->ts_ns - m->scan_start_ts) / 1e9;
			m->scan_sum_s += m->last_scan_s;
			m->scan_n++;
		}
		m->scan_start_ts = 0;
		break;
	case KSM_EV_MERGE_WITH_KSM_PAGE:
		if (e->err) {
			if (p)
				p->ev.failed++;
			break;
		}
		m->merges_total++;
		if (p)
			p->ev.merges++;
		/* pfn is the KSM page's: into an existing one, or the page that becomes one */
		n = node_of(m, e->nid, e->pfn);
		if (n) {
			n->merges++;
			if (!e->aux[0] && !top_kind_active(m, KSM_EV_STABLE_NODE_INSERT))
				n->created++;
		}
		break;
	case KSM_EV_MERGE_ONE_PAGE:
		/* stock kernels fire it for merges with the zero page only */
		if (!e->err && p)
			p->ev.zero_merges++;
		break;
	case KSM_EV_REMOVE_RMAP_ITEM:
		m->rmap_removals_total++;
		if (p)
			p->ev.rmap_removals++;
		n = node_of(m, e->nid, e->pfn);
		if (n)
			n->rmap_removals++;
		break;
	case KSM_EV_REMOVE_KSM_PAGE:
		n = node_of(m, e->nid, e->pfn);
		if (n)
			n->removed++;
		break;
	case KSM_EV_STABLE_NODE_INSERT:
		n = node_of(m, e->nid, e->pfn);
		if (n)
			n->created++;
		break;
	case KSM_EV_MIGRATE_FOLIO: {
		struct top_node *from = node_of(m, e->nid, e->pfn);
		struct top_node *to = node_of(m, e->nid2, e->pfn2);

		if (from)
			from->migrations_out++;
		if (to)
			to->migrations_in++;
		if (from && to && from != to)
			from->cross_node_migrations++;
		break;
	}
	case KSM_EV_SWAPIN_COPY:
		if (p)
			p->ev.swapin_copies++;
		break;
	default:
		break;
	}
}

bool top_cgroup_in(const char *path, const char *subtree)
{
	size_t n;

	if (!subtree || !*subtree || !strcmp(subtree, "/"))
		return true;
	if (!path)
		return false;
	n = strlen(subtree);
	while (n > 1 && subtree[n - 1] == '/')
		n--;
	return !strncmp(path, subtree, n) && (path[n] == '\0' || path[n] == '/');
}

const char *top_row_mode(const struct top_row *r)
{
	if (r->merge_any && r->mergeable)
		return "both";
	if (r->merge_any)
		return "merge_any";
	if (r->mergeable)
		return "mergeable";
	return "-";
}

static int64_t sysv(const struct ksm_sysfs *s, const char *name)
{
	int64_t v = 0;

	ksm_sysfs_get(s, name, &v);
	return v;
}

static double per_s(double v, double secs)
{
	return secs > 0 ? v / secs : 0;
}

static int push_row(struct top_row **rows, int *n, int *cap, const struct top_row *r)
{
	if (*n == *cap) {
		int ncap = *cap ? *cap * 2 : 64;
		struct top_row *nr = realloc(*rows, ncap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		*rows = nr;
		*cap = ncap;
	}
	(*rows)[(*n)++] = *r;
	return 0;
}

void top_model_rebuild(struct top_model *m)
{
	struct proc_ent *p;
	unsigned int i = 0;

	m->nrows = m->ncgrows = 0;
	while ((p = proc_table_next(&m->procs, &i))) {
		struct top_row r = { 0 }, *c = NULL;

		if (!p->valid || !p->ksm)
			continue;
		if (m->filter.pid && p->pid != m->filter.pid)
			continue;
		if (!top_cgroup_in(p->cgroup, m->filter.cgroup))
			continue;
		r.pid = p->pid;
		r.nprocs = 1;
		memcpy(r.comm, p->comm, sizeof(r.comm));
		r.cgroup = p->cgroup ? p->cgroup : "?";
		r.merging_pages = p->st.merging_pages;
		r.rmap_items = p->st.rmap_items;
		r.zero_pages = p->st.zero_pages;
		r.profit = p->st.profit;
		r.mergeable = p->st.mergeable;
		r.merge_any = p->st.merge_any;
		r.merges = p->ev.merges - p->ev_prev.merges;
		r.zero_merges = p->ev.zero_merges - p->ev_prev.zero_merges;
		r.rmap_removals = p->ev.rmap_removals - p->ev_prev.rmap_removals;
		r.swapin_copies = p->ev.swapin_copies - p->ev_prev.swapin_copies;
		/*
		 * Stock kernels trace no COW break: a page that left merging is
		 * one merge more than the change of ksm_merging_pages shows.
		 */
		if (p->have_prev) {
			int64_t d = p->st.merging_pages - p->prev.merging_pages;

			if ((int64_t)r.merges > d)
				r.unmerges = (uint64_t)((int64_t)r.merges - d);
		}
		r.merges_per_s = per_s(r.merges, m->g.interval_s);
		r.unmerges_per_s = per_s(r.unmerges, m->g.interval_s);
		r.rmap_removals_per_s = per_s(r.rmap_removals, m->g.interval_s);
		push_row(&m->rows, &m->nrows, &m->rows_cap, &r);

		for (int k = 0; k < m->ncgrows; k++)
			if (!strcmp(m->cgrows[k].cgroup, r.cgroup))
				c = &m->cgrows[k];
		if (!c) {
			struct top_row z = { 0 };

			z.cgroup = r.cgroup;
			snprintf(z.comm, sizeof(z.comm), "-");
			if (m->policy_fd >= 0) {
				struct policy_resolution res;

				if (!policy_resolve_path(m->policy_fd, r.cgroup, &res, NULL, 0,
							 NULL, 0))
					policy_brief(&res, z.policy, sizeof(z.policy));
			}
			if (push_row(&m->cgrows, &m->ncgrows, &m->cgrows_cap, &z))
				continue;
			c = &m->cgrows[m->ncgrows - 1];
		}
		c->nprocs++;
		c->merging_pages += r.merging_pages;
		c->rmap_items += r.rmap_items;
		c->zero_pages += r.zero_pages;
		c->profit += r.profit;
		c->mergeable |= r.mergeable;
		c->merge_any |= r.merge_any;
		c->merges += r.merges;
		c->unmerges += r.unmerges;
		c->rmap_removals += r.rmap_removals;
		c->zero_merges += r.zero_merges;
		c->swapin_copies += r.swapin_copies;
		c->merges_per_s += r.merges_per_s;
		c->unmerges_per_s += r.unmerges_per_s;
		c->rmap_removals_per_s += r.rmap_removals_per_s;
	}
}

int top_model_sample(struct top_model *m)
{
	struct top_global *g = &m->g;
	uint64_t now = now_ns(CLOCK_MONOTONIC), ticks;
	struct proc_ent *p;
	unsigned int i = 0;
	int64_t d;
	int r;

	g->interval_s = (now - m->last_sample_ns) / 1e9;
	m->last_sample_ns = now;
	g->sys_prev = g->sys;
	g->have_prev = g->sys.n > 0;
	r = ksm_sysfs_read(NULL, &g->sys);
	if (r)
		return r;

	g->ksmd_cpu_percent = -1;
	if (m->ksmd_pid && !read_ticks(m->ksmd_pid, &ticks)) {
		g->ksmd_ticks = ticks;
		g->ksmd_cpu_percent =
			100.0 * per_s((double)(ticks - m->prev_ticks) / m->hz, g->interval_s);
		m->prev_ticks = ticks;
	}

	/* rates of the kernel's counters */
#define RATE(name) \
	(g->have_prev ? per_s(sysv(&g->sys, name) - sysv(&g->sys_prev, name), g->interval_s) : 0)
	g->scan_pages_per_s = RATE("pages_scanned");
	g->full_scans_per_s = RATE("full_scans");
	g->shared_per_s = RATE("pages_shared");
	g->sharing_per_s = RATE("pages_sharing");
	g->unshared_per_s = RATE("pages_unshared");
	g->volatile_per_s = RATE("pages_volatile");
	g->profit_per_s = RATE("general_profit");
#undef RATE
	g->sharing_ratio = sysv(&g->sys, "pages_shared") ? (double)sysv(&g->sys, "pages_sharing") /
								   sysv(&g->sys, "pages_shared")
							 : 0;

	/* scan timing: the last complete scan, and the mean of those in this interval */
	g->full_scan_seconds = m->last_scan_s;
	g->full_scan_seconds_avg = m->scan_n ? m->scan_sum_s / m->scan_n : 0;
	m->scan_sum_s = 0;
	m->scan_n = 0;

	g->merges = m->merges_total - m->merges_prev;
	g->rmap_removals = m->rmap_removals_total - m->rmap_removals_prev;
	m->merges_prev = m->merges_total;
	m->rmap_removals_prev = m->rmap_removals_total;
	g->unmerges = 0;
	if (g->have_prev) {
		d = sysv(&g->sys, "pages_shared") + sysv(&g->sys, "pages_sharing") -
		    sysv(&g->sys_prev, "pages_shared") - sysv(&g->sys_prev, "pages_sharing");
		if ((int64_t)g->merges > d)
			g->unmerges = (uint64_t)((int64_t)g->merges - d);
	}
	g->merges_per_s = per_s(g->merges, g->interval_s);
	g->unmerges_per_s = per_s(g->unmerges, g->interval_s);
	g->rmap_removals_per_s = per_s(g->rmap_removals, g->interval_s);

	for (int k = 0; k < KSM_EV_MAX; k++) {
		m->ev_rate[k] = per_s(m->ev_count[k] - m->ev_prev[k], g->interval_s);
		m->ev_prev[k] = m->ev_count[k];
	}

	for (int k = 0; k < m->nr_nodes; k++) {
		struct top_node *n = &m->node[k];

		n->merges_per_s = per_s(n->merges - n->merges_prev, g->interval_s);
		n->unmerges_per_s = per_s(n->rmap_removals - n->rmap_removals_prev, g->interval_s);
		n->merges_prev = n->merges;
		n->rmap_removals_prev = n->rmap_removals;
		/* one node holds every KSM page; else count what events showed */
		if (m->nr_nodes == 1)
			n->ksm_pages = sysv(&g->sys, "pages_shared");
		else
			n->ksm_pages = n->created > n->removed ? n->created - n->removed : 0;
	}

	r = proc_table_scan(&m->procs, now);
	if (r)
		return r;
	/* the policy may come and go between samples: look again each time */
	if (m->policy_fd >= 0)
		close(m->policy_fd);
	m->policy_fd = policy_rules_open();
	top_model_rebuild(m);
	/* the next interval's deltas start here */
	while ((p = proc_table_next(&m->procs, &i)))
		p->ev_prev = p->ev;
	return 0;
}

static enum top_sort sort_key;
static bool sort_asc;

static int cmp_num(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct top_row *a = pa, *b = pb;
	int c = 0;

	switch (sort_key) {
	case TOP_SORT_PID:
		c = a->pid || b->pid ? cmp_num(a->pid, b->pid) : cmp_num(a->nprocs, b->nprocs);
		break;
	case TOP_SORT_COMM:
		c = a->pid || b->pid ? strcmp(a->comm, b->comm) : strcmp(a->cgroup, b->cgroup);
		break;
	case TOP_SORT_CGROUP:
		c = strcmp(a->cgroup, b->cgroup);
		break;
	case TOP_SORT_MERGING:
		c = cmp_num(a->merging_pages, b->merging_pages);
		break;
	case TOP_SORT_RMAP:
		c = cmp_num(a->rmap_items, b->rmap_items);
		break;
	case TOP_SORT_ZERO:
		c = cmp_num(a->zero_pages, b->zero_pages);
		break;
	case TOP_SORT_PROFIT:
		c = cmp_num(a->profit, b->profit);
		break;
	case TOP_SORT_MERGES:
		c = cmp_num(a->merges_per_s, b->merges_per_s);
		break;
	case TOP_SORT_UNMERGES:
		c = cmp_num(a->unmerges_per_s, b->unmerges_per_s);
		break;
	case TOP_SORT_MODE:
		c = strcmp(top_row_mode(a), top_row_mode(b));
		break;
	default:
		break;
	}
	if (!c) /* stable, readable ties */
		c = a->pid || b->pid ? cmp_num(b->pid, a->pid) : strcmp(b->cgroup, a->cgroup);
	return sort_asc ? c : -c;
}

void top_model_sort(struct top_model *m, enum top_sort key, bool ascending)
{
	sort_key = key;
	/* names read best A to Z; numbers biggest first */
	sort_asc = ascending;
	qsort(m->rows, m->nrows, sizeof(*m->rows), cmp_row);
	qsort(m->cgrows, m->ncgrows, sizeof(*m->cgrows), cmp_row);
}

static json_t *row_json(const struct top_row *r, bool proc)
{
	json_t *o = json_object();

	if (proc) {
		json_object_set_new(o, "pid", json_integer(r->pid));
		json_object_set_new(o, "comm", json_string(r->comm));
	} else {
		json_object_set_new(o, "processes", json_integer(r->nprocs));
	}
	json_object_set_new(o, "cgroup", json_string(r->cgroup));
	json_object_set_new(o, "merging_pages", json_integer(r->merging_pages));
	json_object_set_new(o, "rmap_items", json_integer(r->rmap_items));
	json_object_set_new(o, "zero_pages", json_integer(r->zero_pages));
	json_object_set_new(o, "profit_bytes", json_integer(r->profit));
	json_object_set_new(o, "merges", json_integer(r->merges));
	json_object_set_new(o, "unmerges", json_integer(r->unmerges));
	json_object_set_new(o, "rmap_removals", json_integer(r->rmap_removals));
	json_object_set_new(o, "zero_merges", json_integer(r->zero_merges));
	json_object_set_new(o, "merges_per_s", json_real(r->merges_per_s));
	json_object_set_new(o, "unmerges_per_s", json_real(r->unmerges_per_s));
	json_object_set_new(o, "rmap_removals_per_s", json_real(r->rmap_removals_per_s));
	json_object_set_new(o, "mergeable", json_boolean(r->mergeable));
	json_object_set_new(o, "merge_any", json_boolean(r->merge_any));
	if (!proc)
		json_object_set_new(o, "policy",
				    r->policy[0] ? json_string(r->policy) : json_null());
	return o;
}

json_t *top_model_json(const struct top_model *m, int rows)
{
	const struct top_global *g = &m->g;
	json_t *doc = json_object(), *glob = json_object(), *arr, *ev, *inactive;
	bool patched = false;

	json_object_set_new(doc, "time_ms", json_integer(now_ns(CLOCK_REALTIME) / 1000000));
	json_object_set_new(doc, "interval_s", json_real(g->interval_s));
	/* every file of /sys/kernel/mm/ksm, as read in this sample */
	for (int i = 0; i < g->sys.n; i++)
		json_object_set_new(glob, g->sys.ent[i].name,
				    g->sys.ent[i].numeric ? json_integer(g->sys.ent[i].value)
							  : json_string(g->sys.ent[i].text));
	json_object_set_new(glob, "ksmd_pid", json_integer(m->ksmd_pid));
	json_object_set_new(glob, "ksmd_cpu_percent",
			    g->ksmd_cpu_percent < 0 ? json_null() : json_real(g->ksmd_cpu_percent));
	json_object_set_new(glob, "scan_pages_per_s", json_real(g->scan_pages_per_s));
	json_object_set_new(glob, "full_scans_per_s", json_real(g->full_scans_per_s));
	json_object_set_new(glob, "full_scan_seconds",
			    g->full_scan_seconds > 0 ? json_real(g->full_scan_seconds)
						     : json_null());
	json_object_set_new(glob, "sharing_ratio", json_real(g->sharing_ratio));
	json_object_set_new(glob, "merges", json_integer(g->merges));
	json_object_set_new(glob, "unmerges", json_integer(g->unmerges));
	json_object_set_new(glob, "rmap_removals", json_integer(g->rmap_removals));
	json_object_set_new(glob, "merges_per_s", json_real(g->merges_per_s));
	json_object_set_new(glob, "unmerges_per_s", json_real(g->unmerges_per_s));
	json_object_set_new(glob, "rmap_removals_per_s", json_real(g->rmap_removals_per_s));
	json_object_set_new(glob, "pages_shared_per_s", json_real(g->shared_per_s));
	json_object_set_new(glob, "pages_sharing_per_s", json_real(g->sharing_per_s));
	json_object_set_new(glob, "pages_unshared_per_s", json_real(g->unshared_per_s));
	json_object_set_new(glob, "pages_volatile_per_s", json_real(g->volatile_per_s));
	json_object_set_new(glob, "general_profit_per_s", json_real(g->profit_per_s));
	json_object_set_new(glob, "events_lost", json_integer(m->lost));
	json_object_set_new(doc, "global", glob);

	arr = json_array();
	for (int k = 0; k < m->nr_nodes; k++) {
		const struct top_node *n = &m->node[k];
		json_t *o = json_object();
		bool mig = top_kind_active(m, KSM_EV_MIGRATE_FOLIO);

		json_object_set_new(o, "node", json_integer(n->nid));
		json_object_set_new(o, "ksm_pages", json_integer(n->ksm_pages));
		json_object_set_new(o, "ksm_pages_exact", json_boolean(m->nr_nodes == 1));
		json_object_set_new(o, "merges_per_s", json_real(n->merges_per_s));
		json_object_set_new(o, "unmerges_per_s", json_real(n->unmerges_per_s));
		/* the stock merge event names only the KSM page, not the merged page */
		json_object_set_new(o, "cross_node_merges", json_null());
		json_object_set_new(o, "migrations_in",
				    mig ? json_integer(n->migrations_in) : json_null());
		json_object_set_new(o, "migrations_out",
				    mig ? json_integer(n->migrations_out) : json_null());
		json_object_set_new(o, "cross_node_migrations",
				    mig ? json_integer(n->cross_node_migrations) : json_null());
		json_array_append_new(arr, o);
	}
	json_object_set_new(doc, "nodes", arr);

	arr = json_array();
	for (int k = 0; k < m->ncgrows && (!rows || k < rows); k++)
		json_array_append_new(arr, row_json(&m->cgrows[k], false));
	json_object_set_new(doc, "cgroups", arr);
	arr = json_array();
	for (int k = 0; k < m->nrows && (!rows || k < rows); k++)
		json_array_append_new(arr, row_json(&m->rows[k], true));
	json_object_set_new(doc, "processes", arr);

	/* events: totals since start and rates; null when no probe delivers them */
	ev = json_object();
	inactive = json_array();
	for (unsigned int k = 1; k < KSM_EV_MAX; k++) {
		const char *name = ksm_event_name(k);

		if (!top_kind_active(m, k)) {
			json_array_append_new(inactive, json_string(name));
			json_object_set_new(ev, name, json_null());
			continue;
		}
		if (k >= KSM_EV_STABLE_NODE_INSERT)
			patched = true;
		json_object_set_new(ev, name,
				    json_pack("{s:I, s:f}", "total", (json_int_t)m->ev_count[k],
					      "per_s", m->ev_rate[k]));
	}
	json_object_set_new(doc, "events", ev);
	json_object_set_new(doc, "inactive_events", inactive);
	json_object_set_new(doc, "patched_kernel", json_boolean(patched));
	return doc;
}

static const char *human(double v, char *buf, size_t len)
{
	static const char unit[] = " KMGTP";
	int u = 0;

	while ((v >= 10000 || v <= -10000) && u < 5) {
		v /= 1024;
		u++;
	}
	if (u)
		snprintf(buf, len, "%.0f%c", v, unit[u]);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

int top_model_header(const struct top_model *m, char (*line)[TOP_LINE_LEN], int max)
{
	const struct top_global *g = &m->g;
	const struct ksm_sysfs *s = &g->sys;
	char b1[16], ts[16];
	time_t t = time(NULL);
	int n = 0;

	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
#define LINE(...)                                                       \
	do {                                                            \
		if (n < max)                                            \
			snprintf(line[n++], TOP_LINE_LEN, __VA_ARGS__); \
	} while (0)
	LINE("ksmtop %s  run %s  pages_to_scan %s  sleep_ms %s  advisor %s  smart_scan %s  "
	     "merge_across_nodes %s",
	     ts, ksm_sysfs_text(s, "run") ?: "?", ksm_sysfs_text(s, "pages_to_scan") ?: "?",
	     ksm_sysfs_text(s, "sleep_millisecs") ?: "?", ksm_sysfs_text(s, "advisor_mode") ?: "-",
	     ksm_sysfs_text(s, "smart_scan") ?: "-",
	     ksm_sysfs_text(s, "merge_across_nodes") ?: "-");
	LINE("ksmd %5.1f%% cpu  scan %.0f pages/s  full scan %.2f s  full_scans %lld (%+.2f/s)",
	     g->ksmd_cpu_percent < 0 ? 0 : g->ksmd_cpu_percent, g->scan_pages_per_s,
	     g->full_scan_seconds, (long long)sysv(s, "full_scans"), g->full_scans_per_s);
	LINE("pages shared %lld (%+.0f/s)  sharing %lld (%+.0f/s)  unshared %lld  volatile %lld  "
	     "skipped %lld",
	     (long long)sysv(s, "pages_shared"), g->shared_per_s,
	     (long long)sysv(s, "pages_sharing"), g->sharing_per_s,
	     (long long)sysv(s, "pages_unshared"), (long long)sysv(s, "pages_volatile"),
	     (long long)sysv(s, "pages_skipped"));
	LINE("zero %lld  chains %lld  dups %lld  profit %sB (%+.0f/s)  ratio %.2f  merges %.0f/s  "
	     "unmerges %.0f/s  rmap rm %.0f/s",
	     (long long)sysv(s, "ksm_zero_pages"), (long long)sysv(s, "stable_node_chains"),
	     (long long)sysv(s, "stable_node_dups"),
	     human(sysv(s, "general_profit"), b1, sizeof(b1)), g->profit_per_s, g->sharing_ratio,
	     g->merges_per_s, g->unmerges_per_s, g->rmap_removals_per_s);
	if (top_kind_active(m, KSM_EV_STABLE_NODE_INSERT) ||
	    top_kind_active(m, KSM_EV_MIGRATE_FOLIO) || top_kind_active(m, KSM_EV_SWAPIN_COPY) ||
	    top_kind_active(m, KSM_EV_GET_FOLIO_STALE))
		LINE("patched: node ins %.0f/s rm %.0f/s  migrations %.0f/s  swap-in copies %.0f/s "
		     " "
		     "stale %.0f/s",
		     m->ev_rate[KSM_EV_STABLE_NODE_INSERT], m->ev_rate[KSM_EV_STABLE_NODE_REMOVE],
		     m->ev_rate[KSM_EV_MIGRATE_FOLIO], m->ev_rate[KSM_EV_SWAPIN_COPY],
		     m->ev_rate[KSM_EV_GET_FOLIO_STALE]);
	if (m->lost)
		LINE("WARNING: %llu events lost (ring buffer full): event rates are low",
		     (unsigned long long)m->lost);
#undef LINE
	return n;
}

const char *top_row_header(bool proc)
{
	return proc ? "    PID COMM             MERGING     RMAP   ZERO  PROFIT   MRG/s   UNM/s "
		      "MODE      CGROUP"
		    : "  PROCS  MERGING     RMAP   ZERO  PROFIT   MRG/s   UNM/s MODE      CGROUP";
}

void top_row_format(const struct top_row *r, bool proc, char *buf, size_t len)
{
	char b1[16];

	if (proc)
		snprintf(buf, len, "%7d %-15s %8lld %8lld %6lld %7s %7.0f %7.0f %-9s %s", r->pid,
			 r->comm, (long long)r->merging_pages, (long long)r->rmap_items,
			 (long long)r->zero_pages, human(r->profit, b1, sizeof(b1)),
			 r->merges_per_s, r->unmerges_per_s, top_row_mode(r), r->cgroup);
	else
		snprintf(buf, len, "%7d %8lld %8lld %6lld %7s %7.0f %7.0f %-9s %s%s%s%s", r->nprocs,
			 (long long)r->merging_pages, (long long)r->rmap_items,
			 (long long)r->zero_pages, human(r->profit, b1, sizeof(b1)),
			 r->merges_per_s, r->unmerges_per_s, top_row_mode(r), r->cgroup,
			 r->policy[0] ? " [" : "", r->policy, r->policy[0] ? "]" : "");
}

const char *top_node_header(void)
{
	return "NODE  KSM_PAGES    MRG/s    UNM/s  MIG_IN MIG_OUT";
}

void top_node_format(const struct top_model *m, int k, char *buf, size_t len)
{
	const struct top_node *n = &m->node[k];
	bool mig = top_kind_active(m, KSM_EV_MIGRATE_FOLIO);
	char in[24] = "-", out[24] = "-";

	if (mig) {
		snprintf(in, sizeof(in), "%llu", (unsigned long long)n->migrations_in);
		snprintf(out, sizeof(out), "%llu", (unsigned long long)n->migrations_out);
	}
	snprintf(buf, len, "%4d %10lld%s %8.0f %8.0f %7s %7s", n->nid, (long long)n->ksm_pages,
		 m->nr_nodes == 1 ? " " : "~", n->merges_per_s, n->unmerges_per_s, in, out);
}

void top_model_print(const struct top_model *m, FILE *out, int rows)
{
	char line[8][TOP_LINE_LEN];
	int n = top_model_header(m, line, 8);

	for (int i = 0; i < n; i++)
		fprintf(out, "%s\n", line[i]);
	fprintf(out, "\n%s\n", top_node_header());
	for (int k = 0; k < m->nr_nodes; k++) {
		top_node_format(m, k, line[0], TOP_LINE_LEN);
		fprintf(out, "%s\n", line[0]);
	}
	if (m->nr_nodes > 1)
		fprintf(out, "(~ KSM pages per node counted from events since start; "
			     "cross-node merges are not visible to stock tracepoints)\n");
	fprintf(out, "\n%s\n", top_row_header(false));
	for (int k = 0; k < m->ncgrows && (!rows || k < rows); k++) {
		top_row_format(&m->cgrows[k], false, line[0], TOP_LINE_LEN);
		fprintf(out, "%s\n", line[0]);
	}
	fprintf(out, "\n%s\n", top_row_header(true));
	for (int k = 0; k < m->nrows && (!rows || k < rows); k++) {
		top_row_format(&m->rows[k], true, line[0], TOP_LINE_LEN);
		fprintf(out, "%s\n", line[0]);
	}
	fprintf(out, "\n");
}
