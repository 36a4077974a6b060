// Noticing container exits as they happen: each container's monitor writes its exit record
// into one directory by rename, and this watches that directory with inotify on a thread of
// its own, so a status change reaches the daemon (and its event stream) at once, not at the
// next poll.
import Foundation
import Glibc

final class ExitWatcher: @unchecked Sendable {
    private let directory: String
    private let fd: Int32
    private let onExit: @Sendable (String) -> Void

    /// Watches `directory` (created if missing) and calls `onExit` with each file name that
    /// appears in it, from the watcher's own thread.
    init(directory: String, onExit: @escaping @Sendable (String) -> Void) throws {
        self.directory = directory
        self.onExit = onExit
        mkdir(directory, 0o700)
        fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { throw CRIServerError.internal("inotify_init1: \(String(cString: strerror(errno)))") }
        guard inotify_add_watch(fd, directory, UInt32(IN_MOVED_TO | IN_CLOSE_WRITE)) >= 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw CRIServerError.internal("inotify watch \(directory): \(message)")
        }
        let thread = Thread { [self] in self.loop() }
        thread.name = "exit-watcher"
        thread.start()
    }

    private func loop() {
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, size)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            var offset = 0
            while offset < n {
                let event = buffer.advanced(by: offset).assumingMemoryBound(to: inotify_event.self)
                let length = Int(event.pointee.len)
                if length > 0 {
                    let namePointer = buffer.advanced(by: offset + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self)
                    let name = String(cString: namePointer)
                    if !name.contains(".") { onExit(name) }   // ids are hex: "x.tmp" is a record being written
                }
                offset += MemoryLayout<inotify_event>.size + length
            }
        }
    }
}
