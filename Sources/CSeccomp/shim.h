#include <seccomp.h>
/* Function-like macros are not imported by Swift. */
static inline uint32_t cseccomp_act_errno(uint32_t e) { return SCMP_ACT_ERRNO(e); }
static inline uint32_t cseccomp_act_trace(uint32_t e) { return SCMP_ACT_TRACE(e); }
