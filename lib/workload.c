// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "name_esc.h"
#include "workload.h"

/* What the variable part of a segment must look like. */
enum wl_shape {
	SHAPE_HEX64,   /* a container id: 64 lowercase hex digits */
	SHAPE_UID_US,  /* a pod UID as the systemd driver writes it: '_' for '-' */
	SHAPE_UID,     /* a pod UID with dashes (cgroupfs driver) */
	SHAPE_MACHINE, /* a systemd-escaped machine name: "qemu\x2d1\x2dvm1" */
	SHAPE_LIBVIRT, /* a libvirt machine name, unescaped: "qemu-1-vm1" */
};

/* What the variable part names. */
enum wl_field {
	F_CONTAINER,
	F_POD,
	F_MACHINE,
};

/*
 * One path shape: a cgroup directory name is PREFIX + ID + SUFFIX.  With
 * nested, PREFIX may follow other dash-joined words (systemd slice names
 * carry their parents: a kubelet run with --cgroup-root=/kubelet.slice makes
 * "kubelet-kubepods-burstable-pod<UID>.slice").  With parent, the directory
 * above must be named so (cgroupfs layouts, where the name alone is a bare
 * id).  value is the container runtime or the pod's QoS class.
 */
struct wl_rule {
	const char *prefix, *suffix;
	enum wl_shape shape;
	enum wl_field field;
	const char *value;
	bool nested;
	const char *parent;
};

/*
 * The shapes, most specific first; the first rule that matches a directory
 * wins.  Sources: the kubelet's systemd and cgroupfs drivers (pod slices
 * per QoS class), the container scopes that runc/crun create for Docker,
 * containerd's CRI plugin, CRI-O and Podman under the systemd cgroup
 * manager, the cgroupfs layouts of Docker (/docker/ID) and Kubernetes
 * (/kubepods/QOS/podUID/ID), and libvirt's documented layouts
 * (machine-qemu\x2dID\x2dNAME.scope on systemd hosts, before and after
 * 7.1.0, and NAME.libvirt-qemu elsewhere).
 */
static const struct wl_rule rules[] = {
	{ "kubepods-burstable-pod", ".slice", SHAPE_UID_US, F_POD, "burstable", true, NULL },
	{ "kubepods-besteffort-pod", ".slice", SHAPE_UID_US, F_POD, "besteffort", true, NULL },
	{ "kubepods-pod", ".slice", SHAPE_UID_US, F_POD, "guaranteed", true, NULL },
	{ "pod", "", SHAPE_UID, F_POD, "burstable", false, "burstable" },
	{ "pod", "", SHAPE_UID, F_POD, "besteffort", false, "besteffort" },
	{ "pod", "", SHAPE_UID, F_POD, "guaranteed", false, "kubepods" },
	{ "cri-containerd-", ".scope", SHAPE_HEX64, F_CONTAINER, "containerd", false, NULL },
	{ "crio-conmon-", ".scope", SHAPE_HEX64, F_CONTAINER, "cri-o", false, NULL },
	{ "crio-", ".scope", SHAPE_HEX64, F_CONTAINER, "cri-o", false, NULL },
	{ "crio-", "", SHAPE_HEX64, F_CONTAINER, "cri-o", false, NULL },
	{ "docker-", ".scope", SHAPE_HEX64, F_CONTAINER, "docker", false, NULL },
	{ "", "", SHAPE_HEX64, F_CONTAINER, "docker", false, "docker" },
	{ "libpod-conmon-", ".scope", SHAPE_HEX64, F_CONTAINER, "podman", false, NULL },
	{ "libpod-", ".scope", SHAPE_HEX64, F_CONTAINER, "podman", false, NULL },
	{ "libpod-", "", SHAPE_HEX64, F_CONTAINER, "podman", false, NULL },
	/* a bare id in a pod (cgroupfs driver): the runtime is not in the path */
	{ "", "", SHAPE_HEX64, F_CONTAINER, "", false, "pod*" },
	{ "machine-", ".scope", SHAPE_MACHINE, F_MACHINE, NULL, false, NULL },
	{ "", ".libvirt-qemu", SHAPE_LIBVIRT, F_MACHINE, "qemu", false, NULL },
	{ "", ".libvirt-lxc", SHAPE_LIBVIRT, F_MACHINE, "lxc", false, NULL },
};

