// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "ksm_sysfs.h"
#include "probe.h"

struct btf *probe_load_btf(void)
{
	struct btf *btf;

	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		errno = ENOENT;
		return NULL;
	}
	btf = btf__load_vmlinux_btf();
	if (!btf && !errno)
		errno = EINVAL;
	return btf;
}

bool probe_tracepoint(const struct btf *btf, const char *name)
{
	char tname[128];

	/* tp_btf attaches through the btf_trace_<name> typedef. */
	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	return btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF) > 0;
}

int probe_fentry(const struct btf *btf, const char *func, char *why, size_t len)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	int id, fd, link, err;

	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id <= 0) {
		snprintf(why, len, "%s not in kernel BTF (inlined or absent)", func);
		return -ENOENT;
	}
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "ksm_probe", "GPL", insns, 2, &opts);
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "fentry refused by the kernel: %s", strerror(errno));
		return err;
	}
	/* Loading is not attaching: the trampoline is made at attach time. */
	link = bpf_link_create(fd, 0, BPF_TRACE_FENTRY, NULL);
	if (link < 0) {
		err = -errno;
		snprintf(why, len, "fentry attach refused: %s", strerror(errno));
		close(fd);
		return err;
	}
	close(link);
	close(fd);
	return 0;
}

unsigned long long probe_kallsyms(const char *sym)
{
	unsigned long long addr, found = 0;
	char line[256], name[128], type;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &addr, &type, name) == 3 && !strcmp(name, sym)) {
			found = addr;
			break;
		}
	}
	fclose(f);
	return found;
}

bool probe_ksm(void)
{
	char buf[16];

	return ksm_sysfs_read_one(NULL, "run", buf, sizeof(buf)) == 0;
}
