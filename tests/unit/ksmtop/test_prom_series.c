// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the series ksmtop's exporter writes, from a model sampled
 * the way ksmtop samples it (a fake /proc and sysfs, the sampler, events):
 * names and units in both formats, each cgroup's own and subtree series,
 * --cgroup-depth's fold, counters across samples, exits and cgroups that
 * go, the vmstat counters where the kernel has them, what an older kernel
 * cannot tell, workload labels. The HTTP side: test_prom.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_top.h"
#include "prom.h"

/* The exposition of m's sample in one format (a string to free). */
static char *expose(const struct top_model *m, const struct prom_state *st, enum prom_fmt fmt)
{
	struct prom_opts o = { 0 };
	struct prom_out out = { .fmt = fmt };
	char *text = NULL;
	size_t len = 0;

	out.f = open_memstream(&text, &len);
	assert_non_null(out.f);
	prom_write(&out, m, &o, st);
	prom_end(&out);
	fclose(out.f);
	return text;
}

/* The model, its sampler and the exporter's state, as ksmtop runs them. */
static struct {
	struct top_model m;
	struct top_sampler s;
	struct prom_state st;
} fx;

/* The baseline sample of the processes in the fake /proc (after setup's). */
static void begin(void)
{
	start(&fx.m, &fx.s);
	prom_state_init(&fx.st);
}

/* A sample, with the exporter's state updated from it as prom_server_update does. */
static void sample(void)
{
	assert_int_equal(top_sample(&fx.s, &fx.m), 0);
	assert_int_equal(prom_state_update(&fx.st, &fx.m, 0), 0);
}

/* A sample, and its exposition in the text format (free it). */
static char *scrape(void)
{
	sample();
	return expose(&fx.m, &fx.st, PROM_FMT_TEXT);
}

static void end(void)
{
	prom_state_free(&fx.st);
	top_model_free(&fx.m);
}

/* The sum of a family's samples (name{...} value lines), and how many there are. */
static double family_sum(const char *t, const char *name, int *n)
{
	size_t len = strlen(name);
	double sum = 0;

	*n = 0;
	for (const char *l = t; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *v;

		if (strncmp(l, name, len) || (l[len] != '{' && l[len] != ' '))
			continue;
		v = strchr(l, ' ');
		assert_non_null(v);
		sum += strtod(v + 1, NULL);
		(*n)++;
	}
	return sum;
}

/* text is in the exposition t; says which when it is not. */
#define has(t, text)                                                                       \
	do {                                                                               \
		if (!strstr((t), (text)))                                                  \
			fail_msg("not in the exposition: %s", (text) + ((text)[0] == 10)); \
	} while (0)

/* A process leaves: its /proc directory goes. */
static void gone(int pid)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s/proc/%d", fake_dir, pid);
	assert_int_equal(system(cmd), 0);
}

static void test_names_units(void **state)
{
	char *t;

	fake_put("ksm/sleep_millisecs", "20\n");
	fake_put("ksm/advisor_max_cpu", "70\n");
	fake_put("ksm/pages_skipped", "3\n");
	fake_put("ksm/frobnicate_millisecs", "1500\n");
	begin();
	t = scrape();
	has(t, "# TYPE ksm_full_scans_total counter\nksm_full_scans_total 7\n");
	has(t, "# TYPE ksm_sleep_seconds gauge\nksm_sleep_seconds 0.02\n");
	has(t, "\nksm_advisor_max_cpu_ratio 0.7\n");
	has(t, "# TYPE ksm_pages_skipped_total counter\n");
	/* a file this ksmtop does not know still gets base units */
	has(t, "\nksm_frobnicate_seconds 1.5\n");
	has(t,
	    "# TYPE ksm_advisor_mode_info gauge\nksm_advisor_mode_info{advisor_mode=\"none\"} 1\n");
	/* the two processes of /t/a: its own series; / and /t hold them in their subtree */
	has(t, "# TYPE ksm_cgroup_merging_pages gauge\n");
	has(t, "\nksm_cgroup_merging_pages{cgroup=\"/t/a\"} 50\n");
	has(t, "\nksm_cgroup_processes{cgroup=\"/t/a\"} 2\n");
	has(t, "\nksm_cgroup_merging_pages{cgroup=\"/\"} 0\n");
	has(t, "\nksm_cgroup_subtree_merging_pages{cgroup=\"/\"} 50\n");
	has(t, "\nksm_cgroup_subtree_processes{cgroup=\"/t\"} 2\n");
	has(t, "# TYPE ksm_cgroup_subtree_merges_total counter\n");
	assert_null(strstr(t, "\nksm_sleep_millisecs"));
	assert_null(strstr(t, "\nksm_frobnicate_millisecs"));
	assert_null(strstr(t, "per_second"));
	assert_null(strstr(t, "# EOF"));
	free(t);
	t = expose(&fx.m, &fx.st, PROM_FMT_OPENMETRICS);
	/* OpenMetrics: families without _total / _info, samples with them, # EOF last */
	has(t, "# TYPE ksm_full_scans counter\nksm_full_scans_total 7\n");
	has(t, "# HELP ksm_advisor_mode The selected advisor_mode");
	has(t, "# TYPE ksm_advisor_mode info\nksm_advisor_mode_info{");
	has(t, "# TYPE ksm_cgroup_workload info\n");
	has(t, "# TYPE ksm_cgroup_subtree_merges counter\n");
	assert_string_equal(t + strlen(t) - 6, "# EOF\n");
	free(t);
	end();
}

