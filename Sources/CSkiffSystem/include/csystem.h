/* Raw Linux interfaces Swift cannot reach: variadic calls (clone, prctl, syscall),
 * _GNU_SOURCE-only functions and macros. Thin wrappers only: no logic lives here. */
#ifndef SKIFF_CSYSTEM_H
#define SKIFF_CSYSTEM_H
#include <stdint.h>
#include <sys/types.h>

/* Namespace flags (anonymous enum: imported into Swift as Int). */
enum {
    SK_CLONE_NEWNS = 0x00020000, SK_CLONE_NEWCGROUP = 0x02000000, SK_CLONE_NEWUTS = 0x04000000,
    SK_CLONE_NEWIPC = 0x08000000, SK_CLONE_NEWUSER = 0x10000000, SK_CLONE_NEWPID = 0x20000000,
    SK_CLONE_NEWNET = 0x40000000, SK_CLONE_NEWTIME = 0x00000080, SK_CLONE_PARENT = 0x00008000,
};

/* fork-like clone: returns 0 in the child, the pid in the parent, -errno on failure.
 * Only safe from a single-threaded process, as fork. */
pid_t sk_clone(unsigned long flags);
int sk_unshare(int flags);
int sk_setns(int fd, int nstype);
int sk_pivot_root(const char *new_root, const char *put_old);
int sk_sethostname(const char *name);
int sk_setdomainname(const char *name);
int sk_setgroups(size_t n, const gid_t *groups);
int sk_setresuid(uid_t r, uid_t e, uid_t s);
int sk_setresgid(gid_t r, gid_t e, gid_t s);
int sk_personality(unsigned long persona);

/* prctl */
int sk_set_no_new_privs(void);
int sk_set_dumpable(int on);
int sk_set_keepcaps(int on);
int sk_set_pdeathsig(int sig);

/* fds */
int sk_close_range_cloexec(unsigned int first);
int sk_pipe2(int fds[2], int flags);
/* Long-running daemons: at most `arenas` malloc arenas, fixed mmap/trim thresholds. */
void sk_daemon_malloc_policy(int arenas);
/* Gives free heap pages back to the kernel (malloc_trim(0)). */
int sk_malloc_trim(void);
int sk_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);
int sk_execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags);
int sk_send_fd(int sock, int fd);
int sk_recv_fd(int sock);

/* Detached read-only clone of a file's mount (open_tree + mount_setattr): an fd to execute
 * from that no one can write through. */
int sk_open_tree_readonly(const char *path);

/* devices and terminals */
dev_t sk_makedev(unsigned int major, unsigned int minor);
unsigned int sk_major(dev_t d);
unsigned int sk_minor(dev_t d);
int sk_openpt(void);
int sk_ptsname(int fd, char *buf, size_t len);
int sk_unlockpt(int fd);
int sk_set_ctty(int fd);
int sk_set_winsize(int fd, unsigned short rows, unsigned short cols);
int sk_get_winsize(int fd, unsigned short *rows, unsigned short *cols);

/* signals: names <-> numbers, including SIGRTMIN+n */
int sk_sigrtmin(void);
int sk_sigrtmax(void);



#include <signal.h>
/* process handles and signals */
int sk_pidfd_open(pid_t pid);
int sk_signalfd(const sigset_t *mask);
/* mount_setattr(AT_RECURSIVE) on an fd's mount: set/clear MOUNT_ATTR_* bits. */
int sk_mount_setattr_recursive(int fd, uint64_t set, uint64_t clear);
int sk_mknodat(int dirfd, const char *name, mode_t mode, unsigned int major, unsigned int minor);

int sk_join_session_keyring(const char *name);

/* _GNU_SOURCE constants Glibc's module does not export. */
enum { SK_O_PATH = 010000000, SK_ST_RDONLY = 1, SK_ST_NOSUID = 2, SK_ST_NODEV = 4, SK_ST_NOEXEC = 8 };
int sk_setrlimit(int resource, uint64_t soft, uint64_t hard);

/* Reads one signal from a signalfd: its number, or -errno. */
int sk_signalfd_read(int fd);


/* process scheduling: ioprio_set, sched_setattr (struct sched_attr is not in glibc's headers),
 * sched_setaffinity over a CPU bitmask of `nbytes`. */
int sk_ioprio_set(int ioclass, int priority);
int sk_sched_setattr(uint32_t policy, uint64_t flags, int32_t nice, uint32_t priority,
                     uint64_t runtime, uint64_t deadline, uint64_t period);
int sk_sched_setaffinity(const uint8_t *mask, size_t nbytes);
/* An eventfd (close-on-exec), for cgroup v1 OOM notifications. */
int sk_eventfd(void);

/* extended attributes (sys/xattr.h is not in Glibc's Swift module) */
int sk_fsetxattr(int fd, const char *name, const void *value, size_t size, int flags);
int sk_lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags);
long sk_lgetxattr(const char *path, const char *name, void *value, size_t size);
#include "skiff_seccomp_notify.h"
#include "skiff_bpf.h"
#include "skiff_spawn.h"
#endif
