/* The exit file: one line "<exit code> <signal> <finished at, RFC3339Nano UTC>\n", where the
 * exit code is 128 + signal for a container killed by a signal (signal 0 when it exited).
 * Written to a temporary file in the same directory and renamed over the path, so a reader
 * sees either no file or the whole line. */
#include "monitor.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int write_exit_file(const char *path, int wait_status, char *error, size_t size) {
    int signal = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
    int code = signal ? 128 + signal : WEXITSTATUS(wait_status);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char time[64], line[128], temporary[4096];
    format_timestamp(time, &now);
    int len = snprintf(line, sizeof line, "%d %d %s\n", code, signal, time);

    const char *slash = strrchr(path, '/');
    int dir_len = (int)(slash - path);
    if (snprintf(temporary, sizeof temporary, "%.*s/.%s.tmp", dir_len, path, slash + 1) >= (int)sizeof temporary) {
        snprintf(error, size, "exit file path %s is too long", path);
        return -1;
    }
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(error, size, "create %s: %s", temporary, strerror(errno));
        return -1;
    }
    bool written = write(fd, line, (size_t)len) == len && fsync(fd) == 0;
    int saved = errno;
    close(fd);
    if (!written || rename(temporary, path) < 0) {
        if (written) saved = errno;
        unlink(temporary);
        snprintf(error, size, "write exit file %s: %s", path, strerror(saved));
        return -1;
    }
    return 0;
}
