/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmtop's exporter. It only reads the model, once per sample:
 *   prom.c        the metrics of a sample (names: docs/METRICS.md)
 *   prom_cgroup.c the per-cgroup series: own processes and subtree
 *   prom_sharing.c who shares KSM frames with whom (the sharing walker)
 *   prom_fmt.c    text format and OpenMetrics, label escaping
 *   prom_acc.c    per-process counters kept across samples
 *   prom_self.c   the exporter's own metrics (BPF program run time, ...)
 *   prom_serve.c  one HTTP request in, one response out: routing, content
 *                 negotiation, authentication (no sockets: fuzzable)
 *   prom_http.c   the sockets: libmicrohttpd, TLS
 *   web_config.c  --web.config.file (exporter-toolkit's YAML format)
 */
#ifndef KSM_PROM_H
#define KSM_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"
#include "prom_acc.h"
#include "prom_fmt.h"
#include "prom_serve.h"

struct prom_opts {
	int max_procs;		    /* per-process series for the top N by merging pages; 0 = none */
	double interval_s;	    /* sampling interval: /healthz fails after 3 missed samples */
	const char *telemetry_path; /* "/metrics" */
	const char *web_config;	    /* --web.config.file, NULL for none */
	bool bpf_stats;		    /* turn on the kernel's BPF run-time statistics */
	int sharing_pairs;	    /* ksm_cgroup_shared_frames for the top N pairs; 0 = none */
};

/* BPF programs this process runs, from the kernel's statistics. */
#define PROM_MAX_PROGS 48
struct prom_bpf_prog {
	uint32_t id;
	char name[16];
	uint64_t run_time_ns, run_cnt;
};

/*
 * What the exporter keeps from sample to sample (the per-cgroup counters
 * are the model's own: struct top_cgroup's self_total and subtree_total).
 */
struct prom_state {
	struct prom_acc procs;
	/* this sample's totals, index for index with the model's rows */
	struct prom_count *proc_total;
	int proc_cap;
	/* all processes: from events or vmstat where exact, else derived (see docs) */
	uint64_t merges_total, unmerges_total;
	int stats_fd;		 /* BPF_ENABLE_STATS held while running; -1 if off */
	struct prom_bpf_prog prog[PROM_MAX_PROGS];
	int nr_progs;
	double sample_time; /* CLOCK_REALTIME seconds of the last sample */
};

void prom_state_init(struct prom_state *st);
/* Add the sample's interval counts to the counters. */
int prom_state_update(struct prom_state *st, const struct top_model *m, int max_procs);
void prom_state_free(struct prom_state *st);

/* Write the exposition of m's current sample (no end marker: see prom_end). */
void prom_write(const struct prom_out *o, const struct top_model *m, const struct prom_opts *opts,
		const struct prom_state *st);

/* prom_sharing.c: the sharing walker's series (when ksmtop runs it). */
void prom_write_sharing(const struct prom_out *o, const struct top_model *m, int max_pairs);

/* prom_cgroup.c: the per-cgroup series (own processes and subtree), from the model's accessor. */
void prom_write_cgroups(const struct prom_out *o, const struct top_model *m);

/* prom_self.c: BPF statistics on, and the run time of this process's programs. */
int prom_bpf_stats_enable(struct prom_state *st);
void prom_bpf_stats_read(struct prom_state *st);
void prom_write_bpf(const struct prom_out *o, const struct prom_state *st);

struct prom_server;

/*
 * Listen on ADDR:PORT ("127.0.0.1:10411", ":10411", "[::1]:10411"; a
 * missing port is the default) and serve the telemetry path, /healthz and
 * a landing page, with the TLS and users of opts->web_config. Returns NULL
 * with a message in err (bad address or config file, port in use).
 */
struct prom_server *prom_server_start(const char *addr, const struct prom_opts *o, char *err,
				      size_t len);
/* Render m's sample: what a scrape returns from now on (a scrape reads nothing). */
void prom_server_update(struct prom_server *s, const struct top_model *m);
void prom_server_stop(struct prom_server *s);

#endif
