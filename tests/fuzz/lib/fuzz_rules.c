// SPDX-License-Identifier: GPL-2.0
/*
 * The ksmpolicy rules-file parser on any bytes.  Oracles: it ends, every
 * error line is shown text, every rule kept names a path of one word that
 * starts with '/'.
 */
#include "../fuzz.h"
#include "policy_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	struct policy_file pf;
	int n;

	if (!f)
		return 0;
	n = policy_file_parse(f, "rules", &pf);
	fclose(f);
	if (n < 0)
		return 0;
	if (pf.errors)
		fuzz_assert_shown(pf.errors, strlen(pf.errors));
	if ((size_t)n != pf.nerrors || pf.n > POLICY_FILE_MAX_RULES + 1)
		abort();
	for (size_t i = 0; i < pf.n; i++) {
		const char *cg = pf.v[i].cgroup;

		if (cg[0] != '/' || strcspn(cg, " \t\r\n#") != strlen(cg))
			abort();
	}
	policy_file_free(&pf);
	return 0;
}
