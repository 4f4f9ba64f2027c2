// SPDX-License-Identifier: GPL-2.0
/*
 * The keys of ksmtop's view: sort, filter (of the model), view, tree,
 * cursor and pause changes.  Drawing is ui.c's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncurses.h>

#include "ui.h"

static enum top_ui_action apply_prompt(struct top_ui *u, struct top_model *m)
{
	char *in = u->input;

	while (isspace((unsigned char)*in))
		in++;
	if (u->prompt == 'p') {
		char *end;
		long pid = strtol(in, &end, 10);

		if (!*in) {
			m->filter.pid = 0;
		} else if (*end || pid <= 0 || pid > INT32_MAX) {
			snprintf(u->msg, sizeof(u->msg), "invalid pid '%.100s'", in);
			return UI_REDRAW;
		} else {
			m->filter.pid = (int)pid;
		}
	} else {
		/* a subtree below the cgroup2 root: "a/b" and "/a/b/" mean "/a/b" */
		char buf[sizeof(m->filter.cgroup)];
		size_t n;

		snprintf(buf, sizeof(buf), "%s%s", *in == '/' ? "" : "/", in);
		n = strlen(buf);
		while (n > 1 && buf[n - 1] == '/')
			buf[--n] = '\0';
		snprintf(m->filter.cgroup, sizeof(m->filter.cgroup), "%s",
			 strcmp(buf, "/") ? buf : "");
	}
	u->scroll = u->cursor = 0;
	return UI_REFILTER;
}

static enum top_ui_action prompt_key(struct top_ui *u, struct top_model *m, int ch)
{
	size_t n = strlen(u->input);

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		enum top_ui_action a = apply_prompt(u, m);

		u->prompt = 0;
		return a;
	}
	if (ch == 27) { /* Esc */
		u->prompt = 0;
		return UI_REDRAW;
	}
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n)
			u->input[n - 1] = '\0';
	} else if (isprint(ch) && n + 1 < sizeof(u->input)) {
		u->input[n] = (char)ch;
		u->input[n + 1] = '\0';
	}
	return UI_REDRAW;
}

/* One letter per sort key, in enum top_sort order. */
static const char sort_keys[TOP_SORT_MAX + 1] = "PNCMRZFGU";

static enum top_ui_action set_sort(struct top_model *m, int key)
{
	m->sort = key;
	m->ascending = top_sort_ascending(key);
	return UI_REFILTER;
}

/* The keys below return UI_NONE for a key that is not theirs. */
static enum top_ui_action sort_key(struct top_model *m, int ch)
{
	const char *letter = ch > 0 && ch < 256 ? strchr(sort_keys, ch) : NULL;

	switch (ch) {
	case 's':
	case '>':
		return set_sort(m, (m->sort + 1) % TOP_SORT_MAX);
	case '<':
		return set_sort(m, (m->sort + TOP_SORT_MAX - 1) % TOP_SORT_MAX);
	case 'r':
		m->ascending = !m->ascending;
		return UI_REFILTER;
	default:
		return letter ? set_sort(m, letter - sort_keys) : UI_NONE;
	}
}

static enum top_ui_action view_key(struct top_ui *u, int ch)
{
	switch (ch) {
	case '\t':
	case 'v':
		u->view = (u->view + 1) % VIEW_MAX;
		break;
	case '1':
	case '2':
	case '3':
	case '4':
		u->view = ch - '1';
		break;
	default:
		return UI_NONE;
	}
	u->scroll = u->cursor = 0;
	return UI_REDRAW;
}

/* The cursor moves; the drawing keeps it on the screen. */
static enum top_ui_action cursor_key(struct top_ui *u, int ch)
{
	switch (ch) {
	case KEY_DOWN:
		u->cursor++;
		break;
	case KEY_UP:
		if (u->cursor)
			u->cursor--;
		break;
	case KEY_NPAGE:
		u->cursor += LINES / 2;
		break;
	case KEY_PPAGE:
		u->cursor = u->cursor > LINES / 2 ? u->cursor - LINES / 2 : 0;
		break;
	case KEY_HOME:
		u->cursor = 0;
		break;
	case KEY_END:
		u->cursor = 1 << 30; /* clamped to the last row when drawn */
		break;
	default:
		return UI_NONE;
	}
	return UI_REDRAW;
}

bool top_ui_folded(const struct top_ui *u, const char *path)
{
	for (int i = 0; i < u->ncollapsed; i++)
		if (!strcmp(u->collapsed[i], path))
			return true;
	return false;
}

bool top_tree_has_children(const struct top_model *m, int pos)
{
	return pos + 1 < m->ncgrows &&
	       m->cgrows[m->tree[pos + 1]].tree_depth > m->cgrows[m->tree[pos]].tree_depth;
}

