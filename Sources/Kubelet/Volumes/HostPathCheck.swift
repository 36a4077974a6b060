// hostPath volume types: create what DirectoryOrCreate/FileOrCreate ask for, and check that
// the others find the kind of file they name.
import Foundation
import KubeAPI

enum HostPathCheck {
    static func prepare(_ path: String, type: HostPathType) throws {
        var st = stat()
        let exists = lstat(path, &st) == 0
        let kind = st.st_mode & S_IFMT
        func fail(_ message: String) -> KubeletError { KubeletError.setup("hostPath type check failed: \(path) \(message)") }
        switch type {
        case .unset:
            return
        case .directoryOrCreate:
            if !exists {
                do {
                    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
                } catch {
                    throw fail("could not be created: \(error.localizedDescription)")
                }
            } else if kind != S_IFDIR {
                throw fail("is not a directory")
            }
        case .directory:
            guard exists else { throw fail("does not exist (type Directory)") }
            guard kind == S_IFDIR else { throw fail("is not a directory") }
        case .fileOrCreate:
            if !exists {
                let parent = (path as NSString).deletingLastPathComponent
                try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
                let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw fail("could not be created: \(String(cString: strerror(errno)))") }
                close(fd)
            } else if kind != S_IFREG {
                throw fail("is not a file")
            }
        case .file:
            guard exists else { throw fail("does not exist (type File)") }
            guard kind == S_IFREG else { throw fail("is not a file") }
        case .socket:
            guard exists, kind == S_IFSOCK else { throw fail(exists ? "is not a socket file" : "does not exist (type Socket)") }
        case .charDevice:
            guard exists, kind == S_IFCHR else { throw fail(exists ? "is not a character device" : "does not exist (type CharDevice)") }
        case .blockDevice:
            guard exists, kind == S_IFBLK else { throw fail(exists ? "is not a block device" : "does not exist (type BlockDevice)") }
        default:
            throw fail("has an unknown hostPath type \"\(type)\"")
        }
    }
}
