// SPDX-License-Identifier: GPL-2.0
/* Unit tests for tools/lib/event_fmt.c: names, lists, text and JSON. */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event_fmt.h"

static void names_round_trip(void **state)
{
	for (unsigned int k = 1; k < KSM_EV_MAX; k++) {
		const char *n = ksm_event_name(k);
		char prefixed[64];

		assert_non_null(n);
		assert_int_equal(ksm_event_by_name(n), k);
		snprintf(prefixed, sizeof(prefixed), "ksm_%s", n);
		assert_int_equal(ksm_event_by_name(prefixed), k);
	}
	assert_int_equal(ksm_event_by_name("nosuch"), KSM_EV_NONE);
	assert_null(ksm_event_name(KSM_EV_MAX));
}

static void parse_list(void **state)
{
	const char *bad = NULL;
	uint32_t mask;

	assert_int_equal(ksm_event_parse_list("merge_one_page,ksm_stop_scan", &mask, &bad), 0);
	assert_int_equal(mask, (1u << KSM_EV_MERGE_ONE_PAGE) | (1u << KSM_EV_STOP_SCAN));
	assert_int_equal(ksm_event_parse_list("merge_one_page,bogus", &mask, &bad), -EINVAL);
	assert_string_equal(bad, "bogus");
	assert_int_equal(ksm_event_parse_list(",", &mask, &bad), -EINVAL);
}

static void reasons(void **state)
{
	assert_string_equal(ksm_reason_name(KSM_EV_STABLE_NODE_REMOVE, KSM_NODE_RM_UNMERGE),
			    "unmerge");
	assert_string_equal(ksm_reason_name(KSM_EV_GET_FOLIO_STALE, KSM_STALE_FREED), "freed");
	assert_string_equal(ksm_reason_name(KSM_EV_SWAPIN_COPY, KSM_COPY_NO_STABLE_NODE),
			    "no_stable_node");
	assert_string_equal(ksm_result_name(KSM_EV_SWAPIN_COPY, KSM_COPY_NOMEM), "nomem");
	assert_string_equal(ksm_reason_name(KSM_EV_STABLE_NODE_REMOVE, 99), "unknown");
	assert_null(ksm_reason_name(KSM_EV_MERGE_ONE_PAGE, 0));
	assert_null(ksm_result_name(KSM_EV_MIGRATE_FOLIO, 0));
}

static struct ksm_event sample(unsigned int kind)
{
	struct ksm_event e = { 0 };

	e.ts_ns = 123456789012ULL;
	e.kind = kind;
	e.source = KSM_SRC_TP_PATCHED;
	e.pid = 4242;
	e.cpu = 1;
	strcpy(e.comm, "qemu-system-x86");
	e.cgroup_id = 77;
	e.mm = 0xffff888100001000ULL;
	e.pfn = 0x12345;
	e.pfn2 = 0x54321;
	e.node = 0xffff888100002000ULL;
	e.nid = 1;
	e.nid2 = 0;
	e.err = -14;
	e.reason = 2;
	e.result = 1;
	e.aux[0] = 5;
	e.aux[1] = 6;
	return e;
}

/* Every kind survives to_json -> from_json with the fields it carries. */
static void json_round_trip(void **state)
{
	for (unsigned int k = 1; k < KSM_EV_MAX; k++) {
		struct ksm_event e = sample(k), back;
		char err[128];
		json_t *o = ksm_event_to_json(&e, "/vms/a");
		char *text = json_dumps(o, JSON_COMPACT);
		json_error_t jerr;
		json_t *parsed = json_loads(text, 0, &jerr);

		assert_non_null(parsed);
		assert_int_equal(ksm_event_from_json(parsed, &back, err, sizeof(err)), 0);
		assert_int_equal(back.kind, e.kind);
		assert_int_equal(back.ts_ns, e.ts_ns);
		assert_int_equal(back.pid, e.pid);
		assert_string_equal(back.comm, e.comm);
		assert_int_equal(back.cgroup_id, e.cgroup_id);
		assert_int_equal(back.mm, e.mm);
		assert_int_equal(back.node, e.node);
		if (ksm_reason_name(k, e.reason))
			assert_int_equal(back.reason, e.reason);
		if (ksm_event_has_err(k))
			assert_int_equal(back.err, e.err);
		assert_string_equal(json_string_value(json_object_get(parsed, "cgroup")),
				    "/vms/a");
		free(text);
		json_decref(o);
		json_decref(parsed);
	}
}

