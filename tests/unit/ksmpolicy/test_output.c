// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for what ksmpolicy prints: list, explain and status, as text
 * and as JSON, from the same structs.  The JSON keeps its schema
 * (docs/ksmpolicy.md) and its bytes: ksmpolicy prints it with sorted keys,
 * and scripts grep it (tests/vm/guest/policy.sh among them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules_cmd.h"
#include "status.h"

/* The JSON of o as ksmpolicy prints it (without --pretty); frees o. */
static char *json_text(json_t *o)
{
	char *s;

	assert_non_null(o);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

#define assert_json(o, want)                   \
	do {                                   \
		char *_s = json_text(o);       \
		assert_string_equal(_s, want); \
		free(_s);                      \
	} while (0)

static char out_buf[4096];

/* Text printed by print(out, arg) into out_buf. */
#define TEXT(print, arg)                                            \
	({                                                          \
		FILE *_f = fmemopen(out_buf, sizeof(out_buf), "w"); \
		assert_non_null(_f);                                \
		print(_f, arg);                                     \
		fclose(_f);                                         \
		out_buf;                                            \
	})

static void list_rows(void **state)
{
	struct rule_row rows[] = {
		{ .cgroup_id = 4711,
		  .cgroup = "/tenants/a",
		  .rule = { .action = KSM_POLICY_ISOLATE,
			    .flags = KSM_POLICY_RULE_WEIGHT,
			    .weight = 4 },
		  .hits = { .action_hits = 12, .weight_hits = 3 } },
		{ .cgroup_id = 99, .cgroup = NULL, .rule = { .action = KSM_POLICY_DENY } },
		{ .cgroup_id = 5,
		  .cgroup = "/idle",
		  .rule = { .flags = KSM_POLICY_RULE_WEIGHT, .weight = 0 },
		  .hits = { .weight_hits = 7 } },
	};
	struct rule_list l = { .loaded = true, .v = rows, .n = 3 };

	assert_string_equal(
		TEXT(rule_list_print, &l),
		"CGROUP                           RULE            ACTION_HITS  WEIGHT_HITS\n"
		"/tenants/a                       isolate weight 4           12            3\n"
		"id:99 (removed)                  deny                      0            0\n"
		"/idle                            weight 0                  0            7\n");
	assert_json(rule_list_json(&l),
		    "[{\"action\":\"isolate\",\"action_hits\":12,\"cgroup\":\"/tenants/a\","
		    "\"cgroup_id\":4711,\"exists\":true,\"weight\":4,\"weight_hits\":3},"
		    "{\"action\":\"deny\",\"action_hits\":0,\"cgroup\":null,\"cgroup_id\":99,"
		    "\"exists\":false,\"weight\":null,\"weight_hits\":0},"
		    "{\"action\":null,\"action_hits\":0,\"cgroup\":\"/idle\",\"cgroup_id\":5,"
		    "\"exists\":true,\"weight\":0,\"weight_hits\":7}]");
}

static void list_empty(void **state)
{
	struct rule_list l = { .loaded = true };

	assert_string_equal(TEXT(rule_list_print, &l), "no rules\n");
	assert_json(rule_list_json(&l), "[]");
	l.loaded = false;
	assert_string_equal(TEXT(rule_list_print, &l), "no policy loaded\n");
}

static void explain_inherited(void **state)
{
	struct explanation e = {
		.pid = 1234,
		.cgroup = "/tenants/a/web",
		.cgroup_id = 4800,
		.policy_loaded = true,
		.res = { .action = KSM_POLICY_ISOLATE,
			 .weight = 1,
			 .action_from = 1,
			 .weight_from = -1,
			 .domain = 4711 },
		.action_rule = "/tenants/a",
	};

	assert_string_equal(TEXT(explanation_print, &e),
			    "process 1234 is in /tenants/a/web\n"
			    "/tenants/a/web: isolate (rule on /tenants/a, inherited): its pages "
			    "merge only within /tenants/a (domain 4711)\n"
			    "/tenants/a/web: weight 1 (default): scanned in 1 of every N rounds, "
			    "N the highest weight in force\n");
	assert_json(explanation_json(&e),
		    "{\"action\":\"isolate\",\"action_rule\":\"/tenants/a\","
		    "\"cgroup\":\"/tenants/a/web\",\"cgroup_id\":4800,\"domain\":4711,"
		    "\"pid\":1234,\"policy_loaded\":true,\"weight\":1,\"weight_rule\":null}");
}

static void explain_own_rules(void **state)
{
	struct explanation e = {
		.cgroup = "/batch",
		.cgroup_id = 77,
		.policy_loaded = true,
		.res = { .action = KSM_POLICY_DENY,
			 .weight = 12,
			 .action_from = 0,
			 .weight_from = 0,
			 .domain = KSM_POLICY_DOMAIN_NEVER },
		.action_rule = "/batch",
		.weight_rule = "/batch",
	};

	assert_string_equal(TEXT(explanation_print, &e),
			    "/batch: deny (rule on /batch): its pages are never merged\n"
			    "/batch: weight 12 (rule on /batch): scanned in 12 of every N rounds, "
			    "N the highest weight in force\n");
	/* no pid key for a cgroup; never merging is domain null */
	assert_json(explanation_json(&e),
		    "{\"action\":\"deny\",\"action_rule\":\"/batch\",\"cgroup\":\"/batch\","
		    "\"cgroup_id\":77,\"domain\":null,\"policy_loaded\":true,\"weight\":12,"
		    "\"weight_rule\":\"/batch\"}");

	e.res = (struct policy_resolution){
		.action = KSM_POLICY_ALLOW, .weight = 0, .action_from = -1, .weight_from = 0
	};
	e.action_rule[0] = '\0';
	assert_string_equal(TEXT(explanation_print, &e),
			    "/batch: allow (default: no rule sets an action): its pages merge "
			    "with any allowed page (domain 0)\n"
			    "/batch: weight 0 (rule on /batch): not scanned (its merged pages stay merged)\n");
}

static void explain_no_policy(void **state)
{
	struct explanation e = {
		.cgroup = "/",
		.cgroup_id = 1,
		.res = { .action = KSM_POLICY_ALLOW,
			 .weight = 1,
			 .action_from = -1,
			 .weight_from = -1 },
	};

	assert_string_equal(TEXT(explanation_print, &e),
			    "no policy is loaded: KSM merges and scans / as usual\n"
			    "/: allow (default: no rule sets an action): its pages merge with any "
			    "allowed page (domain 0)\n"
			    "/: weight 1 (default): scanned in 1 of every N rounds, "
			    "N the highest weight in force\n");
	assert_json(explanation_json(&e),
		    "{\"action\":\"allow\",\"action_rule\":null,\"cgroup\":\"/\","
		    "\"cgroup_id\":1,\"domain\":0,\"policy_loaded\":false,\"weight\":1,"
		    "\"weight_rule\":null}");
}

static void status_builtin(void **state)
{
	struct prog_stat progs[] = {
		{ .name = "merge_domain", .id = 31, .run_cnt = 4, .run_time_ns = 1000 },
		{ .name = "scan_weight", .id = 32 },
	};
	struct policy_status s = {
		.pin_dir = "/sys/fs/bpf/ksm-bpf",
		.loaded = true,
		.attached = true,
		.builtin = true,
		.name = "ksm_policy",
		.link_id = 7,
		.map_id = 8,
		.rules = 2,
		.counters = { 10, 1, 5, 2, 2, 3 },
		.progs = progs,
		.nprogs = 2,
	};

	assert_string_equal(
		TEXT(policy_status_print, &s),
		"kernel:   ksm_bpf_ops present\n"
		"policy:   ksm_policy (built-in), link 7, struct_ops map 8\n"
		"pinned:   /sys/fs/bpf/ksm-bpf\n"
		"rules:    2\n"
		"counters: calls=10 no_cgroup=1 allowed=5 denied=2 isolated=2 skipped=3\n"
		"program:  merge_domain             id 31, 4 calls, 250 ns/call\n"
		"program:  scan_weight              id 32, 0 calls\n"
		"note:     sysctl kernel.bpf_stats_enabled=1 to measure the cost per call\n");
	assert_json(policy_status_json(&s),
		    "{\"bpf_stats_enabled\":false,\"counters\":{\"allowed\":5,\"calls\":10,"
		    "\"denied\":2,\"isolated\":2,\"no_cgroup\":1,\"skipped\":3},"
		    "\"kernel\":{\"ksm_bpf_ops\":true},\"policy\":{\"attached\":true,"
		    "\"builtin\":true,\"link_id\":7,\"loaded\":true,\"map_id\":8,"
		    "\"name\":\"ksm_policy\",\"pin_dir\":\"/sys/fs/bpf/ksm-bpf\"},"
		    "\"programs\":[{\"id\":31,\"name\":\"merge_domain\",\"ns_per_call\":250.0,"
		    "\"run_cnt\":4,\"run_time_ns\":1000},{\"id\":32,\"name\":\"scan_weight\","
		    "\"ns_per_call\":null,\"run_cnt\":0,\"run_time_ns\":0}],\"rules\":2}");
}

static void status_custom_and_none(void **state)
{
	struct policy_status s = {
		.pin_dir = "/p",
		.loaded = true,
		.link_id = 9,
		.bpf_stats_enabled = true,
	};

	/* a custom policy whose link lost its map: no rules, no counters */
	assert_string_equal(TEXT(policy_status_print, &s),
			    "kernel:   ksm_bpf_ops present\n"
			    "policy:   ? (custom), link 9, struct_ops map 0, DETACHED\n"
			    "pinned:   /p\n");
	assert_json(policy_status_json(&s),
		    "{\"bpf_stats_enabled\":true,\"kernel\":{\"ksm_bpf_ops\":true},"
		    "\"policy\":{\"attached\":false,\"builtin\":false,\"link_id\":9,"
		    "\"loaded\":true,\"map_id\":0,\"name\":null,\"pin_dir\":\"/p\"},"
		    "\"programs\":[]}");
	s.loaded = false;
	s.link_id = 0;
	assert_string_equal(TEXT(policy_status_print, &s),
			    "kernel:   ksm_bpf_ops present\npolicy:   none loaded\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list_rows),
		cmocka_unit_test(list_empty),
		cmocka_unit_test(explain_inherited),
		cmocka_unit_test(explain_own_rules),
		cmocka_unit_test(explain_no_policy),
		cmocka_unit_test(status_builtin),
		cmocka_unit_test(status_custom_and_none),
	};

	return cmocka_run_group_tests_name("ksmpolicy output", tests, NULL, NULL);
}