static bool all_of(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(set, s[i]))
			return false;
	return true;
}

static bool uid_shape(const char *s, size_t n, char sep)
{
	static const int dash[] = { 8, 13, 18, 23 };

	if (n != 36)
		return false;
	for (size_t i = 0, d = 0; i < n; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (s[i] != sep)
				return false;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static bool shape_ok(enum wl_shape shape, const char *s, size_t n)
{
	switch (shape) {
	case SHAPE_HEX64:
		return n == 64 && all_of(s, n, "0123456789abcdef");
	case SHAPE_UID_US:
		return uid_shape(s, n, '_');
	case SHAPE_UID:
		return uid_shape(s, n, '-');
	default:
		return n > 0;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Undo systemd's unit-name escaping: "\x2d" is '-'. */
static void unescape_systemd(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < len; i++) {
		int hi = i + 3 < n && s[i] == '\\' && s[i + 1] == 'x' ? hexval(s[i + 2]) : -1;
		int lo = hi >= 0 ? hexval(s[i + 3]) : -1;

		if (lo >= 0 && (hi || lo)) {
			out[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

/*
 * A machine name as libvirt forms it: DRIVER-ID-NAME (libvirt >= 1.3),
 * DRIVER-NAME (older), or any other machined name (systemd-nspawn).
 */
static void fill_machine(struct workload *w, const char *name)
{
	static const char *const drivers[] = { "qemu-", "lxc-" };
	const char *p = name;

	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		size_t k = strlen(drivers[i]);

		if (strncmp(name, drivers[i], k))
			continue;
		snprintf(w->vm_driver, sizeof(w->vm_driver), "%.*s", (int)k - 1, name);
		p = name + k;
		/* the domain id, when there is one, then the name */
		if (isdigit((unsigned char)*p) && p[strspn(p, "0123456789")] == '-')
			p += strspn(p, "0123456789") + 1;
		break;
	}
	snprintf(w->vm_name, sizeof(w->vm_name), "%s", p);
}

static void fill_pod(struct workload *w, const char *uid, const char *qos)
{
	snprintf(w->pod_uid, sizeof(w->pod_uid), "%.36s", uid);
	for (char *c = w->pod_uid; *c; c++)
		if (*c == '_')
			*c = '-';
	snprintf(w->qos, sizeof(w->qos), "%s", qos);
}

static void apply(struct workload *w, const struct wl_rule *r, const char *id, size_t n)
{
	char buf[WL_NAME_LEN];

	switch (r->field) {
	case F_CONTAINER:
		snprintf(w->container_id, sizeof(w->container_id), "%.*s", (int)n, id);
		snprintf(w->runtime, sizeof(w->runtime), "%s", r->value);
		break;
	case F_POD:
		snprintf(buf, sizeof(buf), "%.*s", (int)n, id);
		fill_pod(w, buf, r->value);
		break;
	case F_MACHINE:
		if (r->shape == SHAPE_MACHINE)
			unescape_systemd(id, n, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%.*s", (int)n, id);
		fill_machine(w, buf);
		if (r->value)
			snprintf(w->vm_driver, sizeof(w->vm_driver), "%s", r->value);
		break;
	}
}

static bool parent_ok(const struct wl_rule *r, const char *parent)
{
	size_t k;

	if (!r->parent)
		return true;
	k = strlen(r->parent);
	if (r->parent[k - 1] == '*')
		return !strncmp(parent, r->parent, k - 1);
	return !strcmp(parent, r->parent);
}

/* Try each rule on one directory name; true when one matched. */
static bool match_segment(struct workload *w, const char *seg, const char *parent)
{
	size_t len = strlen(seg);

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct wl_rule *r = &rules[i];
		size_t pl = strlen(r->prefix), sl = strlen(r->suffix);
		const char *start = seg;

		if (len < pl + sl || strcmp(seg + len - sl, r->suffix) || !parent_ok(r, parent))
			continue;
		if (r->nested && pl) {
			/* the prefix at the start or after a '-' */
			const char *hit = strstr(seg, r->prefix);

			while (hit && hit != seg && hit[-1] != '-')
				hit = strstr(hit + 1, r->prefix);
			if (!hit)
				continue;
			start = hit;
		} else if (strncmp(seg, r->prefix, pl)) {
			continue;
		}
		start += pl;
		if (start > seg + len - sl || !shape_ok(r->shape, start, seg + len - sl - start))
			continue;
		apply(w, r, start, seg + len - sl - start);
		return true;
	}
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

static void name_workload(struct workload *w)
{
	if (w->pod_uid[0])
		w->kind = WL_POD;
	else if (w->container_id[0])
		w->kind = WL_CONTAINER;
	else if (w->vm_name[0])
		w->kind = WL_VM;
	else if (w->unit[0] || w->slice[0])
		w->kind = WL_SYSTEMD;
	switch (w->kind) {
	case WL_POD:
		snprintf(w->name, sizeof(w->name), "pod %s", w->pod_uid);
		break;
	case WL_CONTAINER:
		snprintf(w->name, sizeof(w->name), "%s %.12s",
			 w->runtime[0] ? w->runtime : "container", w->container_id);
		break;
	case WL_VM:
		snprintf(w->name, sizeof(w->name), "vm %.188s", w->vm_name);
		break;
	case WL_SYSTEMD:
		snprintf(w->name, sizeof(w->name), "%s", w->unit[0] ? w->unit : w->slice);
		break;
	case WL_NONE:
		break;
	}
}

void workload_from_cgroup(const char *path, struct workload *w)
{
	char seg[WL_NAME_LEN], parent[WL_NAME_LEN] = "";
	const char *p = path;

	memset(w, 0, sizeof(*w));
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n && n < sizeof(seg)) {
			memcpy(seg, p, n);
			seg[n] = '\0';
			match_segment(w, seg, parent);
			/* the deepest unit and slice name the systemd side */
			if (ends_with(seg, ".service") || ends_with(seg, ".scope"))
				snprintf(w->unit, sizeof(w->unit), "%s", seg);
			else if (ends_with(seg, ".slice"))
				snprintf(w->slice, sizeof(w->slice), "%s", seg);
			memcpy(parent, seg, n + 1);
		} else if (n) {
			parent[0] = '\0';
		}
		p += n;
		p += strspn(p, "/");
	}
	name_workload(w);
}

const char *workload_kind_name(enum workload_kind k)
{
	static const char *const names[] = { "none", "systemd", "container", "pod", "vm" };

	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "none";
}

int workload_labels(const struct workload *w, const char **keys, const char **vals, int max)
{
	const struct {
		const char *key, *val;
	} all[] = {
		{ "workload_kind", workload_kind_name(w->kind) },
		{ "unit", w->unit },
		{ "slice", w->slice },
		{ "container_runtime", w->runtime },
		{ "container_id", w->container_id },
		{ "pod_uid", w->pod_uid },
		{ "qos_class", w->qos },
		{ "vm_driver", w->vm_driver },
		{ "vm_name", w->vm_name },
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]) && n < max; i++) {
		if (!all[i].val[0])
			continue;
		keys[n] = all[i].key;
		vals[n++] = all[i].val;
	}
	return n;
}

json_t *workload_to_json(const struct workload *w)
{
	const char *keys[16], *vals[16];
	int n = workload_labels(w, keys, vals, 16);
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "name", name_json(w->kind == WL_NONE ? "" : w->name));
	for (int i = 0; i < n; i++)
		json_object_set_new(o, strcmp(keys[i], "workload_kind") ? keys[i] : "kind",
				    name_json(vals[i]));
	return o;
}
