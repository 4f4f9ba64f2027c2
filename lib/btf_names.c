// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf_names.h"

#define BTF_MAGIC 0xeB9F
#define CHUNK (64 * 1024)
#define MAX_NAME 256

/* The fixed part of struct btf_header (include/uapi/linux/btf.h). */
struct btf_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t type_off;
	uint32_t type_len;
	uint32_t str_off;
	uint32_t str_len;
};

static void match(const char *s, size_t len, const char *const *names, const size_t *lens,
		  size_t n, bool *found)
{
	for (size_t i = 0; i < n; i++)
		if (!found[i] && lens[i] == len && names[i][0] == s[0] && !memcmp(names[i], s, len))
			found[i] = true;
}

int btf_names_find(const char *path, const char *const *names, size_t n, bool *found)
{
	size_t lens[64], carry = 0, left;
	struct btf_hdr h;
	char *buf;
	int fd, err = 0;

	if (n > 64)
		return -E2BIG;
	for (size_t i = 0; i < n; i++) {
		found[i] = false;
		lens[i] = strlen(names[i]);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (read(fd, &h, sizeof(h)) != sizeof(h) || h.magic != BTF_MAGIC ||
	    lseek(fd, (off_t)h.hdr_len + h.str_off, SEEK_SET) < 0) {
		close(fd);
		return -EINVAL;
	}
	buf = malloc(CHUNK + MAX_NAME);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	/* Strings are NUL-terminated; a partial one is carried to the next chunk. */
	for (left = h.str_len; left > 0;) {
		size_t want = left < CHUNK ? left : CHUNK;
		ssize_t got = read(fd, buf + carry, want);
		char *p, *end, *z;

		if (got <= 0) {
			err = got < 0 ? -errno : -EINVAL;
			break;
		}
		left -= got;
		end = buf + carry + got;
		for (p = buf; (z = memchr(p, '\0', end - p)); p = z + 1)
			if (z > p)
				match(p, z - p, names, lens, n, found);
		carry = end - p;
		if (carry > MAX_NAME)	/* longer than any name we look for */
			carry = 0;
		else
			memmove(buf, p, carry);
	}
	free(buf);
	close(fd);
	return err;
}
