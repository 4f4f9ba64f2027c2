// SPDX-License-Identifier: GPL-2.0
/*
 * asuser UID CMD [ARGS...]: run CMD as an unprivileged user (uid = gid = UID,
 * no supplementary groups), for the checks that non-root is kept out
 * (busybox's setpriv has no --reuid, and the guest has no /etc/passwd).
 */
#include <grp.h>

#include "guest.h"

int main(int argc, char **argv)
{
	unsigned long id;

	if (argc < 3) {
		fprintf(stderr, "usage: asuser UID CMD [ARGS...]\n");
		return 2;
	}
	id = strtoul(argv[1], NULL, 10);
	if (setgroups(0, NULL) || setresgid(id, id, id) || setresuid(id, id, id))
		die("dropping privileges");
	execvp(argv[2], argv + 2);
	die(argv[2]);
}
