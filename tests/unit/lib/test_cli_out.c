// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for output that goes away (lib/cli.c): cli_out_check on a pipe
 * whose reader left before anything was written, on /dev/full, on a closed
 * stdout, and the exit status a one-shot command gets when its output
 * failed.  Each case runs in a child: the check remembers its first failure.
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"

/* Run fn in a child with stderr in a file; its exit status and what it said. */
static int in_child(void (*fn)(void), char *said, size_t len)
{
	char path[] = "/tmp/test_cli_out.XXXXXX";
	int fd = mkstemp(path), status;
	ssize_t n;
	pid_t pid;

	assert_true(fd >= 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(fd, STDERR_FILENO);
		cli_init("t");
		fn();
		exit(0); /* through atexit: the check at exit runs */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	n = pread(fd, said, len - 1, 0);
	said[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* stdout on a pipe whose reader is gone; nothing written yet */
static void reader_gone(void)
{
	int p[2];

	if (pipe(p) || dup2(p[1], STDOUT_FILENO) < 0)
		_exit(90);
	close(p[0]);
	close(p[1]);
	if (cli_out_check() != CLI_EXIT_ERROR)
		_exit(91);
	/* said once, and stays failed */
	if (cli_out_check() != CLI_EXIT_ERROR)
		_exit(92);
	_exit(0);
}

static void device_full(void)
{
	int fd = open("/dev/full", O_WRONLY);

	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
		_exit(90);
	if (cli_out_check())
		_exit(91); /* nothing written: nothing failed yet */
	for (int i = 0; i < 10000; i++)
		printf("a line that fills the buffer\n");
	_exit(cli_out_check() == CLI_EXIT_ERROR ? 0 : 92);
}

static void stdout_closed(void)
{
	close(STDOUT_FILENO);
	_exit(cli_out_check() == CLI_EXIT_ERROR ? 0 : 91);
}

/* A one-shot command that printed a little and returned 0: exit checks. */
static void short_output_to_full(void)
{
	int fd = open("/dev/full", O_WRONLY);

	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
		_exit(90);
	printf("one line\n");
}

static void fine_output(void)
{
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
		_exit(90);
	printf("one line\n");
	if (cli_out_check())
		_exit(91);
}

static void cases(void **state)
{
	char said[256];

	assert_int_equal(in_child(reader_gone, said, sizeof(said)), 0);
	assert_string_equal(said, "t: standard output: Broken pipe\n");
	assert_int_equal(in_child(device_full, said, sizeof(said)), 0);
	assert_string_equal(said, "t: standard output: No space left on device\n");
	assert_int_equal(in_child(stdout_closed, said, sizeof(said)), 0);
	assert_string_equal(said, "t: standard output: Bad file descriptor\n");
	assert_int_equal(in_child(short_output_to_full, said, sizeof(said)), CLI_EXIT_ERROR);
	assert_string_equal(said, "t: standard output: No space left on device\n");
	assert_int_equal(in_child(fine_output, said, sizeof(said)), 0);
	assert_string_equal(said, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cases),
	};

	return cmocka_run_group_tests_name("cli output", tests, NULL, NULL);
}
