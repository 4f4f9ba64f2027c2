/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small chained hash map from u64 keys (stable node addresses, pfns, pids,
 * virtual addresses) to fixed-size values the map owns.  ksmdebug's
 * detectors keep per-node and per-page state in it, the migration pairing
 * (migration_pairs.c) its pending entries; deletion is as common as
 * insertion (nodes come and go), which is why it chains rather than probes.
 */
#ifndef KSM_U64MAP_H
#define KSM_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map_ent {
	struct u64map_ent *next;
	uint64_t key;
	/* the value follows, val_size bytes, zeroed on creation */
};

struct u64map {
	struct u64map_ent **b;
	size_t nb, len, val_size;
};

void u64map_init(struct u64map *m, size_t val_size);
void u64map_free(struct u64map *m);
/* The value of key, NULL if absent. */
void *u64map_get(const struct u64map *m, uint64_t key);
/* The value of key, created zeroed if absent; NULL on allocation failure. */
void *u64map_get_or_add(struct u64map *m, uint64_t key, int *created);
void u64map_del(struct u64map *m, uint64_t key);
/* Iterate: pass NULL first; returns the next entry or NULL. */
struct u64map_ent *u64map_next(const struct u64map *m, struct u64map_ent *e, size_t *bucket);

static inline void *u64map_val(struct u64map_ent *e)
{
	return e + 1;
}

#endif
