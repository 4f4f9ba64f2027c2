// SPDX-License-Identifier: GPL-2.0
/*
 * The commands of ksmpolicy and what they share; main() and the command
 * table are in ksmpolicy.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <jansson.h>
#include <linux/magic.h>

#include "bpf_compat.h"
#include "btf_names.h"
#include "cgroup.h"
#include "ksm_policy.h"
#include "ksm_policy.skel.h"
#include "ksmpolicy.h"
#include "policy_pin.h"
#include "policy_rules.h"
#include "procfs.h"
#include "util.h"

/* no dots: bpffs reserves names with a dot */
#define TMP_PREFIX "ksm-bpf-tmp-"

struct ksmpolicy_globals g;

/* ---- output and errors -------------------------------------------------- */

int fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (g.json) {
		json_t *o = json_pack("{s:s}", "error", msg);

		json_dumpf(o, stdout, g.pretty ? JSON_INDENT(2) : JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		fprintf(stderr, "ksmpolicy: %s\n", msg);
	}
	return 1;
}

static void emit_json(json_t *o)
{
	json_dumpf(o, stdout, (g.pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(o);
}

int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !g.verbose)
		return 0;
	/* the verifier log of a rejected program is a warning: keep it */
	return vfprintf(stderr, fmt, ap);
}

/* ---- the kernel ---------------------------------------------------------- */

bool kernel_has_ops(void)
{
	static const char *const names[] = { "ksm_bpf_ops", "bpf_struct_ops_ksm_bpf_ops" };
	bool found[2] = {};

	if (btf_names_find(BTF_VMLINUX, names, 2, found))
		return false;
	return found[0] && found[1];
}

int missing_ops(void)
{
	return fail("this kernel has no ksm_bpf_ops (the KSM policy hook, CONFIG_KSM_BPF): "
		    "build one with the kernel-patch/ series applied, see kernel-patch/README.md");
}

int ensure_bpffs(void)
{
	struct statfs s;

	if (!statfs(BPFFS, &s) && s.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", BPFFS, "bpf", 0, NULL))
		return -errno;
	return 0;
}

/*
 * One ksmpolicy at a time changes the pins and the rules.  The lock is an
 * abstract unix socket name: the kernel releases it when the holder dies,
 * even by kill -9, and it needs no CONFIG_FILE_LOCKING (tiny kernels).
 */
int take_lock(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	static const char name[] = "ksm-bpf/ksmpolicy.lock";
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

/*
 * A ksmpolicy killed while pinning or unpinning leaves a TMP_PREFIXpid
 * directory: finish its job (drop its pins, and with them its link).
 */
void cleanup_stale(void)
{
	DIR *d = opendir(BPFFS);
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
		snprintf(p, sizeof(p), BPFFS "/%s", de->d_name);
		rm_pins(p);
	}
	closedir(d);
}

/* ---- the pinned policy --------------------------------------------------- */

struct pinned {
	int link_fd;			     /* -1: no policy */
	int rules_fd, stats_fd, counters_fd; /* -1 unless built-in */
	bool attached;			     /* the link still holds its struct_ops map */
	__u32 link_id, map_id;
	char name[BPF_OBJ_NAME_LEN]; /* struct_ops map name */
};

static int pin_path(char *buf, size_t len, const char *what)
{
	return snprintf(buf, len, "%s/%s", g.pin_dir, what);
}

static int get_pin(const char *what)
{
	char p[512];

	pin_path(p, sizeof(p), what);
	return bpf_obj_get(p);
}

static void pinned_close(struct pinned *p)
{
	if (p->link_fd >= 0)
		close(p->link_fd);
	if (p->rules_fd >= 0)
		close(p->rules_fd);
	if (p->stats_fd >= 0)
		close(p->stats_fd);
	if (p->counters_fd >= 0)
		close(p->counters_fd);
}

static void pinned_open(struct pinned *p)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);

	memset(p, 0, sizeof(*p));
	p->link_fd = get_pin("link");
	p->rules_fd = get_pin("rules");
	p->stats_fd = get_pin("rule_stats");
	p->counters_fd = get_pin("counters");
	if (p->link_fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(p->link_fd, &li, &len)) {
		p->link_id = li.id;
		/* struct_ops.map_id: the first word of the link_info union */
		memcpy(&p->map_id, &li.raw_tracepoint, sizeof(p->map_id));
	}
	if (p->map_id) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(p->map_id);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &mi, &mlen)) {
			snprintf(p->name, sizeof(p->name), "%s", mi.name);
			p->attached = true;
		}
		if (fd >= 0)
			close(fd);
	}
}

