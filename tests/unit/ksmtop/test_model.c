// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ksmtop's cgroup hierarchy (self and subtree sums, the
 * depth limit, the tree order, workload labels, counters that survive
 * samples), and for what an older kernel cannot tell: Linux 6.1's ksm_stat,
 * no ksm tracepoints, no vmstat KSM counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_top.h"
#include "render_json.h"
#include "render_text.h"

#define POD                                         \
	"/kubepods.slice/kubepods-burstable.slice/" \
	"kubepods-burstable-pod0f3c1a2b_1111_2222_3333_444455556666.slice"
#define CTR               \
	"cri-containerd-" \
	"4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970.scope"

static const struct top_row *cgrow(const struct top_model *m, const char *path)
{
	for (int i = 0; i < m->ncgrows; i++)
		if (!strcmp(m->cgrows[i].cgroup, path))
			return &m->cgrows[i];
	return NULL;
}

/* Two containers of one pod, a pod of its own, a systemd service. */
static void pods(void)
{
	proc(300, "java", POD "/" CTR, 100, 110, true);
	proc(301, "java", POD "/" CTR, 50, 50, true);
	proc(302, "sidecar", POD "/other.scope", 10, 10, true);
	proc(303, "qemu", "/machine.slice/machine-qemu\\x2d1\\x2dweb1.scope", 1000, 1000, true);
}

static void test_hierarchy(void **state)
{
	struct top_sampler s;
	struct top_model m;
	const struct top_row *r;

	pods();
	start(&m, &s);
	r = cgrow(&m, POD);
	assert_non_null(r);
	/* the pod has no process of its own, and the total of its containers */
	assert_int_equal(r->cg->self.nprocs, 0);
	assert_int_equal(r->cg->subtree.nprocs, 3);
	assert_int_equal(r->s.merging_pages, 160);
	assert_int_equal(r->cg->subtree.rmap_items, 170);
	assert_int_equal(cgrow(&m, POD "/" CTR)->cg->self.merging_pages, 150);
	/* the root sums everything: the pod, the VM and the two in /t/a */
	assert_int_equal(cgrow(&m, "/")->s.merging_pages, 160 + 1000 + 30 + 20);
	assert_int_equal(cgrow(&m, "/kubepods.slice")->cg->depth, 1);
	assert_string_equal(cgrow(&m, POD "/" CTR)->cg->parent->path, POD);

	/* --cgroup-depth 2: no row deeper, the rows at the limit keep their subtree */
	m.filter.depth = 2;
	top_model_rebuild(&m);
	for (int i = 0; i < m.ncgrows; i++)
		assert_true(m.cgrows[i].cg->depth <= 2);
	assert_null(cgrow(&m, POD));
	assert_int_equal(cgrow(&m, "/kubepods.slice/kubepods-burstable.slice")->s.merging_pages,
			 160);
	assert_int_equal(top_model_ncgroups(&m), m.ncgrows);
	assert_ptr_equal(top_model_cgroup(&m, 0), m.cgrows[0].cg);
	assert_null(top_model_cgroup(&m, m.ncgrows));
	/* -c: the subtree only; -p: the process's cgroup and its ancestors */
	m.filter.depth = -1;
	strcpy(m.filter.cgroup, "/kubepods.slice");
	top_model_rebuild(&m);
	assert_null(cgrow(&m, "/"));
	assert_non_null(cgrow(&m, POD "/other.scope"));
	/* a name key sorts the rows themselves; a number sorts keys */
	m.sort = TOP_SORT_COMM;
	m.ascending = true;
	top_model_rebuild(&m);
	assert_string_equal(m.rows[0].comm, "java");
	assert_string_equal(m.rows[m.nrows - 1].comm, "sidecar");
	m.sort = TOP_SORT_RMAP;
	m.ascending = false;
	top_model_rebuild(&m);
	assert_int_equal(m.rows[0].pid, 300);
	assert_int_equal(m.rows[0].s.rmap_items, 110);
	m.filter.cgroup[0] = '\0';
	m.filter.pid = 303;
	top_model_rebuild(&m);
	assert_int_equal(m.ncgrows, 3); /* /, /machine.slice, the scope */
	top_model_free(&m);
}

