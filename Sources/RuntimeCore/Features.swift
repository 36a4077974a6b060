// `skiff-runtime features`: the runtime-spec features document, built from the tables the code
// itself uses, so it cannot advertise what the runtime would then refuse.
import OCISpec

public enum RuntimeFeatures {
    public static let hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]

    /// Namespace types the runtime can create or join (one clone flag each in CSkiffSystem).
    public static let namespaces = ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"]

    /// `mountOptions`: what the mount code recognises; it owns that list, so it is passed in.
    public static func features(mountOptions: [String]) -> Features {
        var linux = Features.Linux()
        linux.namespaces = namespaces
        linux.capabilities = CapabilitySet.allNames
        // cgroupfs drivers for v1, v2 and hybrid hosts; no systemd driver.
        linux.cgroup = Features.Cgroup(v1: true, v2: true, systemd: false, systemdUser: false, rdma: false)
        linux.seccomp = Features.Seccomp(
            enabled: true,
            actions: SeccompTables.actionNames,
            operators: SeccompTables.operators.map(\.name),
            archs: SeccompTables.supportedArchitectureNames,
            knownFlags: SeccompTables.knownFlagNames,
            supportedFlags: SeccompTables.supportedFlagNames)
        // "enabled" here means the host has the LSM; the runtime applies no profiles or labels yet.
        linux.apparmor = Features.Enabled(enabled: FileIO.exists("/sys/kernel/security/apparmor"))
        linux.selinux = Features.Enabled(enabled: FileIO.exists("/sys/fs/selinux"))
        linux.intelRdt = Features.Enabled(enabled: false)
        linux.mountExtensions = Features.MountExtensions(idmap: Features.Enabled(enabled: false))

        return Features(
            ociVersionMin: "1.0.0",
            ociVersionMax: specVersion,
            hooks: hooks,
            mountOptions: mountOptions,
            linux: linux,
            annotations: ["io.github.seccomp.libseccomp.version": SeccompTables.libraryVersion])
    }
}
