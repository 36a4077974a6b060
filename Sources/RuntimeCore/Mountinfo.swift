// Reading /proc/<pid>/mountinfo.
import Glibc

/// The fields of one /proc/<pid>/mountinfo line that the runtime needs.
struct MountinfoLine {
    var root: String
    var mountPoint: String
    var fsType: String
    var superOptions: String
    /// Whether the mount is in a shared peer group (an optional field "shared:N").
    var isShared: Bool

    // "36 35 98:0 /root /mnt rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
    init?(_ line: Substring) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let dash = fields.firstIndex(of: "-"), dash >= 6, fields.count >= dash + 3 else { return nil }
        root = unescapeMountinfo(fields[3])
        mountPoint = unescapeMountinfo(fields[4])
        fsType = String(fields[dash + 1])
        superOptions = fields.count > dash + 3 ? String(fields[dash + 3]) : ""
        isShared = fields[6..<dash].contains { $0.hasPrefix("shared:") }
    }
}

/// mountinfo writes space, tab, newline and backslash in paths as octal escapes (\040).
func unescapeMountinfo(_ s: Substring) -> String {
    guard s.contains("\\") else { return String(s) }
    var out: [UInt8] = []
    let bytes = Array(s.utf8)
    var i = 0
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count {
            let digits = bytes[(i + 1)...(i + 3)]
            if digits.allSatisfy({ $0 >= 48 && $0 <= 55 }) {
                out.append(UInt8(truncatingIfNeeded: digits.reduce(0) { $0 * 8 + Int($1 - 48) }))
                i += 4
                continue
            }
        }
        out.append(bytes[i])
        i += 1
    }
    return String(decoding: out, as: UTF8.self)
}
