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

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void proc(int pid, const char *comm, const char *cg, long merging, long rmap, bool mergeable)
{
	char path[256], text[512];

	snprintf(path, sizeof(path), "%s/proc/%d", dir, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "proc/%d/ksm_stat", pid);
	snprintf(text, sizeof(text),
		 "ksm_rmap_items %ld\nksm_zero_pages 0\nksm_merging_pages %ld\n"
		 "ksm_process_profit %ld\nksm_merge_any: no\nksm_mergeable: %s\n",
		 rmap, merging, merging * 4096 - rmap * 64, mergeable ? "yes" : "no");
	put(path, text);
	snprintf(path, sizeof(path), "proc/%d/comm", pid);
	snprintf(text, sizeof(text), "%s\n", comm);
	put(path, text);
	snprintf(path, sizeof(path), "proc/%d/cgroup", pid);
	snprintf(text, sizeof(text), "1:cpu:/\n0::%s\n", cg);
	put(path, text);
}

static int setup(void **state)
{
	char p[128];

	strcpy(dir, "/tmp/ksmtopunit.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(p, sizeof(p), "%s/proc", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/ksm", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/proc", dir);
	setenv("KSM_PROC_DIR", p, 1);
	snprintf(p, sizeof(p), "%s/ksm", dir);
	setenv("KSM_SYSFS_DIR", p, 1);
	put("ksm/pages_shared", "10\n");
	put("ksm/pages_sharing", "40\n");
	put("ksm/full_scans", "7\n");
	put("ksm/pages_scanned", "1000\n");
	put("ksm/run", "1\n");
	put("ksm/advisor_mode", "[none] scan-time\n");
	proc(100, "vm-a", "/t/a", 30, 35, true);
	proc(101, "vm-b", "/t/a", 20, 20, true);
	proc(200, "bash", "/", 0, 0, false);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void merge(struct top_model *m, int pid, int err)
{
	struct ksm_event e = {
		.kind = KSM_EV_MERGE_WITH_KSM_PAGE, .pid = pid, .err = err, .nid = -1, .pfn = 1234
	};

	top_model_event(m, &e);
}

/* A model and its sampler, with the baseline sample taken. */
static void start(struct top_model *m, struct top_sampler *s)
{
	assert_int_equal(top_model_init(m), 0);
	top_sampler_init(s, m);
	assert_int_equal(top_sample(s, m), 0);
}

static const struct top_row *row(const struct top_model *m, int pid)
{
	for (int i = 0; i < m->nrows; i++)
		if (m->rows[i].pid == pid)
			return &m->rows[i];
	return NULL;
}

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
	assert_int_equal(r->merging_pages, 55);
	assert_int_equal(r->rmap_items, 60);
	assert_int_equal(r->merges, 30);
	assert_int_equal(r->unmerges, 5);
	assert_string_equal(r->comm, "vm-a");
	assert_string_equal(r->cgroup, "/t/a");
	assert_true(r->mergeable);
	/* one cgroup row, the sum of its processes */
	assert_int_equal(m.ncgrows, 1);
	assert_int_equal(m.cgrows[0].merging_pages, 75);
	assert_int_equal(m.cgrows[0].nprocs, 2);
	assert_int_equal(m.cgrows[0].merges, 30);
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
		cmocka_unit_test_setup_teardown(test_model_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prom, setup, teardown),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
