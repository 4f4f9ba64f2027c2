/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinned policy: bpffs, the lock that serialises ksmpolicy processes,
 * the pin directory (policy_pin_dir(): /sys/fs/bpf/ksm-bpf) and what is
 * pinned in it, and attaching a loaded struct_ops map with a link.
 *
 * A policy is pinned in a temporary directory first and renamed into place,
 * and unpinned by renaming it away first: a ksmpolicy killed at any point
 * leaves the old state or the new one, and the next ksmpolicy that takes the
 * lock removes what a killed one left half done.
 */
#ifndef KSMPOLICY_PIN_H
#define KSMPOLICY_PIN_H

#include <stdbool.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>

/*
 * What every command needs before it touches the policy: a kernel with
 * ksm_bpf_ops (else the message that says where to get one) and bpffs.  A
 * writer also takes the lock, held until the process exits, and cleans up
 * after a killed ksmpolicy.  Returns 0, or the exit status after reporting.
 */
int pin_prepare(bool writer);
/* Whether the running kernel has ksm_bpf_ops (its BTF names the type). */
bool pin_kernel_has_ops(void);

/* The pinned policy, as pinned_open finds it. */
struct pinned {
	int link_fd;			     /* -1: no policy */
	int rules_fd, stats_fd, counters_fd; /* -1 unless the built-in policy */
	bool attached;			     /* the link still holds its struct_ops map */
	__u32 link_id, map_id;
	char name[BPF_OBJ_NAME_LEN]; /* the struct_ops map's name, "" if detached */
};

void pinned_open(struct pinned *p);
void pinned_close(struct pinned *p);
/* The built-in policy is loaded: its rules map is pinned with the link. */
bool pinned_builtin(const struct pinned *p);
/* An fd of what is pinned as name in the pin directory, or -errno. */
int pin_get(const char *name);

/*
 * Attach a loaded object's struct_ops map ops with a link and pin the link
 * and the programs, and with maps the built-in policy's maps.  Returns 0, or
 * the exit status after reporting.
 */
int pin_attach(struct bpf_object *obj, struct bpf_map *ops, bool maps);
/*
 * Unpin the policy: its link goes with its last pin, and the kernel detaches
 * it.  Sets *removed when there was one.  Returns 0, or the exit status after
 * reporting.
 */
int pin_remove(bool *removed);

#endif