/* policy_decision: the decision, never as a null domain, the weight. */
static void policy_decision(void **state)
{
	static const struct {
		__u64 domain;
		const char *decision, *detail;
	} cases[] = {
		{ 0, "allow", "allow w=3" },
		{ KSM_POLICY_DOMAIN_NEVER, "deny", "deny w=3" },
		{ 4711, "isolate", "isolate:4711 w=3" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ksm_event e = { .kind = KSM_EV_POLICY_DECISION, .ts_ns = 1, .pid = 7,
				       .cgroup_id = 42, .nid = -1, .nid2 = -1 }, back;
		char detail[64], err[128];
		json_t *o;

		e.aux[0] = cases[i].domain;
		e.aux[1] = 3;
		e.aux[2] = 42;
		ksm_event_detail(&e, detail, sizeof(detail));
		assert_string_equal(detail, cases[i].detail);
		o = ksm_event_to_json(&e, "/t");
		assert_string_equal(json_string_value(json_object_get(o, "event")),
				    "policy_decision");
		assert_string_equal(json_string_value(json_object_get(o, "decision")),
				    cases[i].decision);
		if (cases[i].domain == KSM_POLICY_DOMAIN_NEVER)
			assert_true(json_is_null(json_object_get(o, "domain")));
		assert_int_equal(json_integer_value(json_object_get(o, "weight")), 3);
		assert_true(json_is_null(json_object_get(o, "pfn")));
		assert_int_equal(ksm_event_from_json(o, &back, err, sizeof(err)), 0);
		assert_true(back.aux[0] == e.aux[0]);
		assert_int_equal(back.aux[1], 3);
		assert_int_equal(back.aux[2], 42);
		json_decref(o);
	}
	assert_int_equal(ksm_event_by_name("ksm_policy_decision"), KSM_EV_POLICY_DECISION);
}

/* The migrate tracepoints: address and pte in hex, the thread, read back. */
static void migration_pte(void **state)
{
	struct ksm_event e = { .kind = KSM_EV_SET_MIGRATION_PTE, .ts_ns = 1, .pid = 7, .tid = 8,
			       .pfn = 0x1234, .nid = -1, .nid2 = -1 }, back;
	char detail[64], err[128];
	json_t *o;

	e.aux[0] = 0x7ffffffde000ULL;
	e.aux[1] = 0;
	e.aux[2] = 0xf7ffffffffedcbe0ULL;
	ksm_event_detail(&e, detail, sizeof(detail));
	assert_string_equal(detail, "@7ffffffde000 o=0");
	o = ksm_event_to_json(&e, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "addr")), "0x7ffffffde000");
	assert_string_equal(json_string_value(json_object_get(o, "pte")), "0xf7ffffffffedcbe0");
	assert_int_equal(json_integer_value(json_object_get(o, "tid")), 8);
	assert_int_equal(json_integer_value(json_object_get(o, "pfn")), 0x1234);
	assert_int_equal(ksm_event_from_json(o, &back, err, sizeof(err)), 0);
	assert_true(back.aux[0] == e.aux[0] && back.aux[2] == e.aux[2]);
	assert_int_equal(back.tid, 8);
	json_decref(o);
	/* a batch: its reason by name, and no tid where a kind has none */
	e = (struct ksm_event){ .kind = KSM_EV_MIGRATE_PAGES_START, .ts_ns = 1, .reason = 5 };
	o = ksm_event_to_json(&e, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "reason")), "numa_misplaced");
	json_decref(o);
	e.kind = KSM_EV_MERGE_ONE_PAGE;
	o = ksm_event_to_json(&e, NULL);
	assert_null(json_object_get(o, "tid"));
	json_decref(o);
	assert_int_equal(ksm_event_by_name("remove_migration_pte"), KSM_EV_REMOVE_MIGRATION_PTE);
}

static void json_schema_nulls(void **state)
{
	struct ksm_event e = sample(KSM_EV_START_SCAN);
	json_t *o;

	e.pid = 0;
	e.nid = -1;
	o = ksm_event_to_json(&e, NULL);
	assert_true(json_is_null(json_object_get(o, "pfn")));
	assert_true(json_is_null(json_object_get(o, "nid")));
	assert_true(json_is_null(json_object_get(o, "comm")));
	assert_true(json_is_null(json_object_get(o, "cgroup")));
	assert_true(json_is_null(json_object_get(o, "err")));
	assert_int_equal(json_integer_value(json_object_get(o, "seq")), 5);
	json_decref(o);
}

