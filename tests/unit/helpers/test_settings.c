// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the KSM settings save/restore of ksmctl, on a fake sysfs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../fake_dir.h"
#include "ksm_settings.h"
#include "ksm_sysfs.h"

static void settings_save_restore(void **state)
{
	struct ksm_settings s, back;
	char buf[32], path[128];
	int bad = 0;

	fake_put("run", "0\n");
	fake_put("pages_to_scan", "100\n");
	fake_put("sleep_millisecs", "20\n");
	fake_put("advisor_mode", "[none] scan-time\n");
	assert_int_equal(ksm_settings_save(&s), 0);
	fake_put("run", "1\n");
	fake_put("pages_to_scan", "5000\n");
	assert_int_equal(ksm_settings_restore(&s), 0);
	assert_int_equal(ksm_sysfs_read_one(NULL, "run", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(ksm_sysfs_read_one(NULL, "pages_to_scan", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "100");
	assert_int_equal(ksm_sysfs_read_one(NULL, "advisor_mode", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "none");

	snprintf(path, sizeof(path), "%s/saved", fake_dir);
	assert_int_equal(ksm_settings_write_file(&s, path), 0);
	assert_int_equal(ksm_settings_read_file(&back, path, &bad), 0);
	assert_int_equal(back.n, s.n);
	fake_put("saved", "run 1\nthis line is bad\n");
	assert_int_equal(ksm_settings_read_file(&back, path, &bad), -EINVAL);
	assert_int_equal(bad, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(settings_save_restore, fake_sysfs_setup,
						fake_dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