static bool builtin(const struct pinned *p)
{
	return p->link_fd >= 0 && p->rules_fd >= 0;
}

/*
 * Attach a loaded object's one struct_ops map with a link.  libbpf 1.1 has
 * no .struct_ops.link: the map was created with BPF_F_LINK, so its update
 * (bpf_map__attach_struct_ops) only stores the programs, and the link made
 * here registers the policy.  The libbpf "link" of the update is dropped
 * without detaching (that would delete the map's value).
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

/* Pin what an object and its link hold in a temporary directory, rename it. */
static int pin_all(struct bpf_object *obj, int link_fd, bool with_maps)
{
	char tmp[256], p[512];
	struct bpf_program *prog;
	int err;

	snprintf(tmp, sizeof(tmp), BPFFS "/" TMP_PREFIX "%d", getpid());
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	if (with_maps) {
		static const char *const maps[] = { "rules", "rule_stats", "counters" };

		for (size_t i = 0; i < 3; i++) {
			struct bpf_map *m = bpf_object__find_map_by_name(obj, maps[i]);

			snprintf(p, sizeof(p), "%s/%s", tmp, maps[i]);
			if (!m || bpf_obj_pin(bpf_map__fd(m), p)) {
				err = -errno;
				goto fail;
			}
		}
	}
	bpf_object__for_each_program(prog, obj)
	{
		snprintf(p, sizeof(p), "%s/prog_%s", tmp, bpf_program__name(prog));
		if (bpf_program__fd(prog) >= 0 && bpf_obj_pin(bpf_program__fd(prog), p)) {
			err = -errno;
			goto fail;
		}
	}
	snprintf(p, sizeof(p), "%s/link", tmp);
	if (bpf_obj_pin(link_fd, p)) {
		err = -errno;
		goto fail;
	}
	if (rename(tmp, g.pin_dir)) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	rm_pins(tmp);
	return err;
}

static int attach_error(int err)
{
	if (err == -EBUSY)
		return fail("another ksm_bpf_ops policy is attached (not pinned by ksmpolicy: "
			    "see bpftool struct_ops show)");
	return fail("attaching the policy failed: %s", strerror(-err));
}

static int load_builtin(void)
{
	struct ksm_policy_bpf *skel = ksm_policy_bpf__open();
	int err, fd;

	if (!skel)
		return fail("opening the built-in policy failed: %s", strerror(errno));
	bpf_map__set_map_flags(skel->maps.ksm_policy, BPF_F_LINK);
	err = ksm_policy_bpf__load(skel);
	if (err) {
		ksm_policy_bpf__destroy(skel);
		return fail("loading the built-in policy failed: %s", strerror(-err));
	}
	fd = attach_struct_ops(skel->maps.ksm_policy);
	if (fd < 0) {
		ksm_policy_bpf__destroy(skel);
		return attach_error(fd);
	}
	err = pin_all(skel->obj, fd, true);
	close(fd);
	ksm_policy_bpf__destroy(skel);
	if (err)
		return fail("pinning the policy in %s failed: %s", g.pin_dir, strerror(-err));
	return 0;
}

/* Built-in policy, loaded if nothing is. Returns 0 or the exit code. */
static int need_builtin(struct pinned *p, bool load)
{
	pinned_open(p);
	if (builtin(p))
		return 0;
	if (p->link_fd >= 0) {
		int rc = fail("a custom policy (%s) is loaded: rules are for the built-in policy "
			      "('ksmpolicy unload' first)",
			      p->name[0] ? p->name : "detached");
		pinned_close(p);
		return rc;
	}
	pinned_close(p);
	if (!load)
		return -1;
	if (load_builtin())
		return 1;
	pinned_open(p);
	if (!builtin(p)) {
		pinned_close(p);
		return fail("the built-in policy vanished after loading");
	}
	return 0;
}

