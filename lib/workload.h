/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workload identity from a cgroup v2 path: which systemd unit and slice,
 * which container (Docker, containerd, CRI-O, Podman), which Kubernetes pod
 * (UID and QoS class, with either kubelet cgroup driver) and which virtual
 * machine (libvirt/QEMU, LXC, systemd-machined) a cgroup belongs to.
 *
 * One rule table (workload.c) knows the path shapes each engine creates;
 * every command that names workloads (ksmadvise, the sharing walker, the
 * exporter's labels) reads it through workload_from_cgroup().  A path that
 * no rule knows is still a valid workload: kind WL_NONE, named by its path.
 */
#ifndef KSM_WORKLOAD_H
#define KSM_WORKLOAD_H

#include <jansson.h>

enum workload_kind {
	WL_NONE,      /* no known shape: the cgroup path is the identity */
	WL_SYSTEMD,   /* a systemd service or scope (or only a slice) */
	WL_CONTAINER, /* a container outside Kubernetes */
	WL_POD,	      /* a Kubernetes pod (and maybe one of its containers) */
	WL_VM,	      /* a virtual machine or system container (machined, libvirt) */
};

#define WL_ID_LEN 65  /* 64 hex digits of a container id */
#define WL_UID_LEN 37 /* a pod UID with dashes */
#define WL_NAME_LEN 192

struct workload {
	enum workload_kind kind;
	char unit[WL_NAME_LEN];	 /* deepest .service or .scope, as systemd names it */
	char slice[WL_NAME_LEN]; /* deepest .slice */
	char runtime[16];	 /* docker, containerd, cri-o, podman, or "" */
	char container_id[WL_ID_LEN];
	char pod_uid[WL_UID_LEN];  /* with dashes, as the API server shows it */
	char qos[12];		   /* guaranteed, burstable, besteffort */
	char vm_driver[8];	   /* qemu, lxc, or "" (other systemd-machined machines) */
	char vm_name[WL_NAME_LEN]; /* systemd escapes undone: "my-vm", not "my\x2dvm" */
	char name[WL_NAME_LEN];	   /* one short label: "pod 0f3c...", "vm web1", ... */
};

/* Identify the workload of a cgroup path ("/a/b"). Never fails. */
void workload_from_cgroup(const char *path, struct workload *w);
const char *workload_kind_name(enum workload_kind k);
/* {"kind":..., and each field that is set}; names pass through name_json. */
json_t *workload_to_json(const struct workload *w);

/*
 * The identity as label pairs for an exporter: keys are fixed
 * ("workload_kind", "unit", "slice", "container_runtime", "container_id",
 * "pod_uid", "qos_class", "vm_driver", "vm_name"), values are the fields
 * that are set (raw bytes: the caller escapes for its format).  Returns the
 * number of pairs written, at most max.
 */
int workload_labels(const struct workload *w, const char **keys, const char **vals, int max);

#endif
