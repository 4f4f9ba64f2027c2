// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "infile.h"
#include "name_esc.h"
#include "policy_rules.h"
#include "util.h"

static const char *const action_names[KSM_POLICY_ACTION_MAX] = {
	[KSM_POLICY_NONE] = "none",
	[KSM_POLICY_ALLOW] = "allow",
	[KSM_POLICY_DENY] = "deny",
	[KSM_POLICY_ISOLATE] = "isolate",
};

const char *policy_action_name(uint32_t action)
{
	return action < KSM_POLICY_ACTION_MAX ? action_names[action] : "unknown";
}

void policy_rule_merge(struct ksm_policy_rule *into, const struct ksm_policy_rule *r)
{
	if (r->action != KSM_POLICY_NONE)
		into->action = r->action;
	if (r->flags & KSM_POLICY_RULE_WEIGHT) {
		into->flags |= KSM_POLICY_RULE_WEIGHT;
		into->weight = r->weight;
	}
}

static uint32_t action_by_word(const char *w)
{
	for (uint32_t a = KSM_POLICY_ALLOW; a < KSM_POLICY_ACTION_MAX; a++)
		if (!strcmp(w, policy_action_name(a)))
			return a;
	return KSM_POLICY_NONE;
}

/* "weight N" at argv[i]: the number is argv[i + 1]. */
static int parse_weight(int argc, char **argv, int i, struct ksm_policy_rule *n, char *err,
			size_t err_len)
{
	uint64_t v;

	if (n->flags & KSM_POLICY_RULE_WEIGHT) {
		snprintf(err, err_len, "'weight' given twice");
		return -EINVAL;
	}
	if (i + 1 >= argc) {
		snprintf(err, err_len, "'weight' needs a number (0-%u)", KSM_POLICY_MAX_WEIGHT);
		return -EINVAL;
	}
	if (!parse_u64(argv[i + 1], 0, KSM_POLICY_MAX_WEIGHT, &v)) {
		snprintf(err, err_len, "bad weight '%s': a number from 0 to %u", argv[i + 1],
			 KSM_POLICY_MAX_WEIGHT);
		return -EINVAL;
	}
	n->weight = (uint32_t)v;
	n->flags |= KSM_POLICY_RULE_WEIGHT;
	return 0;
}

int policy_parse_words(int argc, char **argv, struct ksm_policy_rule *r, char *err, size_t err_len)
{
	struct ksm_policy_rule n = {};

	if (argc < 1) {
		snprintf(err, err_len, "missing rule: allow, deny, isolate or weight N");
		return -EINVAL;
	}
	for (int i = 0; i < argc; i++) {
		uint32_t a = action_by_word(argv[i]);

		if (a != KSM_POLICY_NONE && n.action != KSM_POLICY_NONE) {
			snprintf(err, err_len, "two actions ('%s' after '%s')", argv[i],
				 policy_action_name(n.action));
			return -EINVAL;
		}
		if (a != KSM_POLICY_NONE) {
			n.action = a;
		} else if (!strcmp(argv[i], "weight")) {
			if (parse_weight(argc, argv, i++, &n, err, err_len))
				return -EINVAL;
		} else {
			snprintf(err, err_len,
				 "unknown rule word '%s' (allow, deny, isolate, weight N)",
				 argv[i]);
			return -EINVAL;
		}
	}
	policy_rule_merge(r, &n);
	return 0;
}

void policy_rule_str(const struct ksm_policy_rule *r, char *buf, size_t len)
{
	int o = 0;

	buf[0] = '\0';
	if (r->action != KSM_POLICY_NONE)
		o = snprintf(buf, len, "%s", policy_action_name(r->action));
	if ((r->flags & KSM_POLICY_RULE_WEIGHT) && o >= 0 && (size_t)o < len)
		snprintf(buf + o, len - o, "%sweight %u", o ? " " : "", r->weight);
	if (!buf[0])
		snprintf(buf, len, "-");
}