/* ---- rules ----------------------------------------------------------------- */

static int resolve_cgroup(const char *arg, uint64_t *id, char *rel, size_t rel_len)
{
	int level, err = cgroup_resolve(arg, id, &level, rel, rel_len);

	if (err == -ENOENT)
		return fail("no such cgroup: %s", arg);
	if (err == -ENOTDIR || err == -EINVAL)
		return fail("not a cgroup v2 directory: %s", arg);
	if (err)
		return fail("%s: %s", arg, strerror(-err));
	return 0;
}

static void stats_sum(int fd, uint64_t id, struct ksm_policy_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct ksm_policy_stats v[ncpu > 0 ? ncpu : 1];

	memset(sum, 0, sizeof(*sum));
	if (fd < 0 || ncpu <= 0 || bpf_map_lookup_elem(fd, &id, v))
		return;
	for (int i = 0; i < ncpu; i++) {
		sum->action_hits += v[i].action_hits;
		sum->weight_hits += v[i].weight_hits;
	}
}

/* Write a rule (or delete it when empty); its counters start from zero. */
static int put_rule(struct pinned *p, uint64_t id, const struct ksm_policy_rule *r)
{
	if (r->action == KSM_POLICY_NONE && !(r->flags & KSM_POLICY_RULE_WEIGHT)) {
		if (bpf_map_delete_elem(p->rules_fd, &id) && errno != ENOENT)
			return -errno;
		bpf_map_delete_elem(p->stats_fd, &id);
		return 0;
	}
	if (bpf_map_update_elem(p->rules_fd, &id, r, BPF_ANY))
		return -errno;
	return 0;
}

static json_t *rule_json(const struct ksm_policy_rule *r)
{
	return json_pack(
		"{s:s?,s:o}", "action",
		r->action != KSM_POLICY_NONE ? policy_action_name(r->action) : NULL, "weight",
		(r->flags & KSM_POLICY_RULE_WEIGHT) ? json_integer(r->weight) : json_null());
}

int cmd_set(int argc, char **argv)
{
	struct ksm_policy_rule r = {};
	struct pinned p;
	char rel[4096], err[256], s[64];
	uint64_t id;
	int rc, e;

	if (argc < 3)
		return fail("usage: ksmpolicy set CGROUP allow|deny|isolate|weight N ...");
	if (resolve_cgroup(argv[1], &id, rel, sizeof(rel)))
		return 1;
	if (policy_parse_words(argc - 2, argv + 2, &r, err, sizeof(err)))
		return fail("%s", err);
	rc = need_builtin(&p, true);
	if (rc)
		return rc;
	{
		struct ksm_policy_rule old = {}, n = r;

		if (!bpf_map_lookup_elem(p.rules_fd, &id, &old)) {
			n = old;
			if (r.action != KSM_POLICY_NONE)
				n.action = r.action;
			if (r.flags & KSM_POLICY_RULE_WEIGHT) {
				n.flags |= KSM_POLICY_RULE_WEIGHT;
				n.weight = r.weight;
			}
		}
		r = n;
	}
	e = put_rule(&p, id, &r);
	pinned_close(&p);
	if (e)
		return fail("setting the rule of %s failed: %s", rel, strerror(-e));
	policy_rule_str(&r, s, sizeof(s));
	if (g.json) {
		json_t *o = rule_json(&r);

		json_object_set_new(o, "cgroup", json_string(rel));
		json_object_set_new(o, "cgroup_id", json_integer((json_int_t)id));
		emit_json(o);
	} else if (!g.quiet) {
		printf("%s: %s\n", rel, s);
	}
	return 0;
}