static void test_tree_order(void **state)
{
	struct top_sampler s;
	struct top_model m;
	const struct top_row *r;
	int seen_root = 0;

	pods();
	start(&m, &s);
	m.sort = TOP_SORT_MERGING;
	m.ascending = false;
	top_model_rebuild(&m);
	/* depth first: the root, then its biggest child (the VM's slice) and its subtree */
	r = &m.cgrows[m.tree[0]];
	assert_string_equal(r->cgroup, "/");
	assert_int_equal(r->tree_depth, 0);
	assert_string_equal(m.cgrows[m.tree[1]].cgroup, "/machine.slice");
	assert_int_equal(m.cgrows[m.tree[2]].tree_depth, 2);
	assert_true(m.cgrows[m.tree[2]].tree_last);
	/* every row once; a row's parent comes before it, one level up */
	for (int k = 0; k < m.ncgrows; k++) {
		r = &m.cgrows[m.tree[k]];
		seen_root += !r->cg->parent;
		if (!r->cg->parent)
			continue;
		for (int j = k - 1; j >= 0; j--) {
			if (m.cgrows[m.tree[j]].cg != r->cg->parent)
				continue;
			assert_int_equal(m.cgrows[m.tree[j]].tree_depth + 1, r->tree_depth);
			break;
		}
	}
	assert_int_equal(seen_root, 1);
	top_model_free(&m);
}

static void test_labels_and_totals(void **state)
{
	const char *keys[16], *vals[16];
	struct top_sampler s;
	struct top_model m;
	const struct top_cgroup *c;
	int n;

	pods();
	start(&m, &s);
	c = cgrow(&m, POD "/" CTR)->cg;
	n = top_cgroup_labels(c, keys, vals, 16);
	assert_true(n >= 5);
	assert_string_equal(keys[0], "cgroup");
	assert_string_equal(vals[0], POD "/" CTR);
	assert_string_equal(keys[1], "workload_kind");
	assert_string_equal(vals[1], "pod");
	assert_int_equal(c->wl.kind, WL_POD);
	assert_string_equal(c->wl.pod_uid, "0f3c1a2b-1111-2222-3333-444455556666");
	assert_string_equal(c->wl.qos, "burstable");
	assert_string_equal(c->wl.runtime, "containerd");
	assert_int_equal(cgrow(&m, "/machine.slice/machine-qemu\\x2d1\\x2dweb1.scope")->cg->wl.kind,
			 WL_VM);
	/* counters since start: two samples of merges add up, per cgroup and subtree */
	for (int i = 0; i < 7; i++)
		merge(&m, 300, 0);
	proc(300, "java", POD "/" CTR, 107, 110, true);
	assert_int_equal(top_sample(&s, &m), 0);
	for (int i = 0; i < 3; i++)
		merge(&m, 302, 0);
	proc(302, "sidecar", POD "/other.scope", 13, 10, true);
	assert_int_equal(top_sample(&s, &m), 0);
	c = cgrow(&m, POD)->cg;
	assert_int_equal(c->subtree_total.merges, 10);
	assert_int_equal(c->self_total.merges, 0);
	assert_int_equal(cgrow(&m, POD "/" CTR)->cg->self_total.merges, 7);
	assert_int_equal(cgrow(&m, "/")->cg->subtree_total.merges, 10);
	/* a cgroup with no KSM user left goes, its ancestors stay while they hold one */
	proc(303, "qemu", "/machine.slice/machine-qemu\\x2d1\\x2dweb1.scope", 0, 0, false);
	assert_int_equal(top_sample(&s, &m), 0);
	assert_null(cgrow(&m, "/machine.slice"));
	for (unsigned int i = 0; i < m.cgroups.n; i++)
		assert_null(strstr(m.cgroups.node[i]->path, "machine"));
	top_model_free(&m);
}

