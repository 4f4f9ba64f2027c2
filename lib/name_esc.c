// SPDX-License-Identifier: GPL-2.0
/* The two rules for names chosen by others: see name_esc.h. */
#include <errno.h>
#include <langinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "name_esc.h"

/*
 * Length of the valid UTF-8 sequence at p (1 to 4, within avail bytes) and
 * its code point, or 0 when the bytes are not valid UTF-8: overlong forms,
 * surrogates and code points above U+10FFFF included, since a terminal or a
 * JSON parser would reject or misread them.
 */
static int utf8_seq(const unsigned char *p, size_t avail, uint32_t *cp)
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
	if ((size_t)n > avail)
		return 0;
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

/* Valid characters that still move or break what a terminal shows. */
static bool unsafe_char(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||	 /* C1 controls (0x9b is CSI) */
	       cp == 0x061c ||			 /* arabic letter mark */
	       cp == 0x200e || cp == 0x200f ||	 /* LRM, RLM */
	       (cp >= 0x2028 && cp <= 0x202e) || /* line/paragraph separators, LRE..RLO */
	       (cp >= 0x2066 && cp <= 0x2069);	 /* LRI..PDI */
}

static bool locale_is_utf8(void)
{
	return !strcmp(nl_langinfo(CODESET), "UTF-8");
}

static int shown_ascii(uint32_t c, char out[8])
{
	switch (c) {
	case '\\':
		return snprintf(out, 8, "\\\\");
	case '\n':
		return snprintf(out, 8, "\\n");
	case '\t':
		return snprintf(out, 8, "\\t");
	case '\r':
		return snprintf(out, 8, "\\r");
	default:
		return c < 0x20 || c == 0x7f ? snprintf(out, 8, "\\x%02x", c) : 0;
	}
}

/*
 * The shown form of the byte or character at p into out (at most 6 bytes and
 * a NUL); *used is how many bytes of p it stands for.  Returns the length
 * written, or 0 when the bytes are shown as they are.
 */
static int shown(const unsigned char *p, size_t avail, bool utf8, char out[8], int *used)
{
	uint32_t cp;
	int n = utf8_seq(p, avail, &cp);

	*used = n ? n : 1;
	if (n == 1)
		return shown_ascii(cp, out);
	if (!n || !utf8) {
		*used = 1;
		return snprintf(out, 8, "\\x%02x", p[0]);
	}
	return unsafe_char(cp) ? snprintf(out, 8, "\\u%04x", cp) : 0;
}

size_t name_escapen(char *buf, size_t len, const char *s, size_t n, unsigned int flags)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *end = p + (s ? n : 0);
	bool utf8 = (flags & NAME_ESC_UTF8) || locale_is_utf8();
	size_t total = 0, put = 0;
	bool full = false;

	while (p < end && *p) {
		char esc[8];
		int used, k = shown(p, (size_t)(end - p), utf8, esc, &used);
		size_t w = k ? (size_t)k : (size_t)used;

		/* once a unit does not fit, nothing after it is stored either */
		if (!full && put + w < len) {
			memcpy(buf + put, k ? esc : (const char *)p, w);
			put += w;
		} else {
			full = true;
		}
		total += w;
		p += used;
	}
	if (len)
		buf[put] = '\0';
	return total;
}

const char *name_escape(const char *s, char *buf, size_t len)
{
	name_escapen(buf, len, s, s ? strlen(s) : 0, 0);
	return buf;
}

char *name_escape_dup(const char *s, unsigned int flags)
{
	size_t n = s ? strlen(s) : 0, need = name_escapen(NULL, 0, s, n, flags) + 1;
	char *buf = malloc(need);

	if (buf)
		name_escapen(buf, need, s, n, flags);
	return buf;
}

int name_fputs(const char *s, FILE *f)
{
	char *shown = name_escape_dup(s, 0);
	int r;

	if (!shown)
		return EOF;
	r = fputs(shown, f) == EOF ? EOF : 0;
	free(shown);
	return r;
}

int name_width(const char *shown)
{
	const unsigned char *p = (const unsigned char *)shown;
	size_t avail = strlen(shown);
	int cols = 0;

	while (avail) {
		uint32_t cp;
		int n = utf8_seq(p, avail, &cp), w;

		if (!n) { /* not a shown string: count the byte */
			n = 1;
			cp = '?';
		}
		w = wcwidth((wchar_t)cp);
		cols += w < 0 ? 1 : w;
		p += n;
		avail -= (size_t)n;
	}
	return cols;
}

