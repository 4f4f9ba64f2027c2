// SPDX-License-Identifier: GPL-2.0
#include "ksm_sysfs.h"
#include "probe.h"

bool probe_ksm(void)
{
	char buf[16];

	return ksm_sysfs_read_one(NULL, "run", buf, sizeof(buf)) == 0;
}
