#include "CAirlockMalloc.h"

#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>

int airlock_malloc_limit_arenas(int count) { return mallopt(M_ARENA_MAX, count); }
#else
int airlock_malloc_limit_arenas(int count) {
    (void)count;
    return 0;
}
#endif
