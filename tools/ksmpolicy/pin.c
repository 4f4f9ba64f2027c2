// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/magic.h>

#include "bpf_compat.h"
#include "btf_names.h"
#include "cli.h"
#include "pin.h"
#include "policy_pin.h"
#include "procfs.h"

/* no dots: bpffs reserves names with a dot */
#define TMP_PREFIX "ksm-bpf-tmp-"

bool pin_kernel_has_ops(void)
{
	static const char *const names[] = { "ksm_bpf_ops", "bpf_struct_ops_ksm_bpf_ops" };
	bool found[2] = {};

	if (btf_names_find(BTF_VMLINUX, names, 2, found))
		return false;
	return found[0] && found[1];
}

static int ensure_bpffs(void)
{
	struct statfs s;

	if (!statfs(POLICY_BPFFS, &s) && s.f_type == BPF_FS_MAGIC)
		return 0;
	/* bpffs defaults to 1777: root's alone, as systemd mounts it */
	if (mount("bpf", POLICY_BPFFS, "bpf", 0, "mode=0700"))
		return -errno;
	return 0;
}

/*
 * The pin directory, if there is one, must be what pin_attach makes: a
 * directory of this (root) user, 0700.  Anything else was planted (bpffs
 * may be world-writable) and would hand the policy's pins to its owner.
 * 0, or the exit status with the reason said.
 */
static int pin_dir_trusted(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st))
		return errno == ENOENT ? 0 : cli_err("%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		return cli_err("refusing %s: not a 0700 directory of uid %u (uid %u, mode %o); "
			       "ksmpolicy did not make it: remove it",
			       dir, geteuid(), st.st_uid, st.st_mode & 07777);
	return 0;
}

/*
 * One ksmpolicy at a time changes the pins and the rules.  The lock is an
 * abstract unix socket name: the kernel releases it when the holder dies,
 * even by kill -9, and it needs no CONFIG_FILE_LOCKING (tiny kernels).
 * Returns the socket, kept open until the process exits, or -errno.
 */
static int take_lock(void)
{
	static const char name[] = "ksm-bpf/ksmpolicy.lock";
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memcpy(a.sun_path + 1, name, sizeof(name) - 1);
	for (int i = 0; i < 3000; i++) { /* 30 s */
		if (!bind(fd, (struct sockaddr *)&a,
			  offsetof(struct sockaddr_un, sun_path) + sizeof(name)))
			return fd;
		if (errno != EADDRINUSE)
			break;
		usleep(10000);
	}
	close(fd);
	return errno == EADDRINUSE ? -ETIMEDOUT : -errno;
}

static int rm_pins(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	closedir(d);
	return rmdir(dir) ? -errno : 0;
}

static void tmp_dir(char *buf, size_t len)
{
	snprintf(buf, len, POLICY_BPFFS "/" TMP_PREFIX "%d", getpid());
}

/*
 * A ksmpolicy killed while pinning or unpinning leaves a TMP_PREFIX<pid>
 * directory: finish its job (drop its pins, and with them its link).
 */
static void cleanup_stale(void)
{
	DIR *d = opendir(POLICY_BPFFS);
	struct dirent *de;
	char p[512];

	if (!d)
		return;
	while ((de = readdir(d))) {
		int pid;

		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)))
			continue;
		pid = atoi(de->d_name + strlen(TMP_PREFIX));
		if (pid > 0 && pid != getpid() && pid_exists(pid))
			continue;
		snprintf(p, sizeof(p), POLICY_BPFFS "/%s", de->d_name);
		rm_pins(p);
	}
	closedir(d);
}

int pin_prepare(bool writer)
{
	int err, lock;

	if (!pin_kernel_has_ops())
		return cli_err("this kernel has no ksm_bpf_ops (the KSM policy hook, "
			       "CONFIG_KSM_BPF): build one with the kernel-patch/ series applied, "
			       "see kernel-patch/README.md");
	err = ensure_bpffs();
	if (err)
		return cli_err("no BPF filesystem at " POLICY_BPFFS " and mounting one failed: %s",
			       strerror(-err));
	if (geteuid())
		return cli_err("must be run as root: the policy's pins are root's alone");
	err = pin_dir_trusted(policy_pin_dir());
	if (err || !writer)
		return err;
	lock = take_lock();
	if (lock < 0)
		return cli_err("waiting for another ksmpolicy: %s", strerror(-lock));
	cleanup_stale();
	return 0;
}

int pin_get(const char *name)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", policy_pin_dir(), name);
	fd = bpf_obj_get(p);
	return fd < 0 ? -errno : fd;
}

