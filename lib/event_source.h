/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user-space half of bpf/ksm_events.bpf.c, shared by every observer:
 * probes the kernel, picks which programs load (stock tracepoints, patched
 * tracepoints, fentry fallbacks), attaches what it can, and hands each
 * struct ksm_event to a callback.
 */
#ifndef KSM_EVENT_SOURCE_H
#define KSM_EVENT_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

#include "ksm_event.h"

typedef int (*ksm_event_cb)(void *ctx, const struct ksm_event *e);

struct ksm_source_opts {
	pid_t pid;		/* only events of this tgid; 0 = all */
	uint64_t cgroup_id;	/* only this cgroup's subtree; 0 = all */
	int cgroup_level;	/* depth of that cgroup below the root */
	uint32_t event_mask;	/* bit per kind; 0 = all */
	bool fallback;		/* use fentry fallbacks even where patched tps exist */
	bool standins;		/* stand-ins even where the stock tracepoints exist */
	bool kprobes;		/* kprobes rather than fentry for those stand-ins */
	bool verbose;		/* loader and libbpf messages on stderr */
	ksm_event_cb cb;
	void *ctx;
};

enum probe_state {
	PROBE_ACTIVE,
	PROBE_INACTIVE,		/* not wanted or not available: see why */
	PROBE_FAILED,		/* wanted and available, but attach failed */
};

struct ksm_probe {
	const char *prog;	/* BPF program name */
	const char *target;	/* tracepoint or kernel function */
	unsigned int source;	/* enum ksm_event_source */
	unsigned int group;	/* KSM_GRP_* (ksm_event_kinds.h) */
	uint32_t kinds;		/* event kinds it produces */
	bool present;		/* the kernel has its target (BTF, or kallsyms for kprobes) */
	enum probe_state state;
	char why[160];
};

#define KSM_MAX_PROBES 64
#define KSM_MAX_KPROBES 16

struct ring_buffer;
struct ksm_variant;

struct ksm_source {
	const struct ksm_variant *variant;
	void *skel;		/* the variant's light skeleton */
	unsigned int groups;	/* groups chosen by ksm_source_probe */
	unsigned int standby;	/* groups that replace refused ones (kprobes for fentry) */
	int kprobe_fd[KSM_MAX_KPROBES];	/* perf events holding the attached kprobes (-1: detached) */
	int kprobe_idx[KSM_MAX_KPROBES]; /* their probes, indexes in probe[] */
	int nr_kprobe_fds;
	struct ring_buffer *rb;
	struct ksm_probe probe[KSM_MAX_PROBES];
	int nr_probes;
	struct ksm_source_opts opts;
	uint32_t active_kinds;	/* kinds some active probe can produce */
};

/*
 * Probe the kernel and decide, without loading anything: fills s->probe.
 * Returns 0, or -errno with a message in err (not root, no BTF, no KSM).
 */
int ksm_source_probe(struct ksm_source *s, const struct ksm_source_opts *o, char *err,
		     size_t len);
/*
 * Load and attach the best variant for the groups ksm_source_probe chose.
 * If the kernel refuses fentry, it says why in the probe table and goes on
 * without those groups (with the kprobe stand-ins where they can serve).
 * Returns 0 or -errno with a message in err.
 */
int ksm_source_start(struct ksm_source *s, char *err, size_t len);
/* Wait up to timeout_ms for events and deliver them; >= 0 count or -errno. */
int ksm_source_poll(struct ksm_source *s, int timeout_ms);
/* Deliver whatever is buffered, without waiting. */
int ksm_source_drain(struct ksm_source *s);
/* Sum of the per-CPU counters (enum ksm_stat_idx). */
void ksm_source_stats(const struct ksm_source *s, uint64_t out[KSM_STAT_MAX]);
/* Detach everything and free; safe on a partly set up source. */
void ksm_source_close(struct ksm_source *s);

/* "active: a, b; inactive: c (why)" on one line, for start-up messages. */
void ksm_source_print_summary(const struct ksm_source *s, FILE *out);
/*
 * --list-probes for every command: load the chosen variant (loading is the
 * only true test of what the kernel accepts: fentry may be refused), print
 * the table (JSON under -j), close.  Returns a CLI exit status.
 */
int ksm_source_list_probes(struct ksm_source *s);
/* One line per probe (the --list-probes table). */
void ksm_source_print_probes(const struct ksm_source *s, FILE *out);
json_t *ksm_source_probes_json(const struct ksm_source *s);

#endif
