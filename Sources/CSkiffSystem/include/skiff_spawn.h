/* posix_spawn extras that are _GNU_SOURCE-only in glibc's headers, so Swift cannot see them. */
#ifndef SKIFF_SPAWN_H
#define SKIFF_SPAWN_H
#include <spawn.h>

/* Closes every descriptor from `from` up in the child (glibc 2.34+): a spawned program gets
 * only the descriptors it was given, whatever the caller forgot to mark close-on-exec. */
int sk_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);

#endif
