/* The container log in the CRI format kubelet reads:
 *   <RFC3339Nano time> <stdout|stderr> <F|P> <content>\n
 * A line is held until its newline arrives (F); a line longer than LOG_LINE_MAX, or one the
 * stream ends without, is written in pieces tagged P, the last piece included. */
#include "monitor.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

void format_timestamp(char out[64], const struct timespec *t) {
    struct tm tm;
    gmtime_r(&t->tv_sec, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)t->tv_nsec);
}

static int open_log(const char *path, bool *created) {
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd >= 0) {
        if (created) *created = true;
        return fd;
    }
    if (errno != EEXIST) return -1;
    return open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
}

int cri_log_open(struct monitor *m) {
    m->log.path = m->opt.log_path;
    m->log.fd = open_log(m->log.path, &m->made_log);
    if (m->log.fd < 0) return fail(m, "open log %s: %s", m->log.path, strerror(errno));
    return 0;
}

/* After the daemon renamed the log away (rotation): the same path, a new file. The old
 * descriptor stays in use if the new one cannot be opened. */
int cri_log_reopen(struct monitor *m) {
    int fd = open_log(m->log.path, NULL);
    if (fd < 0) return fail(m, "reopen log %s: %s", m->log.path, strerror(errno));
    close(m->log.fd);
    m->log.fd = fd;
    return 0;
}

static void emit(struct cri_log *log, int stream, const char *tag, const char *time,
                 const char *content, size_t len) {
    if (log->fd < 0) return;
    char head[96];
    int head_len = snprintf(head, sizeof head, "%s %s %s ", time,
                            stream == STREAM_STDERR ? "stderr" : "stdout", tag);
    struct iovec parts[3] = {
        {.iov_base = head, .iov_len = (size_t)head_len},
        {.iov_base = (void *)content, .iov_len = len},
        {.iov_base = "\n", .iov_len = 1},
    };
    /* One writev per record, so an O_APPEND file never has two records interleaved. A full
     * disk loses the record: the container must not stall on its log. */
    ssize_t n;
    do n = writev(log->fd, parts, 3);
    while (n < 0 && errno == EINTR);
}

static void now_text(char out[64]) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    format_timestamp(out, &t);
}

void cri_log_write(struct cri_log *log, int stream, const char *data, size_t n) {
    struct pending_line *p = &log->pending[stream];
    char time[64];
    now_text(time);
    while (n > 0) {
        const char *newline = memchr(data, '\n', n);
        size_t line = newline ? (size_t)(newline - data) : n;
        size_t room = LOG_LINE_MAX - p->len;
        if (line > room) { /* fill the buffer and write it as a piece */
            memcpy(p->buf + p->len, data, room);
            emit(log, stream, "P", time, p->buf, LOG_LINE_MAX);
            p->len = 0;
            data += room;
            n -= room;
            continue;
        }
        if (newline && p->len == 0) {
            emit(log, stream, "F", time, data, line); /* the common case: no copy */
        } else {
            memcpy(p->buf + p->len, data, line);
            p->len += line;
            if (newline) {
                emit(log, stream, "F", time, p->buf, p->len);
                p->len = 0;
            } else if (p->len == LOG_LINE_MAX) {
                emit(log, stream, "P", time, p->buf, p->len);
                p->len = 0;
            }
        }
        size_t used = newline ? line + 1 : line;
        data += used;
        n -= used;
    }
}

/* The stream ended (or the monitor is exiting): what is held goes out as a partial line. */
void cri_log_flush(struct cri_log *log, int stream) {
    struct pending_line *p = &log->pending[stream];
    if (p->len == 0) return;
    char time[64];
    now_text(time);
    emit(log, stream, "P", time, p->buf, p->len);
    p->len = 0;
}
