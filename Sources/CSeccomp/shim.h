#include <seccomp.h>
/* Function-like macros are not imported by Swift. */
static inline uint32_t cseccomp_act_errno(uint32_t e) { return SCMP_ACT_ERRNO(e); }
static inline uint32_t cseccomp_act_trace(uint32_t e) { return SCMP_ACT_TRACE(e); }
/* Plain constants, wrapped so Swift sees them with the type libseccomp takes (uint32_t). */
static inline uint32_t cseccomp_act_allow(void) { return SCMP_ACT_ALLOW; }
static inline uint32_t cseccomp_act_log(void) { return SCMP_ACT_LOG; }
static inline uint32_t cseccomp_act_trap(void) { return SCMP_ACT_TRAP; }
static inline uint32_t cseccomp_act_notify(void) { return SCMP_ACT_NOTIFY; }
static inline uint32_t cseccomp_act_kill_thread(void) { return SCMP_ACT_KILL_THREAD; }
static inline uint32_t cseccomp_act_kill_process(void) { return SCMP_ACT_KILL_PROCESS; }
static inline int cseccomp_nr_error(void) { return __NR_SCMP_ERROR; }
