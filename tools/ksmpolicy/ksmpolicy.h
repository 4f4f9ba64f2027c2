/* SPDX-License-Identifier: GPL-2.0 */
/* The commands of ksmpolicy (rules_cmd.c), for main() and its table. */
#ifndef KSMPOLICY_H
#define KSMPOLICY_H

#include <stdbool.h>

#include <bpf/libbpf.h>
#include <jansson.h>

#define BPFFS POLICY_BPFFS

extern struct ksmpolicy_globals {
	bool json, pretty, verbose, quiet;
	const char *pin_dir; /* policy_pin_dir() */
	json_t *out;	     /* the JSON answer of the command */
} g;

int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap);
bool kernel_has_ops(void);
int missing_ops(void);
int ensure_bpffs(void);
int take_lock(void);
void cleanup_stale(void);

int cmd_set(int argc, char **argv);
int cmd_unset(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_load_any(int argc, char **argv);
int cmd_unload(int argc, char **argv);

#endif
