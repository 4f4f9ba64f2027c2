/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names are data.  A comm (prctl(PR_SET_NAME)) or a cgroup name (mkdir in a
 * delegated subtree) can hold any byte but NUL, and every command shows
 * them.  The two rules here are the only ones, in every command and every
 * man page (docs/CMD.md, "Names").
 *
 * Human output (text, ncurses, findings, HTML): name_escape().
 *   - a backslash is shown as "\\"; newline, tab, carriage return as "\n",
 *     "\t", "\r"; every other C0 control byte, DEL, and every byte that is
 *     not part of valid UTF-8 (overlong forms, surrogates, code points above
 *     U+10FFFF, a cut sequence) as "\xNN";
 *   - the C1 controls (U+0080 to U+009F), the bidirectional formatting
 *     characters and the line and paragraph separators, which move or break
 *     what a terminal shows, as "\uXXXX";
 *   - any other character as it is when LC_CTYPE is UTF-8; when it is not
 *     (LANG=C, a latin-1 terminal), every non-ASCII byte as "\xNN", as ps
 *     and systemd do.
 *   Nothing is dropped and nothing is cut: a name wider than its column
 *   widens the line.  Column widths count what is shown (name_width,
 *   name_pad), not bytes.
 *
 * JSON: name_json(), name_json_set().
 *   - a name that is valid UTF-8 is the JSON string itself (JSON escapes its
 *     control characters: the value read back is the exact name);
 *   - otherwise KEY holds the name with each byte that is not valid UTF-8
 *     written as the four characters \xNN (what the text shows), and
 *     KEY_bytes holds the exact bytes as an array of numbers (1 to 255).
 *     Readers prefer KEY_bytes (name_from_json): nothing is lost, no key is
 *     dropped, every line stays JSON.  A name in a JSON array (a list of
 *     paths) has no companion: its element is the \xNN form alone.
 */
#ifndef KSM_NAME_ESC_H
#define KSM_NAME_ESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Room name_escape needs for a name of n bytes: 4 shown per byte at most. */
#define NAME_ESC_SIZE(n) (4 * (size_t)(n) + 1)
/* A comm field (char[16], TASK_COMM_LEN), escaped. */
#define NAME_ESC_COMM NAME_ESC_SIZE(16)

/* Keep valid UTF-8 as it is whatever the locale (HTML, which says it is UTF-8). */
#define NAME_ESC_UTF8 0x1

/*
 * The shown form of the first n bytes of s (it ends earlier at a NUL) into
 * buf, always NUL-terminated, cut at a character boundary only if buf is
 * too small (size buffers with NAME_ESC_SIZE).  Returns the length of the
 * whole shown form, as snprintf does: a return >= len means buf was short.
 */
size_t name_escapen(char *buf, size_t len, const char *s, size_t n, unsigned int flags);
/* name_escapen of a NUL-terminated s (NULL shows as ""); returns buf. */
const char *name_escape(const char *s, char *buf, size_t len);
/* The shown form in a new string (free it); NULL if out of memory. */
char *name_escape_dup(const char *s, unsigned int flags);
/* Write the shown form of s to f; 0, or EOF on a write error. */
int name_fputs(const char *s, FILE *f);

/* Terminal columns of an already shown string (wide characters count 2). */
int name_width(const char *shown);
/*
 * The shown form of s, then spaces up to width columns, into buf (size it
 * NAME_ESC_SIZE(strlen(s)) + width); never cut to the width.  Returns buf.
 */
const char *name_pad(const char *s, int width, char *buf, size_t len);

/* Are the first n bytes of s (up to a NUL) valid UTF-8? */
bool name_is_utf8(const char *s, size_t n);
/*
 * The JSON value of a name: the string when it is valid UTF-8, else its
 * \xNN form (see above); json_null() for a NULL s; NULL only when out of
 * memory.
 */
json_t *name_json(const char *s);
json_t *name_jsonn(const char *s, size_t n);
/*
 * o[key] = name_json(s), and o[key + "_bytes"] = the exact bytes when s is
 * not valid UTF-8.  0, or -1 when out of memory.
 */
int name_json_set(json_t *o, const char *key, const char *s);
int name_json_setn(json_t *o, const char *key, const char *s, size_t n);
/*
 * Read back what name_json_set wrote: key_bytes if present, else the key's
 * string, into buf (NUL-terminated).  0; -ENOENT when absent or null;
 * -EINVAL (a malformed key_bytes, a key that is not a string) or
 * -ENAMETOOLONG (longer than len - 1 bytes) with a message in err.
 */
int name_from_json(const json_t *o, const char *key, char *buf, size_t len, char *err,
		   size_t err_len);

#endif
