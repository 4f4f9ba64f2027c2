// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ksmtop's model, sampler, process table, JSON document and
 * Prometheus exposition,
 * against a fake /proc and /sys/kernel/mm/ksm made here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "model.h"
#include "prom.h"
#include "render_json.h"
#include "sampler.h"

#include "fake_top.h"

static void test_model_rows(void **state)
{
	struct top_sampler s;
	struct top_model m;
	const struct top_row *r;

	start(&m, &s);
	/* the non-user was read once, to learn it is none */
	assert_int_equal(m.nrows, 2);
	assert_null(row(&m, 200));
	for (int i = 0; i < 30; i++)
		merge(&m, 100, 0);
	merge(&m, 100, -14); /* failed: not a merge */
	/* 100 unmerged 5 pages while merging 30 more */
	proc(100, "vm-a", "/t/a", 55, 60, true);
	assert_int_equal(top_sample(&s, &m), 0);
	assert_int_equal(m.procs.nr_read, 2); /* 200 is not read again */
	r = row(&m, 100);
	assert_non_null(r);
	assert_int_equal(r->s.merging_pages, 55);
	assert_int_equal(r->s.rmap_items, 60);
	assert_int_equal(r->s.merges, 30);
	assert_int_equal(r->s.unmerges, 5);
	assert_string_equal(r->comm, "vm-a");
	assert_string_equal(r->cgroup, "/t/a");
	assert_true(r->s.mergeable);
	/* the cgroup and its ancestors: /t/a sums its processes, / and /t their subtrees */
	assert_int_equal(m.ncgrows, 3);
	for (int i = 0; i < m.ncgrows; i++) {
		assert_int_equal(m.cgrows[i].s.merging_pages, 75);
		assert_int_equal(m.cgrows[i].s.nprocs, 2);
		assert_int_equal(m.cgrows[i].s.merges, 30);
		assert_int_equal(m.cgrows[i].cg->self.nprocs,
				 strcmp(m.cgrows[i].cgroup, "/t/a") ? 0 : 2);
	}
	/* one node (no zoneinfo): its KSM pages are pages_shared */
	assert_int_equal(m.nr_nodes, 1);
	assert_int_equal(m.node[0].ksm_pages, 10);
	assert_int_equal(m.g.merges, 30);

	/* filters */
	m.filter.pid = 101;
	top_model_rebuild(&m);
	assert_int_equal(m.nrows, 1);
	m.filter.pid = 0;
	strcpy(m.filter.cgroup, "/t/b");
	top_model_rebuild(&m);
	assert_int_equal(m.nrows, 0);
	strcpy(m.filter.cgroup, "/t");
	top_model_rebuild(&m);
	assert_int_equal(m.nrows, 2);

	/* sorting */
	m.sort = TOP_SORT_MERGING;
	m.ascending = false;
	top_model_rebuild(&m);
	assert_int_equal(m.rows[0].pid, 100);
	m.sort = TOP_SORT_PID;
	top_model_rebuild(&m);
	assert_int_equal(m.rows[0].pid, 101);
	m.ascending = true;
	top_model_rebuild(&m);
	assert_int_equal(m.rows[0].pid, 100);

	/* an event names a pid the table thought a non-user: it is read again */
	m.filter.cgroup[0] = '\0';
	merge(&m, 200, 0);
	proc(200, "bash", "/", 1, 1, true);
	assert_int_equal(top_sample(&s, &m), 0);
	assert_int_equal(m.procs.nr_read, 3);
	assert_non_null(row(&m, 200));
	top_model_free(&m);
}

static void test_json(void **state)
{
	struct top_sampler s;
	struct top_model m;
	json_t *doc, *p;

	start(&m, &s);
	doc = top_json(&m, 1);
	assert_int_equal(json_integer_value(
				 json_object_get(json_object_get(doc, "global"), "pages_sharing")),
			 40);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(doc, "global"), "advisor_mode")),
		"[none] scan-time");
	assert_int_equal(json_array_size(json_object_get(doc, "processes")), 1); /* -r 1 */
	p = json_array_get(json_object_get(doc, "processes"), 0);
	for (const char *const *k =
		     (const char *const[]){ "pid", "comm", "cgroup", "merging_pages", "rmap_items",
					    "zero_pages", "profit_bytes", "merges_per_s", NULL };
	     *k; k++)
		assert_non_null(json_object_get(p, *k));
	assert_non_null(json_object_get(doc, "nodes"));
	assert_non_null(json_object_get(doc, "cgroups"));
	json_decref(doc);
	top_model_free(&m);
}

/* The exposition of a sampled model (prom.c's own tests: test_prom.c). */
static void test_prom(void **state)
{
	struct prom_opts o = { .max_procs = 1 };
	struct prom_out out = { .fmt = PROM_FMT_TEXT };
	struct prom_state ps;
	struct top_sampler s;
	struct top_model m;
	char *text = NULL;
	size_t len = 0;

	start(&m, &s);
	prom_state_init(&ps);
	assert_int_equal(prom_state_update(&ps, &m, o.max_procs), 0);
	out.f = open_memstream(&text, &len);
	prom_write(&out, &m, &o, &ps);
	fclose(out.f);
	assert_non_null(
		strstr(text, "# TYPE ksm_full_scans_total counter\nksm_full_scans_total 7\n"));
	assert_non_null(strstr(text, "# TYPE ksm_pages_sharing gauge\nksm_pages_sharing 40\n"));
	assert_non_null(strstr(text, "ksm_advisor_mode_info{advisor_mode=\"none\"} 1\n"));
	assert_non_null(strstr(text, "ksm_cgroup_merging_pages{cgroup=\"/t/a\"} 50\n"));
	/* the cap keeps the biggest process only */
	assert_non_null(strstr(text, "ksm_process_merging_pages{pid=\"100\",comm=\"vm-a\""));
	assert_null(strstr(text, "pid=\"101\""));
	free(text);
	prom_state_free(&ps);
	top_model_free(&m);
}

static void test_names(void **state)
{
	assert_true(top_cgroup_in("/a/b", "/a"));
	assert_true(top_cgroup_in("/a", "/a/"));
	assert_false(top_cgroup_in("/ab", "/a"));
	assert_true(top_cgroup_in("/x", ""));
	assert_true(top_cgroup_in("/x", "/"));
	assert_false(top_cgroup_in(NULL, "/a"));
	for (int i = 0; i < TOP_SORT_MAX; i++)
		assert_int_equal(top_sort_by_name(top_sort_name(i)), i);
	assert_int_equal(top_sort_by_name("size"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_model_rows, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(test_prom, setup, fake_dir_teardown),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