int cmd_unset(int argc, char **argv)
{
	struct ksm_policy_rule r = {};
	struct pinned p;
	char rel[4096];
	uint64_t id;
	int rc, e;

	if (argc < 2 || argc > 3)
		return fail("usage: ksmpolicy unset CGROUP [action|weight]");
	if (argc == 3 && strcmp(argv[2], "action") && strcmp(argv[2], "weight"))
		return fail("unset: '%s': say 'action' or 'weight' (or nothing for the whole rule)",
			    argv[2]);
	/* a removed cgroup's rule is unset by its id: ksmpolicy list shows it */
	if (!strncmp(argv[1], "id:", 3)) {
		uint64_t v;

		if (!parse_u64(argv[1] + 3, 1, UINT64_MAX, &v))
			return fail("bad cgroup id '%s'", argv[1] + 3);
		id = v;
		snprintf(rel, sizeof(rel), "%s", argv[1]);
	} else if (resolve_cgroup(argv[1], &id, rel, sizeof(rel))) {
		return 1;
	}
	rc = need_builtin(&p, false);
	if (rc)
		return rc < 0 ? fail("no policy is loaded: nothing to unset") : rc;
	if (bpf_map_lookup_elem(p.rules_fd, &id, &r)) {
		pinned_close(&p);
		return fail("%s has no rule", rel);
	}
	if (argc == 2)
		memset(&r, 0, sizeof(r));
	else if (!strcmp(argv[2], "action"))
		r.action = KSM_POLICY_NONE;
	else
		r.flags &= ~KSM_POLICY_RULE_WEIGHT, r.weight = 0;
	e = put_rule(&p, id, &r);
	pinned_close(&p);
	if (e)
		return fail("unsetting the rule of %s failed: %s", rel, strerror(-e));
	if (g.json)
		emit_json(json_pack("{s:s,s:I,s:b}", "cgroup", rel, "cgroup_id", (json_int_t)id,
				    "removed", argc == 2));
	else if (!g.quiet)
		printf("%s: rule %s\n", rel, argc == 2 ? "removed" : "updated");
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct cgroup_cache cc;
	struct pinned p;
	json_t *arr = json_array();
	uint64_t key, next, *kp = NULL;
	int rc;

	(void)argv;
	if (argc != 1)
		return fail("usage: ksmpolicy list");
	rc = need_builtin(&p, false);
	if (rc > 0)
		return rc;
	cgroup_cache_init(&cc);
	while (rc == 0 && !bpf_map_get_next_key(p.rules_fd, kp, &next)) {
		struct ksm_policy_rule r;
		struct ksm_policy_stats st;
		const char *path;
		json_t *o;

		key = next;
		kp = &key;
		if (bpf_map_lookup_elem(p.rules_fd, &key, &r))
			continue;
		stats_sum(p.stats_fd, key, &st);
		path = cgroup_cache_path(&cc, key);
		o = rule_json(&r);
		json_object_set_new(o, "cgroup", path ? json_string(path) : json_null());
		json_object_set_new(o, "cgroup_id", json_integer((json_int_t)key));
		json_object_set_new(o, "exists", json_boolean(path != NULL));
		json_object_set_new(o, "action_hits", json_integer((json_int_t)st.action_hits));
		json_object_set_new(o, "weight_hits", json_integer((json_int_t)st.weight_hits));
		json_array_append_new(arr, o);
	}
	cgroup_cache_free(&cc);
	if (rc == 0)
		pinned_close(&p);
	if (g.json) {
		emit_json(arr);
		return 0;
	}
	if (!json_array_size(arr)) {
		if (!g.quiet)
			printf(rc ? "no policy loaded\n" : "no rules\n");
		json_decref(arr);
		return 0;
	}
	printf("%-32s %-14s %12s %12s\n", "CGROUP", "RULE", "ACTION_HITS", "WEIGHT_HITS");
	size_t i;
	json_t *o;

	json_array_foreach(arr, i, o)
	{
		struct ksm_policy_rule r = {};
		const char *a = json_string_value(json_object_get(o, "action"));
		json_t *w = json_object_get(o, "weight");
		char s[64], cg[64];

		for (uint32_t k = 1; a && k < KSM_POLICY_ACTION_MAX; k++)
			if (!strcmp(a, policy_action_name(k)))
				r.action = k;
		if (json_is_integer(w))
			r.flags = KSM_POLICY_RULE_WEIGHT, r.weight = json_integer_value(w);
		policy_rule_str(&r, s, sizeof(s));
		if (json_is_string(json_object_get(o, "cgroup")))
			snprintf(cg, sizeof(cg), "%s",
				 json_string_value(json_object_get(o, "cgroup")));
		else
			snprintf(cg, sizeof(cg), "id:%lld (removed)",
				 json_integer_value(json_object_get(o, "cgroup_id")));
		printf("%-32s %-14s %12lld %12lld\n", cg, s,
		       json_integer_value(json_object_get(o, "action_hits")),
		       json_integer_value(json_object_get(o, "weight_hits")));
	}
	json_decref(arr);
	return 0;
}

