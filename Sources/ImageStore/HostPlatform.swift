// Which platform's manifest a node wants from an index: its own, as `uname -m` reports it,
// in the GOARCH names images use (containerd's platforms.DefaultSpec does the same).
import Glibc
import OCISpec

public enum HostPlatform {
    public static var current: Platform {
        var u = utsname()
        uname(&u)
        let machine = withUnsafeBytes(of: u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return platform(forMachine: machine)
    }

    static func platform(forMachine machine: String) -> Platform {
        switch machine {
        case "x86_64": return Platform(architecture: "amd64", os: "linux")
        case "aarch64", "arm64": return Platform(architecture: "arm64", os: "linux", variant: "v8")
        case "armv7l", "armv7": return Platform(architecture: "arm", os: "linux", variant: "v7")
        case "armv6l": return Platform(architecture: "arm", os: "linux", variant: "v6")
        case "i386", "i686": return Platform(architecture: "386", os: "linux")
        default: return Platform(architecture: machine, os: "linux")
        }
    }

    /// Same OS and architecture; a variant counts only when both sides name one
    /// (arm64 images often omit "v8").
    public static func matches(_ candidate: Platform, wanted: Platform) -> Bool {
        guard candidate.os == wanted.os, candidate.architecture == wanted.architecture else { return false }
        if let v = candidate.variant, let w = wanted.variant, v != w { return false }
        return true
    }
}
