/* SPDX-License-Identifier: GPL-2.0 */
/* What the running kernel offers (BTF names: btf_names.h). */
#ifndef KSM_PROBE_H
#define KSM_PROBE_H

#include <stdbool.h>

/* Is KSM built in (/sys/kernel/mm/ksm exists)? */
bool probe_ksm(void);

#endif
