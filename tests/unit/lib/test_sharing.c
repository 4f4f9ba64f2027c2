// SPDX-License-Identifier: GPL-2.0
/*
 * The sharing walker on a /proc made here ($KSM_PROC_DIR): smaps, pagemap,
 * kpageflags and kpagecgroup files with frames of known kinds (KSM frames
 * shared within and across cgroups, an exclusive KSM frame, an ordinary
 * anonymous frame, the zero page, a file page), whole and in budgeted
 * steps; the boundary check on the result (names: test_name_esc.c).
 */
#include <errno.h>
#include <fcntl.h>
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

#include "../fake_dir.h"

#include "boundary.h"
#include "sharing.h"

#define KSM (1ULL << KPF_KSM)
#define ZERO (1ULL << KPF_ZERO_PAGE)
#define ANON (1ULL << KPF_ANON)
#define BASE 0x10000ULL	  /* every fake mergeable mapping starts here */
#define UNSCANNED 0x8000ULL /* and a VMA without VM_MERGEABLE here */
#define PRESENT (1ULL << 63)

static void put_u64(const char *name, uint64_t idx, uint64_t v)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fake_dir, name);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &v, sizeof(v), (off_t)(idx * sizeof(v))), sizeof(v));
	close(fd);
}

static void put_pid_file(int pid, const char *name, const char *text)
{
	char path[64];

	snprintf(path, sizeof(path), "%d/%s", pid, name);
	fake_put(path, text);
}

/*
 * A process: its cgroup, comm, ksm_stat, one mergeable VMA and its pagemap
 * entries, below it a VMA ksmd does not scan, mapping KSM frame 10 (which
 * cannot happen: the walker must not even read it).
 */
static void fake_proc(int pid, const char *cgroup, const uint64_t *ent, int n)
{
	char path[256], body[512];

	snprintf(path, sizeof(path), "%s/%d", fake_dir, pid);
	mkdir(path, 0755);
	snprintf(body, sizeof(body), "0::%s\n", cgroup);
	put_pid_file(pid, "cgroup", body);
	put_pid_file(pid, "comm", pid == 100 ? "evil\x1b[2J\n" : "worker\n");
	put_pid_file(pid, "ksm_stat",
		     n ? "ksm_rmap_items 4\nksm_zero_pages 0\nksm_merging_pages 2\n"
			 "ksm_process_profit 0\nksm_merge_any: no\nksm_mergeable: yes\n"
		       : "ksm_rmap_items 0\nksm_zero_pages 0\nksm_merging_pages 0\n"
			 "ksm_process_profit 0\nksm_merge_any: no\nksm_mergeable: no\n");
	snprintf(body, sizeof(body),
		 "%08llx-%08llx rw-p 00000000 00:00 0 \nRss: 4 kB\nVmFlags: rd wr mr mw me ac \n"
		 "%08llx-%08llx rw-p 00000000 00:00 0 \nRss: 4 kB\nVmFlags: rd wr mr mw me ac mg \n",
		 (unsigned long long)UNSCANNED, (unsigned long long)UNSCANNED + 4096ULL,
		 (unsigned long long)BASE, (unsigned long long)(BASE + (n ? n : 1) * 4096ULL));
	put_pid_file(pid, "smaps", body);
	put_pid_file(pid, "pagemap", "");
	snprintf(path, sizeof(path), "%d/pagemap", pid);
	put_u64(path, UNSCANNED >> 12, PRESENT | 10);
	for (int i = 0; i < n; i++)
		put_u64(path, (BASE >> 12) + (uint64_t)i, ent[i]);
}

#define EXCL (1ULL << 56)
#define FILEPG (1ULL << 61)

/*
 * Frames 10 and 11 are KSM pages; 10 is mapped from /t/a and /t/b, 11 from
 * two processes of /t/a.  12 is an ordinary page, 13 the zero page, 14 a
 * KSM page mapped once.  Process 400 is no KSM user.
 */