static void from_json_errors(void **state)
{
	struct ksm_event e;
	char err[128];
	json_t *o;

	o = json_pack("{s:s}", "event", "merge_one_page");
	assert_int_equal(ksm_event_from_json(o, &e, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ts_ns"));
	json_decref(o);

	o = json_pack("{s:s, s:i}", "event", "bogus", "ts_ns", 1);
	assert_int_equal(ksm_event_from_json(o, &e, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown event"));
	json_decref(o);

	o = json_pack("{s:s, s:i, s:s}", "event", "stable_node_remove", "ts_ns", 1, "reason",
		      "sunspots");
	assert_int_equal(ksm_event_from_json(o, &e, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "sunspots"));
	json_decref(o);

	o = json_array();
	assert_int_equal(ksm_event_from_json(o, &e, err, sizeof(err)), -EINVAL);
	json_decref(o);
}

/* Text lines stay under 80 columns for every kind, even with -T. */
static void text_width(void **state)
{
	struct ksm_fmt_opts o = { .timestamp = true };
	char *buf;
	size_t len;

	for (unsigned int k = 1; k < KSM_EV_MAX; k++) {
		struct ksm_event e = sample(k);
		FILE *f = open_memstream(&buf, &len);

		e.aux[0] = 123456789;
		e.aux[1] = 987654;
		ksm_event_print_text(f, &e, &o);
		fclose(f);
		if (strlen(buf) > 80)
			fail_msg("%s line is %zu columns: %s", ksm_event_name(k), strlen(buf), buf);
		free(buf);
	}
}


/* Hostile comms and cgroups: the JSON line parses and reads back byte for byte. */
static void hostile_names_round_trip(void **state)
{
	static const char *const names[] = {
		"\x1b[2J\x1b]0;x\a", "two\nlines", "\"q\"<b>&amp;", "bad\xff\xfeutf",
		"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80",
		("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct ksm_event e = sample(KSM_EV_MERGE_ONE_PAGE), back;
		char err[128], cg[64], *text;
		json_t *o, *parsed;

		snprintf(e.comm, sizeof(e.comm), "%s", names[i]);
		snprintf(cg, sizeof(cg), "/t/%s", names[i]);
		o = ksm_event_to_json(&e, cg);
		text = json_dumps(o, JSON_COMPACT);
		assert_non_null(text);
		assert_null(strchr(text, '\n'));
		parsed = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
		assert_non_null(parsed);
		assert_true(json_is_string(json_object_get(parsed, "comm")));
		assert_true(json_is_string(json_object_get(parsed, "cgroup")));
		assert_int_equal(ksm_event_from_json(parsed, &back, err, sizeof(err)), 0);
		assert_string_equal(back.comm, e.comm);
		free(text);
		json_decref(o);
		json_decref(parsed);
	}
}

/* A comm of 16 bytes and no NUL (never from the kernel) is not read past. */
static void comm_without_nul(void **state)
{
	struct ksm_event e = sample(KSM_EV_MERGE_ONE_PAGE);
	json_t *o;

	memset(e.comm, 'x', sizeof(e.comm));
	o = ksm_event_to_json(&e, NULL);
	assert_int_equal(json_string_length(json_object_get(o, "comm")), 16);
	json_decref(o);
}

/* Numbers a writer cannot have written are errors, not silent casts. */
static void from_json_ranges(void **state)
{
	static const struct {
		const char *line, *err;
	} cases[] = {
		{ "{\"event\":\"merge_one_page\",\"ts_ns\":-1}", "\"ts_ns\" is out of range" },
		{ "{\"event\":\"merge_one_page\",\"ts_ns\":1,\"pid\":4294967296}",
		  "\"pid\" is out of range" },
		{ "{\"event\":\"merge_one_page\",\"ts_ns\":1,\"pid\":-5}", "\"pid\" is out of range" },
		{ "{\"event\":\"merge_one_page\",\"ts_ns\":1,\"pid\":1.5}",
		  "\"pid\" is not an integer" },
		{ "{\"event\":\"merge_one_page\",\"ts_ns\":1,\"nid\":-2}", "\"nid\" is out of range" },
		{ "{\"event\":\"merge_one_page\",\"ts_ns\":1,\"err\":2147483648}",
		  "\"err\" is out of range" },
		{ "{\"event\":\"merge_one_page\",\"ts_ns\":1,\"mm\":\"-1\"}", "\"mm\" is not a number" },
		{ "{\"event\":\"merge_one_page\",\"ts_ns\":1,\"mm\":\"0x1ffffffffffffffff\"}",
		  "\"mm\" is not a number" },
		{ "{\"event\":\"merge_one_page\",\"ts_ns\":1,\"pid\":true}",
		  "\"pid\" is not an integer" },
		{ "{\"event\":\"merge_one_page\",\"ts_ns\":1,\"comm\":\"0123456789abcdef\"}",
		  "\"comm\" longer than 15 bytes" },
		{ "{\"event\":\"merge_one_page\",\"ts_ns\":1,\"comm_bytes\":[0]}",
		  "\"comm_bytes\"[0] is not a byte from 1 to 255" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *o = json_loads(cases[i].line, 0, NULL);
		struct ksm_event e;
		char err[128] = "";

		assert_non_null(o);
		if (ksm_event_from_json(o, &e, err, sizeof(err)) != -EINVAL ||
		    strcmp(err, cases[i].err))
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].line, err, cases[i].err);
		json_decref(o);
	}
}

/*
 * u64 fields with the top bit set (a cgroup id or pfn read from a hostile
 * trace): written as decimal strings, since a JSON integer of jansson is
 * signed, and read back to the same bits.  The fuzzer found the old
 * writer's negative numbers, which its reader refused.
 */
static void u64_top_bit(void **state)
{
	struct ksm_event e = { .kind = KSM_EV_MIGRATE_FOLIO, .ts_ns = UINT64_MAX - 1, .cpu = 1,
			       .cgroup_id = 0xffff888100a00000ULL, .pfn = 1ULL << 63,
			       .pfn2 = UINT64_MAX, .nid = 0, .nid2 = 1 },
			 back;
	json_t *o = ksm_event_to_json(&e, NULL), *parsed;
	char *text = json_dumps(o, JSON_COMPACT), err[128] = "";

	assert_string_equal(json_string_value(json_object_get(o, "cgroup_id")),
			    "18446612686375485440");
	parsed = json_loads(text, 0, NULL);
	assert_int_equal(ksm_event_from_json(parsed, &back, err, sizeof(err)), 0);
	assert_true(back.ts_ns == e.ts_ns && back.cgroup_id == e.cgroup_id);
	assert_true(back.pfn == e.pfn && back.pfn2 == e.pfn2);
	free(text);
	json_decref(o);
	json_decref(parsed);
}

/* The text line: no control byte, the columns after COMM still line up. */
static void text_hostile_comm(void **state)
{
	static const char *const names[] = { "\x1b[2J", "a\nb", "bad\xff", "caf\xc3\xa9", "x" };
	struct ksm_fmt_opts fo = { 0 };
	char *buf, *pid_end = NULL;
	size_t len;

	setlocale(LC_CTYPE, "C.UTF-8");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct ksm_event e = sample(KSM_EV_MERGE_ONE_PAGE);
		FILE *f = open_memstream(&buf, &len);

		snprintf(e.comm, sizeof(e.comm), "%s", names[i]);
		ksm_event_print_text(f, &e, &fo);
		fclose(f);
		for (const char *p = buf; *p; p++)
			if ((unsigned char)*p < 0x20 && p[1])
				fail_msg("raw control byte 0x%02x in \"%s\"", *p, buf);
		/* the pfn column starts at column 44 whatever the comm */
		pid_end = strstr(buf, "12345");
		assert_non_null(pid_end);
		assert_int_equal(strlen(buf) - strlen(pid_end) -
					 (strstr(buf, "\xc3\xa9") ? 1 : 0),
				 44);
		free(buf);
	}
	setlocale(LC_CTYPE, "C");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_round_trip), cmocka_unit_test(parse_list),
		cmocka_unit_test(reasons),	   cmocka_unit_test(json_round_trip),
		cmocka_unit_test(json_schema_nulls), cmocka_unit_test(from_json_errors),
		cmocka_unit_test(text_width),	   cmocka_unit_test(policy_decision),
		cmocka_unit_test(hostile_names_round_trip), cmocka_unit_test(comm_without_nul),
		cmocka_unit_test(from_json_ranges), cmocka_unit_test(text_hostile_comm),
		cmocka_unit_test(migration_pte),    cmocka_unit_test(u64_top_bit),
	};

	return cmocka_run_group_tests_name("event_fmt", tests, NULL, NULL);
}
