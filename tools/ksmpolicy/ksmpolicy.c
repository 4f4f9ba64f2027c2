// SPDX-License-Identifier: GPL-2.0
/*
 * ksmpolicy: per-cgroup KSM policy through the ksm_bpf_ops struct_ops of
 * kernel-patch/ (0007-0009).  Rules live in BPF maps pinned under
 * /sys/fs/bpf/ksm-bpf, next to the policy's link: the policy outlives the
 * command, and any later ksmpolicy sees and edits it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "ksmpolicy.h"
#include "policy_pin.h"
#include "policy_rules.h"

const char *argp_program_version = "ksmpolicy 0.1";

/* ---- the command table ------------------------------------------------------ */

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	bool locked; /* changes pins or rules */
	const char *help;
} cmds[] = {
	{ "set", cmd_set, true, "CGROUP allow|deny|isolate|weight N...  set a cgroup's rule" },
	{ "unset", cmd_unset, true, "CGROUP [action|weight]     remove a rule (or a part)" },
	{ "list", cmd_list, false, "                           the rules, with their hits" },
	{ "status", cmd_status, false, "                           kernel, policy, counters" },
	{ "explain", cmd_explain, false, "PID|CGROUP                 which rule applies, why" },
	{ "apply", cmd_apply, true, "[--replace] FILE           rules from a file (boot)" },
	{ "load", cmd_load_any, true,
	  "[OBJ.bpf.o]                a ksm_bpf_ops object, or the built-in" },
	{ "unload", cmd_unload, true, "                           detach and unpin the policy" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: ksmpolicy [-j] [-p] [-q] [-v] COMMAND [ARGS]\n\n"
		     "Per-cgroup KSM policy through ksm_bpf_ops (kernel-patch/).  A rule applies\n"
		     "to the cgroup's whole subtree; the nearest rule sets the action, the\n"
		     "nearest one the weight.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %-8s %s\n", cmds[i].name, cmds[i].help);
	fprintf(out,
		"\nOptions: -j/--json  JSON output, -p/--pretty  indented JSON, -q/--quiet,\n"
		"         -v/--verbose  libbpf debug output (verifier logs)\n"
		"\nEXAMPLES:\n"
		"    ksmpolicy set /tenants/a isolate      # tenant a shares no page with others\n"
		"    ksmpolicy set /batch deny             # never merge /batch\n"
		"    ksmpolicy set /vms weight 4           # scan /vms first, 4 passes a round\n"
		"    ksmpolicy explain 1234                # what applies to process 1234\n"
		"    ksmpolicy apply /etc/ksm-bpf/rules    # at boot\n"
		"    ksmpolicy load examples/isolate_top.bpf.o\n");
}

int main(int argc, char **argv)
{
	const struct cmd *c = NULL;
	int i, lock = -1, rc, err;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json"))
			g.json = true;
		else if (!strcmp(a, "-p") || !strcmp(a, "--pretty"))
			g.json = g.pretty = true;
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			g.quiet = true;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			g.verbose = true;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("%s\n", argp_program_version);
			return 0;
		} else {
			fprintf(stderr, "ksmpolicy: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (!strcmp(argv[i], cmds[k].name))
			c = &cmds[k];
	if (!c) {
		fprintf(stderr, "ksmpolicy: unknown command '%s'\n", argv[i]);
		usage(stderr);
		return 2;
	}
	g.pin_dir = policy_pin_dir();
	libbpf_set_print(print_libbpf);
	/* a malformed rules file is reported on any kernel */
	if (c->fn == cmd_apply && argc - i >= 2) {
		struct policy_file pf;
		const char *file = argv[argc - 1];
		FILE *f = strcmp(file, "-") ? fopen(file, "re") : NULL;

		if (f) {
			int n = policy_file_parse(f, file, &pf);

			fclose(f);
			if (n > 0) {
				fputs(pf.errors, stderr);
				rc = fail("%s: %d error%s, no rule applied", file, n,
					  n == 1 ? "" : "s");
				policy_file_free(&pf);
				return rc;
			}
			policy_file_free(&pf);
		}
	}
	if (!kernel_has_ops())
		return missing_ops();
	err = ensure_bpffs();
	if (err)
		return fail("no BPF filesystem at " BPFFS " and mounting one failed: %s",
			    strerror(-err));
	if (c->locked) {
		lock = take_lock();
		if (lock < 0)
			return fail("waiting for another ksmpolicy: %s", strerror(-lock));
		cleanup_stale();
	}
	rc = c->fn(argc - i, argv + i);
	if (lock >= 0)
		close(lock);
	return rc;
}
