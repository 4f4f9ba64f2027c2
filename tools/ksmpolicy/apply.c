// SPDX-License-Identifier: GPL-2.0
/*
 * `ksmpolicy apply [--replace] FILE`: the rules of a file, for boot.  The
 * whole file is checked first (its syntax on any kernel, then that every
 * cgroup exists), and nothing is applied if anything is wrong.  Rules are
 * then written one by one, keyed by cgroup id: a kill in the middle leaves a
 * prefix applied, never a rule twice, and applying the file again completes
 * it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "cgroup.h"
#include "cli.h"
#include "infile.h"
#include "ksmpolicy.h"
#include "object.h"
#include "rules_cmd.h"

enum { OPT_REPLACE = 0x2000, OPT_IF_SUPPORTED };

static bool replace, if_supported;

static const struct argp_option apply_opts[] = {
	{ "replace", OPT_REPLACE, NULL, 0, "Also remove the rules the file does not have", 0 },
	{ "if-supported", OPT_IF_SUPPORTED, NULL, 0,
	  "On a kernel without ksm_bpf_ops, check the file, say so, and succeed (boot)", 0 },
	{},
};

static error_t apply_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_REPLACE:
		replace = true;
		return 0;
	case OPT_IF_SUPPORTED:
		if_supported = true;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp apply_argp = { apply_opts, apply_opt, NULL, NULL, NULL, NULL, NULL };

static const char apply_doc[] =
	"Apply the rules of FILE ('-' reads stdin), for boot.  One rule per line: CGROUP "
	"WORDS... as for set; '#' starts a comment; lines for the same cgroup merge.  Every "
	"malformed line and every missing cgroup is reported as FILE:LINE: message, and "
	"nothing is applied if any is wrong.";
static const struct cmd_syntax apply_syntax = { "FILE", apply_doc, 1, 1, &apply_argp };

/* Read and check the syntax of the file; 0, or the exit status. */
static int read_file(const char *file, struct policy_file *pf)
{
	bool is_stdin = !strcmp(file, "-");
	char why[128];
	FILE *f;
	int n;

	/* a regular file of at most 4 MiB, or a pipe on stdin: never a FIFO's wait */
	f = infile_open(file, POLICY_FILE_MAX_BYTES, why, sizeof(why), &n);
	if (!f)
		return cli_err("%s: %s", file, why);
	n = policy_file_parse(f, is_stdin ? "<stdin>" : file, pf);
	infile_close(f);
	if (n < 0)
		n = cli_err("%s: %s", file, strerror(-n));
	else if (n > 0)
		fputs(pf->errors, stderr);
	if (n > 0)
		n = cli_err("%s: %d error%s, no rule applied", file, n, n == 1 ? "" : "s");
	if (n)
		policy_file_free(pf);
	return n;
}

/*
 * The id of every cgroup of the file (a rule is keyed by it), in ids[];
 * each missing one is reported.  0, or the exit status.
 */
static int resolve_ids(const char *file, const struct policy_file *pf, uint64_t *ids)
{
	size_t bad = 0;

	for (size_t i = 0; i < pf->n; i++) {
		int level, e = cgroup_resolve(pf->v[i].cgroup, &ids[i], &level, NULL, 0);

		if (!e)
			continue;
		cli_line_err(stderr, file, pf->v[i].line, "%s: %s", pf->v[i].cgroup,
			     e == -ENOENT ? "no such cgroup" : "not a cgroup v2 directory");
		bad++;
	}
	if (bad)
		return cli_err("%s: %zu error%s, no rule applied", file, bad, bad == 1 ? "" : "s");
	return 0;
}

static bool has_id(const uint64_t *ids, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* --replace: delete the rules of the cgroups the file does not name. */
static void remove_others(const struct pinned *p, const uint64_t *ids, size_t n)
{
	static const struct ksm_policy_rule none;
	uint64_t key, next, *kp = NULL;

	while (!bpf_map_get_next_key(p->rules_fd, kp, &next)) {
		key = next;
		if (has_id(ids, n, key)) {
			kp = &key;
			continue;
		}
		rule_put(p, key, &none);
		kp = NULL; /* restart: a deletion changes the iteration order */
	}
}

static int write_rules(const char *file, const struct policy_file *pf, const uint64_t *ids)
{
	struct pinned p;
	/*
	 * A file with no rule loads nothing: an empty policy would only cost
	 * ksmd two BPF calls per process per round (ksmpolicy.service applies
	 * the commented example at every boot).  With --replace it still
	 * empties a loaded policy's rules.
	 */
	int err = builtin_open(&p, pf->n > 0);

	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	if (replace)
		remove_others(&p, ids, pf->n);
	for (size_t i = 0; !err && i < pf->n; i++) {
		err = rule_put(&p, ids[i], &pf->v[i].rule);
		if (err)
			err = cli_err("%s:%u: %s: %s", file, pf->v[i].line, pf->v[i].cgroup,
				      strerror(-err));
	}
	pinned_close(&p);
	return err;
}

/*
 * --if-supported on a kernel without the hook (ksmpolicy.service at boot on
 * a stock kernel): the file was checked, nothing is applied, and that is not
 * an error; one line says why.
 */
static int unsupported(const char *file, struct policy_file *pf)
{
	static const char why[] = "this kernel has no ksm_bpf_ops (the KSM policy hook, "
				  "CONFIG_KSM_BPF)";
	int rc = 0;

	if (cli.json)
		rc = cmd_print_json(json_pack("{s:s,s:b,s:I,s:s}", "file", file, "applied", false,
					      "rules", (json_int_t)pf->n, "reason", why));
	else if (!cli.quiet)
		printf("%s: %zu rule%s checked, none applied: %s\n", file, pf->n,
		       pf->n == 1 ? "" : "s", why);
	policy_file_free(pf);
	return rc;
}

int cmd_apply(int argc, char **argv)
{
	struct policy_file pf;
	const char *file;
	uint64_t *ids;
	char **args;
	int rc;

	cmd_parse(&apply_syntax, argc, argv, &args);
	file = args[0];
	/* the syntax first: a malformed file is reported on any kernel */
	rc = read_file(file, &pf);
	if (rc)
		return rc;
	if (if_supported && !pin_kernel_has_ops())
		return unsupported(file, &pf);
	ids = calloc(pf.n + 1, sizeof(*ids));
	if (!ids)
		rc = cli_err("%s", strerror(ENOMEM));
	if (!rc)
		rc = pin_prepare(true);
	if (!rc)
		rc = resolve_ids(file, &pf, ids);
	if (!rc)
		rc = write_rules(file, &pf, ids);
	if (!rc && cli.json)
		rc = cmd_print_json(json_pack("{s:s,s:b,s:I}", "file", file, "replace", replace,
					      "rules", (json_int_t)pf.n));
	else if (!rc && !cli.quiet)
		printf("%s: %zu rule%s applied\n", file, pf.n, pf.n == 1 ? "" : "s");
	free(ids);
	policy_file_free(&pf);
	return rc;
}
