// Mount options of config.json → mount(2) flags, propagation and the data string.
import Glibc

public struct MountOptions: Equatable {
    public var flags: UInt = 0
    public var clearFlags: UInt = 0       // flags an option turned off (e.g. "rw", "suid")
    public var propagation: [UInt] = []  // applied after the mount, in order
    public var data: [String] = []
    public var recursiveAttrSet: UInt64 = 0   // "rro", "rnosuid", ... (mount_setattr)
    public var recursiveAttrClear: UInt64 = 0
    public var tmpcopyup = false

    public var isBind: Bool { flags & UInt(MS_BIND) != 0 }
    public var isReadonly: Bool { flags & UInt(MS_RDONLY) != 0 }
    public var dataString: String { data.joined(separator: ",") }

    static let setters: [String: UInt] = [
        "ro": UInt(MS_RDONLY), "nosuid": UInt(MS_NOSUID), "nodev": UInt(MS_NODEV), "noexec": UInt(MS_NOEXEC),
        "sync": UInt(MS_SYNCHRONOUS), "dirsync": UInt(MS_DIRSYNC), "remount": UInt(MS_REMOUNT),
        "mand": UInt(MS_MANDLOCK), "noatime": UInt(MS_NOATIME), "nodiratime": UInt(MS_NODIRATIME),
        "bind": UInt(MS_BIND), "rbind": UInt(MS_BIND | MS_REC), "relatime": UInt(MS_RELATIME),
        "strictatime": UInt(MS_STRICTATIME), "lazytime": UInt(MS_LAZYTIME), "silent": UInt(MS_SILENT),
        "iversion": UInt(MS_I_VERSION),
    ]
    static let clearers: [String: UInt] = [
        "rw": UInt(MS_RDONLY), "suid": UInt(MS_NOSUID), "dev": UInt(MS_NODEV), "exec": UInt(MS_NOEXEC),
        "async": UInt(MS_SYNCHRONOUS), "nomand": UInt(MS_MANDLOCK), "atime": UInt(MS_NOATIME),
        "diratime": UInt(MS_NODIRATIME), "norelatime": UInt(MS_RELATIME), "nostrictatime": UInt(MS_STRICTATIME),
        "nolazytime": UInt(MS_LAZYTIME), "loud": UInt(MS_SILENT), "noiversion": UInt(MS_I_VERSION),
    ]
    public static let propagation: [String: UInt] = [
        "private": UInt(MS_PRIVATE), "rprivate": UInt(MS_PRIVATE | MS_REC),
        "shared": UInt(MS_SHARED), "rshared": UInt(MS_SHARED | MS_REC),
        "slave": UInt(MS_SLAVE), "rslave": UInt(MS_SLAVE | MS_REC),
        "unbindable": UInt(MS_UNBINDABLE), "runbindable": UInt(MS_UNBINDABLE | MS_REC),
    ]
    // MOUNT_ATTR_* for the recursive variants, applied with mount_setattr(AT_RECURSIVE).
    static let recursiveAttrs: [String: (set: Bool, attr: UInt64)] = [
        "rro": (true, 0x1), "rrw": (false, 0x1), "rnosuid": (true, 0x2), "rsuid": (false, 0x2),
        "rnodev": (true, 0x4), "rdev": (false, 0x4), "rnoexec": (true, 0x8), "rexec": (false, 0x8),
        "rnodiratime": (true, 0x80), "rdiratime": (false, 0x80), "rrelatime": (true, 0x0),
        "rnoatime": (true, 0x10), "rstrictatime": (true, 0x20),
    ]

    /// Every option name this runtime understands, for `features`.
    public static var known: [String] {
        (Array(setters.keys) + Array(clearers.keys) + Array(propagation.keys) + Array(recursiveAttrs.keys) + ["tmpcopyup"]).sorted()
    }

    public init(_ options: [String]) {
        for option in options {
            if let flag = Self.setters[option] {
                flags |= flag; clearFlags &= ~flag
            } else if let flag = Self.clearers[option] {
                flags &= ~flag; clearFlags |= flag
            } else if let flag = Self.propagation[option] {
                propagation.append(flag)
            } else if let attr = Self.recursiveAttrs[option] {
                if attr.set { recursiveAttrSet |= attr.attr } else { recursiveAttrClear |= attr.attr }
            } else if option == "tmpcopyup" {
                tmpcopyup = true
            } else {
                data.append(option)   // filesystem-specific: mode=755, size=64k, ...
            }
        }
    }
}
