// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include "flight_recorder.h"

int fr_init(struct flight_recorder *fr, size_t max_events, uint64_t max_age_ns)
{
	*fr = (struct flight_recorder){ .max_age_ns = max_age_ns };
	if (!max_events)
		return -EINVAL;
	fr->ring = calloc(max_events, sizeof(*fr->ring));
	if (!fr->ring)
		return -ENOMEM;
	fr->cap = max_events;
	return 0;
}

void fr_free(struct flight_recorder *fr)
{
	free(fr->ring);
	fr->ring = NULL;
	fr->cap = fr->len = fr->head = 0;
}

static void drop_oldest(struct flight_recorder *fr)
{
	fr->head = (fr->head + 1) % fr->cap;
	fr->len--;
	fr->evicted++;
}

void fr_expire(struct flight_recorder *fr, uint64_t now_ns)
{
	if (!fr->max_age_ns || now_ns < fr->max_age_ns)
		return;
	while (fr->len && fr->ring[fr->head].ts_ns < now_ns - fr->max_age_ns)
		drop_oldest(fr);
}

void fr_push(struct flight_recorder *fr, const struct ksm_event *e)
{
	if (fr->len == fr->cap)
		drop_oldest(fr);
	fr->ring[(fr->head + fr->len) % fr->cap] = *e;
	fr->len++;
	fr->seen++;
	/* Age is measured against the newest event, so a replayed trace ages the same. */
	fr_expire(fr, e->ts_ns);
}

size_t fr_len(const struct flight_recorder *fr)
{
	return fr->len;
}

const struct ksm_event *fr_at(const struct flight_recorder *fr, size_t i)
{
	return i < fr->len ? &fr->ring[(fr->head + i) % fr->cap] : NULL;
}
