/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A ksmtop sample as text: the summary lines and the table rows that the
 * batch output (-b) prints and the interactive view draws.
 */
#ifndef KSM_TOP_RENDER_TEXT_H
#define KSM_TOP_RENDER_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

#define TOP_LINE_LEN 512
/* At most this many summary lines. */
#define TOP_HEADER_LINES 8

/* The summary lines (ksmd, counters, rates); returns how many were filled. */
int top_text_header(const struct top_model *m, char (*line)[TOP_LINE_LEN], int max);
/* Column titles and one row of the process (proc) or cgroup table. */
const char *top_text_row_titles(bool proc);
/*
 * With tree (a cgroup row in the tree view: the prefix from
 * top_text_tree_prefix), the cgroup is named by its last path component.
 */
void top_text_row(const struct top_row *r, bool proc, const char *tree, char *buf, size_t len);

/* Drawing a tree: the rules of the levels above, carried from row to row. */
#define TOP_TREE_MAX 64
struct top_tree_walk {
	bool more[TOP_TREE_MAX]; /* a sibling still to come at this depth */
};
/* The "| `- " prefix of the next cgroup row in tree order (m->tree). */
void top_text_tree_prefix(struct top_tree_walk *w, const struct top_row *r, char *buf, size_t len);
/* Column titles and the row of NUMA node k. */
const char *top_text_node_titles(void);
void top_text_node(const struct top_model *m, int k, char *buf, size_t len);
/*
 * The sample as plain text (batch mode); rows limits the tables (0 = all);
 * tree prints the cgroups as a tree.
 */
void top_text_print(const struct top_model *m, FILE *out, int rows, bool tree);

#endif
