// SPDX-License-Identifier: GPL-2.0
/*
 * ksmlink - attach and replace ksm_bpf_ops policies by hand, for the VM
 * suite's checks of the kernel side (ksmpolicy is the tool people use).
 *
 *   ksmlink attach OBJ PIN     load OBJ (one ksm_bpf_ops struct_ops map),
 *                              attach it through a new BPF link, pin the
 *                              link at PIN
 *   ksmlink replace PIN OBJ    swap the policy of the link pinned at PIN for
 *                              OBJ's (BPF_LINK_UPDATE)
 *   ksmlink nocap attach OBJ   attach without CAP_SYS_ADMIN in the effective
 *                              set (CAP_BPF and CAP_PERFMON kept): the
 *                              kernel must refuse with EPERM
 *
 * Prints "ok" or "error ERRNO MESSAGE", exit 0 or 1.
 */
#include "guest.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>

/* Debian 12's UAPI headers predate struct_ops links (6.4) */
#define ATTACH_STRUCT_OPS ((enum bpf_attach_type)44)
#ifndef BPF_F_LINK
#define BPF_F_LINK (1U << 13)
#endif

static int fail(int err, const char *what)
{
	printf("error %d %s: %s\n", err, what, strerror(err));
	return 1;
}

/* Load OBJ; return the fd of its struct_ops map, value set, not attached */
static int load_policy(const char *path, struct bpf_object **objp)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_map *map, *ops = NULL;
	struct bpf_link *l;

	if (!obj)
		return -errno;
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS) {
			ops = map;
			bpf_map__set_map_flags(map, bpf_map__map_flags(map) | BPF_F_LINK);
		}
	}
	if (!ops)
		return -ENOENT;
	if (bpf_object__load(obj))
		return -errno;
	/* with BPF_F_LINK this only stores the programs in the map */
	l = bpf_map__attach_struct_ops(ops);
	if (!l)
		return -errno;
	bpf_link__disconnect(l);
	bpf_link__destroy(l);
	*objp = obj;
	return bpf_map__fd(ops);
}

static int drop_sysadmin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[0].effective &= ~(1U << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &h, d))
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj = NULL;
	int map_fd, link_fd, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "nocap") && !strcmp(argv[2], "attach")) {
		map_fd = load_policy(argv[3], &obj);
		if (map_fd < 0)
			return fail(-map_fd, "load");
		err = drop_sysadmin();
		if (err)
			return fail(-err, "capset");
		link_fd = bpf_link_create(map_fd, 0, ATTACH_STRUCT_OPS, NULL);
		if (link_fd < 0)
			return fail(-link_fd, "link_create");
		printf("ok\n");
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "attach")) {
		map_fd = load_policy(argv[2], &obj);
		if (map_fd < 0)
			return fail(-map_fd, "load");
		link_fd = bpf_link_create(map_fd, 0, ATTACH_STRUCT_OPS, NULL);
		if (link_fd < 0)
			return fail(-link_fd, "link_create");
		if (bpf_obj_pin(link_fd, argv[3]))
			return fail(errno, "pin");
		printf("ok\n");
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "replace")) {
		link_fd = bpf_obj_get(argv[2]);
		if (link_fd < 0)
			return fail(errno, "link");
		map_fd = load_policy(argv[3], &obj);
		if (map_fd < 0)
			return fail(-map_fd, "load");
		if (bpf_link_update(link_fd, map_fd, NULL))
			return fail(errno, "link_update");
		printf("ok\n");
		return 0;
	}
	fprintf(stderr, "usage: ksmlink attach OBJ PIN | replace PIN OBJ | nocap attach OBJ\n");
	return 2;
}
