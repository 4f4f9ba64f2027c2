// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cgroup.h"
#include "policy_pin.h"

const char *policy_pin_dir(void)
{
	const char *d = getenv("KSMPOLICY_PIN_DIR");

	return d && *d ? d : POLICY_PIN_DIR;
}

int policy_rules_open(void)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);
	char path[512];
	struct stat st;
	int fd;

	/* only a directory ksmpolicy made (root's, 0700): a planted one is no policy */
	if (lstat(policy_pin_dir(), &st))
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		return -EPERM;
	snprintf(path, sizeof(path), "%s/rules", policy_pin_dir());
	fd = bpf_obj_get_opts(path, &opts);
	return fd < 0 ? -errno : fd;
}

struct lookup_ctx {
	int fd;
	struct ksm_policy_rule r;
};

static const struct ksm_policy_rule *lookup(uint64_t id, void *ctx)
{
	struct lookup_ctx *l = ctx;

	return bpf_map_lookup_elem(l->fd, &id, &l->r) ? NULL : &l->r;
}

int policy_resolve_path(int rules_fd, const char *path, struct policy_resolution *res,
			char *action_rule, size_t ar_len, char *weight_rule, size_t wr_len)
{
	uint64_t ids[KSM_POLICY_MAX_DEPTH + 1];
	char names[KSM_POLICY_MAX_DEPTH + 1][256], p[4096];
	struct lookup_ctx l = { .fd = rules_fd };
	int n = 0;

	snprintf(p, sizeof(p), "%s", path);
	for (;;) {
		int level, err;
		char *slash;

		if (n > KSM_POLICY_MAX_DEPTH)
			break;
		err = cgroup_resolve(p, &ids[n], &level, NULL, 0);
		if (err)
			return err;
		snprintf(names[n], sizeof(names[n]), "%.255s", p);
		n++;
		if (!strcmp(p, "/") || !p[0])
			break;
		slash = strrchr(p, '/');
		if (!slash || slash == p)
			snprintf(p, sizeof(p), "/");
		else
			*slash = '\0';
	}
	policy_resolve(ids, n, rules_fd >= 0 ? lookup : NULL, &l, res);
	if (action_rule)
		snprintf(action_rule, ar_len, "%s",
			 res->action_from >= 0 ? names[res->action_from] : "");
	if (weight_rule)
		snprintf(weight_rule, wr_len, "%s",
			 res->weight_from >= 0 ? names[res->weight_from] : "");
	return 0;
}

void policy_brief(const struct policy_resolution *res, char *buf, size_t len)
{
	if (res->weight == 1)
		snprintf(buf, len, "%s", policy_action_name(res->action));
	else
		snprintf(buf, len, "%s w%u", policy_action_name(res->action), res->weight);
}
