/* Running the OCI runtime: `create` with the container's stdio as our pipes (or its terminal
 * sent to our console socket), and `delete --force` to undo a create we cannot finish. */
#include "monitor.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

/* Forks the runtime with `args` (after [--root R]) and the given stdio. */
static pid_t spawn_runtime(const struct monitor_options *o, const char *const *args, int in, int out, int err) {
    const char *argv[16];
    int n = 0;
    argv[n++] = o->runtime;
    if (o->runtime_root) {
        argv[n++] = "--root";
        argv[n++] = o->runtime_root;
    }
    while (*args && n < 15) argv[n++] = *args++;
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid != 0) return pid;
    /* The child: the signal state a program expects, our stdio, nothing else of ours. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
    close_range(3, ~0U, 0);
    execv(o->runtime, (char *const *)argv);
    dprintf(2, "cannot run the OCI runtime %s: %s\n", o->runtime, strerror(errno));
    _exit(127);
}

static void read_into(int fd, char *text, size_t *len) {
    char chunk[1024];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        size_t room = ERROR_MAX - 1 - *len;
        size_t take = (size_t)n < room ? (size_t)n : room;
        memcpy(text + *len, chunk, take);
        *len += take;
    }
}

/* Waits for `pid` while collecting what it prints on `fds` (up to ERROR_MAX bytes). Returns
 * its wait status, or -1 when it ran past the deadline and was killed. */
static int wait_collecting(struct monitor *m, pid_t pid, const int fds[2], char *text, size_t *len) {
    long long deadline = now_ms() + CREATE_TIMEOUT_MS;
    int status = 0;
    for (;;) {
        struct pollfd p[3] = {{.fd = m->signal_fd, .events = POLLIN},
                              {.fd = fds[0], .events = POLLIN},
                              {.fd = fds[1], .events = POLLIN}};
        long long left = deadline - now_ms();
        if (left <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        if (poll(p, 3, (int)left) < 0) continue; /* EINTR; the deadline bounds the rest */
        for (int i = 1; i < 3; i++)
            if (p[i].fd >= 0 && p[i].revents) read_into(p[i].fd, text, len);
        if (p[0].revents & POLLIN) {
            struct signalfd_siginfo info;
            while (read(m->signal_fd, &info, sizeof info) > 0) {}
        }
        if (waitpid(pid, &status, WNOHANG) == pid) break;
    }
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0) read_into(fds[i], text, len); /* what it printed just before exiting */
    return status;
}

static void trim(char *text, size_t *len) {
    while (*len > 0 && (text[*len - 1] == '\n' || text[*len - 1] == ' ' || text[*len - 1] == '\r')) (*len)--;
    text[*len] = 0;
}

