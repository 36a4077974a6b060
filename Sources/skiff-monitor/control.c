/* Control requests: one message per connection, answered with "ok" or "error <text>":
 *   "reopen"             reopen the log path (after the daemon renamed the file away)
 *   "resize <rows> <cols>" set the terminal's window size */
#include "monitor.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>

static int resize(struct monitor *m, unsigned rows, unsigned cols) {
    if (m->pty_master < 0) return fail(m, "the container has no terminal");
    if (rows == 0 || cols == 0 || rows > 65535 || cols > 65535)
        return fail(m, "bad window size %u %u", rows, cols);
    struct winsize size = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    if (ioctl(m->pty_master, TIOCSWINSZ, &size) < 0) return fail(m, "resize the terminal: %s", strerror(errno));
    return 0;
}

void control_request(struct monitor *m, struct client *c) {
    char request[128];
    ssize_t n = recv(c->fd, request, sizeof request - 1, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        client_close(c);
        return;
    }
    request[n] = 0;
    if (request[n - 1] == '\n') request[n - 1] = 0;
    unsigned rows, cols;
    char extra;
    int done;
    if (!strcmp(request, "reopen")) done = cri_log_reopen(m);
    else if (sscanf(request, "resize %u %u %c", &rows, &cols, &extra) == 2) done = resize(m, rows, cols);
    else done = fail(m, "unknown request \"%s\" (expected reopen or resize <rows> <cols>)", request);
    char reply[ERROR_MAX + 8];
    int len = done == 0 ? snprintf(reply, sizeof reply, "ok") : snprintf(reply, sizeof reply, "error %s", m->error);
    send(c->fd, reply, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
    client_close(c);
}
