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

#include "ksm_settings.h"
#include "ksm_stat.h"
#include "ksm_sysfs.h"
#include "numa.h"

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

static int setup(void **state)
{
	strcpy(dir, "/tmp/ksmunit.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	setenv("KSM_SYSFS_DIR", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

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

	put("run", "1\n");
	put("pages_shared", "42\n");
	put("advisor_mode", "[none] scan-time\n");
	assert_int_equal(ksm_sysfs_read(NULL, &s), 0);
	assert_true(ksm_sysfs_get(&s, "pages_shared", &v));
	assert_int_equal(v, 42);
	assert_false(ksm_sysfs_get(&s, "advisor_mode", &v));
	assert_string_equal(ksm_sysfs_text(&s, "advisor_mode"), "[none] scan-time");
	assert_false(ksm_sysfs_get(&s, "nosuch", &v));
	assert_int_equal(ksm_sysfs_read("/nonexistent/ksm", &s), -ENOENT);
}

static void settings_save_restore(void **state)
{
	struct ksm_settings s, back;
	char buf[32], path[128];
	int bad = 0;

	put("run", "0\n");
	put("pages_to_scan", "100\n");
	put("sleep_millisecs", "20\n");
	put("advisor_mode", "[none] scan-time\n");
	assert_int_equal(ksm_settings_save(&s), 0);
	put("run", "1\n");
	put("pages_to_scan", "5000\n");
	assert_int_equal(ksm_settings_restore(&s), 0);
	assert_int_equal(ksm_sysfs_read_one(NULL, "run", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(ksm_sysfs_read_one(NULL, "pages_to_scan", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "100");
	assert_int_equal(ksm_sysfs_read_one(NULL, "advisor_mode", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "none");

	snprintf(path, sizeof(path), "%s/saved", dir);
	assert_int_equal(ksm_settings_write_file(&s, path), 0);
	assert_int_equal(ksm_settings_read_file(&back, path, &bad), 0);
	assert_int_equal(back.n, s.n);
	put("saved", "run 1\nthis line is bad\n");
	assert_int_equal(ksm_settings_read_file(&back, path, &bad), -EINVAL);
	assert_int_equal(bad, 2);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_parse),
		cmocka_unit_test_setup_teardown(sysfs_read, setup, teardown),
		cmocka_unit_test_setup_teardown(settings_save_restore, setup, teardown),
		cmocka_unit_test(numa_parse),
	};

	return cmocka_run_group_tests_name("procfs", tests, NULL, NULL);
}
