/* Unix sockets: the listeners (attach, control, console) and receiving the pty master. */
#include "monitor.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int address_of(struct monitor *m, const char *path, struct sockaddr_un *a) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a->sun_path)
        return fail(m, "socket path %s is longer than %zu bytes", path, sizeof a->sun_path - 1);
    strcpy(a->sun_path, path);
    return 0;
}

/* A listening socket at `path` (mode 0600). A socket file left by a monitor that died is
 * replaced; one that still answers belongs to a live monitor and is an error. */
int unix_listen(struct monitor *m, const char *path, int type) {
    struct sockaddr_un a;
    if (address_of(m, path, &a) < 0) return -1;
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) return fail(m, "%s exists and is not a socket", path);
        int probe = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        int live = probe >= 0 && connect(probe, (struct sockaddr *)&a, sizeof a) == 0;
        if (probe >= 0) close(probe);
        if (live) return fail(m, "%s is in use by another process", path);
        unlink(path);
    }
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return fail(m, "socket for %s: %s", path, strerror(errno));
    mode_t old = umask(0177);
    int bound = bind(fd, (struct sockaddr *)&a, sizeof a);
    int saved = errno;
    umask(old);
    if (bound < 0) {
        close(fd);
        return fail(m, "bind %s: %s", path, strerror(saved));
    }
    if (listen(fd, 16) < 0) {
        saved = errno;
        close(fd);
        unlink(path);
        return fail(m, "listen on %s: %s", path, strerror(saved));
    }
    return fd;
}

/* One descriptor sent with SCM_RIGHTS (the runtime's --console-socket protocol), or -1. */
int unix_receive_fd(int connection) {
    char payload[256]; /* runc sends the pty's name along; we need only the descriptor */
    struct iovec iov = {.iov_base = payload, .iov_len = sizeof payload};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof control.buf};
    ssize_t n;
    do n = recvmsg(connection, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int fd;
            memcpy(&fd, CMSG_DATA(c), sizeof fd);
            return fd;
        }
    }
    errno = EBADMSG;
    return -1;
}
