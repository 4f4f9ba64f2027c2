// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "bpf_compat.h"
#include "cli.h"
#include "ksm_policy.skel.h"
#include "ksmpolicy.h"
#include "object.h"
#include "policy_pin.h"

static int load_builtin(void)
{
	struct ksm_policy_bpf *skel = ksm_policy_bpf__open();
	int err;

	if (!skel)
		return cli_err("opening the built-in policy failed: %s", strerror(errno));
	bpf_map__set_map_flags(skel->maps.ksm_policy, BPF_F_LINK);
	err = ksm_policy_bpf__load(skel);
	if (err)
		err = cli_err("loading the built-in policy failed: %s", strerror(-err));
	else
		err = pin_attach(skel->obj, skel->maps.ksm_policy, true);
	ksm_policy_bpf__destroy(skel);
	return err;
}

int builtin_open(struct pinned *p, bool load)
{
	int err;

	pinned_open(p);
	if (pinned_builtin(p))
		return 0;
	if (p->link_fd >= 0) {
		err = cli_err("a custom policy (%s) is loaded: rules are for the built-in policy "
			      "('ksmpolicy unload' first)",
			      p->name[0] ? p->name : "detached");
		pinned_close(p);
		return err;
	}
	pinned_close(p);
	if (!load)
		return -ENOENT;
	err = load_builtin();
	if (err)
		return err;
	pinned_open(p);
	if (!pinned_builtin(p)) {
		pinned_close(p);
		return cli_err("the built-in policy vanished after loading");
	}
	return 0;
}

/* The name of the type of a struct_ops map's variable in .struct_ops. */
static const char *ops_type_name(const struct btf *btf, const struct bpf_map *m)
{
	const struct btf_type *t;
	int id;

	if (!btf)
		return NULL;
	id = btf__find_by_name_kind(btf, bpf_map__name(m), BTF_KIND_VAR);
	if (id > 0)
		id = btf__resolve_type(btf, btf__type_by_id(btf, id)->type);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	return t ? btf__name_by_offset(btf, t->name_off) : NULL;
}

int object_check(struct bpf_object *obj, struct bpf_map **ops)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_program *prog;
	struct bpf_map *m;
	int n = 0;

	bpf_object__for_each_map(m, obj)
	{
		const char *type;

		if (bpf_map__type(m) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		type = ops_type_name(btf, m);
		if (!type || strcmp(type, "ksm_bpf_ops"))
			return cli_err("struct_ops map '%s' is a '%s', not a ksm_bpf_ops",
				       bpf_map__name(m), type ? type : "?");
		*ops = m;
		n++;
	}
	if (n == 0)
		return cli_err(
			"no ksm_bpf_ops struct_ops map in the object (SEC(\".struct_ops\"))");
	if (n > 1)
		return cli_err("%d ksm_bpf_ops maps in the object: exactly one, please", n);
	bpf_object__for_each_program(prog, obj)
	{
		if (bpf_program__type(prog) != BPF_PROG_TYPE_STRUCT_OPS)
			return cli_err("program '%s' is not a struct_ops program: only ksm_bpf_ops "
				       "callbacks belong in a policy object",
				       bpf_program__name(prog));
	}
	return 0;
}

/* Open, check, load, attach and pin a user's object; fills name. */
static int load_object(const char *path, char *name, size_t len)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_map *ops = NULL;
	int err;

	if (!obj)
		return cli_err("%s: %s", path, strerror(errno));
	err = object_check(obj, &ops);
	if (!err) {
		bpf_map__set_map_flags(ops, BPF_F_LINK);
		err = bpf_object__load(obj);
		if (err)
			err = cli_err("%s: the kernel refused the policy (%s); -v shows the "
				      "verifier log",
				      path, strerror(-err));
	}
	if (!err)
		err = pin_attach(obj, ops, false);
	if (!err)
		snprintf(name, len, "%s", bpf_map__name(ops));
	bpf_object__close(obj);
	return err;
}

/* Refuse to load over a loaded policy: replacing is unload, then load. */
static int check_none_loaded(void)
{
	struct pinned p;
	int err = 0;

	pinned_open(&p);
	if (p.link_fd >= 0)
		err = cli_err("a policy (%s) is already loaded: 'ksmpolicy unload' first",
			      p.name[0] ? p.name : "?");
	pinned_close(&p);
	return err;
}

static const char load_doc[] =
	"Load the built-in policy (no argument, or 'builtin'), or a user's own ksm_bpf_ops "
	"object: checked first (one SEC(\".struct_ops\") map of type ksm_bpf_ops, only "
	"struct_ops programs), verified by the kernel (-v prints the verifier log), attached "
	"with a link and pinned.";
static const struct cmd_syntax load_syntax = { "[OBJ.bpf.o]", load_doc, 0, 1, NULL };

int cmd_load(int argc, char **argv)
{
	const char *path = NULL, *dir = policy_pin_dir();
	char name[BPF_OBJ_NAME_LEN] = "";
	struct pinned p;
	char **args;
	int err;

	if (cmd_parse(&load_syntax, argc, argv, &args) == 1 && strcmp(args[0], "builtin"))
		path = args[0];
	err = pin_prepare(true);
	if (err)
		return err;
	if (!path) {
		/* loads the built-in policy unless it is loaded already */
		err = builtin_open(&p, true);
		if (err)
			return err;
		pinned_close(&p);
	} else {
		err = check_none_loaded();
		if (!err)
			err = load_object(path, name, sizeof(name));
		if (err)
			return err;
	}
	if (cli.json)
		return cmd_print_json(json_pack("{s:s,s:s*,s:s}", "loaded", path ?: "built-in",
						"name", path ? name : NULL, "pin_dir", dir));
	if (!cli.quiet && path)
		printf("loaded %s (%s), pinned in %s\n", path, name, dir);
	else if (!cli.quiet)
		printf("built-in policy loaded, pinned in %s\n", dir);
	return 0;
}

static const char unload_doc[] =
	"Detach the policy (unpin its link) and remove its pins.  ksmd falls back to the "
	"defaults at its next mm; pages merged in private domains are unshared and merged "
	"again in domain 0.";
static const struct cmd_syntax unload_syntax = { "", unload_doc, 0, 0, NULL };

int cmd_unload(int argc, char **argv)
{
	bool removed;
	int err;

	cmd_parse(&unload_syntax, argc, argv, NULL);
	err = pin_prepare(true);
	if (!err)
		err = pin_remove(&removed);
	if (err)
		return err;
	if (cli.json)
		return cmd_print_json(json_pack("{s:b}", "unloaded", removed));
	if (!cli.quiet)
		printf(removed ? "policy unloaded\n" : "no policy loaded\n");
	return 0;
}
