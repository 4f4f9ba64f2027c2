// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "event_fmt.h"
#include "event_source.h"
#include "ksm_events.skel.h"
#include "probe.h"

#define K(x) (1u << (x))

/* Every program in bpf/ksm_events.bpf.c, in the order it is reported. */
static const struct {
	const char *prog, *target;
	unsigned int source;
	uint32_t kinds;
} probe_table[] = {
	{ "ksm_start_scan", "ksm_start_scan", KSM_SRC_TP_STOCK, K(KSM_EV_START_SCAN) },
	{ "ksm_stop_scan", "ksm_stop_scan", KSM_SRC_TP_STOCK, K(KSM_EV_STOP_SCAN) },
	{ "ksm_enter", "ksm_enter", KSM_SRC_TP_STOCK, K(KSM_EV_ENTER) },
	{ "ksm_exit", "ksm_exit", KSM_SRC_TP_STOCK, K(KSM_EV_EXIT) },
	{ "ksm_merge_one_page", "ksm_merge_one_page", KSM_SRC_TP_STOCK,
	  K(KSM_EV_MERGE_ONE_PAGE) },
	{ "ksm_merge_with_ksm_page", "ksm_merge_with_ksm_page", KSM_SRC_TP_STOCK,
	  K(KSM_EV_MERGE_WITH_KSM_PAGE) },
	{ "ksm_remove_ksm_page", "ksm_remove_ksm_page", KSM_SRC_TP_STOCK,
	  K(KSM_EV_REMOVE_KSM_PAGE) },
	{ "ksm_remove_rmap_item", "ksm_remove_rmap_item", KSM_SRC_TP_STOCK,
	  K(KSM_EV_REMOVE_RMAP_ITEM) },
	{ "ksm_advisor", "ksm_advisor", KSM_SRC_TP_STOCK, K(KSM_EV_ADVISOR) },
	{ "ksm_stable_node_insert", "ksm_stable_node_insert", KSM_SRC_TP_PATCHED,
	  K(KSM_EV_STABLE_NODE_INSERT) },
	{ "ksm_stable_node_remove", "ksm_stable_node_remove", KSM_SRC_TP_PATCHED,
	  K(KSM_EV_STABLE_NODE_REMOVE) },
	{ "ksm_get_folio_stale", "ksm_get_folio_stale", KSM_SRC_TP_PATCHED,
	  K(KSM_EV_GET_FOLIO_STALE) },
	{ "ksm_get_folio_retry", "ksm_get_folio_retry", KSM_SRC_TP_PATCHED,
	  K(KSM_EV_GET_FOLIO_RETRY) },
	{ "ksm_migrate_folio", "ksm_migrate_folio", KSM_SRC_TP_PATCHED,
	  K(KSM_EV_MIGRATE_FOLIO) },
	{ "ksm_swapin_copy", "ksm_swapin_copy", KSM_SRC_TP_PATCHED, K(KSM_EV_SWAPIN_COPY) },
	{ "ksm_remove_all_stable_nodes_begin", "ksm_remove_all_stable_nodes_begin",
	  KSM_SRC_TP_PATCHED, K(KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN) },
	{ "ksm_remove_all_stable_nodes_end", "ksm_remove_all_stable_nodes_end",
	  KSM_SRC_TP_PATCHED, K(KSM_EV_REMOVE_ALL_STABLE_NODES_END) },
	/* fallbacks: each stands in for the patched tracepoints of its kinds */
	{ "fentry_folio_migrate_ksm", "folio_migrate_ksm", KSM_SRC_FENTRY,
	  K(KSM_EV_MIGRATE_FOLIO) },
	{ "fexit_ksm_might_need_to_copy", "ksm_might_need_to_copy", KSM_SRC_FENTRY,
	  K(KSM_EV_SWAPIN_COPY) },
	{ "fentry_ksm_get_folio", "ksm_get_folio", KSM_SRC_FENTRY,
	  K(KSM_EV_GET_FOLIO_STALE) | K(KSM_EV_STABLE_NODE_REMOVE) },
	{ "fexit_ksm_get_folio", "ksm_get_folio", KSM_SRC_FENTRY,
	  K(KSM_EV_GET_FOLIO_STALE) | K(KSM_EV_STABLE_NODE_REMOVE) },
	{ "fentry_remove_stable_node", "remove_stable_node", KSM_SRC_FENTRY,
	  K(KSM_EV_STABLE_NODE_REMOVE) },
	{ "fexit_remove_stable_node", "remove_stable_node", KSM_SRC_FENTRY,
	  K(KSM_EV_STABLE_NODE_REMOVE) | K(KSM_EV_REMOVE_ALL_STABLE_NODES_END) },
	{ "fentry_remove_all_stable_nodes", "remove_all_stable_nodes", KSM_SRC_FENTRY,
	  K(KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN) },
	{ "fexit_remove_all_stable_nodes", "remove_all_stable_nodes", KSM_SRC_FENTRY,
	  K(KSM_EV_REMOVE_ALL_STABLE_NODES_END) },
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
	if (!verbose_libbpf && strstr(fmt, "RLIMIT_MEMLOCK"))
		return 0;
	if (!verbose_libbpf && level == LIBBPF_WARN)
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

int ksm_source_probe(struct ksm_source *s, const struct ksm_source_opts *o, char *err,
		     size_t len)
{
	uint32_t wanted = o->event_mask ? o->event_mask : ~0u;
	uint32_t patched = 0;	/* kinds a patched tracepoint will deliver */
	struct btf *btf;
	char why[120];
	int fentry_err = 1;	/* 1: not probed yet */
	char fentry_why[120] = "";

	memset(s, 0, sizeof(*s));
	s->opts = *o;
	verbose_libbpf = o->verbose;
	libbpf_set_print(libbpf_print);

	if (geteuid() != 0) {
		snprintf(err, len, "must be run as root (loading BPF needs CAP_BPF/CAP_PERFMON)");
		return -EPERM;
	}
	if (!probe_ksm()) {
		snprintf(err, len, "this kernel has no KSM (/sys/kernel/mm/ksm missing: "
			 "CONFIG_KSM is not set)");
		return -ENOENT;
	}
	btf = probe_load_btf();
	if (!btf) {
		snprintf(err, len, "no kernel BTF at /sys/kernel/btf/vmlinux "
			 "(CONFIG_DEBUG_INFO_BTF is needed for CO-RE): %s", strerror(errno));
		return -ENOENT;
	}

	/* Tracepoints first: which exist decides which fallbacks are needed. */
	for (int i = 0; i < NR_PROBE_DEFS; i++) {
		struct ksm_probe *p = &s->probe[i];

		p->prog = probe_table[i].prog;
		p->target = probe_table[i].target;
		p->source = probe_table[i].source;
		p->kinds = probe_table[i].kinds;
		if (p->source == KSM_SRC_FENTRY)
			continue;
		if (!probe_tracepoint(btf, p->target)) {
			setp(p, PROBE_INACTIVE, p->source == KSM_SRC_TP_PATCHED ?
				"tracepoint not in this kernel (kernel-patch/ adds it)" :
				"tracepoint not in this kernel");
		} else if (p->source == KSM_SRC_TP_PATCHED && o->fallback) {
			setp(p, PROBE_INACTIVE, "patched tracepoint present, --fallback given");
		} else if (!(p->kinds & wanted) &&
			   !(p->kinds & (K(KSM_EV_ENTER) | K(KSM_EV_EXIT)))) {
			/* enter/exit always load: they keep the mm owner map */
			setp(p, PROBE_INACTIVE, "not selected by -e");
		} else {
			setp(p, PROBE_ACTIVE, "tp_btf");
			if (p->source == KSM_SRC_TP_PATCHED)
				patched |= p->kinds;
		}
	}
	for (int i = 0; i < NR_PROBE_DEFS; i++) {
		struct ksm_probe *p = &s->probe[i];

		if (p->source != KSM_SRC_FENTRY)
			continue;
		if (!(p->kinds & wanted & ~patched)) {
			setp(p, PROBE_INACTIVE, (p->kinds & wanted) ?
				"patched tracepoint preferred" : "not selected by -e");
			continue;
		}
		/* Trampolines are all-or-nothing on a kernel: probe them once. */
		if (fentry_err == 1) {
			fentry_err = probe_fentry(btf, "folio_migrate_ksm", fentry_why,
						  sizeof(fentry_why));
			if (fentry_err == -ENOENT)
				fentry_err = 1; /* that one is missing; try per target */
		}
		if (fentry_err != 0 && fentry_err != 1) {
			setp(p, PROBE_INACTIVE, "%s", fentry_why);
			continue;
		}
		if (btf__find_by_name_kind(btf, p->target, BTF_KIND_FUNC) <= 0) {
			setp(p, PROBE_INACTIVE, "%s not in kernel BTF (inlined or absent)",
			     p->target);
			continue;
		}
		if (fentry_err == 1) {
			int r = probe_fentry(btf, p->target, why, sizeof(why));

			if (r) {
				setp(p, PROBE_INACTIVE, "%s", why);
				continue;
			}
			fentry_err = 0;
		}
		setp(p, PROBE_ACTIVE, p->prog[1] == 'e' ? "fentry" : "fexit");
	}
	/* fentry/fexit pairs hand over state: both or neither. */
	for (int i = 0; i < NR_PROBE_DEFS; i++) {
		struct ksm_probe *a = &s->probe[i];

		if (a->source != KSM_SRC_FENTRY || strncmp(a->prog, "fentry_", 7))
			continue;
		for (int j = 0; j < NR_PROBE_DEFS; j++) {
			struct ksm_probe *b = &s->probe[j];

			if (strncmp(b->prog, "fexit_", 6) || strcmp(a->target, b->target))
				continue;
			if (a->state == PROBE_ACTIVE && b->state != PROBE_ACTIVE)
				setp(a, PROBE_INACTIVE, "its fexit half is inactive");
			else if (b->state == PROBE_ACTIVE && a->state != PROBE_ACTIVE)
				setp(b, PROBE_INACTIVE, "its fentry half is inactive");
		}
	}
	btf__free(btf);
	s->nr_probes = NR_PROBE_DEFS;
	for (int i = 0; i < s->nr_probes; i++)
		if (s->probe[i].state == PROBE_ACTIVE)
			s->active_kinds |= s->probe[i].kinds;
	return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct ksm_source *s = ctx;

	if (size < sizeof(struct ksm_event))
		return 0;
	return s->opts.cb ? s->opts.cb(s->opts.ctx, data) : 0;
}

int ksm_source_start(struct ksm_source *s, char *err, size_t len)
{
	const struct ksm_source_opts *o = &s->opts;
	struct bpf_program *prog;
	size_t rb = o->ringbuf_bytes ? o->ringbuf_bytes : 2u << 20;
	int r, nactive = 0;

	s->skel = ksm_events_bpf__open();
	if (!s->skel) {
		r = -errno;
		snprintf(err, len, "cannot open the BPF object: %s", strerror(errno));
		return r;
	}
	s->skel->rodata->targ_tgid = o->pid;
	s->skel->rodata->targ_cgid = o->cgroup_id;
	s->skel->rodata->targ_cglevel = o->cgroup_id ? o->cgroup_level : -1;
	s->skel->rodata->event_mask = o->event_mask;
	bpf_map__set_max_entries(s->skel->maps.events, rb);

	for (int i = 0; i < s->nr_probes; i++) {
		prog = bpf_object__find_program_by_name(s->skel->obj, s->probe[i].prog);
		if (!prog) {
			snprintf(err, len, "BPF object lacks program %s", s->probe[i].prog);
			return -EINVAL;
		}
		bpf_program__set_autoload(prog, s->probe[i].state == PROBE_ACTIVE);
		if (s->probe[i].state == PROBE_ACTIVE && s->probe[i].source == KSM_SRC_FENTRY) {
			/* folio -> pfn needs the vmemmap base when it is randomised */
			s->skel->rodata->vmemmap_base_sym = probe_kallsyms("vmemmap_base");
		}
	}

	r = ksm_events_bpf__load(s->skel);
	if (r) {
		snprintf(err, len, "cannot load the BPF programs: %s (run with -v for the "
			 "verifier log)", strerror(-r));
		return r;
	}
	for (int i = 0; i < s->nr_probes; i++) {
		struct ksm_probe *p = &s->probe[i];
		struct bpf_link *link;

		if (p->state != PROBE_ACTIVE)
			continue;
		prog = bpf_object__find_program_by_name(s->skel->obj, p->prog);
		link = bpf_program__attach(prog);
		if (!link) {
			setp(p, PROBE_FAILED, "attach failed: %s", strerror(errno));
			s->active_kinds &= ~p->kinds;
			continue;
		}
		/* Hand the link to the skeleton: it destroys it on close. */
		for (int j = 0; j < s->skel->skeleton->prog_cnt; j++)
			if (*s->skel->skeleton->progs[j].prog == prog)
				*s->skel->skeleton->progs[j].link = link;
		nactive++;
	}
	if (!nactive) {
		snprintf(err, len, "no KSM probe could be attached");
		return -ENOENT;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_sample, s, NULL);
	if (!s->rb) {
		r = -errno;
		snprintf(err, len, "cannot set up the ring buffer: %s", strerror(errno));
		return r;
	}
	return 0;
}

int ksm_source_poll(struct ksm_source *s, int timeout_ms)
{
	return ring_buffer__poll(s->rb, timeout_ms);
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
		if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.stats), &k, vals))
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
	ksm_events_bpf__destroy(s->skel);
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
		if (!(s->active_kinds & K(k)) &&
		    (!s->opts.event_mask || (s->opts.event_mask & K(k))))
			missing |= K(k);
	if (missing) {
		fprintf(out, "; unavailable:");
		for (unsigned int k = 1; k < KSM_EV_MAX; k++)
			if (missing & K(k))
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
			if (p->kinds & K(k))
				json_array_append_new(kinds, json_string(ksm_event_name(k)));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "probe",
						     p->prog, "target", p->target, "state",
						     state_name(p->state), "source",
						     ksm_source_name(p->source), "detail", p->why,
						     "events", kinds));
	}
	return arr;
}
