/* skiff-monitor's state and the functions of its parts; the protocol is described in main.c. */
#ifndef SKIFF_MONITOR_H
#define SKIFF_MONITOR_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* Stream ids: the CRI log's stream names and the attach framing's leading byte. */
enum { STREAM_STDOUT = 1, STREAM_STDERR = 2 };

#define READ_CHUNK 8192      /* read from the container at once; the largest attach payload */
#define LOG_LINE_MAX 16384   /* longer lines go to the log as partial (P) records */
#define MAX_CLIENTS 16       /* attach and control connections at once */
#define ERROR_MAX 4096       /* the error text reported to the daemon */
#define CREATE_TIMEOUT_MS 60000
#define DRAIN_TIMEOUT_MS 1000 /* after the container exits, for output still held by others */

struct monitor_options {
    const char *id, *bundle, *runtime, *runtime_root, *log_path, *exit_file;
    const char *attach_socket, *control_socket, *pid_file;
    bool terminal, stdin_open, stdin_once, help;
    int sync_fd; /* -1 when not given */
};

struct pending_line {
    size_t len;
    char buf[LOG_LINE_MAX];
};

struct cri_log {
    const char *path;
    int fd;
    struct pending_line pending[3]; /* by stream id */
};

struct client {
    int fd;             /* -1: free slot */
    bool control;       /* a control request, else an attach session */
    bool sends_stdin;   /* an attach session that has not yet ended its input */
};

struct monitor {
    struct monitor_options opt;
    char error[ERROR_MAX];
    int signal_fd;
    pid_t container_pid;
    bool exited;
    int wait_status;
    int output_fd[3];   /* by stream id, -1 once at end; with a terminal only stdout (the pty master) */
    int stdin_fd;       /* the stdin pipe's write end, the pty master, or -1 */
    int pty_master;     /* -1 without a terminal */
    struct cri_log log;
    int attach_listener, control_listener;
    bool made_log, made_attach_socket, made_control_socket;
    struct client clients[MAX_CLIENTS];
    char stdin_pending[READ_CHUNK]; /* input the container has not taken yet */
    size_t stdin_pending_len, stdin_pending_off;
    bool stdin_close_after_pending;
};

/* main.c */
int fail(struct monitor *m, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* options.c */
int parse_options(int argc, char **argv, struct monitor_options *o, char *error, size_t size);
extern const char usage_text[];

/* runtime.c: `<runtime> create` with our pipes or console socket; `delete --force` to undo it. */
int runtime_create(struct monitor *m);
void runtime_delete_force(const struct monitor_options *o);
void kill_children(void);

/* cri_log.c */
int cri_log_open(struct monitor *m);
int cri_log_reopen(struct monitor *m);
void cri_log_write(struct cri_log *log, int stream, const char *data, size_t n);
void cri_log_flush(struct cri_log *log, int stream);
void format_timestamp(char out[64], const struct timespec *t);

/* attach.c */
void client_accept(struct monitor *m, int listener, bool control);
void client_close(struct client *c);
void client_event(struct monitor *m, struct client *c, short revents);
void attach_broadcast(struct monitor *m, int stream, const char *data, size_t n);
void stdin_flush(struct monitor *m);
void stdin_close(struct monitor *m);

/* control.c */
void control_request(struct monitor *m, struct client *c);

/* unix_socket.c */
int unix_listen(struct monitor *m, const char *path, int type);
int unix_receive_fd(int connection);

/* exit_file.c */
int write_exit_file(const char *path, int wait_status, char *error, size_t size);

#endif
