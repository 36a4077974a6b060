/* The monitor's command line: `--flag value` or `--flag=value`; paths must be absolute because
 * the monitor outlives the daemon's working directory. */
#include "monitor.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char usage_text[] =
    "Usage: skiff-monitor --id ID --bundle DIR --runtime PATH [--runtime-root DIR]\n"
    "         --log-path FILE --exit-file FILE --pid-file FILE\n"
    "         --attach-socket PATH --control-socket PATH --sync-fd N\n"
    "         [--terminal] [--stdin [--stdin-once]]\n"
    "Creates the container with the OCI runtime, reports \"created <pid> <monitor-pid>\" or\n"
    "\"error <text>\" on the sync fd, then writes the container's output to the CRI log,\n"
    "serves attach and control sockets, and writes the exit file when the container exits.\n";

struct string_flag {
    const char *name;
    size_t offset;
    bool required, absolute;
};

#define FIELD(f) offsetof(struct monitor_options, f)
static const struct string_flag string_flags[] = {
    {"id", FIELD(id), true, false},
    {"bundle", FIELD(bundle), true, true},
    {"runtime", FIELD(runtime), true, true},
    {"runtime-root", FIELD(runtime_root), false, true},
    {"log-path", FIELD(log_path), true, true},
    {"exit-file", FIELD(exit_file), true, true},
    {"pid-file", FIELD(pid_file), true, true},
    {"attach-socket", FIELD(attach_socket), true, true},
    {"control-socket", FIELD(control_socket), true, true},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int bad(char *error, size_t size, const char *format, const char *what) {
    snprintf(error, size, format, what);
    return -1;
}

static int parse_sync_fd(const char *value, struct monitor_options *o, char *error, size_t size) {
    char *end;
    errno = 0;
    long fd = strtol(value, &end, 10);
    if (errno || *end || end == value || fd < 3 || fd > 65535)
        return bad(error, size, "--sync-fd %s: expected a descriptor number of 3 or more", value);
    if (fcntl((int)fd, F_GETFD) < 0)
        return bad(error, size, "--sync-fd %s: not an open descriptor", value);
    o->sync_fd = (int)fd;
    return 0;
}

/* The sync fd first, so that any other error in the command line can be reported on it. */
static int find_sync_fd(int argc, char **argv, struct monitor_options *o, char *error, size_t size) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sync-fd") && i + 1 < argc) return parse_sync_fd(argv[i + 1], o, error, size);
        if (!strncmp(argv[i], "--sync-fd=", 10)) return parse_sync_fd(argv[i] + 10, o, error, size);
    }
    return 0;
}

int parse_options(int argc, char **argv, struct monitor_options *o, char *error, size_t size) {
    memset(o, 0, sizeof *o);
    o->sync_fd = -1;
    if (find_sync_fd(argc, argv, o, error, size) < 0) return -1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0) return bad(error, size, "unexpected argument %s", arg);
        char name[64];
        const char *inline_value = strchr(arg, '=');
        size_t len = inline_value ? (size_t)(inline_value - arg - 2) : strlen(arg + 2);
        if (len >= sizeof name) return bad(error, size, "unknown flag %s", arg);
        memcpy(name, arg + 2, len);
        name[len] = 0;

        bool *boolean = !strcmp(name, "terminal") ? &o->terminal
                      : !strcmp(name, "stdin") ? &o->stdin_open
                      : !strcmp(name, "stdin-once") ? &o->stdin_once
                      : !strcmp(name, "help") ? &o->help : NULL;
        if (boolean) {
            if (inline_value) return bad(error, size, "--%s takes no value", name);
            *boolean = true;
            continue;
        }
        const struct string_flag *flag = NULL;
        for (size_t f = 0; f < COUNT(string_flags); f++)
            if (!strcmp(string_flags[f].name, name)) flag = &string_flags[f];
        bool sync = !strcmp(name, "sync-fd");
        if (!flag && !sync) return bad(error, size, "unknown flag --%s", name);
        const char *value = inline_value ? inline_value + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) return bad(error, size, "--%s needs a value", name);
        if (sync) continue; /* taken by find_sync_fd */
        if (!*value) return bad(error, size, "--%s is empty", name);
        if (flag->absolute && value[0] != '/')
            return bad(error, size, "--%s must be an absolute path", name);
        *(const char **)((char *)o + flag->offset) = value;
    }
    if (o->help) return 0;
    for (size_t f = 0; f < COUNT(string_flags); f++)
        if (string_flags[f].required && !*(const char **)((char *)o + string_flags[f].offset))
            return bad(error, size, "missing --%s", string_flags[f].name);
    if (o->sync_fd < 0) return bad(error, size, "missing --%s", "sync-fd");
    if (o->stdin_once && !o->stdin_open) return bad(error, size, "%s needs --stdin", "--stdin-once");
    return 0;
}
