// AppArmor and SELinux labels for the next execve, where the kernel has them. On a kernel
// without the module the label is ignored, as runc does.
import CSkiffSystem
import Glibc

enum LSM {
    static func apply(apparmorProfile: String?, selinuxLabel: String?) throws {
        if let profile = apparmorProfile, !profile.isEmpty, FileIO.exists("/sys/kernel/security/apparmor") {
            let path = FileIO.exists("/proc/self/attr/apparmor/exec") ? "/proc/self/attr/apparmor/exec" : "/proc/self/attr/exec"
            try FileIO.write(path, "exec \(profile)")
        }
        if let label = selinuxLabel, !label.isEmpty, FileIO.exists("/sys/fs/selinux/enforce") {
            try FileIO.write("/proc/self/attr/exec", label)
        }
    }

    static var apparmorEnabled: Bool { FileIO.exists("/sys/kernel/security/apparmor") }
    static var selinuxEnabled: Bool { FileIO.exists("/sys/fs/selinux/enforce") }
}

/// A new session keyring per container, so containers do not share the host's keys.
enum SessionKeyring {
    static func join(name: String) {
        // KEYCTL_JOIN_SESSION_KEYRING = 1; failure (e.g. keyrings disabled) is not fatal, as in runc.
        _ = name.withCString { sk_join_session_keyring($0) }
    }
}
