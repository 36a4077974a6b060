#include <malloc.h>
#include "csystem.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>

static int ret(long r) { return r < 0 ? -errno : (int)r; }

pid_t sk_clone(unsigned long flags) {
    /* No stack: the child continues on a copy of the parent's, exactly as fork. The argument
     * order is the same on x86_64 and aarch64 when everything past flags is zero. */
    long r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
    return r < 0 ? -errno : (pid_t)r;
}
int sk_unshare(int flags) { return ret(unshare(flags)); }
int sk_setns(int fd, int nstype) { return ret(setns(fd, nstype)); }
int sk_pivot_root(const char *n, const char *o) { return ret(syscall(SYS_pivot_root, n, o)); }
int sk_sethostname(const char *name) { return ret(sethostname(name, strlen(name))); }
int sk_setdomainname(const char *name) { return ret(setdomainname(name, strlen(name))); }
int sk_setgroups(size_t n, const gid_t *groups) { return ret(syscall(SYS_setgroups, n, groups)); }
/* Raw syscalls, not glibc's: glibc broadcasts set*id to every thread with signals, which is
 * pointless in our single-threaded child. */
int sk_setresuid(uid_t r, uid_t e, uid_t s) { return ret(syscall(SYS_setresuid, r, e, s)); }
int sk_setresgid(gid_t r, gid_t e, gid_t s) { return ret(syscall(SYS_setresgid, r, e, s)); }
int sk_personality(unsigned long p) { return ret(personality(p)); }

int sk_set_no_new_privs(void) { return ret(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)); }
int sk_set_dumpable(int on) { return ret(prctl(PR_SET_DUMPABLE, on, 0, 0, 0)); }
int sk_set_keepcaps(int on) { return ret(prctl(PR_SET_KEEPCAPS, on, 0, 0, 0)); }
int sk_set_pdeathsig(int sig) { return ret(prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)); }

int sk_close_range_cloexec(unsigned int first) {
    return ret(syscall(SYS_close_range, first, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */));
}
int sk_pipe2(int fds[2], int flags) { return ret(pipe2(fds, flags)); }
void sk_daemon_malloc_policy(int arenas) {
    mallopt(M_ARENA_MAX, arenas);
    /* Fixed thresholds turn off glibc's dynamic ones, which after one large buffer is freed
       keep every later buffer up to that size in the heap, where it is never given back. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024);
}
int sk_malloc_trim(void) { return malloc_trim(0); }
int sk_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
    return ret(syscall(SYS_openat2, dirfd, path, &how, sizeof how));
}
int sk_execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags) {
    return ret(syscall(SYS_execveat, dirfd, path, argv, envp, flags));
}

int sk_send_fd(int sock, int fd) {
    char byte = 0;
    return sk_send_fd_with_payload(sock, fd, &byte, 1);
}

int sk_recv_fd(int sock) {
    char byte;
    int fd;
    ssize_t n = sk_recv_fd_with_payload(sock, &fd, &byte, 1);
    if (n < 0) return (int)n;
    if (n == 0) return -ECONNRESET;
    return fd >= 0 ? fd : -EBADMSG;
}

int sk_open_tree_readonly(const char *path) {
    int tree = syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0) return -errno;
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
        int e = errno; close(tree); return -e;
    }
    return tree;
}

dev_t sk_makedev(unsigned int ma, unsigned int mi) { return makedev(ma, mi); }
unsigned int sk_major(dev_t d) { return major(d); }
unsigned int sk_minor(dev_t d) { return minor(d); }
int sk_openpt(void) { return ret(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)); }
int sk_ptsname(int fd, char *buf, size_t len) { int r = ptsname_r(fd, buf, len); return r ? -r : 0; }
int sk_unlockpt(int fd) { return ret(unlockpt(fd)); }
int sk_set_ctty(int fd) { return ret(ioctl(fd, TIOCSCTTY, 0)); }
int sk_set_winsize(int fd, unsigned short rows, unsigned short cols) {
    struct winsize ws = { .ws_row = rows, .ws_col = cols };
    return ret(ioctl(fd, TIOCSWINSZ, &ws));
}
int sk_get_winsize(int fd, unsigned short *rows, unsigned short *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) < 0) return -errno;
    *rows = ws.ws_row; *cols = ws.ws_col;
    return 0;
}
int sk_sigrtmin(void) { return SIGRTMIN; }
int sk_sigrtmax(void) { return SIGRTMAX; }

#include <sys/signalfd.h>
#include <sys/stat.h>
int sk_pidfd_open(pid_t pid) { return ret(syscall(SYS_pidfd_open, pid, 0)); }
int sk_signalfd(const sigset_t *mask) { return ret(signalfd(-1, mask, SFD_CLOEXEC)); }
int sk_mount_setattr_recursive(int fd, uint64_t set, uint64_t clear) {
    struct mount_attr attr = { .attr_set = set, .attr_clr = clear };
    return ret(syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr));
}
int sk_mknodat(int dirfd, const char *name, mode_t mode, unsigned int ma, unsigned int mi) {
    return ret(mknodat(dirfd, name, mode, makedev(ma, mi)));
}
int sk_join_session_keyring(const char *name) { return ret(syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name)); }
#include <sys/resource.h>
int sk_setrlimit(int resource, uint64_t soft, uint64_t hard) {
    struct rlimit r = { .rlim_cur = soft, .rlim_max = hard };
    return ret(setrlimit(resource, &r));
}
int sk_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    if (n < 0) return -errno;
    return n == sizeof info ? (int)info.ssi_signo : -EIO;
}

int sk_ioprio_set(int ioclass, int priority) {
    return ret(syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (ioclass << 13) | priority));
}

struct sk_sched_attr {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
};

int sk_sched_setattr(uint32_t policy, uint64_t flags, int32_t nice, uint32_t priority,
                     uint64_t runtime, uint64_t deadline, uint64_t period) {
    struct sk_sched_attr attr = { .size = sizeof attr, .sched_policy = policy, .sched_flags = flags,
        .sched_nice = nice, .sched_priority = priority, .sched_runtime = runtime,
        .sched_deadline = deadline, .sched_period = period };
    return ret(syscall(SYS_sched_setattr, 0, &attr, 0));
}

int sk_sched_setaffinity(const uint8_t *mask, size_t nbytes) {
    return ret(syscall(SYS_sched_setaffinity, 0, nbytes, mask));
}

#include <sys/xattr.h>
int sk_fsetxattr(int fd, const char *name, const void *value, size_t size, int flags) {
    return ret(fsetxattr(fd, name, value, size, flags));
}
int sk_lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags) {
    return ret(lsetxattr(path, name, value, size, flags));
}
long sk_lgetxattr(const char *path, const char *name, void *value, size_t size) {
    ssize_t n = lgetxattr(path, name, value, size);
    return n < 0 ? -errno : n;
}

#include <sys/eventfd.h>
int sk_eventfd(void) { return ret(eventfd(0, EFD_CLOEXEC)); }
