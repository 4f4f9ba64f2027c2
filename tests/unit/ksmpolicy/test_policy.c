// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the KSM policy rules: the words of a rule, the rules file
 * (every error with its line number), and the resolution up the cgroup tree
 * that bpf/ksm_policy.bpf.c does in the kernel.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy_rules.h"

static int words(const char *line, struct ksm_policy_rule *r, char *err, size_t len)
{
	char buf[256], *w[16], *save = NULL, *t;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (t = strtok_r(buf, " ", &save); t && n < 16; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	return policy_parse_words(n, w, r, err, len);
}

static void parse_words(void **state)
{
	struct ksm_policy_rule r = {};
	char err[256], s[64];

	assert_int_equal(words("isolate", &r, err, sizeof(err)), 0);
	assert_int_equal(r.action, KSM_POLICY_ISOLATE);
	assert_false(r.flags & KSM_POLICY_RULE_WEIGHT);
	/* a set merges into the existing rule */
	assert_int_equal(words("weight 4", &r, err, sizeof(err)), 0);
	assert_int_equal(r.action, KSM_POLICY_ISOLATE);
	assert_int_equal(r.weight, 4);
	policy_rule_str(&r, s, sizeof(s));
	assert_string_equal(s, "isolate weight 4");
	assert_int_equal(words("deny weight 0", &r, err, sizeof(err)), 0);
	policy_rule_str(&r, s, sizeof(s));
	assert_string_equal(s, "deny weight 0");
	memset(&r, 0, sizeof(r));
	policy_rule_str(&r, s, sizeof(s));
	assert_string_equal(s, "-");

	assert_int_equal(words("deny isolate", &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "two actions"));
	assert_int_equal(words("weight", &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "needs a number"));
	assert_int_equal(words("weight -1", &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(words("weight 1001", &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "from 0 to 1000"));
	assert_int_equal(words("weight 2 weight 3", &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(words("merge", &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown rule word 'merge'"));
	assert_int_equal(policy_parse_words(0, NULL, &r, err, sizeof(err)), -EINVAL);
	/* a failed parse leaves the rule alone */
	memset(&r, 0, sizeof(r));
	assert_int_equal(words("allow bogus", &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(r.action, KSM_POLICY_NONE);
}

static int parse_text(const char *text, struct policy_file *pf)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int n;

	assert_non_null(f);
	n = policy_file_parse(f, "rules", pf);
	fclose(f);
	return n;
}

static void file_ok(void **state)
{
	struct policy_file pf;

	assert_int_equal(parse_text("# tenants\n"
				    "\n"
				    "/tenants/a isolate   # a comment\n"
				    "/tenants/b\tisolate weight 2\n"
				    "/batch deny\n"
				    "/tenants/a weight 8\n"
				    "   \n",
				    &pf),
			 0);
	assert_int_equal(pf.n, 3);
	assert_string_equal(pf.v[0].cgroup, "/tenants/a");
	assert_int_equal(pf.v[0].line, 3);
	/* lines of one cgroup merge in order */
	assert_int_equal(pf.v[0].rule.action, KSM_POLICY_ISOLATE);
	assert_int_equal(pf.v[0].rule.weight, 8);
	assert_true(pf.v[0].rule.flags & KSM_POLICY_RULE_WEIGHT);
	assert_int_equal(pf.v[1].rule.weight, 2);
	assert_int_equal(pf.v[2].rule.action, KSM_POLICY_DENY);
	assert_false(pf.v[2].rule.flags & KSM_POLICY_RULE_WEIGHT);
	assert_null(pf.errors);
	policy_file_free(&pf);

	assert_int_equal(parse_text("", &pf), 0);
	assert_int_equal(pf.n, 0);
	policy_file_free(&pf);
}

static void file_errors(void **state)
{
	struct policy_file pf;
	char longline[1100];

	/* every malformed line is reported, with its number, in order */
	assert_int_equal(parse_text("/a isolate\n"
				    "/b weight x\n"
				    "c deny\n"
				    "/d\n"
				    "/e deny allow\n"
				    "/f isolate\n",
				    &pf),
			 4);
	assert_string_equal(pf.errors,
			    "rules:2: bad weight 'x': a number from 0 to 1000\n"
			    "rules:3: 'c' is not a cgroup path (must start with '/')\n"
			    "rules:4: /d: missing rule (allow, deny, isolate, weight N)\n"
			    "rules:5: two actions ('allow' after 'deny')\n");
	policy_file_free(&pf);

	memset(longline, 'x', sizeof(longline) - 2);
	longline[0] = '/';
	longline[sizeof(longline) - 2] = '\n';
	longline[sizeof(longline) - 1] = '\0';
	{
		char text[1200];

		snprintf(text, sizeof(text), "/ok allow\n%s/g bogus\n", longline);
		assert_int_equal(parse_text(text, &pf), 2);
		assert_non_null(strstr(pf.errors, "rules:2: line too long"));
		assert_non_null(strstr(pf.errors, "rules:3: unknown rule word 'bogus'"));
		policy_file_free(&pf);
	}
}

/* A cgroup tree: ids[0] the cgroup, then its ancestors up to the root (1). */
struct tree {
	uint64_t id[4];
	struct ksm_policy_rule rule[4];
	bool has[4];
};

static const struct ksm_policy_rule *lookup(uint64_t id, void *ctx)
{
	struct tree *t = ctx;

	for (int i = 0; i < 4; i++)
		if (t->has[i] && t->id[i] == id)
			return &t->rule[i];
	return NULL;
}

static void resolve(void **state)
{
	/* /t/a/late: late=40, a=30, t=20, root=1 */
	struct tree t = { .id = { 40, 30, 20, 1 } };
	struct policy_resolution res;

	policy_resolve(t.id, 4, lookup, &t, &res);
	assert_int_equal(res.action, KSM_POLICY_ALLOW);
	assert_int_equal(res.weight, 1);
	assert_int_equal(res.action_from, -1);
	assert_int_equal(res.weight_from, -1);
	assert_int_equal(res.domain, 0);

	/* isolate on /t: the whole subtree is one domain, /t's id */
	t.has[2] = true;
	t.rule[2] = (struct ksm_policy_rule){ .action = KSM_POLICY_ISOLATE };
	policy_resolve(t.id, 4, lookup, &t, &res);
	assert_int_equal(res.action, KSM_POLICY_ISOLATE);
	assert_int_equal(res.action_from, 2);
	assert_int_equal(res.domain, 20);

	/* a weight on /t/a does not drop the inherited isolation */
	t.has[1] = true;
	t.rule[1] = (struct ksm_policy_rule){ .flags = KSM_POLICY_RULE_WEIGHT, .weight = 0 };
	policy_resolve(t.id, 4, lookup, &t, &res);
	assert_int_equal(res.action, KSM_POLICY_ISOLATE);
	assert_int_equal(res.domain, 20);
	assert_int_equal(res.weight, 0);
	assert_int_equal(res.weight_from, 1);

	/* the nearest action wins: deny on the cgroup itself */
	t.has[0] = true;
	t.rule[0] = (struct ksm_policy_rule){ .action = KSM_POLICY_DENY };
	policy_resolve(t.id, 4, lookup, &t, &res);
	assert_int_equal(res.action, KSM_POLICY_DENY);
	assert_int_equal(res.action_from, 0);
	assert_true(res.domain == KSM_POLICY_DOMAIN_NEVER);

	/* a root rule applies to everything below */
	memset(t.has, 0, sizeof(t.has));
	t.has[3] = true;
	t.rule[3] = (struct ksm_policy_rule){ .action = KSM_POLICY_ALLOW,
					      .flags = KSM_POLICY_RULE_WEIGHT,
					      .weight = 3 };
	policy_resolve(t.id, 4, lookup, &t, &res);
	assert_int_equal(res.action_from, 3);
	assert_int_equal(res.weight, 3);
	assert_int_equal(res.domain, 0);

	/* no lookup (no policy): the defaults */
	policy_resolve(t.id, 4, NULL, NULL, &res);
	assert_int_equal(res.action, KSM_POLICY_ALLOW);
	assert_int_equal(res.weight, 1);
}

/*
 * Inputs the fuzzer found (tests/fuzz/lib/fuzz_rules.c): a first line that
 * is empty (memchr on a NULL buffer), and the limits of a hostile file.
 */
static void file_hostile(void **state)
{
	struct policy_file pf;
	static const char nul[] = "/a allow\n/b d\0eny\n/c deny\n";
	FILE *f;

	assert_int_equal(parse_text("\n\n/a allow\n", &pf), 0);
	assert_int_equal(pf.n, 1);
	policy_file_free(&pf);
	assert_int_equal(parse_text("\n/\x93/a all(owt 4\n", &pf), 1);
	policy_file_free(&pf);
	/* a NUL byte ends the check: not a rules file */
	f = fmemopen((void *)nul, sizeof(nul) - 1, "r");
	assert_int_equal(policy_file_parse(f, "rules", &pf), 1);
	fclose(f);
	assert_string_equal(pf.errors, "rules:2: a NUL byte: not a rules file\n");
	policy_file_free(&pf);
	/* an escape sequence in a line is quoted escaped */
	assert_int_equal(parse_text("\x1b[2J deny\n", &pf), 1);
	assert_non_null(strstr(pf.errors, "rules:1: '\\x1b[2J' is not a cgroup path"));
	policy_file_free(&pf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_words),
		cmocka_unit_test(file_ok),
		cmocka_unit_test(file_errors),
		cmocka_unit_test(file_hostile),
		cmocka_unit_test(resolve),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
