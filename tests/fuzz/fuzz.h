/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer harnesses of tests/fuzz/ share: the entry point's
 * prototype, the "shown" oracle (text for a terminal holds no raw control
 * byte but the newline), and a file the harness can name by path for the
 * readers that take one (a memfd, refilled for each input).
 */
#ifndef KSM_FUZZ_H
#define KSM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#ifdef FUZZ_JANSSON
#include <jansson.h>

/*
 * jansson seeds its hash tables from /dev/urandom, which changes the order
 * objects iterate in, so the coverage, so what a run with a fixed -seed
 * explores: a fixed hash seed makes the replay in make check-sanitize
 * give the same verdict every time.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_object_seed(1);
	return 0;
}
#endif

/* Text for a terminal: abort on a raw control byte (or DEL) other than '\n'. */
static inline void fuzz_assert_shown(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f) {
			fprintf(stderr, "raw control byte 0x%02x at %zu in: %.*s\n", c, i,
				(int)(len < 400 ? len : 400), text);
			abort();
		}
	}
}

/* The input as a file at *path ("/proc/self/fd/N"); 0 or -1. */
static inline int fuzz_file(const uint8_t *data, size_t size, char *path, size_t len)
{
	static int fd = -1;

	if (fd < 0)
		fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return -1;
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return 0;
}

#endif
