// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "btf_names.h"
#include "cli.h"
#include "event_fmt.h"
#include "event_source.h"
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
};

#define KSM_VARIANT(v, g)                                                                     \
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
	static const struct ksm_variant variant_##v = { g,	       v##_open,              \
							v##_load,      v##_attach,            \
							v##_destroy,   v##_configure,         \
							v##_events_fd, v##_stats_fd };
#include "ksm_events_variants.h"
#undef KSM_VARIANT

#define KSM_VARIANT(v, g) &variant_##v,
static const struct ksm_variant *const variants[] = {
#include "ksm_events_variants.h"
};
#undef KSM_VARIANT

static const struct ksm_variant *variant_for(unsigned int groups)
{
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (variants[i]->groups == groups)
			return variants[i];
	return NULL;
}

/*
 * Every program in bpf/ksm_events.bpf.c, in the order it is reported: one
 * tracepoint program per event kind (ksm_<name>, attached to the
 * tracepoint of that name), then the fentry/fexit fallbacks.
 */
static const struct probe_def {
	const char *prog, *target;
	unsigned int source, group;
	uint32_t kinds;
} probe_table[] = {
#define TP_PROBE(ID, name, group, ...)                                                          \
	{ "ksm_" #name, "ksm_" #name,                                                           \
	  (group) == KSM_GRP_PATCHED ? KSM_SRC_TP_PATCHED : KSM_SRC_TP_STOCK, group,            \
	  KSM_EV_BIT(ID) },
	KSM_EVENT_KINDS(TP_PROBE)
#undef TP_PROBE
#define FALLBACK_PROBE(prog, target, kinds) \
	{ #prog, #target, KSM_SRC_FENTRY, KSM_GRP_FENTRY, kinds },
	KSM_FALLBACK_PROBES(FALLBACK_PROBE)
#undef FALLBACK_PROBE
};

#define NR_PROBE_DEFS (int)(sizeof(probe_table) / sizeof(probe_table[0]))

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

static void setp(struct ksm_probe *p, enum probe_state st, const char *fmt, ...)
{
	va_list ap;

	p->state = st;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
}

/* Mark every probe of a group; the why is the same for all of them. */
static void set_group(struct ksm_source *s, unsigned int group, enum probe_state st,
		      const char *why)
{
	for (int i = 0; i < s->nr_probes; i++)
		if (s->probe[i].group == group)
			setp(&s->probe[i], st, "%s", why);
}

/* Name the BTF entity a probe needs: btf_trace_<tp> or the function. */
static void btf_name(const struct ksm_probe *p, char *buf, size_t len)
{
	if (p->source == KSM_SRC_FENTRY)
		snprintf(buf, len, "%s", p->target);
	else
		snprintf(buf, len, "btf_trace_%s", p->target);
}

/* What the kernel's BTF says about each group's probes. */
struct group_census {
	uint32_t kinds[8];	  /* kinds the group's probes produce */
	int probes[8], missing[8];
	const char *first_missing[8];
};

/* Fill s->probe from the table and look every target up in the BTF. */
static int probe_lookup(struct ksm_source *s, struct group_census *c, char *err, size_t len)
{
	char names_buf[NR_PROBE_DEFS][64];
	const char *names[NR_PROBE_DEFS];
	bool found[NR_PROBE_DEFS];
	int r;

	s->nr_probes = NR_PROBE_DEFS;
	for (int i = 0; i < NR_PROBE_DEFS; i++) {
		struct ksm_probe *p = &s->probe[i];

		p->prog = probe_table[i].prog;
		p->target = probe_table[i].target;
		p->source = probe_table[i].source;
		p->group = probe_table[i].group;
		p->kinds = probe_table[i].kinds;
		btf_name(p, names_buf[i], sizeof(names_buf[i]));
		names[i] = names_buf[i];
		c->kinds[p->group] |= p->kinds;
	}
	r = btf_names_find(BTF_VMLINUX, names, NR_PROBE_DEFS, found);
	if (r) {
		snprintf(err, len, "no kernel BTF at %s (CONFIG_DEBUG_INFO_BTF is needed for "
			 "CO-RE): %s", BTF_VMLINUX, strerror(-r));
		return r;
	}
	for (int i = 0; i < NR_PROBE_DEFS; i++) {
		unsigned int g = s->probe[i].group;

		c->probes[g]++;
		if (found[i])
			continue;
		if (g == KSM_GRP_STOCK) {
			snprintf(err, len, "this kernel lacks the %s tracepoint (the ksm "
				 "tracepoints came in Linux 6.4)", s->probe[i].target);
			return -ENOENT;
		}
		if (!c->missing[g]++)
			c->first_missing[g] = s->probe[i].target;
	}
	return 0;
}

/* Take a group in, or say why not. */
static void choose(struct ksm_source *s, unsigned int group, const char *why_not,
		   const char *how)
{
	if (why_not) {
		set_group(s, group, PROBE_INACTIVE, why_not);
		return;
	}
	s->groups |= group;
	set_group(s, group, PROBE_ACTIVE, how);
}

static void choose_groups(struct ksm_source *s, const struct group_census *c, uint32_t wanted)
{
	const char *why = NULL;
	char fentry_why[120];

	set_group(s, KSM_GRP_STOCK, PROBE_ACTIVE, "tp_btf");
	if (c->missing[KSM_GRP_ADVISOR])
		why = "tracepoint not in this kernel";
	else if (!(wanted & c->kinds[KSM_GRP_ADVISOR]))
		why = "not selected by -e";
	choose(s, KSM_GRP_ADVISOR, why, "tp_btf");
	/* the patched tracepoints: all of the series, or none */
	why = NULL;
	if (c->missing[KSM_GRP_PATCHED] && c->missing[KSM_GRP_PATCHED] < c->probes[KSM_GRP_PATCHED])
		why = "incomplete kernel-patch/ series in this kernel";
	else if (c->missing[KSM_GRP_PATCHED])
		why = "tracepoint not in this kernel (kernel-patch/ adds it)";
	else if (s->opts.fallback)
		why = "patched tracepoint present, --fallback given";
	else if (!(wanted & c->kinds[KSM_GRP_PATCHED]))
		why = "not selected by -e";
	choose(s, KSM_GRP_PATCHED, why, "tp_btf");
	/* fentry only stands in for missing patched tracepoints */
	why = NULL;
	if (s->groups & KSM_GRP_PATCHED) {
		why = "patched tracepoints preferred";
	} else if (!(wanted & c->kinds[KSM_GRP_FENTRY])) {
		why = "not selected by -e";
	} else if (c->missing[KSM_GRP_FENTRY]) {
		snprintf(fentry_why, sizeof(fentry_why), "%s not in kernel BTF (inlined or absent)",
			 c->first_missing[KSM_GRP_FENTRY]);
		why = fentry_why;
	}
	/* whether trampolines are allowed is known only by loading */
	choose(s, KSM_GRP_FENTRY, why, "fentry/fexit");
}

static void update_active_kinds(struct ksm_source *s)
{
	s->active_kinds = 0;
	for (int i = 0; i < s->nr_probes; i++)
		if (s->probe[i].state == PROBE_ACTIVE)
			s->active_kinds |= s->probe[i].kinds;
}

int ksm_source_probe(struct ksm_source *s, const struct ksm_source_opts *o, char *err,
		     size_t len)
{
	struct group_census census = {};
	int r;

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
	r = probe_lookup(s, &census, err, len);
	if (r)
		return r;
	choose_groups(s, &census, o->event_mask ? o->event_mask : ~0u);
	update_active_kinds(s);
	return 0;
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

int ksm_source_start(struct ksm_source *s, char *err, size_t len)
{
	int r = try_variant(s, variant_for(s->groups));

	if (r && (s->groups & KSM_GRP_FENTRY)) {
		char why[120];

		snprintf(why, sizeof(why), "fentry refused by the kernel: %s", strerror(-r));
		set_group(s, KSM_GRP_FENTRY, PROBE_INACTIVE, why);
		s->groups &= ~KSM_GRP_FENTRY;
		update_active_kinds(s);
		r = try_variant(s, variant_for(s->groups));
	}
	if (r) {
		snprintf(err, len, "cannot load the BPF programs: %s (-v shows the loader's log)",
			 strerror(-r));
		for (int i = 0; i < s->nr_probes; i++)
			if (s->probe[i].state == PROBE_ACTIVE)
				setp(&s->probe[i], PROBE_FAILED, "load failed: %s", strerror(-r));
		return r;
	}
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
