// The profile behind seccompProfile RuntimeDefault. Container runtimes ship an allowlist of
// ~350 syscalls; ours keeps the same protection with a short denylist: everything is allowed
// except the calls that reach past the container — kernel modules and kexec, the host's clock,
// swap, reboot, kernel keyrings, BPF and perf, other processes' memory, handles to host files,
// and new namespaces (the escape route of most container breakouts). Capabilities guard most of
// these too; the profile is the second wall, and it holds even for a container granted
// CAP_SYS_ADMIN by mistake — but not when the pod asks for Unconfined.
import OCISpec

enum DefaultSeccompProfile {
    static let denied = [
        "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module", "delete_module",
        "finit_module", "fsconfig", "fsmount", "fsopen", "fspick", "get_kernel_syms",
        "init_module", "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl",
        "lookup_dcookie", "mount", "mount_setattr", "move_mount",
        "name_to_handle_at", "nfsservctl", "open_by_handle_at", "open_tree", "perf_event_open",
        "pivot_root", "process_vm_readv", "process_vm_writev", "query_module", "quotactl",
        "quotactl_fd", "reboot", "request_key", "setns", "settimeofday", "stime", "swapoff", "swapon",
        "_sysctl", "umount", "umount2", "unshare", "uselib", "userfaultfd", "vm86", "vm86old", "adjtimex",
    ]

    /// clone stays allowed for threads and processes, but not with a namespace flag: one rule
    /// per flag, since a rule's conditions all must hold and "any of these bits" is several rules.
    static let namespaceFlags: [UInt64] = [
        0x0002_0000, 0x0200_0000, 0x0400_0000, 0x0800_0000, 0x1000_0000, 0x2000_0000, 0x4000_0000,
    ]   // CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET

    static var profile: Seccomp {
        // No architectures listed: the native one only, and libseccomp kills a call made
        // through another ABI (32-bit int 0x80), so none slips around the list.
        Seccomp(defaultAction: "SCMP_ACT_ALLOW",
                syscalls: [
                    .init(names: denied, action: "SCMP_ACT_ERRNO", errnoRet: 1),   // EPERM
                ] + namespaceFlags.map { flag in
                    .init(names: ["clone"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
                          args: [.init(index: 0, value: flag, valueTwo: flag, op: "SCMP_CMP_MASKED_EQ")])
                } + [
                    // clone3 passes its flags in a struct seccomp cannot read: make callers fall back to clone.
                    .init(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38),   // ENOSYS
                ])
    }
}