static int setup(void **state)
{
	static const uint64_t p100[] = { PRESENT | 10, PRESENT | 11,	    PRESENT | EXCL | 12,
					 PRESENT | 13, PRESENT | EXCL | 14, 0 };
	static const uint64_t p200[] = { PRESENT | 10, PRESENT | FILEPG | 11 };
	static const uint64_t p300[] = { PRESENT | 11 };

	if (fake_dir_setup_env("KSM_PROC_DIR"))
		return -1;
	setenv("KSM_CGROUP_ROOT", fake_dir, 1); /* not cgroup2: ids stay 0 */
	put_u64("kpageflags", 10, KSM | ANON);
	put_u64("kpageflags", 11, KSM | ANON);
	put_u64("kpageflags", 12, ANON);
	put_u64("kpageflags", 13, ZERO);
	put_u64("kpageflags", 14, KSM | ANON);
	put_u64("kpagecgroup", 14, 0);
	put_u64("kpagecgroup", 10, 77);
	put_u64("kpagecgroup", 11, 78);
	fake_proc(100, "/t/a", p100, 6);
	fake_proc(200, "/t/b", p200, 2);
	fake_proc(300, "/t/a", p300, 1);
	fake_proc(400, "/other", NULL, 0);
	return 0;
}

static const struct sharing_cg *cg_named(const struct sharing_snapshot *s, const char *p)
{
	for (size_t i = 0; i < s->ncgs; i++)
		if (!strcmp(s->cgs[i].path, p))
			return &s->cgs[i];
	fail_msg("no cgroup %s", p);
	return NULL;
}

static void check_snapshot(const struct sharing_snapshot *s)
{
	const struct sharing_cg *a = cg_named(s, "/t/a"), *b = cg_named(s, "/t/b");

	assert_int_equal(s->nprocs, 3); /* 400 is no KSM user */
	assert_int_equal(s->nframes, 2);
	assert_int_equal(s->nmaps, 4);
	assert_int_equal(s->cross_frames, 1);
	assert_int_equal(s->frames[0].pfn, 10);
	assert_int_equal(s->frames[0].ncgs, 2);
	assert_int_equal(s->frames[0].memcg, 77);
	assert_int_equal(s->frames[1].pfn, 11);
	assert_int_equal(s->frames[1].nmaps, 2);
	assert_int_equal(s->frames[1].ncgs, 1);
	assert_int_equal(a->ksm_mappings, 3);
	assert_int_equal(a->frames, 2);
	assert_int_equal(a->cross_frames, 1);
	assert_int_equal(a->nprocs, 2);
	assert_int_equal(b->ksm_mappings, 1);
	assert_int_equal(s->npairs, 1);
	assert_int_equal(s->pairs[0].frames, 1);
	assert_string_equal(s->cgs[s->pairs[0].a].path, "/t/a");
	assert_string_equal(s->cgs[s->pairs[0].b].path, "/t/b");
	assert_int_equal(s->pages_walked, 6 + 2 + 1);
}

static void walk_whole(void **state)
{
	struct sharing_opts o = { 0 };
	struct sharing_snapshot s;

	assert_int_equal(sharing_walk(&o, &s), 0);
	check_snapshot(&s);
	assert_int_equal(s.steps, 1);
	sharing_snapshot_free(&s);
	/* -c: only /t/a's processes; frame 10 is then not seen as shared */
	o.cgroup = "/t/a";
	assert_int_equal(sharing_walk(&o, &s), 0);
	assert_int_equal(s.nprocs, 2);
	assert_int_equal(s.cross_frames, 0);
	sharing_snapshot_free(&s);
	o.cgroup = NULL;
	o.pid = 300;
	assert_int_equal(sharing_walk(&o, &s), 0);
	assert_int_equal(s.nmaps, 1);
	sharing_snapshot_free(&s);
}

static void walk_in_steps(void **state)
{
	struct sharing_opts o = { 0 };
	struct sharing_walker w;
	int r, steps = 0;

	assert_int_equal(sharing_walker_init(&w, &o), 0);
	/* a budget of 1 ns stops after each pagemap read: one per process */
	while ((r = sharing_walker_step(&w, 1)) == 0)
		steps++;
	assert_int_equal(r, 1);
	assert_true(steps >= 2);
	check_snapshot(&w.last);
	/* the next pass starts afresh and finds the same */
	while ((r = sharing_walker_step(&w, 1)) == 0)
		;
	assert_int_equal(r, 1);
	check_snapshot(&w.last);
	sharing_walker_free(&w);
}

