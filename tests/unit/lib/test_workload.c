// SPDX-License-Identifier: GPL-2.0
/*
 * The workload rule table against the cgroup paths each engine creates:
 * the kubelet's systemd and cgroupfs drivers (every QoS class), the
 * container scopes of containerd's CRI plugin, CRI-O, Docker and Podman,
 * Docker's cgroupfs layout, libvirt's layouts (systemd before and after
 * 7.1.0, non-systemd), systemd-nspawn, plain systemd units; and names that
 * only look like them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "name_esc.h"
#include "workload.h"

#define CID "4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970"
#define UID "74c13223-5a00-11e9-b385-42010a80018d"
#define UID_US "74c13223_5a00_11e9_b385_42010a80018d"

struct want {
	const char *path;
	enum workload_kind kind;
	const char *runtime, *container_id, *pod_uid, *qos, *vm_driver, *vm_name, *unit, *slice,
		*name;
};

static void check(const struct want *w)
{
	struct workload wl;
	char esc[512];

	workload_from_cgroup(w->path, &wl);
	print_message("%s\n", name_escape(w->path, esc, sizeof(esc)));
	assert_int_equal(wl.kind, w->kind);
	assert_string_equal(wl.runtime, w->runtime ? w->runtime : "");
	assert_string_equal(wl.container_id, w->container_id ? w->container_id : "");
	assert_string_equal(wl.pod_uid, w->pod_uid ? w->pod_uid : "");
	assert_string_equal(wl.qos, w->qos ? w->qos : "");
	assert_string_equal(wl.vm_driver, w->vm_driver ? w->vm_driver : "");
	assert_string_equal(wl.vm_name, w->vm_name ? w->vm_name : "");
	if (w->unit)
		assert_string_equal(wl.unit, w->unit);
	if (w->slice)
		assert_string_equal(wl.slice, w->slice);
	if (w->name)
		assert_string_equal(wl.name, w->name);
}

static void kubelet_systemd(void **state)
{
	static const struct want cases[] = {
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_US
		  ".slice/cri-containerd-" CID ".scope",
		  WL_POD, "containerd", CID, UID, "burstable",
		  .unit = "cri-containerd-" CID ".scope",
		  .slice = "kubepods-burstable-pod" UID_US ".slice", .name = "pod " UID },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_US
		  ".slice/crio-" CID ".scope",
		  WL_POD, "cri-o", CID, UID, "besteffort" },
		{ "/kubepods.slice/kubepods-pod" UID_US ".slice/docker-" CID ".scope", WL_POD,
		  "docker", CID, UID, "guaranteed" },
		/* CRI-O's conmon sits beside the container, with the same id */
		{ "/kubepods.slice/kubepods-pod" UID_US ".slice/crio-conmon-" CID ".scope", WL_POD,
		  "cri-o", CID, UID, "guaranteed" },
		/* the pod slice itself (the pause process lives in a container) */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_US ".slice",
		  WL_POD, NULL, NULL, UID, "burstable" },
		/* --cgroup-root=/kubelet.slice: the slice names carry their parents */
		{ "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
		  "kubelet-kubepods-besteffort-pod" UID_US ".slice/cri-containerd-" CID ".scope",
		  WL_POD, "containerd", CID, UID, "besteffort" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

static void kubelet_cgroupfs(void **state)
{
	static const struct want cases[] = {
		{ "/kubepods/burstable/pod" UID "/" CID, WL_POD, "", CID, UID, "burstable",
		  .name = "pod " UID },
		{ "/kubepods/besteffort/pod" UID "/" CID, WL_POD, "", CID, UID, "besteffort" },
		{ "/kubepods/pod" UID "/" CID, WL_POD, "", CID, UID, "guaranteed" },
		{ "/kubepods/pod" UID, WL_POD, NULL, NULL, UID, "guaranteed" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

static void containers(void **state)
{
	static const struct want cases[] = {
		{ "/system.slice/docker-" CID ".scope", WL_CONTAINER, "docker", CID,
		  .unit = "docker-" CID ".scope", .slice = "system.slice",
		  .name = "docker 4f797c539e6c" },
		{ "/docker/" CID, WL_CONTAINER, "docker", CID },
		{ "/machine.slice/libpod-" CID ".scope", WL_CONTAINER, "podman", CID },
		{ "/machine.slice/libpod-" CID ".scope/container", WL_CONTAINER, "podman", CID },
		{ "/machine.slice/libpod-conmon-" CID ".scope", WL_CONTAINER, "podman", CID },
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" CID ".scope",
		  WL_CONTAINER, "podman", CID },
		{ "/libpod_parent/libpod-" CID, WL_CONTAINER, "podman", CID },
		{ "/system.slice/crio-" CID ".scope", WL_CONTAINER, "cri-o", CID },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

static void machines(void **state)
{
	static const struct want cases[] = {
		/* libvirt >= 7.1.0: the process in libvirt/emulator or libvirt/vcpuN */
		{ "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope/libvirt/emulator", WL_VM,
		  .vm_driver = "qemu", .vm_name = "vm1", .unit = "machine-qemu\\x2d1\\x2dvm1.scope",
		  .name = "vm vm1" },
		{ "/machine.slice/machine-qemu\\x2d2\\x2dinstance\\x2d00000001.scope", WL_VM,
		  .vm_driver = "qemu", .vm_name = "instance-00000001" },
		/* older libvirt: no domain id */
		{ "/machine.slice/machine-qemu\\x2dinstance\\x2dc51f7c4b.scope", WL_VM,
		  .vm_driver = "qemu", .vm_name = "instance-c51f7c4b" },
		{ "/machine.slice/machine-engineering.slice/"
		  "machine-lxc\\x2d11111\\x2dcontainer1.scope",
		  WL_VM, .vm_driver = "lxc", .vm_name = "container1" },
		/* non-systemd hosts */
		{ "/machine/qemu-1-vm1.libvirt-qemu/vcpu0", WL_VM, .vm_driver = "qemu",
		  .vm_name = "vm1" },
		{ "/machine/engineering.partition/lxc-22222-container2.libvirt-lxc", WL_VM,
		  .vm_driver = "lxc", .vm_name = "container2" },
		/* systemd-nspawn: any machined name */
		{ "/machine.slice/machine-web\\x2dfront.scope/payload", WL_VM, .vm_driver = "",
		  .vm_name = "web-front" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

static void systemd_and_others(void **state)
{
	static const struct want cases[] = {
		{ "/system.slice/nginx.service", WL_SYSTEMD, .unit = "nginx.service",
		  .slice = "system.slice", .name = "nginx.service" },
		{ "/user.slice/user-1000.slice/session-2.scope", WL_SYSTEMD,
		  .unit = "session-2.scope", .slice = "user-1000.slice" },
		{ "/user.slice", WL_SYSTEMD, .unit = "", .slice = "user.slice",
		  .name = "user.slice" },
		{ "/", WL_NONE, .name = "" },
		{ "/tenants/a/web", WL_NONE, .name = "" },
		/* look-alikes: wrong lengths, upper case, no kubepods above */
		{ "/docker/" CID "0", WL_NONE },
		{ "/docker/4F797C539E6C745DE61A93CA3FF892358ECBCACCD8414D5DB545C38428142970",
		  WL_NONE },
		{ "/tenants/pod" UID, WL_NONE },
		{ "/system.slice/docker-abc.scope", WL_SYSTEMD, .unit = "docker-abc.scope" },
		{ "/kubepods.slice/kubepods-pod1234.slice", WL_SYSTEMD },
		/* hostile bytes are data: no crash, no match */
		{ "/\x1b[31m/\n/machine-\\x2.scope", WL_VM, .vm_driver = "", .vm_name = "\\x2" },
		{ "//system.slice///a.service/", WL_SYSTEMD, .unit = "a.service" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

static void labels_and_json(void **state)
{
	const char *keys[16], *vals[16];
	struct workload wl;
	json_t *j;
	char *s;
	int n;

	workload_from_cgroup(
		"/kubepods.slice/kubepods-pod" UID_US ".slice/cri-containerd-" CID ".scope", &wl);
	n = workload_labels(&wl, keys, vals, 16);
	assert_int_equal(n, 7);
	assert_string_equal(keys[0], "workload_kind");
	assert_string_equal(vals[0], "pod");
	assert_string_equal(keys[3], "container_runtime");
	assert_string_equal(vals[3], "containerd");
	assert_int_equal(workload_labels(&wl, keys, vals, 2), 2);
	j = workload_to_json(&wl);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_non_null(strstr(s, "\"kind\":\"pod\""));
	assert_non_null(strstr(s, "\"qos_class\":\"guaranteed\""));
	assert_non_null(strstr(s, "\"pod_uid\":\"" UID "\""));
	free(s);
	json_decref(j);
	/* invalid UTF-8 in a unit name still makes a JSON string */
	workload_from_cgroup("/system.slice/bad\xff\xfe.service", &wl);
	j = workload_to_json(&wl);
	s = json_dumps(j, JSON_COMPACT);
	assert_non_null(strstr(s, "bad\\\\xff\\\\xfe.service"));
	free(s);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kubelet_systemd),    cmocka_unit_test(kubelet_cgroupfs),
		cmocka_unit_test(containers),	      cmocka_unit_test(machines),
		cmocka_unit_test(systemd_and_others), cmocka_unit_test(labels_and_json),
	};

	return cmocka_run_group_tests_name("workload", tests, NULL, NULL);
}