/* Linux 6.1: ksm_stat has rmap items only, no profit, no flags, no zero pages. */
static void test_old_kernel(void **state)
{
	struct top_sampler s;
	struct top_model m;
	const struct top_row *r;
	char line[TOP_LINE_LEN];
	json_t *doc, *p, *g;

	proc61(400, "old", "/legacy", 200, 210);
	assert_int_equal(top_model_init(&m), 0);
	top_sampler_init(&s, &m, true); /* no events: active_kinds 0 */
	assert_int_equal(top_sample(&s, &m), 0);
	proc61(400, "old", "/legacy", 260, 270);
	assert_int_equal(top_sample(&s, &m), 0);
	r = row(&m, 400);
	assert_non_null(r);
	assert_int_equal(r->s.merging_pages, 260); /* from /proc/400/ksm_merging_pages */
	assert_int_equal(r->s.rmap_items, 270);
	assert_int_equal(r->s.merges, 60); /* derived: the growth of merging pages */
	assert_false(top_known(&r->s, TOP_KNOWN_PROFIT));
	assert_string_equal(top_row_mode(r), "-");
	top_text_row(r, true, NULL, line, sizeof(line));
	assert_non_null(strstr(line, "     260      270      -       - "));
	doc = top_json(&m, 0);
	p = json_array_get(json_object_get(doc, "processes"), 0);
	assert_true(json_is_null(json_object_get(p, "zero_pages")));
	assert_true(json_is_null(json_object_get(p, "profit_bytes")));
	assert_true(json_is_null(json_object_get(p, "mergeable")));
	assert_true(json_is_null(json_object_get(p, "merge_any")));
	assert_true(json_is_null(json_object_get(p, "rmap_removals")));
	assert_int_equal(json_integer_value(json_object_get(p, "merges")), 60);
	g = json_object_get(doc, "global");
	assert_string_equal(json_string_value(json_object_get(g, "merges_source")), "derived");
	assert_string_equal(json_string_value(json_object_get(g, "unmerges_source")), "derived");
	assert_true(json_is_null(json_object_get(g, "cow_ksm")));
	assert_true(json_is_null(json_object_get(g, "rmap_removals")));
	json_decref(doc);
	top_model_free(&m);
}

/* Where /proc/vmstat counts COW breaks of KSM pages, unmerges are that count. */
static void test_vmstat(void **state)
{
	struct top_sampler s;
	struct top_model m;
	json_t *doc, *g;

	fake_put("proc/vmstat", "nr_free_pages 1\nksm_swpin_copy 3\ncow_ksm 100\nother 5\n");
	start(&m, &s);
	assert_true(m.g.cow_ksm.known);
	assert_int_equal(m.g.cow_ksm.value, 100);
	fake_put("proc/vmstat", "nr_free_pages 1\nksm_swpin_copy 4\ncow_ksm 142\nother 5\n");
	assert_int_equal(top_sample(&s, &m), 0);
	assert_true(m.g.unmerges_exact);
	assert_int_equal(m.g.unmerges, 42);
	assert_int_equal(m.g.swpin_copy.delta, 1);
	doc = top_json(&m, 0);
	g = json_object_get(doc, "global");
	assert_int_equal(json_integer_value(json_object_get(g, "cow_ksm")), 142);
	assert_int_equal(json_integer_value(json_object_get(g, "ksm_swpin_copy")), 4);
	assert_string_equal(json_string_value(json_object_get(g, "unmerges_source")), "vmstat");
	json_decref(doc);
	top_model_free(&m);
}

/* The pid index holds through growth and through drops in the middle of probe runs. */
static void test_proc_table(void **state)
{
	struct ksm_proc_stat st = { .merging_pages = 1, .has_merging_pages = true };
	struct proc_table t;
	unsigned int seen = 0;

	assert_int_equal(proc_table_init(&t), 0);
	for (int round = 0; round < 3; round++) {
		proc_table_begin(&t);
		/* pids that collide: multiples of a power of two share low bits */
		for (int pid = 1; pid <= 6000; pid++)
			if (pid % (round + 2) && proc_table_put(&t, pid * 64, &st) == NULL)
				fail();
		proc_table_end(&t);
		for (int pid = 1; pid <= 6000; pid++) {
			struct proc_ent *e = proc_table_find(&t, pid * 64);

			if (pid % (round + 2)) {
				assert_non_null(e);
				assert_int_equal(e->pid, pid * 64);
				seen++;
			} else {
				assert_null(e);
			}
		}
		assert_int_equal(t.len, 6000 - 6000 / (round + 2));
	}
	assert_true(seen > 10000);
	proc_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hierarchy, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(test_tree_order, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(test_labels_and_totals, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(test_old_kernel, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(test_vmstat, setup, fake_dir_teardown),
		cmocka_unit_test(test_proc_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