static pid_t read_pid_file(struct monitor *m) {
    char text[32] = {0};
    int fd = open(m->opt.pid_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(m, "the runtime wrote no pid file %s: %s", m->opt.pid_file, strerror(errno));
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    char *end;
    long pid = n > 0 ? strtol(text, &end, 10) : 0;
    if (pid <= 0) return fail(m, "pid file %s holds no pid", m->opt.pid_file);
    return (pid_t)pid;
}

static int receive_terminal(struct monitor *m, int listener, const char *path) {
    /* The runtime connected and sent the master before it exited: it waits in the backlog. */
    int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (connection < 0) return fail(m, "the runtime sent no terminal to %s", path);
    int master = unix_receive_fd(connection);
    int saved = errno;
    close(connection);
    if (master < 0) return fail(m, "receive the terminal on %s: %s", path, strerror(saved));
    return master;
}

int runtime_create(struct monitor *m) {
    const struct monitor_options *o = &m->opt;
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, console = -1, master = -1;
    char console_path[4096] = "";
    int result = -1;
    /* Without a terminal the runtime's stdio becomes the container's, so its error text arrives
     * on the container's pipes; the container cannot print before `start`, so during create
     * whatever arrives there is the runtime's. With a terminal, err carries both its streams. */
    if (pipe2(err, O_CLOEXEC) < 0 || (!o->terminal && pipe2(out, O_CLOEXEC) < 0)) {
        fail(m, "pipe: %s", strerror(errno));
        goto done;
    }
    if (o->stdin_open && !o->terminal) {
        if (pipe2(in, O_CLOEXEC) < 0) {
            fail(m, "pipe: %s", strerror(errno));
            goto done;
        }
    } else if ((in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        fail(m, "open /dev/null: %s", strerror(errno));
        goto done;
    }
    if (o->terminal) {
        snprintf(console_path, sizeof console_path, "%s.console", o->attach_socket);
        if ((console = unix_listen(m, console_path, SOCK_STREAM)) < 0) {
            console_path[0] = 0;
            goto done;
        }
    }
    const char *args[] = {"create", "--bundle", o->bundle, "--pid-file", o->pid_file,
                          o->terminal ? "--console-socket" : o->id, o->terminal ? console_path : NULL,
                          o->terminal ? o->id : NULL, NULL};
    pid_t runtime = spawn_runtime(o, args, in[0], o->terminal ? err[1] : out[1], err[1]);
    if (runtime < 0) {
        fail(m, "fork: %s", strerror(errno));
        goto done;
    }
    close_fd(&in[0]);
    close_fd(&out[1]);
    close_fd(&err[1]);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    if (out[0] >= 0) fcntl(out[0], F_SETFL, O_NONBLOCK);

    char text[ERROR_MAX];
    size_t len = 0;
    int fds[2] = {err[0], out[0]};
    int status = wait_collecting(m, runtime, fds, text, &len);
    trim(text, &len);
    if (status == -1) {
        fail(m, "%s create did not finish in %d s: %s", o->runtime, CREATE_TIMEOUT_MS / 1000, text);
        goto done;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char how[48];
        if (WIFSIGNALED(status)) snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(status));
        else snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(status));
        fail(m, "%s create failed (%s): %s", o->runtime, how, len ? text : "it printed nothing");
        goto done;
    }
    if (o->terminal && (master = receive_terminal(m, console, console_path)) < 0) goto undo;
    if ((m->container_pid = read_pid_file(m)) <= 0) goto undo;

    if (o->terminal) {
        fcntl(master, F_SETFL, O_NONBLOCK);
        m->pty_master = m->output_fd[STREAM_STDOUT] = master;
        m->stdin_fd = o->stdin_open ? master : -1;
        master = -1;
    } else {
        m->output_fd[STREAM_STDOUT] = out[0];
        m->output_fd[STREAM_STDERR] = err[0];
        out[0] = err[0] = -1;
        if (in[1] >= 0) fcntl(in[1], F_SETFL, O_NONBLOCK);
        m->stdin_fd = in[1];
        in[1] = -1;
    }
    result = 0;
    goto done;
undo:
    runtime_delete_force(o);
done:
    close_fd(&in[0]);
    close_fd(&in[1]);
    close_fd(&out[0]);
    close_fd(&out[1]);
    close_fd(&err[0]);
    close_fd(&err[1]);
    close_fd(&master);
    close_fd(&console);
    if (console_path[0]) unlink(console_path);
    return result;
}

void runtime_delete_force(const struct monitor_options *o) {
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    const char *args[] = {"delete", "--force", o->id, NULL};
    pid_t pid = spawn_runtime(o, args, null, null, null);
    if (null >= 0) close(null);
    int status;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
}

/* Kills and reaps every child we have, including processes reparented to us (a subreaper)
 * from a create that failed half-way. */
void kill_children(void) {
    char path[64], text[4096];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    for (int round = 0; round < 10; round++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) break;
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        if (n <= 0) break;
        text[n] = 0;
        for (char *p = text, *end;; p = end) {
            long pid = strtol(p, &end, 10);
            if (end == p) break;
            if (pid > 0) kill((pid_t)pid, SIGKILL);
        }
        int status;
        while (waitpid(-1, &status, 0) > 0) {}
    }
}
