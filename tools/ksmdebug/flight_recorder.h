/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flight recorder: the last events, bounded both by count (memory is
 * fixed at creation: max_events * 128 bytes) and by age (events older than
 * max_age_ns behind the newest one are dropped). What fell out is counted,
 * because a trace that lost its beginning cannot back an accounting verdict.
 */
#ifndef KSM_FLIGHT_RECORDER_H
#define KSM_FLIGHT_RECORDER_H

#include <stddef.h>
#include <stdint.h>

#include "ksm_event.h"

struct flight_recorder {
	struct ksm_event *ring;
	size_t cap, head, len;	/* oldest at head, len valid entries */
	uint64_t max_age_ns;	/* 0: no age limit */
	uint64_t seen;		/* events ever pushed */
	uint64_t evicted;	/* events that fell out (count or age) */
};

/* 0 or -ENOMEM; max_events >= 1. */
int fr_init(struct flight_recorder *fr, size_t max_events, uint64_t max_age_ns);
void fr_free(struct flight_recorder *fr);
void fr_push(struct flight_recorder *fr, const struct ksm_event *e);
/* Drop events older than now_ns - max_age_ns (the clock of ts_ns). */
void fr_expire(struct flight_recorder *fr, uint64_t now_ns);
size_t fr_len(const struct flight_recorder *fr);
/* The i-th oldest event still held, i < fr_len(). */
const struct ksm_event *fr_at(const struct flight_recorder *fr, size_t i);

#endif
