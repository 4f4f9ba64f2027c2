// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event_fmt.h"
#include "name_esc.h"

/* Does the kind fill this common field (KSM_EVF_*)? */
static bool has_flag(unsigned int kind, unsigned int flag)
{
	const struct ksm_kind_info *k = ksm_kind(kind);

	return k && (k->flags & flag);
}

/* Append " text" to buf at *off, never past len. */
static void add(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	if (*off)
		buf[(*off)++] = ' ';
	buf[*off] = '\0';
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	*off = n < 0 ? *off : *off + (size_t)n;
	if (*off >= len)
		*off = len - 1;
}

static void aux_text(const struct ksm_aux_field *f, __u64 v, char *buf, size_t len, size_t *off)
{
	if (!f->key || !f->label[0])
		return;
	switch (f->type) {
	case KSM_AUX_BOOL_NEW:
		if (!v)
			add(buf, len, off, "%s", f->label);
		break;
	case KSM_AUX_PTR:
		if (v)
			add(buf, len, off, "%s", f->label);
		break;
	case KSM_AUX_NS_MS:
		add(buf, len, off, "%s=%llums", f->label, v / 1000000);
		break;
	case KSM_AUX_PCT:
		add(buf, len, off, "%s=%llu%%", f->label, v);
		break;
	case KSM_AUX_UPTODATE:
		if ((v & KSM_COPY_F_UPTODATE_KNOWN) && !(v & KSM_COPY_F_UPTODATE))
			add(buf, len, off, "!%s", f->label);
		break;
	case KSM_AUX_DOMAIN:
		if (v && v != KSM_POLICY_DOMAIN_NEVER)
			add(buf, len, off, "isolate:%llu", v);
		else
			add(buf, len, off, "%s", ksm_policy_decision_name(v));
		break;
	case KSM_AUX_HEX:
		add(buf, len, off, "%s%llx", f->label, v);
		break;
	case KSM_AUX_DOMAIN_ID:
		if (v == KSM_POLICY_DOMAIN_NEVER)
			add(buf, len, off, "%s=never", f->label);
		else
			add(buf, len, off, "%s=%llu", f->label, v);
		break;
	default:
		add(buf, len, off, "%s=%llu", f->label, v);
	}
}

int ksm_event_detail(const struct ksm_event *e, char *buf, size_t len)
{
	const struct ksm_kind_info *k = ksm_kind(e->kind);
	const char *r;
	size_t off = 0;

	buf[0] = '\0';
	if (!k || !len)
		return 0;
	if ((r = ksm_reason_name(e->kind, e->reason)))
		add(buf, len, &off, "%s", r);
	if ((r = ksm_result_name(e->kind, e->result)))
		add(buf, len, &off, "%s", r);
	if ((k->flags & KSM_EVF_ERR) && e->err)
		add(buf, len, &off, "err=%d", e->err);
	if ((k->flags & KSM_EVF_PFN2) && e->pfn2)
		add(buf, len, &off, "->%llx", e->pfn2);
	if ((k->flags & KSM_EVF_NID2) && e->nid2 >= 0)
		add(buf, len, &off, "n%d", e->nid2);
	for (int i = 0; i < 3; i++)
		aux_text(&k->aux[i], e->aux[i], buf, len, &off);
	return (int)off;
}

void ksm_event_print_header(FILE *out, const struct ksm_fmt_opts *o)
{
	if (o->timestamp)
		fprintf(out, "%-8s ", "TIME");
	fprintf(out, "%-19s %7s %-15s %-9s %3s %s\n", "EVENT", "PID", "COMM", "PFN", "NID",
		"DETAIL");
}

