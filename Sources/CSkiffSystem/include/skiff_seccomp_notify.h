/* Handing a seccomp notify fd to the agent at linux.seccomp.listenerPath: a unix stream socket,
 * one message whose payload is the container process state JSON and whose SCM_RIGHTS holds the fd. */
#ifndef SKIFF_SECCOMP_NOTIFY_H
#define SKIFF_SECCOMP_NOTIFY_H
#include <stddef.h>
#include <sys/types.h>

/* Connects a SOCK_STREAM|SOCK_CLOEXEC unix socket to path: the fd, or -errno. */
int sk_unix_connect(const char *path);
/* Sends len bytes of data with fd attached to the first byte: 0, or -errno. */
int sk_send_fd_with_payload(int sock, int fd, const void *data, size_t len);
/* Receives one message of up to cap bytes; *fd is the attached fd or -1: byte count, or -errno. */
ssize_t sk_recv_fd_with_payload(int sock, int *fd, void *buf, size_t cap);

#endif
