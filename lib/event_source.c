// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "event_choice.h"
#include "event_fmt.h"
#include "event_source.h"
#include "kprobes.h"
#include "ksm_sysfs.h"

/*
 * One light skeleton per set of probe groups; their types differ, so each
 * gets a small table of functions made by KSM_VARIANT.  The set of variants
 * is the Makefile's EV_VARIANTS, which generates ksm_events_variants.h: the
 * skeleton includes and a KSM_VARIANT(letters, groups) line for each.
 */
struct ksm_variant {
	unsigned int groups;
	void *(*open)(void);
	int (*load)(void *skel);
	int (*attach)(void *skel);
	void (*destroy)(void *skel);
	void (*configure)(void *skel, const struct ksm_source_opts *o);
	int (*events_fd)(void *skel);
	int (*stats_fd)(void *skel);
	/* fds of the kprobe programs, in KSM_STOCK_KPROBE_PROBES order; NULL if none */
	int (*kprobe_fds)(void *skel, int *fds);
};

#define KSM_VARIANT_DEF(v, g, kpfds)                                                          \
	static void *v##_open(void)                                                           \
	{                                                                                     \
		return ksm_events_##v##__open();                                              \
	}                                                                                     \
	static int v##_load(void *s)                                                          \
	{                                                                                     \
		return ksm_events_##v##__load(s);                                             \
	}                                                                                     \
	static int v##_attach(void *s)                                                        \
	{                                                                                     \
		return ksm_events_##v##__attach(s);                                           \
	}                                                                                     \
	static void v##_destroy(void *s)                                                      \
	{                                                                                     \
		ksm_events_##v##__destroy(s);                                                 \
	}                                                                                     \
	static void v##_configure(void *p, const struct ksm_source_opts *o)                   \
	{                                                                                     \
		struct ksm_events_##v *s = p;                                                 \
		s->rodata->targ_tgid = o->pid;                                                \
		s->rodata->targ_cgid = o->cgroup_id;                                          \
		s->rodata->targ_cglevel = o->cgroup_id ? o->cgroup_level : -1;                \
		s->rodata->event_mask = o->event_mask;                                        \
	}                                                                                     \
	static int v##_events_fd(void *p)                                                     \
	{                                                                                     \
		return ((struct ksm_events_##v *)p)->maps.events.map_fd;                      \
	}                                                                                     \
	static int v##_stats_fd(void *p)                                                      \
	{                                                                                     \
		return ((struct ksm_events_##v *)p)->maps.stats.map_fd;                       \
	}                                                                                     \
	static const struct ksm_variant variant_##v = {                                       \
		g,	       v##_open,      v##_load,	    v##_attach, v##_destroy,           \
		v##_configure, v##_events_fd, v##_stats_fd, kpfds                              \
	};

/*
 * A light skeleton does not attach kprobes: the variants with the kprobe
 * group (KSM_VARIANT_KPROBES in the generated header) give their programs'
 * fds to ksm_source_start, which attaches them.
 */
#define KPROBE_FD(prog, target, kinds) fds[n++] = s->progs.prog.prog_fd;
#define KSM_VARIANT_KPROBES(v, g)                                                             \
	static int v##_kprobe_fds(void *p, int *fds)                                          \
	{                                                                                     \
		struct ksm_events_##v *s = p;                                                 \
		int n = 0;                                                                    \
		KSM_STOCK_KPROBE_PROBES(KPROBE_FD)                                            \
		return n;                                                                     \
	}                                                                                     \
	KSM_VARIANT_DEF(v, g, v##_kprobe_fds)
#define KSM_VARIANT(v, g) KSM_VARIANT_DEF(v, g, NULL)
#include "ksm_events_variants.h"
#undef KSM_VARIANT
#undef KSM_VARIANT_KPROBES
#undef KPROBE_FD

#define KSM_VARIANT(v, g) &variant_##v,
#define KSM_VARIANT_KPROBES(v, g) &variant_##v,
static const struct ksm_variant *const variants[] = {
#include "ksm_events_variants.h"
};
#undef KSM_VARIANT
#undef KSM_VARIANT_KPROBES

/*
 * The best variant for a set of groups: the one with the most of them and
 * none outside the set (EV_VARIANTS need not list every combination).
 */
static const struct ksm_variant *variant_for(unsigned int groups)
{
	const struct ksm_variant *best = NULL;

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		const struct ksm_variant *v = variants[i];

		if ((v->groups & ~groups) ||
		    (best && __builtin_popcount(v->groups) <= __builtin_popcount(best->groups)))
			continue;
		best = v;
	}
	return best;
}

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose_libbpf)
		return 0;
	/*
	 * libbpf blames RLIMIT_MEMLOCK for any EPERM; here BPF memory is
	 * charged to the memcg and EPERM has other causes (no trampolines).
	 */
	if (!verbose_libbpf && (strstr(fmt, "RLIMIT_MEMLOCK") || level == LIBBPF_WARN))
		return 0;
	return vfprintf(stderr, fmt, args);
}

int ksm_source_probe(struct ksm_source *s, const struct ksm_source_opts *o, char *err,
		     size_t len)
{
	memset(s, 0, sizeof(*s));
	s->opts = *o;
	verbose_libbpf = o->verbose;
	libbpf_set_print(libbpf_print);

	if (geteuid() != 0) {
		snprintf(err, len, "must be run as root (loading BPF needs CAP_BPF/CAP_PERFMON)");
		return -EPERM;
	}
	if (!ksm_sysfs_present()) {
		snprintf(err, len, "this kernel has no KSM (/sys/kernel/mm/ksm missing: "
			 "CONFIG_KSM is not set)");
		return -ENOENT;
	}
	return event_choice_make(s, err, len);
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct ksm_source *s = ctx;

	if (size < sizeof(struct ksm_event))
		return 0;
	return s->opts.cb ? s->opts.cb(s->opts.ctx, data) : 0;
}

/* Open, configure, load and attach one variant; 0 or -errno. */
static int try_variant(struct ksm_source *s, const struct ksm_variant *v)
{
	static char log[1 << 22];	/* touched only with -v */
	int r;

	s->skel = v->open();
	if (!s->skel)
		return errno ? -errno : -ENOMEM;
	v->configure(s->skel, &s->opts);
	if (s->opts.verbose) {
		/* Every light skeleton starts with its loader context. */
		struct bpf_loader_ctx *ctx = s->skel;

		log[0] = '\0';
		ctx->log_level = 1;
		ctx->log_size = sizeof(log);
		ctx->log_buf = (__u64)(unsigned long)log;
	}
	r = v->load(s->skel);
	if (r && s->opts.verbose)
		fprintf(stderr, "loader: variant %#x failed (%s); verifier log:\n%s\n", v->groups,
			strerror(r < 0 ? -r : EINVAL), log);
	if (!r)
		r = v->attach(s->skel);
	if (r) {
		v->destroy(s->skel);
		s->skel = NULL;
		return r < 0 ? r : -EINVAL;
	}
	s->variant = v;
	return 0;
}

/*
 * Which kprobe stand-in another needs to be right: a return probe the entry
 * that keeps its arguments (and the reverse), and the zero-page test of
 * try_to_merge_one_page both probes of try_to_merge_with_ksm_page (their
 * mark of a call in flight).  Without them events would be wrong, not
 * missing: such a probe is detached.
 */
static bool kprobe_needs(const struct ksm_probe *p, const struct ksm_probe *q)
{
	return p != q && q->group == KSM_GRP_STOCK_KPROBE &&
	       (!strcmp(p->target, q->target) || (!strcmp(p->target, "try_to_merge_one_page") &&
						  !strcmp(q->target, "try_to_merge_with_ksm_page")));
}

/* Detach p (the k-th attached kprobe) if a probe it needs is not active. */
static bool kprobe_unpaired(struct ksm_source *s, int k)
{
	struct ksm_probe *p = &s->probe[s->kprobe_idx[k]];

	for (int i = 0; i < s->nr_probes; i++) {
		if (!kprobe_needs(p, &s->probe[i]) || s->probe[i].state == PROBE_ACTIVE)
			continue;
		close(s->kprobe_fd[k]);
		s->kprobe_fd[k] = -1;
		event_choice_set(p, PROBE_FAILED, "detached: needs %s, which is %s",
				 s->probe[i].prog, s->probe[i].why);
		return true;
	}
	return false;
}

static void kprobe_drop_unpaired(struct ksm_source *s)
{
	bool changed;

	do {	/* a detached probe may leave one seen before unpaired */
		changed = false;
		for (int k = 0; k < s->nr_kprobe_fds; k++)
			if (s->kprobe_fd[k] >= 0 && kprobe_unpaired(s, k))
				changed = true;
	} while (changed);
}

/* The kprobe stand-ins: a light skeleton loads them but does not attach them. */
static void attach_kprobes(struct ksm_source *s)
{
	int fds[KSM_MAX_KPROBES], n, j = 0;

	if (!(s->groups & KSM_GRP_STOCK_KPROBE) || !s->variant->kprobe_fds)
		return;
	n = s->variant->kprobe_fds(s->skel, fds);
	for (int i = 0; i < s->nr_probes && j < n; i++) {
		struct ksm_probe *p = &s->probe[i];
		int fd;

		if (p->group != KSM_GRP_STOCK_KPROBE)
			continue;
		fd = fds[j++];
		if (p->state != PROBE_ACTIVE)
			continue;
		fd = kprobe_attach(fd, p->target, !strncmp(p->prog, "kretprobe_", 10));
		if (fd < 0) {
			event_choice_set(p, PROBE_FAILED, "attach failed: %s", strerror(-fd));
			continue;
		}
		s->kprobe_idx[s->nr_kprobe_fds] = i;
		s->kprobe_fd[s->nr_kprobe_fds++] = fd;
	}
	kprobe_drop_unpaired(s);
}

/*
 * Load the best variant for the chosen groups; when the kernel refuses
 * trampolines, drop the fentry groups (the kprobe stand-ins take over the
 * stock kinds) and try again.
 */
static int load_best(struct ksm_source *s)
{
	int r;

	for (;;) {
		const struct ksm_variant *v = variant_for(s->groups);

		if (!v)
			return -ENODEV;	/* every group dropped */
		if (s->groups & ~v->groups)
			event_choice_unbuilt(s, s->groups & ~v->groups);
		r = try_variant(s, v);
		if (!r || !(v->groups & KSM_TRAMPOLINE_GROUPS))
			return r;
		event_choice_refused(s, v->groups & KSM_TRAMPOLINE_GROUPS, r);
	}
}

int ksm_source_start(struct ksm_source *s, char *err, size_t len)
{
	int r = load_best(s);

	if (r == -ENODEV) {
		snprintf(err, len, "no KSM event source can run on this kernel (--list-probes "
			 "says why)");
		event_choice_settle(s);
		return r;
	}
	if (r) {
		snprintf(err, len, "cannot load the BPF programs: %s (-v shows the loader's log)",
			 strerror(-r));
		for (int i = 0; i < s->nr_probes; i++)
			if (s->probe[i].state == PROBE_ACTIVE)
				event_choice_set(&s->probe[i], PROBE_FAILED, "load failed: %s",
						 strerror(-r));
		event_choice_settle(s);
		return r;
	}
	attach_kprobes(s);
	event_choice_settle(s);
	s->rb = ring_buffer__new(s->variant->events_fd(s->skel), on_sample, s, NULL);
	if (!s->rb) {
		r = -errno;
		snprintf(err, len, "cannot set up the ring buffer: %s", strerror(errno));
		return r;
	}
	return 0;
}

int ksm_source_poll(struct ksm_source *s, int timeout_ms)
{
	int n = ring_buffer__poll(s->rb, timeout_ms);

	/*
	 * BPF wakes the reader only when the buffer is half full, so a
	 * timeout is the normal case: read what has come in meanwhile.
	 */
	if (n >= 0) {
		int m = ring_buffer__consume(s->rb);

		n = m < 0 ? m : n + m;
	}
	return n;
}

int ksm_source_drain(struct ksm_source *s)
{
	return s->rb ? ring_buffer__consume(s->rb) : 0;
}

void ksm_source_stats(const struct ksm_source *s, uint64_t out[KSM_STAT_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	memset(out, 0, sizeof(uint64_t) * KSM_STAT_MAX);
	if (!s->skel || ncpu <= 0)
		return;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return;
	for (uint32_t k = 0; k < KSM_STAT_MAX; k++) {
		if (bpf_map_lookup_elem(s->variant->stats_fd(s->skel), &k, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
}

void ksm_source_close(struct ksm_source *s)
{
	ring_buffer__free(s->rb);
	s->rb = NULL;
	while (s->nr_kprobe_fds > 0)
		if (s->kprobe_fd[--s->nr_kprobe_fds] >= 0)
			close(s->kprobe_fd[s->nr_kprobe_fds]);
	if (s->skel)
		s->variant->destroy(s->skel);
	s->skel = NULL;
}

static const char *state_name(enum probe_state st)
{
	return st == PROBE_ACTIVE ? "active" : st == PROBE_FAILED ? "failed" : "inactive";
}

void ksm_source_print_summary(const struct ksm_source *s, FILE *out)
{
	int na = 0, nf = 0;
	uint32_t missing = 0;

	for (int i = 0; i < s->nr_probes; i++) {
		const struct ksm_probe *p = &s->probe[i];

		if (p->state == PROBE_ACTIVE)
			na++;
		else if (p->state == PROBE_FAILED)
			nf++;
	}
	fprintf(out, "sources: %d active", na);
	if (nf)
		fprintf(out, ", %d failed", nf);
	/* Name the event kinds nothing can deliver, which is what users miss. */
	for (unsigned int k = 1; k < KSM_EV_MAX; k++)
		if (!(s->active_kinds & (1u << k)) &&
		    (!s->opts.event_mask || (s->opts.event_mask & (1u << k))))
			missing |= (1u << k);
	if (missing) {
		fprintf(out, "; unavailable:");
		for (unsigned int k = 1; k < KSM_EV_MAX; k++)
			if (missing & (1u << k))
				fprintf(out, " %s", ksm_event_name(k));
	}
	fprintf(out, " (--list-probes says why)\n");
}

void ksm_source_print_probes(const struct ksm_source *s, FILE *out)
{
	fprintf(out, "%-36s %-8s %-18s %s\n", "PROBE", "STATE", "SOURCE", "DETAIL");
	for (int i = 0; i < s->nr_probes; i++) {
		const struct ksm_probe *p = &s->probe[i];

		fprintf(out, "%-36s %-8s %-18s %s\n", p->prog, state_name(p->state),
			ksm_source_name(p->source), p->why);
	}
}

json_t *ksm_source_probes_json(const struct ksm_source *s)
{
	json_t *arr = json_array();

	for (int i = 0; i < s->nr_probes; i++) {
		const struct ksm_probe *p = &s->probe[i];
		json_t *kinds = json_array();

		for (unsigned int k = 1; k < KSM_EV_MAX; k++)
			if (p->kinds & (1u << k))
				json_array_append_new(kinds, json_string(ksm_event_name(k)));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "probe",
						     p->prog, "target", p->target, "state",
						     state_name(p->state), "source",
						     ksm_source_name(p->source), "detail", p->why,
						     "events", kinds));
	}
	return arr;
}

int ksm_source_list_probes(struct ksm_source *s)
{
	char err[256];
	int r = ksm_source_start(s, err, sizeof(err));

	if (cli.json)
		cli_json_print(json_pack("{s:o}", "probes", ksm_source_probes_json(s)));
	else
		ksm_source_print_probes(s, stdout);
	ksm_source_close(s);
	return r ? cli_err("%s", err) : CLI_EXIT_OK;
}
