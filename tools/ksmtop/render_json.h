/* SPDX-License-Identifier: GPL-2.0 */
/* A ksmtop sample as one JSON document (-j; the fields are in docs/ksmtop.md). */
#ifndef KSM_TOP_RENDER_JSON_H
#define KSM_TOP_RENDER_JSON_H

#include <jansson.h>

#include "model.h"

/* The document; rows limits processes and cgroups (0 = all). NULL on ENOMEM. */
json_t *top_json(const struct top_model *m, int rows);

#endif