void ksm_event_print_text(FILE *out, const struct ksm_event *e, const struct ksm_fmt_opts *o)
{
	char detail[64], pfn[24] = "-", nid[12] = "-", name[20], comm[sizeof(e->comm) + 1];
	char shown[NAME_ESC_SIZE(sizeof(e->comm)) + 16];
	int room = 79 - 58;	/* columns left for the detail after the fixed ones */

	if (o->timestamp) {
		room -= 9;
		time_t t = (time_t)((e->ts_ns + o->boot_offset_ns) / 1000000000ULL);
		struct tm tm;
		char ts[16];

		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
		fprintf(out, "%-8s ", ts);
	}
	if (has_flag(e->kind, KSM_EVF_PFN))
		snprintf(pfn, sizeof(pfn), "%llx", e->pfn);
	if (e->nid >= 0)
		snprintf(nid, sizeof(nid), "%d", e->nid);
	/* Long names are cut to keep the line under 80 columns. */
	snprintf(name, sizeof(name), "%s", ksm_event_name(e->kind) ?: "?");
	ksm_event_detail(e, detail, sizeof(detail));
	/* the comm as name_esc.h shows it: escaped, padded by columns, never cut */
	snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(e->comm), e->pid ? e->comm : "-");
	name_pad(comm, 15, shown, sizeof(shown));
	/* The detail is cut to keep the line under 80 columns; JSON has it all. */
	fprintf(out, "%-19s %7u %s %-9.9s %3.3s %.*s\n", name, e->pid, shown, pfn, nid, room,
		detail);
}

static json_t *hex(__u64 v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", v);
	return json_string(buf);
}

/*
 * An unsigned 64-bit field: a JSON integer up to 2^63-1, above it (a
 * jansson json_int_t is signed, and a trace may carry any bits) a decimal
 * string, which rd_int() reads back.
 */
static json_t *u64_json(__u64 v)
{
	char buf[24];

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), "%llu", v);
	return json_string(buf);
}

/* A merge domain id: null for never (2^64-1), else as any u64. */
static json_t *domain_json(__u64 v)
{
	return v == KSM_POLICY_DOMAIN_NEVER ? json_null() : u64_json(v);
}

static void aux_to_json(json_t *o, const struct ksm_aux_field *f, __u64 v)
{
	json_t *j;

	if (!f->key)
		return;
	switch (f->type) {
	case KSM_AUX_BOOL_NEW:
		j = json_boolean(v);
		break;
	case KSM_AUX_PTR:
		j = v ? hex(v) : json_null();
		break;
	case KSM_AUX_HEX:
		j = hex(v);
		break;
	case KSM_AUX_UPTODATE:
		j = v & KSM_COPY_F_UPTODATE_KNOWN ? json_boolean(v & KSM_COPY_F_UPTODATE) :
						    json_null();
		break;
	case KSM_AUX_DOMAIN:
		json_object_set_new(o, "decision", json_string(ksm_policy_decision_name(v)));
		j = domain_json(v);
		break;
	case KSM_AUX_DOMAIN_ID:
		j = domain_json(v);
		break;
	default:
		j = u64_json(v);
	}
	json_object_set_new(o, f->key, j);
}

