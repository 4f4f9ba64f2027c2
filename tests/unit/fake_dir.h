/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scratch directory standing in for /sys/kernel/mm/ksm (or /proc) in unit
 * tests: files are written with fake_put(), the directory is made by the
 * cmocka setup and removed by the teardown.  Include after <cmocka.h>.
 */
#ifndef KSM_UNIT_FAKE_DIR_H
#define KSM_UNIT_FAKE_DIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char fake_dir[64];

static void fake_put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fake_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* cmocka setup: a new directory, named by $env for the code under test. */
static int fake_dir_setup_env(const char *env)
{
	strcpy(fake_dir, "/tmp/ksmunit.XXXXXX");
	if (!mkdtemp(fake_dir))
		return -1;
	setenv(env, fake_dir, 1);
	return 0;
}

static __attribute__((unused)) int fake_sysfs_setup(void **state)
{
	return fake_dir_setup_env("KSM_SYSFS_DIR");
}

static int fake_dir_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", fake_dir);
	return system(cmd);
}

#endif