const char *name_pad(const char *s, int width, char *buf, size_t len)
{
	size_t o;
	int cols;

	name_escape(s, buf, len);
	o = strlen(buf);
	for (cols = name_width(buf); cols < width && o + 1 < len; cols++)
		buf[o++] = ' ';
	buf[o] = '\0';
	return buf;
}

/* ---- JSON ------------------------------------------------------------------ */

bool name_is_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end && *p) {
		uint32_t cp;
		int k = utf8_seq(p, (size_t)(end - p), &cp);

		if (!k)
			return false;
		p += k;
	}
	return true;
}

json_t *name_jsonn(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end;
	size_t o = 0;
	json_t *j;
	char *out;

	if (!s)
		return json_null();
	n = strnlen(s, n);
	if (name_is_utf8(s, n))
		return json_stringn(s, n);
	out = malloc(4 * n + 1);
	if (!out)
		return NULL;
	for (end = p + n; p < end;) {
		uint32_t cp;
		int k = utf8_seq(p, (size_t)(end - p), &cp);

		if (k) {
			memcpy(out + o, p, (size_t)k);
			o += (size_t)k;
			p += k;
		} else {
			o += (size_t)sprintf(out + o, "\\x%02x", *p++);
		}
	}
	j = json_stringn(out, o);
	free(out);
	return j;
}

json_t *name_json(const char *s)
{
	return name_jsonn(s, s ? strlen(s) : 0);
}

static json_t *bytes_json(const char *s, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		if (json_array_append_new(a, json_integer((unsigned char)s[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int name_json_setn(json_t *o, const char *key, const char *s, size_t n)
{
	char bkey[128];

	if (!s)
		return json_object_set_new(o, key, json_null());
	n = strnlen(s, n);
	if (json_object_set_new(o, key, name_jsonn(s, n)))
		return -1;
	if (name_is_utf8(s, n))
		return 0;
	snprintf(bkey, sizeof(bkey), "%s_bytes", key);
	return json_object_set_new(o, bkey, bytes_json(s, n));
}

int name_json_set(json_t *o, const char *key, const char *s)
{
	return name_json_setn(o, key, s, s ? strlen(s) : 0);
}

/* The bytes of a KEY_bytes array into buf; 0 or -errno with err said. */
static int bytes_from_json(const json_t *a, const char *key, char *buf, size_t len, char *err,
			   size_t err_len)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a)) {
		snprintf(err, err_len, "\"%s_bytes\" is not an array", key);
		return -EINVAL;
	}
	if (json_array_size(a) >= len) {
		snprintf(err, err_len, "\"%s_bytes\" longer than %zu bytes", key, len - 1);
		return -ENAMETOOLONG;
	}
	json_array_foreach(a, i, v)
	{
		json_int_t b = json_integer_value(v);

		if (!json_is_integer(v) || b < 1 || b > 255) {
			snprintf(err, err_len, "\"%s_bytes\"[%zu] is not a byte from 1 to 255", key,
				 i);
			return -EINVAL;
		}
		buf[i] = (char)b;
	}
	buf[i] = '\0';
	return 0;
}

int name_from_json(const json_t *o, const char *key, char *buf, size_t len, char *err,
		   size_t err_len)
{
	char bkey[128];
	const json_t *v;
	size_t n;

	if (!len)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	snprintf(bkey, sizeof(bkey), "%s_bytes", key);
	v = json_object_get(o, bkey);
	if (v)
		return bytes_from_json(v, key, buf, len, err, err_len);
	v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return -ENOENT;
	if (!json_is_string(v)) {
		snprintf(err, err_len, "\"%s\" is not a string", key);
		return -EINVAL;
	}
	n = json_string_length(v);
	if (n >= len || memchr(json_string_value(v), '\0', n)) {
		if (n >= len)
			snprintf(err, err_len, "\"%s\" longer than %zu bytes", key, len - 1);
		else
			snprintf(err, err_len, "\"%s\" holds a NUL byte", key);
		return n >= len ? -ENAMETOOLONG : -EINVAL;
	}
	memcpy(buf, json_string_value(v), n + 1);
	return 0;
}
