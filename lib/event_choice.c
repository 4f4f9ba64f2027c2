// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "btf_names.h"
#include "event_choice.h"
#include "event_kinds.h"
#include "kprobes.h"

/*
 * Every program in bpf/ksm_events.bpf.c, in the order it is reported: one
 * tracepoint program per event kind (ksm_<name>, attached to the
 * tracepoint of that name, or of its KSM_TRACEPOINT_NAMES row), the
 * fentry/fexit fallbacks of the patched tracepoints, the stand-ins of the
 * stock ones (fentry, kprobe), then the migrate group's helpers.
 */
static const struct probe_def {
	const char *prog, *target;
	unsigned int source, group;
	uint32_t kinds;
} probe_table[] = {
#define TP_PROBE(ID, name, group, ...)                                                          \
	{ "ksm_" #name, "ksm_" #name,                                                           \
	  (group) & (KSM_GRP_PATCHED | KSM_GRP_POLICY) ? KSM_SRC_TP_PATCHED : KSM_SRC_TP_STOCK, \
	  group, KSM_EV_BIT(ID) },
	KSM_EVENT_KINDS(TP_PROBE)
#undef TP_PROBE
#define FALLBACK_PROBE(prog, target, kinds) \
	{ #prog, #target, KSM_SRC_FENTRY, KSM_GRP_FENTRY, kinds },
	KSM_FALLBACK_PROBES(FALLBACK_PROBE)
#undef FALLBACK_PROBE
#define STOCK_FENTRY(prog, target, kinds) \
	{ #prog, #target, KSM_SRC_FENTRY, KSM_GRP_STOCK_FENTRY, kinds },
	KSM_STOCK_FENTRY_PROBES(STOCK_FENTRY)
#undef STOCK_FENTRY
#define STOCK_KPROBE(prog, target, kinds) \
	{ #prog, #target, KSM_SRC_KPROBE, KSM_GRP_STOCK_KPROBE, kinds },
	KSM_STOCK_KPROBE_PROBES(STOCK_KPROBE)
#undef STOCK_KPROBE
#define MIGRATE_HELPER(prog, target, kinds) \
	{ #prog, #target, KSM_SRC_TP_STOCK, KSM_GRP_MIGRATE, kinds },
	KSM_MIGRATE_HELPER_PROBES(MIGRATE_HELPER)
#undef MIGRATE_HELPER
};

#define NR_PROBE_DEFS (int)(sizeof(probe_table) / sizeof(probe_table[0]))
_Static_assert(NR_PROBE_DEFS <= KSM_MAX_PROBES, "raise KSM_MAX_PROBES");

/* The tracepoints not named ksm_<name> (the stock migrate ones). */
static const char *const tp_names[KSM_EV_MAX] = {
#define TP_NAME(ID, tp) [KSM_EV_##ID] = #tp,
	KSM_TRACEPOINT_NAMES(TP_NAME)
#undef TP_NAME
};

static unsigned int gidx(unsigned int group)
{
	return __builtin_ctz(group);
}

void event_choice_set(struct ksm_probe *p, enum probe_state st, const char *fmt, ...)
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
			event_choice_set(&s->probe[i], st, "%s", why);
}

/* What the kernel has of each group's probes. */
struct group_census {
	uint32_t kinds[KSM_NR_GROUPS]; /* kinds the group's probes produce */
	int probes[KSM_NR_GROUPS], missing[KSM_NR_GROUPS];
	const char *first_missing[KSM_NR_GROUPS];
	int kprobe_pmu;		       /* perf type, or -errno */
};

/* Is each probe's target there: BTF for tracepoints and fentry, kallsyms for kprobes. */
static int find_targets(struct ksm_source *s, char *err, size_t len)
{
	char names_buf[NR_PROBE_DEFS][64];
	const char *btf[NR_PROBE_DEFS], *syms[NR_PROBE_DEFS];
	bool btf_found[NR_PROBE_DEFS], sym_found[NR_PROBE_DEFS];
	bool need_syms = false;
	int nb = 0, nk = 0, r;

	for (int i = 0; i < s->nr_probes; i++) {
		struct ksm_probe *p = &s->probe[i];

		if (p->source == KSM_SRC_KPROBE) {
			syms[nk++] = p->target;
			continue;
		}
		snprintf(names_buf[nb], sizeof(names_buf[nb]), "%s%s",
			 p->source == KSM_SRC_FENTRY ? "" : "btf_trace_", p->target);
		btf[nb] = names_buf[nb];
		nb++;
	}
	r = btf_names_find(BTF_VMLINUX, btf, nb, btf_found);
	if (r) {
		snprintf(err, len, "no kernel BTF at %s (CONFIG_DEBUG_INFO_BTF is needed for "
			 "CO-RE): %s", BTF_VMLINUX, strerror(-r));
		return r;
	}
	nb = 0;
	for (int i = 0; i < s->nr_probes; i++) {
		struct ksm_probe *p = &s->probe[i];

		if (p->source == KSM_SRC_KPROBE)
			continue;
		p->present = btf_found[nb++];
		if (!p->present && p->group == KSM_GRP_STOCK)
			need_syms = true;
	}
	/*
	 * kallsyms (tens of thousands of lines) only where the kprobes may
	 * serve; unreadable, it leaves every kprobe target unfound, and says so.
	 */
	memset(sym_found, 0, sizeof(sym_found));
	if (need_syms || s->opts.standins)
		kallsyms_find(KALLSYMS, syms, nk, sym_found);
	nk = 0;
	for (int i = 0; i < s->nr_probes; i++)
		if (s->probe[i].source == KSM_SRC_KPROBE)
			s->probe[i].present = sym_found[nk++];
	return 0;
}

static int probe_lookup(struct ksm_source *s, struct group_census *c, char *err, size_t len)
{
	int r;

	s->nr_probes = NR_PROBE_DEFS;
	for (int i = 0; i < NR_PROBE_DEFS; i++) {
		struct ksm_probe *p = &s->probe[i];

		p->prog = probe_table[i].prog;
		p->target = probe_table[i].target;
		p->source = probe_table[i].source;
		p->group = probe_table[i].group;
		p->kinds = probe_table[i].kinds;
		/* a kind's own program is ksm_<name> on ksm_<name>, unless renamed */
		if (!strcmp(p->prog, p->target) && tp_names[__builtin_ctz(p->kinds)])
			p->target = tp_names[__builtin_ctz(p->kinds)];
		c->kinds[gidx(p->group)] |= p->kinds;
	}
	r = find_targets(s, err, len);
	if (r)
		return r;
	for (int i = 0; i < NR_PROBE_DEFS; i++) {
		unsigned int g = gidx(s->probe[i].group);

		c->probes[g]++;
		if (!s->probe[i].present && !c->missing[g]++)
			c->first_missing[g] = s->probe[i].target;
	}
	c->kprobe_pmu = kprobe_pmu_type();
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

/*
 * The kprobe stand-ins, probe by probe (each attaches on its own): active
 * when fentry is not chosen, on standby when it is (they replace it if the
 * kernel refuses trampolines at load).
 */
static void choose_stock_kprobes(struct ksm_source *s, const struct group_census *c)
{
	bool fentry = s->groups & KSM_GRP_STOCK_FENTRY;

	for (int i = 0; i < s->nr_probes; i++) {
		struct ksm_probe *p = &s->probe[i];

		if (p->group != KSM_GRP_STOCK_KPROBE)
			continue;
		if (c->kprobe_pmu < 0)
			event_choice_set(p, PROBE_INACTIVE, "no kprobe PMU (%s): "
					 "CONFIG_KPROBE_EVENTS is not set", KPROBE_PMU);
		else if (!p->present)
			event_choice_set(p, PROBE_INACTIVE, "%s not in %s: inlined (or absent) "
					 "in this kernel", p->target, KALLSYMS);
		else if (fentry)
			event_choice_set(p, PROBE_INACTIVE, "standby: fentry preferred, kprobes "
					 "if the kernel refuses trampolines");
		else
			event_choice_set(p, PROBE_ACTIVE, "%s", strncmp(p->prog, "kretprobe_", 10) ?
					 "kprobe" : "kretprobe");
		if (p->state == PROBE_ACTIVE)
			s->groups |= KSM_GRP_STOCK_KPROBE;
		else if (fentry && c->kprobe_pmu >= 0 && p->present)
			s->standby |= KSM_GRP_STOCK_KPROBE;
	}
}

/* The stock kinds: the stock tracepoints, else their stand-ins. */
static void choose_stock(struct ksm_source *s, const struct group_census *c, uint32_t wanted)
{
	const char *why = NULL;
	char buf[120];

	if (c->missing[gidx(KSM_GRP_STOCK)])
		why = "no ksm tracepoints in this kernel (they came in Linux 6.4)";
	else if (s->opts.standins)
		why = "stock tracepoint present, --stand-ins given";
	choose(s, KSM_GRP_STOCK, why, "tp_btf");
	if (s->groups & KSM_GRP_STOCK) {
		set_group(s, KSM_GRP_STOCK_FENTRY, PROBE_INACTIVE, "stock tracepoints preferred");
		set_group(s, KSM_GRP_STOCK_KPROBE, PROBE_INACTIVE, "stock tracepoints preferred");
		return;
	}
	why = NULL;
	if (s->opts.kprobes) {
		why = "--kprobes given";
	} else if (c->missing[gidx(KSM_GRP_STOCK_FENTRY)]) {
		/* one missing target fails the whole load: kprobes go one by one */
		snprintf(buf, sizeof(buf), "%s not in kernel BTF (inlined or absent): "
			 "kprobes instead", c->first_missing[gidx(KSM_GRP_STOCK_FENTRY)]);
		why = buf;
	}
	/* whether trampolines are allowed is known only by loading */
	choose(s, KSM_GRP_STOCK_FENTRY, why, "fentry/fexit");
	choose_stock_kprobes(s, c);
}

/* Why a group the kernel may lack, all of its tracepoints or none, is not taken. */
static const char *tp_group_why_not(const struct group_census *c, unsigned int group,
				    const char *absent)
{
	int missing = c->missing[gidx(group)];

	if (missing && missing < c->probes[gidx(group)])
		return "incomplete kernel-patch/ series in this kernel";
	return missing ? absent : NULL;
}

/*
 * The series' tracepoints: PATCHED, and POLICY (CONFIG_KSM_BPF=y only) beside
 * it.  POLICY is built only in variants with PATCHED and ADVISOR (a kernel
 * with the series is 6.12+, so it has ksm_advisor), so it brings them in when
 * -e asks for its kinds alone; the BPF filter drops their events.
 */
static void choose_series(struct ksm_source *s, const struct group_census *c, uint32_t wanted)
{
	const char *why, *policy_why;
	uint32_t policy_kinds = c->kinds[gidx(KSM_GRP_POLICY)];

	policy_why = tp_group_why_not(c, KSM_GRP_POLICY, "tracepoint not in this kernel "
				      "(kernel-patch/ with CONFIG_KSM_BPF=y adds it)");
	if (!policy_why && !(wanted & policy_kinds))
		policy_why = "not selected by -e";
	why = tp_group_why_not(c, KSM_GRP_PATCHED,
			       "tracepoint not in this kernel (kernel-patch/ adds it)");
	if (!why && s->opts.fallback)
		why = "patched tracepoint present, --fallback given";
	else if (!why && !(wanted & c->kinds[gidx(KSM_GRP_PATCHED)]) && policy_why)
		why = "not selected by -e";
	choose(s, KSM_GRP_PATCHED, why, wanted & c->kinds[gidx(KSM_GRP_PATCHED)] ? "tp_btf" :
	       "tp_btf (loaded beside the policy group; -e drops its events)");
	if (!policy_why && !(s->groups & KSM_GRP_PATCHED))
		policy_why = "needs the patched tracepoints, which are not in use";
	choose(s, KSM_GRP_POLICY, policy_why, "tp_btf");
	if ((s->groups & KSM_GRP_POLICY) && !(s->groups & KSM_GRP_ADVISOR) &&
	    !c->missing[gidx(KSM_GRP_ADVISOR)])
		choose(s, KSM_GRP_ADVISOR, NULL, "tp_btf (loaded beside the policy group; "
		       "-e drops its events)");
}

static void choose_groups(struct ksm_source *s, const struct group_census *c, uint32_t wanted)
{
	const char *why = NULL;
	char fentry_why[120];

	choose_stock(s, c, wanted);
	if (c->missing[gidx(KSM_GRP_ADVISOR)])
		why = "tracepoint not in this kernel (Linux 6.9+)";
	else if (!(wanted & c->kinds[gidx(KSM_GRP_ADVISOR)]))
		why = "not selected by -e";
	choose(s, KSM_GRP_ADVISOR, why, "tp_btf");
	/* the migrate tracepoints: all four, or none */
	why = NULL;
	if (c->missing[gidx(KSM_GRP_MIGRATE)])
		why = "migrate tracepoint not in this kernel (Linux 6.0+, CONFIG_MIGRATION)";
	else if (!(wanted & c->kinds[gidx(KSM_GRP_MIGRATE)]))
		why = "not selected by -e";
	choose(s, KSM_GRP_MIGRATE, why, "tp_btf");
	choose_series(s, c, wanted);
	/* fentry only stands in for missing patched tracepoints */
	why = NULL;
	if (s->groups & KSM_GRP_PATCHED) {
		why = "patched tracepoints preferred";
	} else if (!(wanted & c->kinds[gidx(KSM_GRP_FENTRY)])) {
		why = "not selected by -e";
	} else if (c->missing[gidx(KSM_GRP_FENTRY)]) {
		snprintf(fentry_why, sizeof(fentry_why), "%s not in kernel BTF (inlined or absent)",
			 c->first_missing[gidx(KSM_GRP_FENTRY)]);
		why = fentry_why;
	}
	choose(s, KSM_GRP_FENTRY, why, "fentry/fexit");
}

int event_choice_make(struct ksm_source *s, char *err, size_t len)
{
	struct group_census census = {};
	int r = probe_lookup(s, &census, err, len);

	if (r)
		return r;
	choose_groups(s, &census, s->opts.event_mask ? s->opts.event_mask : ~0u);
	event_choice_settle(s);
	return 0;
}

void event_choice_refused(struct ksm_source *s, unsigned int refused, int error)
{
	char why[120];

	snprintf(why, sizeof(why), "fentry refused by the kernel: %s", strerror(-error));
	for (unsigned int g = 1; g < (1u << KSM_NR_GROUPS); g <<= 1)
		if (refused & g)
			set_group(s, g, PROBE_INACTIVE, why);
	s->groups &= ~refused;
	if (!(refused & KSM_GRP_STOCK_FENTRY) || !(s->standby & KSM_GRP_STOCK_KPROBE))
		return;
	s->standby &= ~KSM_GRP_STOCK_KPROBE;
	s->groups |= KSM_GRP_STOCK_KPROBE;
	for (int i = 0; i < s->nr_probes; i++) {
		struct ksm_probe *p = &s->probe[i];

		if (p->group == KSM_GRP_STOCK_KPROBE && !strncmp(p->why, "standby", 7))
			event_choice_set(p, PROBE_ACTIVE, "%s (fentry refused: %s)",
					 strncmp(p->prog, "kretprobe_", 10) ? "kprobe" : "kretprobe",
					 strerror(-error));
	}
}

void event_choice_unbuilt(struct ksm_source *s, unsigned int groups)
{
	for (unsigned int g = 1; g < (1u << KSM_NR_GROUPS); g <<= 1)
		if (groups & g)
			set_group(s, g, PROBE_INACTIVE,
				  "no variant built with this group beside the others "
				  "(the Makefile's EV_VARIANTS)");
	s->groups &= ~groups;
}

/* The active stand-in that delivers a kind, if any. */
static const struct ksm_probe *server_of(const struct ksm_source *s, uint32_t kind_bit)
{
	for (int i = 0; i < s->nr_probes; i++) {
		const struct ksm_probe *p = &s->probe[i];

		if (p->state == PROBE_ACTIVE && p->group != KSM_GRP_STOCK && (p->kinds & kind_bit))
			return p;
	}
	return NULL;
}

void event_choice_settle(struct ksm_source *s)
{
	s->active_kinds = 0;
	for (int i = 0; i < s->nr_probes; i++)
		if (s->probe[i].state == PROBE_ACTIVE)
			s->active_kinds |= s->probe[i].kinds;
	/* a stock tracepoint not in use: who delivers its kind instead */
	for (int i = 0; i < s->nr_probes; i++) {
		struct ksm_probe *p = &s->probe[i];
		const struct ksm_probe *by;
		char base[sizeof(p->why)];

		if (p->group != KSM_GRP_STOCK || p->state == PROBE_ACTIVE)
			continue;
		snprintf(base, sizeof(base), "%s", p->why);
		*strchrnul(base, ';') = '\0';
		by = server_of(s, p->kinds);
		if (by)
			event_choice_set(p, PROBE_INACTIVE, "%s; served by %s (%s)", base, by->prog,
					 ksm_source_name(by->source));
		else if (p->kinds & (KSM_EV_BIT(START_SCAN) | KSM_EV_BIT(STOP_SCAN)))
			event_choice_set(p, PROBE_INACTIVE, "%s; no stand-in: the scan loop is "
					 "inlined (full_scans in sysfs counts scans)", base);
		else
			event_choice_set(p, PROBE_INACTIVE, "%s; no stand-in active", base);
	}
}
