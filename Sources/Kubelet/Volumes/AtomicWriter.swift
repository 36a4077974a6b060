// Writes a volume's files (configMap, secret, downwardAPI, projected) the way the kubelet does,
// so a container never sees half an update: the files go into a fresh hidden directory, then
// one rename swaps the "..data" symlink to it; each visible name is a symlink through ..data.
import Foundation

struct AtomicWriter {
    struct File: Equatable {
        var content: Data
        var mode: Int32
    }

    let directory: String
    /// A group to own the files (the pod's fsGroup).
    var group: Int64?

    /// Makes the directory hold exactly `payload` (relative path → file); a no-op when it does.
    func write(_ payload: [String: File]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let data = directory + "/..data"
        let current = (try? FileManager.default.destinationOfSymbolicLink(atPath: data)).map { directory + "/" + $0 }
        if let current, matches(current, payload) { return }

        let stamp = "..\(Int(Date().timeIntervalSince1970 * 1e6))_\(UInt32.random(in: 0...UInt32.max))"
        let fresh = directory + "/" + stamp
        try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: false)
        chmod(fresh, 0o755)
        for (path, file) in payload {
            let target = fresh + "/" + path
            let parent = (target as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: target, contents: file.content) else {
                throw KubeletError.setup("write \(target): \(String(cString: strerror(errno)))")
            }
            chmod(target, mode_t(file.mode))
            if let group { chown(target, uid_t.max, gid_t(group)) }
        }
        let temporary = directory + "/..data_tmp"
        unlink(temporary)
        guard symlink(stamp, temporary) == 0, rename(temporary, data) == 0 else {
            throw KubeletError.setup("swap \(data) to \(stamp): \(String(cString: strerror(errno)))")
        }
        let visible = Set(payload.keys.map { String($0.split(separator: "/").first!) })
        for name in visible {
            let link = directory + "/" + name
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) != "..data/" + name {
                unlink(link)
                symlink("..data/" + name, link)
            }
        }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            if entry.hasPrefix("..") {
                if entry != stamp && entry != "..data" { try? FileManager.default.removeItem(atPath: directory + "/" + entry) }
            } else if !visible.contains(entry) {
                unlink(directory + "/" + entry)
            }
        }
    }

    private func matches(_ current: String, _ payload: [String: File]) -> Bool {
        var count = 0
        guard let walker = FileManager.default.enumerator(atPath: current) else { return false }
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: current + "/" + relative, isDirectory: &isDirectory)
            if isDirectory.boolValue { continue }
            count += 1
            guard let want = payload[relative], FileManager.default.contents(atPath: current + "/" + relative) == want.content else { return false }
        }
        return count == payload.count
    }
}
