// SPDX-License-Identifier: GPL-2.0
/*
 * Output files (tools/ksmdebug/outfile.c): created 0600 whatever the umask,
 * never through a symlink (one at the target is replaced, one planted at
 * the old predictable PATH.tmp is left alone, one to a device refused),
 * refused on a directory or a FIFO without a reader without blocking,
 * /dev/null written in place, and no temporary left behind.
 */
#include <dirent.h>
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

#include "cli.h"
#include "outfile.h"

static char dir[64];

static int make_dir(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test_outfile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static const char *at(const char *name)
{
	static char p[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static int write_file(const char *path, const char *text)
{
	struct outfile o;
	int r = outfile_open(&o, path);

	if (r)
		return r;
	fputs(text, o.f);
	return outfile_close(&o);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Files in dir: only the ones the test made. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' || !strncmp(de->d_name, ".ksmdebug", 9);
	closedir(d);
	return n;
}

static void mode_0600(void **state)
{
	struct stat st;
	mode_t old = umask(0);

	assert_int_equal(write_file(at("t.jsonl"), "one\n"), 0);
	umask(old);
	assert_int_equal(stat(at("t.jsonl"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_string_equal(slurp(at("t.jsonl")), "one\n");
	/* rewritten: still 0600, new content */
	chmod(at("t.jsonl"), 0644);
	assert_int_equal(write_file(at("t.jsonl"), "two\n"), 0);
	assert_int_equal(stat(at("t.jsonl"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_string_equal(slurp(at("t.jsonl")), "two\n");
	assert_int_equal(entries(), 1);
}

static void never_through_a_symlink(void **state)
{
	struct stat st;

	/* a link planted at the target, and at the old predictable temporary */
	assert_int_equal(write_file(at("victim"), "precious\n"), 0);
	assert_int_equal(symlink(at("victim"), at("x.jsonl")), 0);
	assert_int_equal(symlink(at("victim"), at("x.jsonl.tmp")), 0);
	assert_int_equal(write_file(at("x.jsonl"), "trace\n"), 0);
	assert_string_equal(slurp(at("victim")), "precious\n");
	assert_int_equal(lstat(at("x.jsonl"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(slurp(at("x.jsonl")), "trace\n");
	assert_int_equal(lstat(at("x.jsonl.tmp"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
}

static void refused_targets(void **state)
{
	int n = entries();

	assert_int_equal(mkdir(at("adir"), 0700), 0);
	assert_int_equal(write_file(at("adir"), "x"), CLI_EXIT_ERROR);
	/* a FIFO without a reader: an error at once, not a wait */
	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	assert_int_equal(write_file(at("fifo"), "x"), CLI_EXIT_ERROR);
	/* a device named as such is written in place; through a link it is refused */
	assert_int_equal(write_file("/dev/null", "x"), 0);
	assert_int_equal(symlink("/dev/null", at("null")), 0);
	assert_int_equal(write_file(at("null"), "x"), CLI_EXIT_ERROR);
	assert_int_equal(write_file(at("no/such/dir/f"), "x"), CLI_EXIT_ERROR);
	assert_int_equal(entries(), n + 3); /* adir, fifo, null: no temporary */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mode_0600),
		cmocka_unit_test(never_through_a_symlink),
		cmocka_unit_test(refused_targets),
	};

	cli_init("test_outfile");
	return cmocka_run_group_tests_name("outfile", tests, make_dir, remove_dir);
}
