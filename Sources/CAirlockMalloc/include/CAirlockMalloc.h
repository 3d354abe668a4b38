// glibc's malloc controls, which Swift's Glibc module does not import (<malloc.h>).
#ifndef CAIRLOCK_MALLOC_H
#define CAIRLOCK_MALLOC_H

/// Caps glibc's malloc arenas at `count` (mallopt M_ARENA_MAX); returns 1 on success, 0 on
/// failure or where unsupported (not glibc).
int airlock_malloc_limit_arenas(int count);

#endif