static void crossings(void **state)
{
	struct sharing_opts o = { 0 };
	struct sharing_snapshot s;
	struct sharing_crossing c[4];
	struct boundaries b = { 0 };
	uint64_t frames;

	assert_int_equal(sharing_walk(&o, &s), 0);
	assert_int_equal(boundary_add(&b, "/t/*"), 0);
	assert_int_equal(sharing_crossings(&s, &b, c, 4, &frames), 1);
	assert_int_equal(frames, 1);
	assert_string_equal(c[0].a, "/t/a");
	assert_string_equal(c[0].b, "/t/b");
	/* one boundary around both: nothing crosses */
	b.n = 0;
	assert_int_equal(boundary_add(&b, "/t"), 0);
	assert_int_equal(sharing_crossings(&s, &b, c, 4, &frames), 0);
	assert_int_equal(frames, 0);
	/* only /t/a is a boundary: /t/b is outside, and that crosses too */
	b.n = 0;
	assert_int_equal(boundary_add(&b, "/t/a"), 0);
	assert_int_equal(sharing_crossings(&s, &b, c, 4, &frames), 1);
	assert_string_equal(c[0].a, "");
	assert_string_equal(c[0].b, "/t/a");
	sharing_snapshot_free(&s);
}

static void json_and_text(void **state)
{
	struct sharing_opts o = { 0 };
	struct sharing_snapshot s;
	char *out = NULL;
	size_t len = 0;
	json_t *j;
	char *txt;
	FILE *f;

	assert_int_equal(sharing_walk(&o, &s), 0);
	j = sharing_to_json(&s, SHARING_JSON_FRAMES);
	txt = json_dumps(j, JSON_COMPACT);
	assert_non_null(strstr(txt, "\"cross_cgroup_frames\":1"));
	assert_non_null(strstr(txt, "\"frames\":[{\"pfn\":10,"));
	assert_non_null(strstr(txt, "\"cgroups\":[\"/t/a\",\"/t/b\"],\"pids\":[100,200]"));
	free(txt);
	json_decref(j);
	f = open_memstream(&out, &len);
	sharing_print_text(f, &s, 0);
	fclose(f);
	assert_non_null(strstr(out, "KSM frames shared across cgroups: 1 (4.0 KiB) of 2"));
	assert_non_null(strstr(out, "/t/a"));
	free(out);
	sharing_snapshot_free(&s);
}

static void boundaries(void **state)
{
	struct boundaries b = { 0 };
	char out[64];

	assert_int_equal(boundary_add(&b, "tenants/*"), -EINVAL);
	assert_int_equal(boundary_add(&b, "/tenants/*"), 0);
	assert_true(boundary_of(&b, "/tenants/a", out, sizeof(out)));
	assert_string_equal(out, "/tenants/a");
	assert_true(boundary_of(&b, "/tenants/a/web/x", out, sizeof(out)));
	assert_string_equal(out, "/tenants/a");
	assert_false(boundary_of(&b, "/tenants", out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(boundary_of(&b, "/system.slice/x.service", out, sizeof(out)));
	/* the deepest match wins, as the nearest ksmpolicy rule does */
	assert_int_equal(boundary_add(&b, "/tenants/a/web"), 0);
	assert_true(boundary_of(&b, "/tenants/a/web/x", out, sizeof(out)));
	assert_string_equal(out, "/tenants/a/web");
	assert_int_equal(boundary_add(&b, "/"), 0);
	assert_true(boundary_of(&b, "/other", out, sizeof(out)));
	assert_string_equal(out, "/");
	for (int i = b.n; i < BOUNDARY_MAX; i++)
		assert_int_equal(boundary_add(&b, "/x"), 0);
	assert_int_equal(boundary_add(&b, "/x"), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(walk_whole, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(walk_in_steps, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(crossings, setup, fake_dir_teardown),
		cmocka_unit_test_setup_teardown(json_and_text, setup, fake_dir_teardown),
		cmocka_unit_test(boundaries),
	};

	return cmocka_run_group_tests_name("sharing", tests, NULL, NULL);
}
