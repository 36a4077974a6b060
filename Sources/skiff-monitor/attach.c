/* Attach sessions: each connected client gets the container's output as it is read, one
 * message per read, [stream id byte][bytes]; the bytes a client sends go to the container's
 * stdin. A client ends its input with shutdown(SHUT_WR) (or by disconnecting): with
 * --stdin-once that closes the container's stdin. */
#include "monitor.h"
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void client_accept(struct monitor *m, int listener, bool control) {
    int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (m->clients[i].fd < 0) {
            m->clients[i] = (struct client){.fd = fd, .control = control, .sends_stdin = !control};
            return;
        }
    }
    close(fd); /* full: the client sees the connection closed */
}

static void end_input(struct monitor *m, struct client *c) {
    if (!c->sends_stdin) return;
    c->sends_stdin = false;
    if (m->opt.stdin_once) stdin_close(m);
}

void client_close(struct client *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

static void disconnect(struct monitor *m, struct client *c) {
    end_input(m, c);
    client_close(c);
}

static void stdin_write(struct monitor *m, const char *data, size_t n) {
    ssize_t w;
    do w = write(m->stdin_fd, data, n);
    while (w < 0 && errno == EINTR);
    if (w < 0 && errno != EAGAIN) { /* EPIPE: the container closed its stdin */
        stdin_close(m);
        return;
    }
    size_t done = w < 0 ? 0 : (size_t)w;
    if (done < n) { /* the rest waits for POLLOUT; no client is read meanwhile */
        memcpy(m->stdin_pending, data + done, n - done);
        m->stdin_pending_len = n - done;
        m->stdin_pending_off = 0;
    }
}

static void client_readable(struct monitor *m, struct client *c) {
    if (c->control) {
        control_request(m, c);
        return;
    }
    char buf[READ_CHUNK];
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n < 0) {
        disconnect(m, c);
        return;
    }
    if (n == 0) { /* shutdown(SHUT_WR) or gone; output still goes to it until it hangs up */
        end_input(m, c);
        return;
    }
    if (m->stdin_fd >= 0 && !m->stdin_close_after_pending) stdin_write(m, buf, (size_t)n);
}

void attach_broadcast(struct monitor *m, int stream, const char *data, size_t n) {
    char id = (char)stream;
    struct iovec parts[2] = {{.iov_base = &id, .iov_len = 1}, {.iov_base = (void *)data, .iov_len = n}};
    struct msghdr msg = {.msg_iov = parts, .msg_iovlen = 2};
    for (int i = 0; i < MAX_CLIENTS; i++) {
        struct client *c = &m->clients[i];
        if (c->fd < 0 || c->control) continue;
        /* A client too slow to take the output is dropped: the container must not wait on it. */
        if (sendmsg(c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) disconnect(m, c);
    }
}

void stdin_flush(struct monitor *m) {
    while (m->stdin_pending_len > 0) {
        ssize_t w = write(m->stdin_fd, m->stdin_pending + m->stdin_pending_off, m->stdin_pending_len);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) return;
        if (w < 0) {
            m->stdin_pending_len = 0;
            break;
        }
        m->stdin_pending_off += (size_t)w;
        m->stdin_pending_len -= (size_t)w;
    }
    if (m->stdin_close_after_pending) stdin_close(m);
}

/* Closes the container's stdin once what is pending has been written. With a terminal the
 * master stays open (it carries the output): later input is just not delivered. */
void stdin_close(struct monitor *m) {
    if (m->stdin_fd < 0) return;
    if (m->stdin_pending_len > 0) {
        m->stdin_close_after_pending = true;
        return;
    }
    if (m->stdin_fd != m->pty_master) close(m->stdin_fd);
    m->stdin_fd = -1;
    m->stdin_close_after_pending = false;
}

void client_event(struct monitor *m, struct client *c, short revents) {
    if (c->fd >= 0 && (revents & POLLIN)) client_readable(m, c);
    if (c->fd >= 0 && (revents & (POLLHUP | POLLERR))) disconnect(m, c);
}
