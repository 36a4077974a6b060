#include "skiff_seccomp_notify.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

int sk_unix_connect(const char *path) {
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof addr.sun_path) return -ENAMETOOLONG;
    strcpy(addr.sun_path, path);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -errno;
    if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) { int e = errno; close(s); return -e; }
    return s;
}

int sk_send_fd_with_payload(int sock, int fd, const void *data, size_t len) {
    if (len == 0) return -EINVAL; /* SCM_RIGHTS needs at least one byte to ride on */
    struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
    memset(&u, 0, sizeof u);
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t n;
    do { n = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    /* A stream socket may take less than everything: the rest goes without the fd. Still sendmsg,
     * so that the filter only has to leave this one syscall alone (see SeccompProgram). */
    msg.msg_control = NULL;
    msg.msg_controllen = 0;
    for (size_t off = (size_t)n; off < len; off += (size_t)n) {
        iov.iov_base = (char *)data + off;
        iov.iov_len = len - off;
        do { n = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
        if (n < 0) return -errno;
    }
    return 0;
}

ssize_t sk_recv_fd_with_payload(int sock, int *fd, void *buf, size_t cap) {
    *fd = -1;
    struct iovec iov = { .iov_base = buf, .iov_len = cap };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
    memset(&u, 0, sizeof u);
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
    ssize_t n;
    do { n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(fd, CMSG_DATA(c), sizeof(int));
    return n;
}