static const char *const counter_names[KSM_POLICY_COUNTER_MAX] = {
	"calls", "no_cgroup", "allowed", "denied", "isolated", "skipped",
};

static json_t *prog_stats(void)
{
	json_t *arr = json_array();
	DIR *d = opendir(g.pin_dir);
	struct dirent *de;

	if (!d)
		return arr;
	while ((de = readdir(d))) {
		struct bpf_prog_info pi = {};
		__u32 len = sizeof(pi);
		int fd;

		if (strncmp(de->d_name, "prog_", 5))
			continue;
		fd = get_pin(de->d_name);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &pi, &len))
			json_array_append_new(
				arr,
				json_pack("{s:s,s:I,s:I,s:I,s:o}", "name", de->d_name + 5, "id",
					  (json_int_t)pi.id, "run_cnt", (json_int_t)pi.run_cnt,
					  "run_time_ns", (json_int_t)pi.run_time_ns, "ns_per_call",
					  pi.run_cnt
						  ? json_real((double)pi.run_time_ns / pi.run_cnt)
						  : json_null()));
		close(fd);
	}
	closedir(d);
	return arr;
}

int cmd_status(int argc, char **argv)
{
	struct pinned p;
	json_t *o, *progs, *ctr = json_object();
	char buf[16] = "";
	bool stats_on;
	size_t nrules = 0;

	(void)argv;
	if (argc != 1)
		return fail("usage: ksmpolicy status");
	pinned_open(&p);
	stats_on = read_small_file("/proc/sys/kernel/bpf_stats_enabled", buf, sizeof(buf)) > 0 &&
		   buf[0] == '1';
	if (p.rules_fd >= 0) {
		uint64_t k, n, *kp = NULL;
		int ncpu = libbpf_num_possible_cpus();

		while (!bpf_map_get_next_key(p.rules_fd, kp, &n))
			k = n, kp = &k, nrules++;
		for (__u32 i = 0; i < KSM_POLICY_COUNTER_MAX && p.counters_fd >= 0 && ncpu > 0;
		     i++) {
			__u64 v[ncpu], sum = 0;

			if (!bpf_map_lookup_elem(p.counters_fd, &i, v))
				for (int c = 0; c < ncpu; c++)
					sum += v[c];
			json_object_set_new(ctr, counter_names[i], json_integer((json_int_t)sum));
		}
	}
	progs = prog_stats();
	o = json_pack("{s:{s:b},s:{s:b,s:b,s:b,s:s?,s:I,s:I,s:s},s:o,s:b}", "kernel", "ksm_bpf_ops",
		      true, "policy", "loaded", p.link_fd >= 0, "attached", p.attached, "builtin",
		      builtin(&p), "name", p.name[0] ? p.name : NULL, "link_id",
		      (json_int_t)p.link_id, "map_id", (json_int_t)p.map_id, "pin_dir", g.pin_dir,
		      "programs", progs, "bpf_stats_enabled", stats_on);
	if (builtin(&p)) {
		json_object_set_new(o, "rules", json_integer((json_int_t)nrules));
		json_object_set(o, "counters", ctr);
	}
	pinned_close(&p);
	if (g.json) {
		emit_json(o);
		json_decref(ctr);
		return 0;
	}
	printf("kernel:   ksm_bpf_ops present\n");
	if (p.link_fd < 0) {
		printf("policy:   none loaded\n");
	} else {
		printf("policy:   %s (%s), link %u, struct_ops map %u%s\n",
		       p.name[0] ? p.name : "?", builtin(&p) ? "built-in" : "custom", p.link_id,
		       p.map_id, p.attached ? "" : ", DETACHED");
		printf("pinned:   %s\n", g.pin_dir);
	}
	if (builtin(&p)) {
		printf("rules:    %zu\n", nrules);
		printf("counters:");
		for (int i = 0; i < KSM_POLICY_COUNTER_MAX; i++)
			printf(" %s=%lld", counter_names[i],
			       json_integer_value(json_object_get(ctr, counter_names[i])));
		printf("\n");
	}
	size_t i;
	json_t *pr;

	json_array_foreach(progs, i, pr)
	{
		json_t *npc = json_object_get(pr, "ns_per_call");

		printf("program:  %-24s id %lld, %lld calls",
		       json_string_value(json_object_get(pr, "name")),
		       json_integer_value(json_object_get(pr, "id")),
		       json_integer_value(json_object_get(pr, "run_cnt")));
		if (json_is_real(npc))
			printf(", %.0f ns/call", json_real_value(npc));
		printf("\n");
	}
	if (!stats_on && p.link_fd >= 0)
		printf("note:     sysctl kernel.bpf_stats_enabled=1 to measure the cost per "
		       "call\n");
	json_decref(ctr);
	json_decref(o);
	return 0;
}