/*
 * A parent with processes of its own and two children: the own series hold
 * only the parent's, the subtree series all three, and the own series over
 * every cgroup add up to the host without a process counted twice.
 */
static void test_self_subtree(void **state)
{
	int n, nsub;
	char *t;

	proc(300, "parent", "/p", 100, 100, true);
	proc(301, "c1", "/p/c1", 200, 210, true);
	proc(302, "c2", "/p/c2", 300, 310, true);
	proc(303, "c2b", "/p/c2", 5, 5, true);
	begin();
	t = scrape();
	has(t, "\nksm_cgroup_merging_pages{cgroup=\"/p\"} 100\n");
	has(t, "\nksm_cgroup_subtree_merging_pages{cgroup=\"/p\"} 605\n");
	has(t, "\nksm_cgroup_processes{cgroup=\"/p\"} 1\n");
	has(t, "\nksm_cgroup_subtree_processes{cgroup=\"/p\"} 4\n");
	has(t, "\nksm_cgroup_merging_pages{cgroup=\"/p/c2\"} 305\n");
	has(t, "\nksm_cgroup_subtree_merging_pages{cgroup=\"/p/c2\"} 305\n");
	has(t, "\nksm_cgroup_subtree_rmap_items{cgroup=\"/p\"} 625\n");
	/* 50 in /t/a, 605 under /p */
	assert_true(family_sum(t, "ksm_cgroup_merging_pages", &n) == 655);
	has(t, "\nksm_cgroup_subtree_merging_pages{cgroup=\"/\"} 655\n");
	/* the subtree series count a process once per ancestor: no use for sum() */
	assert_true(family_sum(t, "ksm_cgroup_subtree_merging_pages", &nsub) > 655);
	assert_int_equal(n, nsub);
	assert_int_equal(n, 6); /* /, /t, /t/a, /p, /p/c1, /p/c2 */
	free(t);
	end();
}

/* --cgroup-depth N: no series below N; a cgroup at N stands for its subtree. */
static void test_depth(void **state)
{
	int n;
	char *t;

	proc(300, "parent", "/p", 100, 100, true);
	proc(301, "c1", "/p/c1", 200, 210, true);
	proc(302, "c2", "/p/c2/deep", 300, 310, true);
	begin();
	fx.m.filter.depth = 1;
	for (int i = 0; i < 4; i++)
		merge(&fx.m, 302, 0);
	proc(302, "c2", "/p/c2/deep", 304, 310, true);
	t = scrape();
	assert_null(strstr(t, "cgroup=\"/p/"));
	has(t, "\nksm_cgroup_merging_pages{cgroup=\"/p\"} 604\n");
	has(t, "\nksm_cgroup_subtree_merging_pages{cgroup=\"/p\"} 604\n");
	has(t, "\nksm_cgroup_processes{cgroup=\"/p\"} 3\n");
	has(t, "\nksm_cgroup_merges_total{cgroup=\"/p\"} 4\n");
	has(t, "\nksm_cgroup_merging_pages{cgroup=\"/\"} 0\n");
	assert_true(family_sum(t, "ksm_cgroup_merging_pages", &n) == 654);
	assert_int_equal(n, 3); /* /, /p, /t */
	free(t);
	/* depth 0: the root alone, everything in its own series */
	fx.m.filter.depth = 0;
	top_model_rebuild(&fx.m);
	t = expose(&fx.m, &fx.st, PROM_FMT_TEXT);
	has(t, "\nksm_cgroup_merging_pages{cgroup=\"/\"} 654\n");
	assert_true(family_sum(t, "ksm_cgroup_merging_pages", &n) == 654);
	assert_int_equal(n, 1);
	free(t);
	end();
}