json_t *ksm_event_to_json(const struct ksm_event *e, const char *cgroup)
{
	const struct ksm_kind_info *k = ksm_kind(e->kind);
	json_t *o = json_object();
	const char *r;

	if (!o)
		return NULL;
	json_object_set_new(o, "ts_ns", u64_json(e->ts_ns));
	json_object_set_new(o, "event", json_string(k ? k->name : "unknown"));
	json_object_set_new(o, "source", json_string(ksm_source_name(e->source)));
	json_object_set_new(o, "cpu", json_integer(e->cpu));
	json_object_set_new(o, "pid", json_integer(e->pid));
	/* names by the JSON rule of name_esc.h: "comm_bytes" when not UTF-8 */
	name_json_setn(o, "comm", e->pid ? e->comm : NULL, sizeof(e->comm));
	json_object_set_new(o, "cgroup_id", u64_json(e->cgroup_id));
	name_json_set(o, "cgroup", cgroup);
	/* A fixed schema: pfn and err are null where the kind has none. */
	json_object_set_new(o, "pfn", has_flag(e->kind, KSM_EVF_PFN) ?
					      u64_json(e->pfn) : json_null());
	json_object_set_new(o, "nid", e->nid >= 0 ? json_integer(e->nid) : json_null());
	json_object_set_new(o, "err", has_flag(e->kind, KSM_EVF_ERR) ? json_integer(e->err) :
									json_null());
	if (e->mm)
		json_object_set_new(o, "mm", hex(e->mm));
	if (e->node)
		json_object_set_new(o, "node", hex(e->node));
	if ((r = ksm_reason_name(e->kind, e->reason)))
		json_object_set_new(o, "reason", json_string(r));
	if ((r = ksm_result_name(e->kind, e->result)))
		json_object_set_new(o, "result", json_string(r));
	if (!k)
		return o;
	if (k->flags & KSM_EVF_PFN2)
		json_object_set_new(o, "new_pfn", u64_json(e->pfn2));
	if (k->flags & KSM_EVF_NID2)
		json_object_set_new(o, "new_nid", e->nid2 >= 0 ? json_integer(e->nid2) :
								 json_null());
	if (k->flags & KSM_EVF_TID)
		json_object_set_new(o, "tid", json_integer(e->tid));
	for (int i = 0; i < 3; i++)
		aux_to_json(o, &k->aux[i], e->aux[i]);
	return o;
}

/* ---- reading back ---------------------------------------------------- */

/*
 * A reader of one object: the first malformed field sets bad and the
 * message, later fields are then skipped.  Absent and null fields keep the
 * event's defaults.
 */
struct rd {
	const json_t *obj;
	char *err;
	size_t err_len;
	int bad;
};

static void rd_fail(struct rd *r, const char *key, const char *why)
{
	if (r->bad)
		return;
	snprintf(r->err, r->err_len, "\"%s\" %s", key, why);
	r->bad = -EINVAL;
}

/*
 * obj[key] as an integer from min to max: a JSON integer, or for addresses
 * a string in C notation ("0xffff888100a00000").  *v gets its two's
 * complement bits.  True when it was there and good.
 */
static bool rd_int(struct rd *r, const char *key, int64_t min, uint64_t max, uint64_t *v)
{
	json_t *j = json_object_get(r->obj, key);
	const char *s;
	char *end;

	if (r->bad || !j || json_is_null(j))
		return false;
	if (json_is_integer(j)) {
		json_int_t i = json_integer_value(j);

		*v = (uint64_t)i;
		if (i < 0 ? i >= min : (uint64_t)i <= max)
			return true;
		rd_fail(r, key, "is out of range");
		return false;
	}
	if (!json_is_string(j)) {
		rd_fail(r, key, "is not an integer");
		return false;
	}
	s = json_string_value(j);
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (!*s || !strchr("0123456789", *s) || *end || errno) {
		rd_fail(r, key, "is not a number");
		return false;
	}
	if (*v <= max)
		return true;
	rd_fail(r, key, "is out of range");
	return false;
}

static void rd_u64(struct rd *r, const char *key, __u64 *v)
{
	uint64_t x;

	if (rd_int(r, key, 0, UINT64_MAX, &x))
		*v = x;
}

static void rd_u32(struct rd *r, const char *key, __u32 *v)
{
	uint64_t x;

	if (rd_int(r, key, 0, UINT32_MAX, &x))
		*v = (__u32)x;
}

static void rd_s32(struct rd *r, const char *key, int64_t min, __s32 *v)
{
	uint64_t x;

	if (rd_int(r, key, min, INT32_MAX, &x))
		*v = (__s32)(int64_t)x;
}

