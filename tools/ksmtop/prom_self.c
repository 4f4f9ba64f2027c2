// SPDX-License-Identifier: GPL-2.0
/*
 * What the exporter keeps from sample to sample (its counters), and what it
 * says about itself: the run time of the BPF programs ksmtop runs. The
 * kernel counts run_time_ns and run_cnt per program only while someone
 * holds a BPF_ENABLE_STATS descriptor (as bpftop does): it costs every BPF
 * program on the host two clock reads per run, so ksmtop holds it only
 * while it exports, and --no-bpf-stats leaves it off.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "prom.h"

void prom_state_init(struct prom_state *st)
{
	memset(st, 0, sizeof(*st));
	st->stats_fd = -1;
}

void prom_state_free(struct prom_state *st)
{
	prom_acc_free(&st->procs);
	free(st->proc_total);
	if (st->stats_fd >= 0)
		close(st->stats_fd);
	prom_state_init(st);
}

static int grow(struct prom_count **a, int *cap, int n)
{
	struct prom_count *na;

	if (n <= *cap)
		return 0;
	na = realloc(*a, n * sizeof(*na));
	if (!na)
		return -ENOMEM;
	*a = na;
	*cap = n;
	return 0;
}

static void account(struct prom_acc *acc, struct prom_count *total, const struct top_row *rows,
		    int n)
{
	prom_acc_begin(acc);
	for (int i = 0; i < n; i++) {
		struct prom_count d = { rows[i].s.merges, rows[i].s.unmerges };

		total[i] = prom_acc_add(acc, rows[i].pid, &d);
	}
	prom_acc_prune(acc);
}

int prom_state_update(struct prom_state *st, const struct top_model *m, int max_procs)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	st->sample_time = now.tv_sec + now.tv_nsec / 1e9;
	st->merges_total += m->g.merges;
	st->unmerges_total += m->g.unmerges;
	/* per-process series are opt-in: no bookkeeping without them */
	if (max_procs <= 0)
		return 0;
	if (grow(&st->proc_total, &st->proc_cap, m->nrows)) {
		free(st->proc_total); /* no counters rather than wrong ones */
		st->proc_total = NULL;
		st->proc_cap = 0;
		return -ENOMEM;
	}
	account(&st->procs, st->proc_total, m->rows, m->nrows);
	return 0;
}

int prom_bpf_stats_enable(struct prom_state *st)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0)
		return -errno;
	st->stats_fd = fd;
	return 0;
}

/* The program behind one of our descriptors, once per program id. */
static void read_prog(struct prom_state *st, int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct prom_bpf_prog *p;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	for (int i = 0; i < st->nr_progs; i++)
		if (st->prog[i].id == info.id)
			return;
	if (st->nr_progs == PROM_MAX_PROGS)
		return;
	p = &st->prog[st->nr_progs++];
	p->id = info.id;
	memcpy(p->name, info.name, sizeof(p->name));
	p->name[sizeof(p->name) - 1] = '\0';
	p->run_time_ns = info.run_time_ns;
	p->run_cnt = info.run_cnt;
}

/* Every BPF program this process holds a descriptor of: ours, whoever loaded it. */
void prom_bpf_stats_read(struct prom_state *st)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char path[300], link[64];

	st->nr_progs = 0;
	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		ssize_t n;

		if (de->d_name[0] == '.' || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strcmp(link, "anon_inode:bpf-prog"))
			read_prog(st, fd);
	}
	closedir(d);
}

void prom_write_bpf(const struct prom_out *o, const struct prom_state *st)
{
	char *lab[PROM_MAX_PROGS] = {}, id[16];

	prom_head(o, "ksm_exporter_bpf_stats_enabled", PROM_GAUGE,
		  "1 while ksmtop holds the kernel's BPF run-time statistics on (BPF_ENABLE_STATS)");
	prom_sample_u64(o, "ksm_exporter_bpf_stats_enabled", NULL, st->stats_fd >= 0);
	for (int i = 0; i < st->nr_progs; i++) {
		struct prom_label l[] = { { "prog", st->prog[i].name }, { "id", id } };

		snprintf(id, sizeof(id), "%u", st->prog[i].id);
		lab[i] = prom_label_str(l, 2);
	}
	prom_head(o, "ksm_bpf_prog_run_seconds_total", PROM_COUNTER,
		  "Time ksmtop's BPF programs ran, while statistics were on (run_time_ns)");
	for (int i = 0; i < st->nr_progs; i++)
		if (lab[i])
			prom_sample_f(o, "ksm_bpf_prog_run_seconds_total", lab[i],
				      st->prog[i].run_time_ns / 1e9);
	prom_head(o, "ksm_bpf_prog_runs_total", PROM_COUNTER,
		  "Runs of ksmtop's BPF programs, while statistics were on (run_cnt)");
	for (int i = 0; i < st->nr_progs; i++)
		if (lab[i])
			prom_sample_u64(o, "ksm_bpf_prog_runs_total", lab[i], st->prog[i].run_cnt);
	for (int i = 0; i < st->nr_progs; i++)
		free(lab[i]);
}
