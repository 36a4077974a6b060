/* skiff-monitor: one per container, the role of conmon or containerd's shim. It creates the
 * container with the OCI runtime, then holds the container's stdio for its whole life: the
 * CRI log, attach sessions, terminal resizes, and the exit file. It is C so that a pod's
 * monitors together stay under 2 MB resident, and it outlives the daemon that started it.
 *
 * Protocol (the daemon's side is Sources/ContainerMonitor):
 *
 * Start: the daemon spawns
 *     skiff-monitor --id ID --bundle DIR --runtime PATH [--runtime-root DIR]
 *       --log-path FILE --exit-file FILE --pid-file FILE
 *       --attach-socket PATH --control-socket PATH --sync-fd N
 *       [--terminal] [--stdin [--stdin-once]]
 *   with N the write end of a pipe (all paths absolute). The process forks once and exits
 *   0 at once (reap it); the child starts a new session, becomes a child subreaper and runs
 *     <runtime> [--root DIR] create --bundle DIR --pid-file FILE [--console-socket S] ID
 *   with the container's stdin, stdout and stderr as pipes it holds, or with --terminal the
 *   pty master received on S (<attach-socket>.console, removed once used).
 *
 * Sync: the monitor writes exactly one report to fd N and closes it:
 *     "created <container pid> <monitor pid>\n"     the daemon now runs `<runtime> start ID`
 *     "error <text>"                                 to end of file; the monitor has exited
 *   A bad flag, a runtime that fails (its stderr is the text) or any failure before the
 *   container exists gives "error": whatever the monitor made is removed, whatever it
 *   started is killed (a half-made container is deleted with `<runtime> delete --force`).
 *   End of file without a report means the monitor died.
 *
 * Log: the CRI format, "<RFC3339Nano UTC> <stdout|stderr> <F|P> <content>\n" (cri_log.c); with
 *   a terminal everything is stdout.
 *
 * Attach socket (SOCK_SEQPACKET): every connected client receives each chunk of output as one
 *   message, [1 = stdout | 2 = stderr][up to 8192 bytes]. Each message a client sends (up to
 *   8192 bytes, never empty) is written to the container's stdin (when --stdin). A client
 *   ends its input with shutdown(SHUT_WR) or by closing; with --stdin-once that closes the
 *   container's stdin. When the container has exited the monitor closes every client.
 *
 * Control socket (SOCK_SEQPACKET): one request per connection, one reply (control.c):
 *     "reopen" | "resize <rows> <cols>"   ->   "ok" | "error <text>"
 *
 * Exit: when the container's process exits, the monitor reaps it, drains its output, writes
 *   the log's held partial lines, removes its sockets, writes the exit file
 *   "<exit code> <signal> <RFC3339Nano UTC>\n" atomically (exit_file.c) and exits 0.
 *   The log and the exit file stay on disk for a daemon that was away meanwhile.
 */
#include "monitor.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static struct monitor monitor; /* static: its buffers cost no memory until touched */

int fail(struct monitor *m, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(m->error, sizeof m->error, format, args);
    va_end(args);
    return -1;
}

static void write_all(int fd, const char *data, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        data += w;
        n -= (size_t)w;
    }
}

static void report_created(struct monitor *m) {
    char text[64];
    snprintf(text, sizeof text, "created %d %d\n", (int)m->container_pid, (int)getpid());
    write_all(m->opt.sync_fd, text, strlen(text));
    close(m->opt.sync_fd);
    m->opt.sync_fd = -1;
}

/* The caller exits next; the sync fd is left for the exit to close, so that when the daemon
 * sees the end of the report this process is already gone. */
