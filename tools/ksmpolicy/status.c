// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "ksmpolicy.h"
#include "pin.h"
#include "policy_pin.h"
#include "status.h"
#include "util.h"

static const char *const counter_names[KSM_POLICY_COUNTER_MAX] = {
	[KSM_POLICY_CALLS] = "calls",	    [KSM_POLICY_NO_CGROUP] = "no_cgroup",
	[KSM_POLICY_ALLOWED] = "allowed",   [KSM_POLICY_DENIED] = "denied",
	[KSM_POLICY_ISOLATED] = "isolated", [KSM_POLICY_SKIPPED] = "skipped",
};

static size_t count_keys(int fd)
{
	uint64_t key, next, *kp = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, kp, &next)) {
		key = next;
		kp = &key;
		n++;
	}
	return n;
}

static void read_counters(int fd, uint64_t *counters)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 v[ncpu > 0 ? ncpu : 1];

	for (__u32 i = 0; i < KSM_POLICY_COUNTER_MAX; i++) {
		counters[i] = 0;
		if (fd < 0 || ncpu <= 0 || bpf_map_lookup_elem(fd, &i, v))
			continue;
		for (int c = 0; c < ncpu; c++)
			counters[i] += v[c];
	}
}

static int add_prog(struct policy_status *s, const char *pin)
{
	struct bpf_prog_info pi = {};
	__u32 len = sizeof(pi);
	struct prog_stat *v;
	int fd = pin_get(pin), err;

	if (fd < 0)
		return 0;
	err = bpf_obj_get_info_by_fd(fd, &pi, &len);
	close(fd);
	if (err)
		return 0;
	v = realloc(s->progs, (s->nprogs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->progs = v;
	v = &s->progs[s->nprogs++];
	snprintf(v->name, sizeof(v->name), "%s", pin + strlen("prog_"));
	v->id = pi.id;
	v->run_cnt = pi.run_cnt;
	v->run_time_ns = pi.run_time_ns;
	return 0;
}

/* The pinned programs (prog_NAME), in the directory's order. */
static int read_progs(struct policy_status *s)
{
	DIR *d = opendir(s->pin_dir);
	struct dirent *de;
	int err = 0;

	if (!d)
		return 0;
	while (!err && (de = readdir(d)))
		if (!strncmp(de->d_name, "prog_", 5))
			err = add_prog(s, de->d_name);
	closedir(d);
	return err;
}

static int policy_status_read(struct policy_status *s)
{
	char buf[16] = "";
	struct pinned p;

	memset(s, 0, sizeof(*s));
	s->pin_dir = policy_pin_dir();
	s->bpf_stats_enabled =
		read_small_file("/proc/sys/kernel/bpf_stats_enabled", buf, sizeof(buf)) > 0 &&
		buf[0] == '1';
	pinned_open(&p);
	s->loaded = p.link_fd >= 0;
	s->attached = p.attached;
	s->builtin = pinned_builtin(&p);
	snprintf(s->name, sizeof(s->name), "%s", p.name);
	s->link_id = p.link_id;
	s->map_id = p.map_id;
	if (s->builtin) {
		s->rules = count_keys(p.rules_fd);
		read_counters(p.counters_fd, s->counters);
	}
	pinned_close(&p);
	return read_progs(s);
}

static void policy_status_free(struct policy_status *s)
{
	free(s->progs);
	s->progs = NULL;
	s->nprogs = 0;
}

static json_t *progs_json(const struct policy_status *s)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < s->nprogs; i++) {
		const struct prog_stat *p = &s->progs[i];

		if (json_array_append_new(
			    arr,
			    json_pack("{s:I,s:s,s:o,s:I,s:I}", "id", (json_int_t)p->id, "name",
				      p->name, "ns_per_call",
				      p->run_cnt ? json_real((double)p->run_time_ns / p->run_cnt)
						 : json_null(),
				      "run_cnt", (json_int_t)p->run_cnt, "run_time_ns",
				      (json_int_t)p->run_time_ns))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *counters_json(const uint64_t *c)
{
	return json_pack(
		"{s:I,s:I,s:I,s:I,s:I,s:I}", "allowed", (json_int_t)c[KSM_POLICY_ALLOWED], "calls",
		(json_int_t)c[KSM_POLICY_CALLS], "denied", (json_int_t)c[KSM_POLICY_DENIED],
		"isolated", (json_int_t)c[KSM_POLICY_ISOLATED], "no_cgroup",
		(json_int_t)c[KSM_POLICY_NO_CGROUP], "skipped", (json_int_t)c[KSM_POLICY_SKIPPED]);
}

json_t *policy_status_json(const struct policy_status *s)
{
	/* counters and rules belong to the built-in policy: absent otherwise */
	return json_pack("{s:b,s:o*,s:{s:b},s:{s:b,s:b,s:I,s:b,s:I,s:s?,s:s},s:o,s:o*}",
			 "bpf_stats_enabled", s->bpf_stats_enabled, "counters",
			 s->builtin ? counters_json(s->counters) : NULL, "kernel", "ksm_bpf_ops",
			 true, "policy", "attached", s->attached, "builtin", s->builtin, "link_id",
			 (json_int_t)s->link_id, "loaded", s->loaded, "map_id",
			 (json_int_t)s->map_id, "name", s->name[0] ? s->name : NULL, "pin_dir",
			 s->pin_dir, "programs", progs_json(s), "rules",
			 s->builtin ? json_integer((json_int_t)s->rules) : NULL);
}

void policy_status_print(FILE *out, const struct policy_status *s)
{
	fprintf(out, "kernel:   ksm_bpf_ops present\n");
	if (!s->loaded) {
		fprintf(out, "policy:   none loaded\n");
	} else {
		fprintf(out, "policy:   %s (%s), link %u, struct_ops map %u%s\n",
			s->name[0] ? s->name : "?", s->builtin ? "built-in" : "custom", s->link_id,
			s->map_id, s->attached ? "" : ", DETACHED");
		fprintf(out, "pinned:   %s\n", s->pin_dir);
	}
	if (s->builtin) {
		fprintf(out, "rules:    %zu\ncounters:", s->rules);
		for (int i = 0; i < KSM_POLICY_COUNTER_MAX; i++)
			fprintf(out, " %s=%llu", counter_names[i],
				(unsigned long long)s->counters[i]);
		fprintf(out, "\n");
	}
	for (size_t i = 0; i < s->nprogs; i++) {
		const struct prog_stat *p = &s->progs[i];

		fprintf(out, "program:  %-24s id %u, %llu calls", p->name, p->id,
			(unsigned long long)p->run_cnt);
		if (p->run_cnt)
			fprintf(out, ", %.0f ns/call", (double)p->run_time_ns / p->run_cnt);
		fprintf(out, "\n");
	}
	if (!s->bpf_stats_enabled && s->loaded)
		fprintf(out, "note:     sysctl kernel.bpf_stats_enabled=1 to measure the cost per "
			     "call\n");
}

static const char status_doc[] =
	"Kernel support, the loaded policy (name, built-in or custom, link and map ids, "
	"attached or detached), the built-in policy's rule count and counters, and per "
	"program run_cnt, run_time_ns and ns per call (with sysctl "
	"kernel.bpf_stats_enabled=1).";
static const struct cmd_syntax status_syntax = { "", status_doc, 0, 0, NULL };

int cmd_status(int argc, char **argv)
{
	struct policy_status s;
	int rc;

	cmd_parse(&status_syntax, argc, argv, NULL);
	rc = pin_prepare(false);
	if (rc)
		return rc;
	rc = policy_status_read(&s);
	if (rc)
		rc = cli_err("reading the policy's programs: %s", strerror(-rc));
	else if (cli.json)
		rc = cmd_print_json(policy_status_json(&s));
	else
		policy_status_print(stdout, &s);
	policy_status_free(&s);
	return rc;
}
