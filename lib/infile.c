// SPDX-License-Identifier: GPL-2.0
/* Input files that cannot hang or exhaust a command: see infile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "infile.h"
#include "util.h"

static const char *kind_of(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a file";
}

/* What may be read: 0, or -errno with the reason said. */
static int check(int fd, bool is_stdin, off_t max_bytes, char *err, size_t len)
{
	struct stat st;
	char b[32];

	if (fstat(fd, &st))
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, len, "is a directory");
		return -EISDIR;
	}
	if (S_ISREG(st.st_mode)) {
		if (!max_bytes || st.st_size <= max_bytes)
			return 0;
		snprintf(err, len, "larger than %s", fmt_bytes((uint64_t)max_bytes, b, sizeof(b)));
		return -EFBIG;
	}
	/* stdin may be the pipe of a pipeline, or a terminal; a path may not */
	if (is_stdin && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(fd)))
		return 0;
	snprintf(err, len, "not a regular file (%s)", kind_of(st.st_mode));
	return -EINVAL;
}

FILE *infile_open(const char *path, off_t max_bytes, char *err, size_t err_len, int *err_no)
{
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	FILE *f;
	int r;

	if (fd < 0) {
		*err_no = -errno;
		snprintf(err, err_len, "%s", strerror(errno));
		return NULL;
	}
	r = check(fd, is_stdin, max_bytes, err, err_len);
	/* a regular file: blocking reads from here on, as stdio expects */
	if (!r && !is_stdin && fcntl(fd, F_SETFL, 0))
		r = -errno;
	f = r ? NULL : is_stdin ? stdin : fdopen(fd, "r");
	if (!f) {
		*err_no = r ? r : -errno;
		if (!r)
			snprintf(err, err_len, "%s", strerror(errno));
		if (!is_stdin)
			close(fd);
	}
	return f;
}

void infile_close(FILE *f)
{
	if (f && f != stdin)
		fclose(f);
}

ssize_t infile_line(FILE *f, char **buf, size_t *cap, size_t max, bool *torn)
{
	size_t n = 0;
	int c = EOF;

	*torn = false;
	/* *buf is a string on every return of a line, an empty first one included */
	if (!*buf && !(*buf = calloc(1, *cap = 4096)))
		return -ENOMEM;
	while (n < max && (c = getc_unlocked(f)) != EOF && c != '\n') {
		if (n + 1 >= *cap) {
			size_t nc = *cap ? *cap * 2 : 4096;
			char *nb = realloc(*buf, nc);

			if (!nb)
				return -ENOMEM;
			*buf = nb;
			*cap = nc;
		}
		(*buf)[n++] = (char)c;
	}
	if (n == max && (c = getc_unlocked(f)) != '\n') {
		if (c != EOF)
			ungetc(c, f);
		if (c != EOF)
			return -E2BIG; /* the rest is the caller's: infile_skip or stop */
	}
	if (c == EOF && !n)
		return -1;
	*torn = c == EOF;
	(*buf)[n] = '\0';
	return (ssize_t)n;
}

int infile_skip(FILE *f, size_t max)
{
	int c;

	for (size_t n = 0; n <= max; n++)
		if ((c = getc_unlocked(f)) == EOF || c == '\n')
			return 0;
	return -E2BIG;
}