static void add_error(struct policy_file *pf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_error(struct policy_file *pf, const char *fmt, ...)
{
	size_t old = pf->errors ? strlen(pf->errors) : 0, add;
	char raw[512], msg[NAME_ESC_SIZE(sizeof(raw))], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* a message quotes the file: shown by the name rule, one line each */
	add = name_escapen(msg, sizeof(msg), raw, sizeof(raw), 0);
	p = realloc(pf->errors, old + add + 2);
	if (!p)
		return;
	memcpy(p + old, msg, add);
	p[old + add] = '\n';
	p[old + add + 1] = '\0';
	pf->errors = p;
	pf->nerrors++;
}

static struct policy_line *find_or_add(struct policy_file *pf, const char *cg, unsigned int line)
{
	for (size_t i = 0; i < pf->n; i++)
		if (!strcmp(pf->v[i].cgroup, cg))
			return &pf->v[i];
	if (pf->n == pf->cap) {
		size_t cap = pf->cap ? pf->cap * 2 : 16;
		struct policy_line *v = realloc(pf->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		pf->v = v;
		pf->cap = cap;
	}
	memset(&pf->v[pf->n], 0, sizeof(pf->v[0]));
	pf->v[pf->n].line = line;
	snprintf(pf->v[pf->n].cgroup, sizeof(pf->v[0].cgroup), "%s", cg);
	return &pf->v[pf->n++];
}

#define MAX_WORDS 16

/* Split a line into words, dropping the comment; -1 if over MAX_WORDS. */
static int split_words(char *buf, char **words)
{
	char *save = NULL, *hash = strchr(buf, '#');
	int n = 0;

	if (hash)
		*hash = '\0';
	for (char *t = strtok_r(buf, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == MAX_WORDS)
			return -1;
		words[n++] = t;
	}
	return n;
}

/* One line's words: its rule merged into pf, or its error.  -ENOMEM or 0. */
static int parse_line(struct policy_file *pf, const char *name, unsigned int line, char **words,
		      int n)
{
	struct ksm_policy_rule r = {};
	struct policy_line *pl;
	char err[256];

	if (n < 0) {
		add_error(pf, "%s:%u: too many words", name, line);
	} else if (words[0][0] != '/') {
		add_error(pf, "%s:%u: '%s' is not a cgroup path (must start with '/')", name, line,
			  words[0]);
	} else if (strlen(words[0]) >= sizeof(pf->v[0].cgroup)) {
		add_error(pf, "%s:%u: cgroup path too long", name, line);
	} else if (n == 1) {
		add_error(pf, "%s:%u: %s: missing rule (allow, deny, isolate, weight N)", name,
			  line, words[0]);
	} else if (policy_parse_words(n - 1, words + 1, &r, err, sizeof(err))) {
		add_error(pf, "%s:%u: %s", name, line, err);
	} else {
		pl = find_or_add(pf, words[0], line);
		if (!pl)
			return -ENOMEM;
		policy_rule_merge(&pl->rule, &r);
	}
	return 0;
}

/* A line whose rule cannot be kept stops the parse: 1, else 0 (or -ENOMEM). */
static int one_file_line(struct policy_file *pf, const char *name, unsigned int line, char *buf,
			 size_t len)
{
	char *words[MAX_WORDS];
	int n;

	if (memchr(buf, '\0', len)) {
		add_error(pf, "%s:%u: a NUL byte: not a rules file", name, line);
		return 1;
	}
	n = split_words(buf, words);
	if (n && parse_line(pf, name, line, words, n))
		return -ENOMEM;
	if (pf->n > POLICY_FILE_MAX_RULES) {
		add_error(pf, "%s:%u: more than %d cgroups: the policy holds %d rules", name,
			  line, POLICY_FILE_MAX_RULES, POLICY_FILE_MAX_RULES);
		return 1;
	}
	return 0;
}

int policy_file_parse(FILE *f, const char *name, struct policy_file *pf)
{
	char *buf = NULL;
	size_t cap = 0;
	unsigned int line = 0;
	ssize_t len;
	bool torn;
	int r = 0;

	memset(pf, 0, sizeof(*pf));
	while (!r && (len = infile_line(f, &buf, &cap, POLICY_FILE_MAX_LINE, &torn)) != -1) {
		if (++line > POLICY_FILE_MAX_LINES) {
			add_error(pf, "%s:%u: more than %d lines", name, line, POLICY_FILE_MAX_LINES);
			break;
		}
		if (len == -ENOMEM) {
			r = -ENOMEM;
		} else if (len == -E2BIG) {
			add_error(pf, "%s:%u: line too long (over %d characters)", name, line,
				  POLICY_FILE_MAX_LINE);
			/* a longer run without a newline is no rules file: stop */
			r = infile_skip(f, 1 << 20) ? 1 : 0;
			if (r)
				add_error(pf, "%s:%u: no newline in 1 MiB: not a rules file", name,
					  line);
		} else {
			r = one_file_line(pf, name, line, buf, (size_t)len);
		}
	}
	free(buf);
	if (r < 0)
		return r;
	if (ferror(f))
		return -EIO;
	return (int)pf->nerrors;
}

void policy_file_free(struct policy_file *pf)
{
	free(pf->v);
	free(pf->errors);
	memset(pf, 0, sizeof(*pf));
}

void policy_resolve(const uint64_t *ids, int n, policy_lookup_fn lookup, void *ctx,
		    struct policy_resolution *res)
{
	res->action = KSM_POLICY_ALLOW;
	res->weight = 1;
	res->action_from = res->weight_from = -1;
	for (int i = 0; i < n && i < KSM_POLICY_MAX_DEPTH; i++) {
		const struct ksm_policy_rule *r = lookup ? lookup(ids[i], ctx) : NULL;

		if (!r)
			continue;
		if (res->action_from < 0 && r->action != KSM_POLICY_NONE) {
			res->action = r->action;
			res->action_from = i;
		}
		if (res->weight_from < 0 && (r->flags & KSM_POLICY_RULE_WEIGHT)) {
			res->weight = r->weight;
			res->weight_from = i;
		}
	}
	switch (res->action) {
	case KSM_POLICY_DENY:
		res->domain = KSM_POLICY_DOMAIN_NEVER;
		break;
	case KSM_POLICY_ISOLATE:
		res->domain = ids[res->action_from];
		break;
	default:
		res->domain = 0;
	}
}
