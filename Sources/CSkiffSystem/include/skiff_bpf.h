/* bpf(2) for cgroup v2 device control: load a BPF_PROG_TYPE_CGROUP_DEVICE program, attach it to
 * a cgroup directory, list and detach the programs already there. Thin wrappers, no policy:
 * the instructions are generated in Swift (CgroupV2Devices.swift). Each call returns -errno. */
#ifndef SKIFF_BPF_H
#define SKIFF_BPF_H
#include <stdint.h>

/* Loads `count` 8-byte instructions (struct bpf_insn layout). Returns the program fd.
 * The verifier's log goes to `log` (may be NULL when log_size is 0). */
int sk_bpf_load_device_program(const void *insns, uint32_t count, char *log, uint32_t log_size);
/* Attaches with BPF_F_ALLOW_MULTI, so programs of parent cgroups keep running too. */
int sk_bpf_attach_device_program(int cgroup_fd, int prog_fd);
int sk_bpf_detach_device_program(int cgroup_fd, int prog_fd);
/* IDs of the device programs attached directly to the cgroup. *count is the capacity of `ids`
 * on input and the number of attached programs on output (may exceed the capacity). */
int sk_bpf_query_device_programs(int cgroup_fd, uint32_t *ids, uint32_t *count);
int sk_bpf_program_fd_by_id(uint32_t id);

#endif
