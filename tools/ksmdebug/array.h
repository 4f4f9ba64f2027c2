/* SPDX-License-Identifier: GPL-2.0 */
/* Growing arrays: room for one more element, doubling. */
#ifndef KSM_ARRAY_H
#define KSM_ARRAY_H

#include <errno.h>
#include <stdlib.h>

/*
 * *arrp is an array of cap elements of size bytes, n of them in use: make
 * room for element n.  0, or -ENOMEM with the array as it was.
 */
static inline int array_reserve(void *arrp, size_t *cap, size_t n, size_t size)
{
	void **arr = arrp;
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

#endif