void pinned_close(struct pinned *p)
{
	int *fds[] = { &p->link_fd, &p->rules_fd, &p->stats_fd, &p->counters_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* The struct_ops map the link holds: its id and name. */
static void pinned_read_link(struct pinned *p)
{
	struct bpf_link_info li = {};
	struct bpf_map_info mi = {};
	__u32 len = sizeof(li), mlen = sizeof(mi);
	int fd;

	if (bpf_obj_get_info_by_fd(p->link_fd, &li, &len))
		return;
	p->link_id = li.id;
	/* struct_ops.map_id, the first word of the union, is newer than 6.1's header */
	memcpy(&p->map_id, &li.raw_tracepoint, sizeof(p->map_id));
	if (!p->map_id)
		return;
	fd = bpf_map_get_fd_by_id(p->map_id);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen)) {
		snprintf(p->name, sizeof(p->name), "%s", mi.name);
		p->attached = true;
	}
	close(fd);
}

void pinned_open(struct pinned *p)
{
	memset(p, 0, sizeof(*p));
	p->link_fd = pin_get("link");
	p->rules_fd = pin_get("rules");
	p->stats_fd = pin_get("rule_stats");
	p->counters_fd = pin_get("counters");
	if (p->link_fd >= 0)
		pinned_read_link(p);
}

bool pinned_builtin(const struct pinned *p)
{
	return p->link_fd >= 0 && p->rules_fd >= 0;
}

/*
 * libbpf 1.1 has no .struct_ops.link: the map was created with BPF_F_LINK,
 * so its update (bpf_map__attach_struct_ops) only stores the programs, and
 * the link made here registers the policy.  The libbpf "link" of the update
 * is dropped without detaching (that would delete the map's value).
 * Returns the link's fd or -errno.
 */
static int attach_struct_ops(struct bpf_map *map)
{
	struct bpf_link *l = bpf_map__attach_struct_ops(map);
	int fd;

	if (!l)
		return -errno;
	bpf_link__disconnect(l);
	bpf_link__destroy(l);
	fd = bpf_link_create(bpf_map__fd(map), 0, KSM_BPF_ATTACH_STRUCT_OPS, NULL);
	return fd < 0 ? -errno : fd;
}

static int pin_fd(int fd, const char *dir, const char *prefix, const char *name)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s%s", dir, prefix, name);
	return bpf_obj_pin(fd, p) ? -errno : 0;
}

/* Pin the link, the programs and the built-in maps in dir. */
static int pin_all(const char *dir, struct bpf_object *obj, int link_fd, bool maps)
{
	static const char *const map_names[] = { "rules", "rule_stats", "counters" };
	struct bpf_program *prog;
	int err;

	for (size_t i = 0; maps && i < sizeof(map_names) / sizeof(map_names[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, map_names[i]);

		err = m ? pin_fd(bpf_map__fd(m), dir, "", map_names[i]) : -ENOENT;
		if (err)
			return err;
	}
	bpf_object__for_each_program(prog, obj)
	{
		if (bpf_program__fd(prog) < 0)
			continue;
		err = pin_fd(bpf_program__fd(prog), dir, "prog_", bpf_program__name(prog));
		if (err)
			return err;
	}
	return pin_fd(link_fd, dir, "", "link");
}

int pin_attach(struct bpf_object *obj, struct bpf_map *ops, bool maps)
{
	int link, err;
	char tmp[256];

	link = attach_struct_ops(ops);
	if (link == -EBUSY)
		return cli_err("another ksm_bpf_ops policy is attached (not pinned by ksmpolicy: "
			       "see bpftool struct_ops show)");
	if (link < 0)
		return cli_err("attaching the policy failed: %s", strerror(-link));
	tmp_dir(tmp, sizeof(tmp));
	/* ours alone: one that exists now (cleanup_stale removed ours) was planted */
	err = mkdir(tmp, 0700) ? -errno : 0;
	if (!err)
		err = pin_all(tmp, obj, link, maps);
	if (!err && rename(tmp, policy_pin_dir()))
		err = -errno;
	/* the pins hold the link now; on an error, removing them detaches it */
	close(link);
	if (err) {
		rm_pins(tmp);
		return cli_err("pinning the policy in %s failed: %s", policy_pin_dir(),
			       strerror(-err));
	}
	return 0;
}

int pin_remove(bool *removed)
{
	const char *dir = policy_pin_dir();
	char tmp[256];
	struct stat st;
	int err;

	*removed = false;
	if (stat(dir, &st))
		return 0;
	/* out of sight first, then unpin: a kill in between is finished later */
	tmp_dir(tmp, sizeof(tmp));
	if (rename(dir, tmp))
		return cli_err("%s: %s", dir, strerror(errno));
	err = rm_pins(tmp);
	if (err)
		return cli_err("removing %s: %s", tmp, strerror(-err));
	*removed = true;
	return 0;
}
