/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file leak.c  Heap and timer accounting for the leak check
 *
 * Debian's libre is built without MEM_DEBUG, so mem_get_stat() is not
 * available. The heap is measured instead: the sanitizer allocator's
 * count under ASan, glibc's mallinfo2() otherwise. glibc's per-thread
 * cache (tcache) holds freed chunks that mallinfo2() counts as in use,
 * so leak_init() re-executes the binary with the cache off. Timers are
 * counted from libre's tmr_status().
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <re.h>
#include "test.h"

#if defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define UM_ASAN 1
# endif
#endif
#ifdef __SANITIZE_ADDRESS__
# define UM_ASAN 1
#endif

#ifdef UM_ASAN
/* from <sanitizer/allocator_interface.h>, which gcc does not ship */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif


#define TUNABLE "glibc.malloc.tcache_count=0"


/**
 * Make the heap count exact: without ASan, re-execute once with
 * glibc's tcache disabled
 *
 * @param argv The program's arguments
 */
void leak_init(char *argv[])
{
#ifndef UM_ASAN
	const char *t = getenv("GLIBC_TUNABLES");

	if (t && strstr(t, TUNABLE))
		return;

	if (setenv("GLIBC_TUNABLES", TUNABLE, 1))
		return;

	(void)execv("/proc/self/exe", argv);
#else
	(void)argv;
#endif
}


/** @return bytes currently allocated on the heap */
size_t leak_bytes(void)
{
#ifdef UM_ASAN
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}


/** @return number of libre timers pending in this thread */
int leak_timers(void)
{
	char buf[256];
	struct pl n;

	if (re_snprintf(buf, sizeof(buf), "%H", tmr_status, NULL) < 0)
		return -1;

	if (re_regex(buf, strlen(buf), "([0-9]+)", &n))
		return 0;

	return (int)pl_u32(&n);
}
