// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "name_esc.h"

/*
 * Length of the valid UTF-8 sequence at p (1 to 4) and its code point, or 0
 * when the bytes are not valid UTF-8 (overlong forms, surrogates and code
 * points above U+10FFFF included: a terminal or a JSON parser would reject
 * or misread them).
 */
static int utf8_seq(const unsigned char *p, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	int n;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2;
		c = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		c = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* The escape of one byte or character, or NULL when it prints as it is. */
static const char *escape_of(uint32_t cp, int n, unsigned char byte, char tmp[8])
{
	switch (n ? cp : 0x100) {
	case '\n':
		return "\\n";
	case '\t':
		return "\\t";
	case '\r':
		return "\\r";
	case '\\':
		return "\\\\";
	default:
		break;
	}
	if (!n || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
		/* a C1 control is two bytes in UTF-8: escape the code point */
		snprintf(tmp, 8, n > 1 ? "\\u%04x" : "\\x%02x", n > 1 ? cp : byte);
		return tmp;
	}
	return NULL;
}

const char *name_escape(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (!len)
		return buf;
	while (*p) {
		uint32_t cp = 0;
		int n = utf8_seq(p, &cp);
		char tmp[8];
		const char *esc = escape_of(cp, n, *p, tmp);
		size_t k = esc ? strlen(esc) : (size_t)n;

		if (o + k >= len)
			break;
		memcpy(buf + o, esc ? esc : (const char *)p, k);
		o += k;
		p += n ? n : 1;
	}
	buf[o] = '\0';
	return buf;
}

json_t *name_json(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, o = 0;
	json_t *j;
	char *out;

	if (!s)
		return json_null();
	len = strlen(s);
	/* the common case: already valid, no copy */
	j = json_stringn(s, len);
	if (j)
		return j;
	out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	while (*p) {
		uint32_t cp;
		int n = utf8_seq(p, &cp);

		if (n) {
			memcpy(out + o, p, n);
			o += n;
			p += n;
		} else {
			o += sprintf(out + o, "\\x%02x", *p++);
		}
	}
	j = json_stringn(out, o);
	free(out);
	return j;
}