/* A cgroup's merges are a counter: a process that leaves takes nothing from it. */
static void test_counters(void **state)
{
	char *t;

	proc(102, "x", "/t/a/x", 10, 10, true);
	proc(103, "b", "/b\xff", 5, 5, true);
	begin();
	for (int i = 0; i < 10; i++)
		merge(&fx.m, 100, 0);
	merge(&fx.m, 100, -14); /* an error: not a merge */
	proc(100, "vm-a", "/t/a", 40, 35, true);
	proc(101, "vm-b", "/t/a", 18, 20, true); /* two pages stopped merging */
	merge(&fx.m, 102, 0);
	proc(102, "x", "/t/a/x", 11, 10, true);
	merge(&fx.m, 103, 0);
	proc(103, "b", "/b\xff", 6, 5, true);
	sample();
	for (int i = 0; i < 5; i++)
		merge(&fx.m, 100, 0);
	proc(100, "vm-a", "/t/a", 45, 35, true);
	t = scrape();
	has(t, "\nksm_cgroup_merges_total{cgroup=\"/t/a\"} 15\n");
	has(t, "\nksm_cgroup_unmerges_total{cgroup=\"/t/a\"} 2\n");
	has(t, "\nksm_cgroup_subtree_merges_total{cgroup=\"/t/a\"} 16\n");
	has(t, "\nksm_cgroup_merges_total{cgroup=\"/t\"} 0\n");
	has(t, "\nksm_cgroup_subtree_merges_total{cgroup=\"/\"} 17\n");
	has(t, "\nksm_cgroup_merges_total{cgroup=\"/b\\\\xff\"} 1\n");
	has(t, "\nksm_merges_total 17\n");
	free(t);
	/* vm-a exits: /t/a keeps what it merged */
	gone(100);
	t = scrape();
	has(t, "\nksm_cgroup_merges_total{cgroup=\"/t/a\"} 15\n");
	has(t, "\nksm_cgroup_processes{cgroup=\"/t/a\"} 1\n");
	free(t);
	/* /b\xff loses its KSM user for a sample: its series end, and start again from 0 */
	gone(103);
	t = scrape();
	assert_null(strstr(t, "cgroup=\"/b\\\\xff\""));
	free(t);
	proc(104, "b2", "/b\xff", 7, 7, true);
	t = scrape();
	has(t, "\nksm_cgroup_merges_total{cgroup=\"/b\\\\xff\"} 0\n");
	has(t, "\nksm_cgroup_merging_pages{cgroup=\"/b\\\\xff\"} 7\n");
	free(t);
	end();
}

/* cow_ksm and ksm_swpin_copy as the kernel counts them; no series without them. */
static void test_vmstat(void **state)
{
	char *t;

	begin();
	t = scrape();
	assert_null(strstr(t, "ksm_cow_pages"));
	assert_null(strstr(t, "ksm_swpin_copy"));
	has(t, "# HELP ksm_unmerges_total Pages that stopped being merged, derived");
	free(t);
	fake_put("proc/vmstat", "nr_free_pages 1\nksm_swpin_copy 3\ncow_ksm 100\nother 5\n");
	sample();
	fake_put("proc/vmstat", "nr_free_pages 1\nksm_swpin_copy 4\ncow_ksm 142\nother 5\n");
	t = scrape();
	has(t, "# TYPE ksm_cow_pages_total counter\nksm_cow_pages_total 142\n");
	has(t, "# TYPE ksm_swpin_copy_pages_total counter\nksm_swpin_copy_pages_total 4\n");
	has(t, "# HELP ksm_unmerges_total Pages copied out of a KSM page (cow_ksm");
	has(t, "\nksm_unmerges_total 42\n");
	free(t);
	/* a kernel with only one of them: the other is absent, not 0 */
	fake_put("proc/vmstat", "cow_ksm 150\n");
	t = scrape();
	has(t, "\nksm_cow_pages_total 150\n");
	assert_null(strstr(t, "ksm_swpin_copy"));
	free(t);
	end();
}

/* Linux 6.1: no ksm_zero_pages, no ksm_process_profit: no samples, never 0. */
static void test_unknown(void **state)
{
	char *t;

	proc61(400, "old", "/legacy", 200, 210);
	begin();
	t = scrape();
	has(t, "\nksm_cgroup_merging_pages{cgroup=\"/legacy\"} 200\n");
	has(t, "\nksm_cgroup_subtree_rmap_items{cgroup=\"/\"} 265\n");
	assert_null(strstr(t, "ksm_cgroup_zero_pages{cgroup=\"/legacy\"}"));
	assert_null(strstr(t, "ksm_cgroup_profit_bytes{cgroup=\"/legacy\"}"));
	/* a sum knows what all its parts know */
	assert_null(strstr(t, "ksm_cgroup_subtree_profit_bytes{cgroup=\"/\"}"));
	has(t, "\nksm_cgroup_subtree_profit_bytes{cgroup=\"/t\"} ");
	free(t);
	end();
}

static void test_workload_info(void **state)
{
	char *t;

	proc(500, "pause",
	     "/kubepods.slice/kubepods-burstable.slice/"
	     "kubepods-burstable-pod74c13223_5a00_11e9_b385_42010a80018d.slice",
	     1, 1, true);
	begin();
	t = scrape();
	has(t, "ksm_cgroup_workload_info{cgroup=\"/kubepods.slice/kubepods-burstable.slice/"
	       "kubepods-burstable-pod74c13223_5a00_11e9_b385_42010a80018d.slice\",workload=\"");
	has(t, "workload_kind=\"pod\"");
	has(t, "pod_uid=\"74c13223-5a00-11e9-b385-42010a80018d\"");
	has(t, "qos_class=\"burstable\"");
	/* a path of no known shape is its own workload */
	has(t, "ksm_cgroup_workload_info{cgroup=\"/t/a\",workload=\"/t/a\","
	       "workload_kind=\"none\"} 1\n");
	free(t);
	end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names_units, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(test_self_subtree, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(test_depth, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(test_vmstat, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(test_workload_info, setup, fake_dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
