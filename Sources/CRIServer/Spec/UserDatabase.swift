// Users and groups as the container's own /etc/passwd and /etc/group name them (never the
// host's): "USER app" in an image means the app of that image.
import Glibc
import RuntimeCore

struct UserDatabase {
    struct Entry { var name: String; var uid: UInt32; var gid: UInt32 }
    private var users: [Entry] = []
    private var groups: [(name: String, gid: UInt32, members: [String])] = []

    init(rootfs: String) {
        for fields in Self.lines(rootfs + "/etc/passwd") where fields.count >= 4 {
            if let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) { users.append(Entry(name: fields[0], uid: uid, gid: gid)) }
        }
        for fields in Self.lines(rootfs + "/etc/group") where fields.count >= 3 {
            if let gid = UInt32(fields[2]) {
                let members = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
                groups.append((fields[0], gid, members))
            }
        }
    }

    func user(named name: String) -> Entry? { users.first { $0.name == name } }
    func user(id: UInt32) -> Entry? { users.first { $0.uid == id } }
    func group(named name: String) -> UInt32? { groups.first { $0.name == name }?.gid }
    /// The groups that list `user` as a member.
    func groups(of user: String) -> [UInt32] { groups.filter { $0.members.contains(user) }.map(\.gid) }

    private static func lines(_ path: String) -> [[String]] {
        // The rootfs is the container's: a symlinked /etc/passwd must not lead out of it.
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, let bytes = try? FileIO.read(path) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }
            .map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
    }
}
