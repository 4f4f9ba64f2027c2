/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names are data: a comm or a cgroup path can hold any byte (but NUL).
 * These two helpers make such a name safe to print: for a terminal (no
 * control byte reaches it raw) and for JSON (the string is valid UTF-8 for
 * any input).  Interim: issue #14 brings one shared sanitiser for every
 * command, which replaces this file; until then the sharing walker and
 * ksmadvise print every untrusted name through it.
 */
#ifndef KSM_NAME_ESC_H
#define KSM_NAME_ESC_H

#include <stddef.h>

#include <jansson.h>

/*
 * Copy s into buf with every control byte (C0, DEL, the C1 range U+0080 to
 * U+009F), every byte that is not part of valid UTF-8, and the backslash
 * written as an escape ("\n", "\t", "\\", "\x1b").  Always NUL-terminates;
 * a name too long for buf is cut at a character boundary.  Returns buf.
 */
const char *name_escape(const char *s, char *buf, size_t len);

/*
 * A JSON string for s: valid UTF-8 is kept as it is (jansson escapes the
 * control characters itself), each byte of invalid UTF-8 becomes the four
 * characters "\xNN".  Never NULL for a non-NULL s (unless out of memory);
 * json_null() for a NULL s.
 */
json_t *name_json(const char *s);

#endif