int cmd_explain(int argc, char **argv)
{
	char rel[4096], arule[256], wrule[256];
	struct policy_resolution res;
	struct pinned p;
	uint64_t id, v;
	int pid = 0, rc, err;
	json_t *o;

	if (argc != 2)
		return fail("usage: ksmpolicy explain PID|CGROUP");
	if (argv[1][0] != '/' && parse_u64(argv[1], 1, INT32_MAX, &v)) {
		pid = (int)v;
		if (!pid_exists(pid))
			return fail("no such process: %d", pid);
		id = cgroup_id_of_pid(pid, rel, sizeof(rel));
		if (!id)
			return fail("cannot find the cgroup v2 of process %d", pid);
	} else if (resolve_cgroup(argv[1], &id, rel, sizeof(rel))) {
		return 1;
	}
	rc = need_builtin(&p, false);
	if (rc > 0)
		return rc;
	/* the same walk as the BPF program: nearest rule first */
	err = policy_resolve_path(rc == 0 ? p.rules_fd : -1, rel, &res, arule, sizeof(arule), wrule,
				  sizeof(wrule));
	if (rc == 0)
		pinned_close(&p);
	if (err)
		return fail("%s: %s", rel, strerror(-err));
	o = json_pack("{s:s,s:I,s:b,s:s,s:s?,s:I,s:s?,s:o}", "cgroup", rel, "cgroup_id",
		      (json_int_t)id, "policy_loaded", rc == 0, "action",
		      policy_action_name(res.action), "action_rule", arule[0] ? arule : NULL,
		      "weight", (json_int_t)res.weight, "weight_rule", wrule[0] ? wrule : NULL,
		      "domain",
		      res.domain == KSM_POLICY_DOMAIN_NEVER ? json_null()
							    : json_integer((json_int_t)res.domain));
	if (pid)
		json_object_set_new(o, "pid", json_integer(pid));
	if (g.json) {
		emit_json(o);
		return 0;
	}
	json_decref(o);
	if (pid)
		printf("process %d is in %s\n", pid, rel);
	if (rc)
		printf("no policy is loaded: KSM merges and scans %s as usual\n", rel);
	printf("%s: %s", rel, policy_action_name(res.action));
	if (arule[0])
		printf(" (rule on %s%s)", arule, strcmp(arule, rel) ? ", inherited" : "");
	else
		printf(" (default: no rule sets an action)");
	switch (res.action) {
	case KSM_POLICY_DENY:
		printf(": its pages are never merged\n");
		break;
	case KSM_POLICY_ISOLATE:
		printf(": its pages merge only within %s (domain %llu)\n", arule,
		       (unsigned long long)res.domain);
		break;
	default:
		printf(": its pages merge with any allowed page (domain 0)\n");
	}
	printf("%s: weight %u", rel, res.weight);
	if (wrule[0])
		printf(" (rule on %s%s)", wrule, strcmp(wrule, rel) ? ", inherited" : "");
	else
		printf(" (default)");
	if (res.weight)
		printf(": scanned %u time%s per round%s\n", res.weight < 8 ? res.weight : 8,
		       res.weight == 1 ? "" : "s", res.weight > 1 ? ", before lighter ones" : "");
	else
		printf(": not scanned\n");
	return 0;
}

