// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the /proc and sysfs readers, against files made here. */
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

#include "../fake_dir.h"

#include "ksm_stat.h"
#include "ksm_sysfs.h"
#include "numa.h"
#include "procfs.h"

static void stat_parse(void **state)
{
	struct ksm_proc_stat st;

	assert_int_equal(ksm_stat_parse("ksm_rmap_items 3200\nksm_zero_pages 7\n"
					"ksm_merging_pages 3000\nksm_process_profit 12083200\n"
					"ksm_merge_any: no\nksm_mergeable: yes\n", &st), 0);
	assert_int_equal(st.rmap_items, 3200);
	assert_int_equal(st.zero_pages, 7);
	assert_int_equal(st.merging_pages, 3000);
	assert_int_equal(st.profit, 12083200);
	assert_false(st.merge_any);
	assert_true(st.mergeable);
	assert_true(st.has_mergeable);
	/* older kernels: two lines only */
	assert_int_equal(ksm_stat_parse("ksm_rmap_items 0\nksm_merging_pages 0\n", &st), 0);
	assert_false(st.has_merge_any);
	assert_int_equal(ksm_stat_parse("garbage\n", &st), -EINVAL);
	assert_int_equal(ksm_stat_parse("", &st), -EINVAL);
}

static void sysfs_read(void **state)
{
	struct ksm_sysfs s;
	int64_t v;

	fake_put("run", "1\n");
	fake_put("pages_shared", "42\n");
	fake_put("advisor_mode", "[none] scan-time\n");
	assert_int_equal(ksm_sysfs_read(NULL, &s), 0);
	assert_true(ksm_sysfs_get(&s, "pages_shared", &v));
	assert_int_equal(v, 42);
	assert_false(ksm_sysfs_get(&s, "advisor_mode", &v));
	assert_string_equal(ksm_sysfs_text(&s, "advisor_mode"), "[none] scan-time");
	assert_false(ksm_sysfs_get(&s, "nosuch", &v));
	assert_int_equal(ksm_sysfs_read("/nonexistent/ksm", &s), -ENOENT);
}

static const char zoneinfo[] =
	"Node 0, zone      DMA\n"
	"  pages free     3840\n"
	"        spanned  4095\n"
	"        present  3998\n"
	"  start_pfn:           1\n"
	"Node 0, zone    DMA32\n"
	"        spanned  1044480\n"
	"  start_pfn:           4096\n"
	"Node 1, zone   Normal\n"
	"        spanned  262144\n"
	"  start_pfn:           1048576\n"
	"Node 1, zone  Movable\n"
	"        spanned  0\n"
	"  start_pfn:           0\n";

static void numa_parse(void **state)
{
	struct numa_map m;

	assert_int_equal(numa_map_parse(&m, zoneinfo), 0);
	assert_int_equal(m.nr, 3);
	assert_int_equal(m.nr_nodes, 2);
	assert_int_equal(numa_pfn_to_nid(&m, 1), 0);
	assert_int_equal(numa_pfn_to_nid(&m, 4095), 0);
	assert_int_equal(numa_pfn_to_nid(&m, 1048575), 0);
	assert_int_equal(numa_pfn_to_nid(&m, 1048576), 1);
	assert_int_equal(numa_pfn_to_nid(&m, 1048576 + 262143), 1);
	assert_int_equal(numa_pfn_to_nid(&m, 1048576 + 262144), -1);
	assert_int_equal(numa_pfn_to_nid(&m, 0), -1);
	assert_int_equal(numa_map_parse(&m, "nothing here\n"), -EINVAL);
}

/* /proc/PID/cgroup: the v2 entry, a name with a newline, hybrid, none. */
static void cgroup_parse(void **state)
{
	static const char v2[] = "0::/a/evil\nname\n0::/fake\n";
	static const char hybrid[] = "12:cpuset:/x\n1:name=systemd:/y\n0::/user.slice/s\n";
	char buf[64];

	assert_int_equal(proc_cgroup_parse(v2, sizeof(v2) - 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/a/evil\nname\n0::/fake");
	assert_int_equal(proc_cgroup_parse(hybrid, sizeof(hybrid) - 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/user.slice/s");
	assert_int_equal(proc_cgroup_parse("0::/\n", 5, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
	assert_int_equal(proc_cgroup_parse("1:cpu:/x\n", 9, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(proc_cgroup_parse("", 0, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(proc_cgroup_parse("0::/abcdef\n", 11, buf, 4), -ENAMETOOLONG);
	assert_int_equal(proc_cgroup_parse("0::/a\0b\n", 8, buf, sizeof(buf)), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_parse),
		cmocka_unit_test_setup_teardown(sysfs_read, fake_sysfs_setup, fake_dir_teardown),
		cmocka_unit_test(numa_parse),
		cmocka_unit_test(cgroup_parse),
	};

	return cmocka_run_group_tests_name("procfs", tests, NULL, NULL);
}