static void aux_from_json(struct rd *r, const struct ksm_aux_field *f, __u64 *v)
{
	json_t *j;

	if (!f->key)
		return;
	j = json_object_get(r->obj, f->key);
	switch (f->type) {
	case KSM_AUX_BOOL_NEW:
		*v = json_is_true(j);
		break;
	case KSM_AUX_UPTODATE:
		/* true, false, or null / absent (the source could not tell) */
		if (json_is_boolean(j))
			*v = KSM_COPY_F_UPTODATE_KNOWN | (json_is_true(j) ? KSM_COPY_F_UPTODATE : 0);
		break;
	case KSM_AUX_DOMAIN:
	case KSM_AUX_DOMAIN_ID:
		/* null: never merged (2^64-1 does not fit a JSON integer) */
		*v = KSM_POLICY_DOMAIN_NEVER;
		rd_u64(r, f->key, v);
		break;
	default:
		rd_u64(r, f->key, v);
	}
}

/* The common fields every line may have. */
static void common_from_json(struct rd *r, struct ksm_event *e)
{
	const char *s;
	int idx;

	rd_u32(r, "pid", &e->pid);
	rd_u32(r, "cpu", &e->cpu);
	rd_u32(r, "tid", &e->tid);
	rd_u64(r, "cgroup_id", &e->cgroup_id);
	rd_u64(r, "pfn", &e->pfn);
	rd_u64(r, "mm", &e->mm);
	rd_u64(r, "node", &e->node);
	rd_u64(r, "new_pfn", &e->pfn2);
	e->nid = e->nid2 = -1;
	rd_s32(r, "nid", -1, &e->nid);
	rd_s32(r, "new_nid", -1, &e->nid2);
	rd_s32(r, "err", INT32_MIN, &e->err);
	/* the exact bytes the writer had (comm_bytes when not UTF-8: name_esc.h) */
	if (!r->bad) {
		int err = name_from_json(r->obj, "comm", e->comm, sizeof(e->comm), r->err,
					 r->err_len);

		if (err && err != -ENOENT)
			r->bad = -EINVAL;
	}
	s = json_string_value(json_object_get(r->obj, "source"));
	if (s && (idx = ksm_source_by_name(s)) >= 0)
		e->source = idx;
}

/* reason and result by name, as the kind's enums spell them. */
static int enums_from_json(const json_t *obj, struct ksm_event *e, char *err, size_t err_len)
{
	const char *s = json_string_value(json_object_get(obj, "reason"));
	int idx;

	if (s) {
		idx = ksm_reason_by_name(e->kind, s);
		if (idx < 0) {
			snprintf(err, err_len, "unknown reason \"%s\" for %s", s,
				 ksm_event_name(e->kind));
			return -EINVAL;
		}
		e->reason = idx;
	}
	s = json_string_value(json_object_get(obj, "result"));
	if (s) {
		idx = ksm_result_by_name(e->kind, s);
		if (idx < 0) {
			snprintf(err, err_len, "unknown result \"%s\"", s);
			return -EINVAL;
		}
		e->result = idx;
	}
	return 0;
}

int ksm_event_from_json(const json_t *obj, struct ksm_event *e, char *err, size_t err_len)
{
	struct rd r = { obj, err, err_len, 0 };
	const struct ksm_kind_info *k;
	const char *name;

	memset(e, 0, sizeof(*e));
	if (!json_is_object(obj)) {
		snprintf(err, err_len, "not a JSON object");
		return -EINVAL;
	}
	name = json_string_value(json_object_get(obj, "event"));
	if (!name) {
		snprintf(err, err_len, "missing \"event\"");
		return -EINVAL;
	}
	e->kind = ksm_event_by_name(name);
	k = ksm_kind(e->kind);
	if (!k) {
		snprintf(err, err_len, "unknown event \"%s\"", name);
		return -EINVAL;
	}
	if (!json_object_get(obj, "ts_ns") || json_is_null(json_object_get(obj, "ts_ns"))) {
		snprintf(err, err_len, "missing \"ts_ns\"");
		return -EINVAL;
	}
	rd_u64(&r, "ts_ns", &e->ts_ns);
	common_from_json(&r, e);
	for (int i = 0; i < 3; i++)
		aux_from_json(&r, &k->aux[i], &e->aux[i]);
	if (r.bad)
		return r.bad;
	return enums_from_json(obj, e, err, err_len);
}