int cmd_apply(int argc, char **argv)
{
	struct policy_file pf;
	struct pinned p;
	bool replace = argc == 3 && !strcmp(argv[1], "--replace");
	const char *file = argv[argc - 1];
	uint64_t *ids;
	FILE *f;
	int n, rc, bad = 0;

	if (argc != 2 && !replace)
		return fail("usage: ksmpolicy apply [--replace] FILE");
	f = strcmp(file, "-") ? fopen(file, "re") : stdin;
	if (!f)
		return fail("%s: %s", file, strerror(errno));
	n = policy_file_parse(f, strcmp(file, "-") ? file : "<stdin>", &pf);
	if (f != stdin)
		fclose(f);
	if (n < 0)
		return fail("%s: %s", file, strerror(-n));
	ids = calloc(pf.n + 1, sizeof(*ids));
	/* every cgroup must exist: a rule is keyed by its id */
	for (size_t i = 0; i < pf.n; i++) {
		char rel[4096];
		int level, e = cgroup_resolve(pf.v[i].cgroup, &ids[i], &level, rel, sizeof(rel));

		if (e) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s:%u: %s: %s", file, pf.v[i].line,
				 pf.v[i].cgroup,
				 e == -ENOENT ? "no such cgroup" : "not a cgroup v2 directory");
			fprintf(stderr, "%s\n", msg);
			bad++;
		}
	}
	if (pf.nerrors || bad) {
		if (pf.errors)
			fputs(pf.errors, stderr);
		rc = fail("%s: %zu error%s, no rule applied", file, pf.nerrors + bad,
			  pf.nerrors + bad == 1 ? "" : "s");
		free(ids);
		policy_file_free(&pf);
		return rc;
	}
	rc = need_builtin(&p, true);
	if (rc) {
		free(ids);
		policy_file_free(&pf);
		return rc;
	}
	if (replace) {
		uint64_t k, nk, *kp = NULL;

		/* delete the rules the file does not have, one key at a time */
		while (!bpf_map_get_next_key(p.rules_fd, kp, &nk)) {
			bool keep = false;

			k = nk;
			for (size_t i = 0; i < pf.n; i++)
				keep |= ids[i] == k;
			if (!keep) {
				bpf_map_delete_elem(p.rules_fd, &k);
				bpf_map_delete_elem(p.stats_fd, &k);
				kp = NULL; /* restart: the iteration order changed */
			} else {
				kp = &k;
			}
		}
	}
	for (size_t i = 0; i < pf.n; i++) {
		int e = put_rule(&p, ids[i], &pf.v[i].rule);

		if (e) {
			pinned_close(&p);
			rc = fail("%s:%u: %s: %s", file, pf.v[i].line, pf.v[i].cgroup,
				  strerror(-e));
			free(ids);
			policy_file_free(&pf);
			return rc;
		}
	}
	pinned_close(&p);
	if (g.json)
		emit_json(json_pack("{s:s,s:I,s:b}", "file", file, "rules", (json_int_t)pf.n,
				    "replace", replace));
	else if (!g.quiet)
		printf("%s: %zu rule%s applied\n", file, pf.n, pf.n == 1 ? "" : "s");
	free(ids);
	policy_file_free(&pf);
	return 0;
}