static void report_error(struct monitor *m) {
    if (m->opt.sync_fd >= 0) {
        write_all(m->opt.sync_fd, "error ", 6);
        write_all(m->opt.sync_fd, m->error, strlen(m->error));
    }
    dprintf(2, "skiff-monitor: %s\n", m->error);
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Leaves the daemon: the process it spawned exits now; the monitor goes on in the child,
 * in a session of its own, and adopts whatever the runtime leaves behind (the container). */
static void detach(struct monitor *m) {
    pid_t child = fork();
    if (child < 0) {
        fail(m, "fork: %s", strerror(errno));
        report_error(m);
        _exit(1);
    }
    if (child > 0) _exit(0);
    setsid();
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (chdir("/") < 0) {} /* hold no directory busy; every path is absolute */
}

/* Descriptors 0-2 point somewhere (pipes must not land there), and nothing inherited stays. */
static void tidy_descriptors(int keep) {
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0) open("/dev/null", O_RDWR);
    if (keep > 3) close_range(3, (unsigned)keep - 1, 0);
    close_range((unsigned)keep + 1, ~0U, 0);
    fcntl(keep, F_SETFD, FD_CLOEXEC);
}

static int setup(struct monitor *m) {
    m->container_pid = -1;
    m->stdin_fd = m->pty_master = m->log.fd = m->attach_listener = m->control_listener = -1;
    for (int s = 0; s < 3; s++) m->output_fd[s] = -1;
    for (int i = 0; i < MAX_CLIENTS; i++) m->clients[i].fd = -1;
    signal(SIGPIPE, SIG_IGN);
    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child, NULL);
    if ((m->signal_fd = signalfd(-1, &child, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
        return fail(m, "signalfd: %s", strerror(errno));
    /* The exit file is written when the container is gone: a directory it cannot go to must
     * fail the create, not lose the exit status later. */
    const char *slash = strrchr(m->opt.exit_file, '/');
    char directory[4096];
    snprintf(directory, sizeof directory, "%.*s", slash == m->opt.exit_file ? 1 : (int)(slash - m->opt.exit_file),
             m->opt.exit_file);
    if (access(directory, W_OK) < 0) return fail(m, "exit file directory %s: %s", directory, strerror(errno));
    if (cri_log_open(m) < 0) return -1;
    if ((m->attach_listener = unix_listen(m, m->opt.attach_socket, SOCK_SEQPACKET)) < 0) return -1;
    m->made_attach_socket = true;
    if ((m->control_listener = unix_listen(m, m->opt.control_socket, SOCK_SEQPACKET)) < 0) return -1;
    m->made_control_socket = true;
    return 0;
}

static void remove_sockets(struct monitor *m) {
    if (m->made_attach_socket) unlink(m->opt.attach_socket);
    if (m->made_control_socket) unlink(m->opt.control_socket);
    m->made_attach_socket = m->made_control_socket = false;
}

/* Before the container exists: undo everything, report, exit non-zero. */
static void give_up(struct monitor *m) {
    kill_children();
    remove_sockets(m);
    if (m->made_log) unlink(m->opt.log_path);
    unlink(m->opt.pid_file); /* the runtime's, for a container that no longer exists */
    report_error(m);
    _exit(1);
}

static void reap(struct monitor *m) {
    struct signalfd_siginfo info;
    while (read(m->signal_fd, &info, sizeof info) > 0) {}
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) { /* adopted orphans are reaped too */
        if (pid == m->container_pid) {
            m->exited = true;
            m->wait_status = status;
        }
    }
}

static void read_output(struct monitor *m, int stream) {
    char buf[READ_CHUNK];
    ssize_t n = read(m->output_fd[stream], buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n > 0) {
        cri_log_write(&m->log, stream, buf, (size_t)n);
        attach_broadcast(m, stream, buf, (size_t)n);
        return;
    }
    /* End of the stream: EOF on a pipe, EIO on a pty master once no one holds the slave. */
    cri_log_flush(&m->log, stream);
    if (m->output_fd[stream] != m->pty_master) close(m->output_fd[stream]);
    m->output_fd[stream] = -1;
}

enum { SLOT_SIGNAL, SLOT_OUTPUT, SLOT_STDIN, SLOT_ATTACH, SLOT_CONTROL, SLOT_CLIENT };

/* Until the container has exited and its output is drained (or the drain timed out). */
static void run(struct monitor *m) {
    long long drain_deadline = 0;
    reap(m); /* it may have exited already, its SIGCHLD taken while create was waited for */
    for (;;) {
        struct pollfd fds[8 + MAX_CLIENTS];
        int kind[8 + MAX_CLIENTS], index[8 + MAX_CLIENTS], n = 0;
#define WATCH(f, ev, k, i) (fds[n] = (struct pollfd){.fd = (f), .events = (ev)}, kind[n] = (k), index[n++] = (i))
        WATCH(m->signal_fd, POLLIN, SLOT_SIGNAL, 0);
        bool open_output = false;
        for (int s = STREAM_STDOUT; s <= STREAM_STDERR; s++)
            if (m->output_fd[s] >= 0) WATCH(m->output_fd[s], POLLIN, SLOT_OUTPUT, s), open_output = true;
        if (m->exited) {
            if (!drain_deadline) drain_deadline = now_ms() + DRAIN_TIMEOUT_MS;
            if (!open_output || now_ms() >= drain_deadline) return;
        }
        bool pending = m->stdin_pending_len > 0;
        if (pending) WATCH(m->stdin_fd, POLLOUT, SLOT_STDIN, 0);
        WATCH(m->attach_listener, POLLIN, SLOT_ATTACH, 0);
        WATCH(m->control_listener, POLLIN, SLOT_CONTROL, 0);
        for (int i = 0; i < MAX_CLIENTS; i++) {
            struct client *c = &m->clients[i];
            if (c->fd < 0) continue;
            /* Attach input waits while earlier input is still pending; hang-ups always show. */
            bool reading = c->control || (c->sends_stdin && !pending);
            WATCH(c->fd, reading ? POLLIN : 0, SLOT_CLIENT, i);
        }
#undef WATCH
        int timeout = -1;
        if (m->exited) {
            long long left = drain_deadline - now_ms();
            timeout = left > 0 ? (int)left : 0;
        }
        if (poll(fds, (nfds_t)n, timeout) < 0) continue;
        for (int i = 0; i < n; i++) {
            short ev = fds[i].revents;
            if (!ev) continue;
            switch (kind[i]) {
            case SLOT_SIGNAL: reap(m); break;
            case SLOT_OUTPUT:
                if (m->output_fd[index[i]] >= 0) read_output(m, index[i]);
                break;
            case SLOT_STDIN:
                if (ev & (POLLERR | POLLHUP)) m->stdin_pending_len = 0, stdin_close(m);
                else stdin_flush(m);
                break;
            case SLOT_ATTACH: client_accept(m, m->attach_listener, false); break;
            case SLOT_CONTROL: client_accept(m, m->control_listener, true); break;
            case SLOT_CLIENT: client_event(m, &m->clients[index[i]], ev); break;
            }
        }
    }
}

/* The container is gone: everything it printed is in the log; the exit file comes last, as
 * the sign that nothing more will be written. */
static void finish(struct monitor *m) {
    for (int s = STREAM_STDOUT; s <= STREAM_STDERR; s++) cri_log_flush(&m->log, s);
    for (int i = 0; i < MAX_CLIENTS; i++) client_close(&m->clients[i]);
    remove_sockets(m);
    if (write_exit_file(m->opt.exit_file, m->wait_status, m->error, sizeof m->error) < 0)
        dprintf(2, "skiff-monitor: %s\n", m->error);
}

int main(int argc, char **argv) {
    struct monitor *m = &monitor;
    if (parse_options(argc, argv, &m->opt, m->error, sizeof m->error) < 0) {
        report_error(m);
        return 2;
    }
    if (m->opt.help) {
        fputs(usage_text, stdout);
        return 0;
    }
    tidy_descriptors(m->opt.sync_fd);
    detach(m);
    if (setup(m) < 0 || runtime_create(m) < 0) give_up(m);

    report_created(m);
    run(m);
    finish(m);
    return 0;
}
