#include <sys/capability.h>
/* cap_free takes a void *; cap_t and char * both go through it. */
static inline int ccap_free_caps(cap_t c) { return cap_free(c); }
static inline int ccap_free_text(char *s) { return cap_free(s); }