/* Check a user's object before attaching anything: one ksm_bpf_ops map. */
static int validate_object(struct bpf_object *obj, struct bpf_map **out)
{
	struct bpf_map *m, *found = NULL;
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_map(m, obj)
	{
		const struct btf_type *t;
		const char *tn;

		if (bpf_map__type(m) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		n++;
		/* the type of the map's variable in .struct_ops */
		t = NULL;
		if (btf) {
			int id = btf__find_by_name_kind(btf, bpf_map__name(m), BTF_KIND_VAR);

			if (id > 0)
				id = btf__resolve_type(btf, btf__type_by_id(btf, id)->type);
			if (id > 0)
				t = btf__type_by_id(btf, id);
		}
		tn = t ? btf__name_by_offset(btf, t->name_off) : NULL;
		if (!tn || strcmp(tn, "ksm_bpf_ops"))
			return fail("struct_ops map '%s' is a '%s', not a ksm_bpf_ops",
				    bpf_map__name(m), tn ? tn : "?");
		found = m;
	}
	if (n != 1)
		return fail(
			n ? "%d ksm_bpf_ops maps in the object: exactly one, please"
			  : "no ksm_bpf_ops struct_ops map in the object (SEC(\".struct_ops\"))",
			n);
	bpf_object__for_each_program(prog, obj)
	{
		if (bpf_program__type(prog) != BPF_PROG_TYPE_STRUCT_OPS)
			return fail("program '%s' is not a struct_ops program: only ksm_bpf_ops "
				    "callbacks belong in a policy object",
				    bpf_program__name(prog));
	}
	*out = found;
	return 0;
}

static int cmd_load(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_map *map = NULL;
	struct pinned p;
	int err, fd;

	if (argc != 2)
		return fail("usage: ksmpolicy load OBJ.bpf.o");
	pinned_open(&p);
	if (p.link_fd >= 0) {
		int rc = fail("a policy (%s) is already loaded: 'ksmpolicy unload' first",
			      p.name[0] ? p.name : "?");

		pinned_close(&p);
		return rc;
	}
	pinned_close(&p);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj)
		return fail("%s: %s", argv[1], strerror(errno));
	if (validate_object(obj, &map)) {
		bpf_object__close(obj);
		return 1;
	}
	bpf_map__set_map_flags(map, BPF_F_LINK);
	err = bpf_object__load(obj);
	if (err) {
		bpf_object__close(obj);
		return fail("%s: the kernel refused the policy (%s); -v shows the verifier log",
			    argv[1], strerror(-err));
	}
	fd = attach_struct_ops(map);
	if (fd < 0) {
		bpf_object__close(obj);
		return attach_error(fd);
	}
	err = pin_all(obj, fd, false);
	close(fd);
	if (err) {
		bpf_object__close(obj);
		return fail("pinning the policy in %s failed: %s", g.pin_dir, strerror(-err));
	}
	if (g.json)
		emit_json(json_pack("{s:s,s:s,s:s}", "loaded", argv[1], "name", bpf_map__name(map),
				    "pin_dir", g.pin_dir));
	else if (!g.quiet)
		printf("loaded %s (%s), pinned in %s\n", argv[1], bpf_map__name(map), g.pin_dir);
	bpf_object__close(obj);
	return 0;
}

static int cmd_load_builtin(void)
{
	struct pinned p;
	int rc = need_builtin(&p, true);

	if (rc)
		return rc;
	pinned_close(&p);
	if (g.json)
		emit_json(json_pack("{s:s,s:s}", "loaded", "built-in", "pin_dir", g.pin_dir));
	else if (!g.quiet)
		printf("built-in policy loaded, pinned in %s\n", g.pin_dir);
	return 0;
}

int cmd_load_any(int argc, char **argv)
{
	if (argc == 1 || (argc == 2 && !strcmp(argv[1], "builtin")))
		return cmd_load_builtin();
	return cmd_load(argc, argv);
}

int cmd_unload(int argc, char **argv)
{
	char tmp[256];
	struct stat st;

	(void)argv;
	if (argc != 1)
		return fail("usage: ksmpolicy unload");
	if (stat(g.pin_dir, &st)) {
		if (g.json)
			emit_json(json_pack("{s:b}", "unloaded", false));
		else if (!g.quiet)
			printf("no policy loaded\n");
		return 0;
	}
	/* out of sight first, then unpin: a kill in between is finished later */
	snprintf(tmp, sizeof(tmp), BPFFS "/" TMP_PREFIX "%d", getpid());
	if (rename(g.pin_dir, tmp))
		return fail("%s: %s", g.pin_dir, strerror(errno));
	if (rm_pins(tmp))
		return fail("removing %s: %s", tmp, strerror(errno));
	if (g.json)
		emit_json(json_pack("{s:b}", "unloaded", true));
	else if (!g.quiet)
		printf("policy unloaded\n");
	return 0;
}