int top_ui_list(const struct top_ui *u, const struct top_model *m, int **list)
{
	bool proc = u->view == VIEW_PROCS;
	int total = proc ? m->nrows : m->ncgrows, n = 0;

	*list = malloc((total + 1) * sizeof(**list));
	if (!*list)
		return -1;
	for (int k = 0; k < total; k++) {
		const struct top_row *r;

		if (proc || !u->tree) {
			(*list)[n++] = k;
			continue;
		}
		(*list)[n++] = k;
		r = &m->cgrows[m->tree[k]];
		if (!top_ui_folded(u, r->cgroup))
			continue;
		/* a folded cgroup hides the rows below it: those that are deeper */
		while (k + 1 < total && m->cgrows[m->tree[k + 1]].tree_depth > r->tree_depth)
			k++;
	}
	return n;
}

static void fold(struct top_ui *u, const char *path, bool folded)
{
	char **c;

	if (top_ui_folded(u, path) == folded)
		return;
	if (!folded) {
		for (int i = 0; i < u->ncollapsed; i++) {
			if (strcmp(u->collapsed[i], path))
				continue;
			free(u->collapsed[i]);
			u->collapsed[i] = u->collapsed[--u->ncollapsed];
			return;
		}
	}
	c = reallocarray(u->collapsed, u->ncollapsed + 1, sizeof(*c));
	if (!c)
		return;
	u->collapsed = c;
	c[u->ncollapsed] = strdup(path);
	if (c[u->ncollapsed])
		u->ncollapsed++;
}

void top_ui_unfold_all(struct top_ui *u)
{
	for (int i = 0; i < u->ncollapsed; i++)
		free(u->collapsed[i]);
	free(u->collapsed);
	u->collapsed = NULL;
	u->ncollapsed = 0;
}

/* The cgroup under the cursor in the tree, NULL if none. */
static const char *cursor_cgroup(const struct top_ui *u, const struct top_model *m, bool *kids)
{
	const char *path = NULL;
	int *list, n = top_ui_list(u, m, &list);

	if (n > 0) {
		int pos = list[u->cursor < n ? u->cursor : n - 1];

		path = m->cgrows[m->tree[pos]].cgroup;
		*kids = top_tree_has_children(m, pos);
	}
	free(list);
	return path;
}

/* t: the tree (from any view); + - Enter: fold, unfold; *: unfold all. */
static enum top_ui_action tree_key(struct top_ui *u, const struct top_model *m, int ch)
{
	const char *path;
	bool kids = false;

	if (ch == 't') {
		u->tree = u->view != VIEW_CGROUPS || !u->tree;
		u->view = VIEW_CGROUPS;
		u->cursor = u->scroll = 0;
		return UI_REDRAW;
	}
	if (!strchr("+-*\n\r", ch) && ch != KEY_ENTER)
		return UI_NONE;
	if (u->view != VIEW_CGROUPS || !u->tree) {
		snprintf(u->msg, sizeof(u->msg), "folding works in the tree (t)");
		return UI_REDRAW;
	}
	if (ch == '*') {
		top_ui_unfold_all(u);
		return UI_REDRAW;
	}
	path = cursor_cgroup(u, m, &kids);
	if (path && kids)
		fold(u, path, ch == '-' || ((ch != '+') && !top_ui_folded(u, path)));
	return UI_REDRAW;
}

static enum top_ui_action filter_key(struct top_ui *u, struct top_model *m, int ch)
{
	switch (ch) {
	case 'c':
	case '/':
	case 'p':
		u->prompt = ch == 'p' ? 'p' : 'c';
		u->input[0] = '\0';
		return UI_REDRAW;
	case 'x':
		m->filter.pid = 0;
		m->filter.cgroup[0] = '\0';
		return UI_REFILTER;
	default:
		return UI_NONE;
	}
}

static enum top_ui_action key(struct top_ui *u, struct top_model *m, int ch)
{
	enum top_ui_action a;

	if (u->prompt)
		return prompt_key(u, m, ch);
	if (u->help && ch != KEY_RESIZE && ch != 'q' && ch != 'Q') {
		u->help = false; /* any key leaves the help screen */
		return UI_REDRAW;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return UI_QUIT;
	case 'h':
	case '?':
		u->help = true;
		return UI_REDRAW;
	case ' ':
		u->paused = !u->paused;
		return UI_REDRAW;
	case KEY_RESIZE:
		return UI_REDRAW;
	}
	a = sort_key(m, ch);
	if (a == UI_NONE)
		a = view_key(u, ch);
	if (a == UI_NONE)
		a = cursor_key(u, ch);
	if (a == UI_NONE)
		a = tree_key(u, m, ch);
	if (a == UI_NONE)
		a = filter_key(u, m, ch);
	if (a != UI_NONE)
		return a;
	if (ch >= 0 && ch < 256 && isprint(ch))
		snprintf(u->msg, sizeof(u->msg), "unknown key '%c' (h for help)", ch);
	return UI_REDRAW;
}

enum top_ui_action top_ui_keys(struct top_ui *u, struct top_model *m)
{
	enum top_ui_action best = UI_NONE, a;
	int ch;

	while ((ch = getch()) != ERR) {
		a = key(u, m, ch);
		if (a > best)
			best = a;
		if (a == UI_QUIT)
			break;
	}
	return best;
}
