// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/event_choice.c: which probe groups a kernel gets, from
 * the tracepoints its BTF has.  The kernel is made up here: the BTF and
 * kallsyms look-ups are wrapped (the Makefile's UNIT_WRAP_test_event_choice)
 * and answer from the list of tracepoints each kernel below has.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "event_choice.h"
#include "event_kinds.h"

/* The series' tracepoints, with and without CONFIG_KSM_BPF. */
static const char *const series_tps[] = {
	"stable_node_insert", "stable_node_remove", "get_folio_stale", "get_folio_retry",
	"migrate_folio", "swapin_copy", "remove_all_stable_nodes_begin",
	"remove_all_stable_nodes_end", "stable_node_chain_collapse", "stable_node_chain_free",
	"stable_node_migrate_list", NULL,
};
static const char *const ksm_bpf_tps[] = { "policy_decision", "mm_domain", "domain_free", NULL };
/* The series v1: policy_decision without CONFIG_KSM_BPF, no chain or domain events. */
static const char *const v1_tps[] = {
	"stable_node_insert", "stable_node_remove", "get_folio_stale", "get_folio_retry",
	"migrate_folio", "swapin_copy", "remove_all_stable_nodes_begin",
	"remove_all_stable_nodes_end", "policy_decision", NULL,
};

/* The stock ksm tracepoints of Linux 6.12. */
static const char *const stock_tps[] = {
	"start_scan", "stop_scan", "enter", "exit", "merge_one_page", "merge_with_ksm_page",
	"remove_ksm_page", "remove_rmap_item", "advisor", NULL,
};

/* The kernel under test: stock 6.12 plus these lists of ksm tracepoints. */
static const char *const *kernel_tps[2];

static bool in_list(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

static bool kernel_has(const char *name)
{
	if (strncmp(name, "btf_trace_", 10))
		return false;	/* no fentry target: the fallbacks never load here */
	name += 10;
	if (strncmp(name, "ksm_", 4))
		return true;	/* the stock migrate tracepoints and rss_stat */
	name += 4;
	return in_list(stock_tps, name) || in_list(kernel_tps[0], name) ||
	       in_list(kernel_tps[1], name);
}

int __wrap_btf_names_find(const char *path, const char *const *names, size_t n, bool *found)
{
	for (size_t i = 0; i < n; i++)
		found[i] = kernel_has(names[i]);
	return 0;
}

int __wrap_kallsyms_find(const char *path, const char *const *names, size_t n, bool *found)
{
	memset(found, 0, n * sizeof(*found));
	return 0;
}

int __wrap_kprobe_pmu_type(void)
{
	return -ENOENT;
}

static struct ksm_source src;

static void choose_on_opts(const char *const *a, const char *const *b, const char *events,
			   bool fallback)
{
	char err[128];
	const char *bad;

	memset(&src, 0, sizeof(src));
	kernel_tps[0] = a;
	kernel_tps[1] = b;
	src.opts.fallback = fallback;
	if (events)
		assert_int_equal(ksm_event_parse_list(events, &src.opts.event_mask, &bad), 0);
	assert_int_equal(event_choice_make(&src, err, sizeof(err)), 0);
}

static void choose_on(const char *const *a, const char *const *b, const char *events)
{
	choose_on_opts(a, b, events, false);
}

static const struct ksm_probe *probe(const char *prog)
{
	for (int i = 0; i < src.nr_probes; i++)
		if (!strcmp(src.probe[i].prog, prog))
			return &src.probe[i];
	fail_msg("no probe %s", prog);
	return NULL;
}

static void assert_active(const char *prog, bool active)
{
	const struct ksm_probe *p = probe(prog);

	if ((p->state == PROBE_ACTIVE) != active)
		fail_msg("%s is %s: %s", prog, active ? "not active" : "active", p->why);
}

#define STOCK_SET (KSM_GRP_STOCK | KSM_GRP_ADVISOR | KSM_GRP_MIGRATE)

/* The patched flavour: the series with CONFIG_KSM_BPF=y: every group of it. */
static void series_with_ksm_bpf(void **state)
{
	choose_on(series_tps, ksm_bpf_tps, NULL);
	assert_int_equal(src.groups, STOCK_SET | KSM_GRP_PATCHED | KSM_GRP_POLICY);
	assert_active("ksm_stable_node_chain_collapse", true);
	assert_active("ksm_stable_node_chain_free", true);
	assert_active("ksm_stable_node_migrate_list", true);
	assert_active("ksm_mm_domain", true);
	assert_active("ksm_domain_free", true);
	assert_active("ksm_policy_decision", true);
	assert_int_equal(probe("ksm_mm_domain")->source, KSM_SRC_TP_PATCHED);
	assert_int_equal(probe("ksm_mm_domain")->group, KSM_GRP_POLICY);
	assert_int_equal(probe("ksm_stable_node_migrate_list")->group, KSM_GRP_PATCHED);
}

/* The nobpf flavour: the series, CONFIG_KSM_BPF=n: PATCHED whole, POLICY absent. */
static void series_without_ksm_bpf(void **state)
{
	choose_on(series_tps, NULL, NULL);
	assert_int_equal(src.groups, STOCK_SET | KSM_GRP_PATCHED);
	assert_active("ksm_stable_node_chain_collapse", true);
	assert_active("ksm_stable_node_remove", true);
	assert_active("ksm_mm_domain", false);
	assert_non_null(strstr(probe("ksm_mm_domain")->why, "CONFIG_KSM_BPF=y"));
	assert_non_null(strstr(probe("ksm_policy_decision")->why, "not in this kernel"));
	/* an observer that asked for a policy kind is told it cannot have it */
	assert_false(src.active_kinds & KSM_EV_BIT(POLICY_DECISION));
	assert_true(src.active_kinds & KSM_EV_BIT(STABLE_NODE_MIGRATE_LIST));
}

/* Half a group is an incomplete series, never loaded (one missing target fails a load). */
static void incomplete_series(void **state)
{
	static const char *const half_policy[] = { "policy_decision", NULL };

	choose_on(series_tps, half_policy, NULL);
	assert_int_equal(src.groups, STOCK_SET | KSM_GRP_PATCHED);
	assert_non_null(strstr(probe("ksm_domain_free")->why, "incomplete"));
	/* the series v1: no chain events, policy_decision in every build */
	choose_on(v1_tps, NULL, NULL);
	assert_int_equal(src.groups & (KSM_GRP_PATCHED | KSM_GRP_POLICY), 0);
	assert_non_null(strstr(probe("ksm_stable_node_insert")->why, "incomplete"));
	assert_non_null(strstr(probe("ksm_mm_domain")->why, "incomplete"));
}

/*
 * -e with policy kinds only: POLICY is built beside PATCHED and ADVISOR
 * (EV_VARIANTS sapb, sapmb), so it brings them in, and says so.
 */
static void policy_kinds_alone(void **state)
{
	choose_on(series_tps, ksm_bpf_tps, "mm_domain,domain_free");
	assert_int_equal(src.groups,
			 KSM_GRP_STOCK | KSM_GRP_ADVISOR | KSM_GRP_PATCHED | KSM_GRP_POLICY);
	assert_non_null(strstr(probe("ksm_stable_node_insert")->why, "beside the policy group"));
	assert_non_null(strstr(probe("ksm_advisor")->why, "beside the policy group"));
	assert_active("ksm_domain_free", true);
	assert_active("ksm_set_migration_pte", false);
	/* patched kinds alone: no policy group, no advisor */
	choose_on(series_tps, ksm_bpf_tps, "stable_node_chain_free");
	assert_int_equal(src.groups, KSM_GRP_STOCK | KSM_GRP_PATCHED);
	assert_string_equal(probe("ksm_mm_domain")->why, "not selected by -e");
	/* --fallback: no patched tracepoints, so no policy group either */
	choose_on_opts(series_tps, ksm_bpf_tps, NULL, true);
	assert_int_equal(src.groups & (KSM_GRP_PATCHED | KSM_GRP_POLICY), 0);
	assert_non_null(strstr(probe("ksm_mm_domain")->why, "needs the patched tracepoints"));
}

/* A stock kernel: neither group, each probe says why. */
static void stock_kernel(void **state)
{
	choose_on(NULL, NULL, NULL);
	assert_int_equal(src.groups & (KSM_GRP_PATCHED | KSM_GRP_POLICY), 0);
	assert_non_null(strstr(probe("ksm_stable_node_chain_free")->why, "kernel-patch/ adds it"));
	assert_non_null(strstr(probe("ksm_domain_free")->why, "CONFIG_KSM_BPF=y"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(series_with_ksm_bpf), cmocka_unit_test(series_without_ksm_bpf),
		cmocka_unit_test(incomplete_series),   cmocka_unit_test(policy_kinds_alone),
		cmocka_unit_test(stock_kernel),
	};

	return cmocka_run_group_tests_name("event_choice", tests, NULL, NULL);
}
