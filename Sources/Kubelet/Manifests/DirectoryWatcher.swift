// inotify on one directory: calls back (on its own thread) whenever a file in it is created,
// written, renamed or removed, so a new manifest is seen at once rather than at the next resync.
// The callback says whether the files are settled: every file the events named was last
// closed after writing, renamed in, or removed (not, say, still being written). Dotfiles are
// not manifests: their events (an editor's or a tool's temporary file) are left out.
import Foundation
import Synchronization

final class DirectoryWatcher: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let path: String
    private let onChange: @Sendable (_ settled: Bool) -> Void

    init(path: String, onChange: @escaping @Sendable (_ settled: Bool) -> Void) {
        self.path = path
        self.onChange = onChange
    }

    /// Starts watching; false when the directory cannot be watched (missing: the caller's
    /// resync notices when it appears and starts a watcher then).
    func start() -> Bool {
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { return false }
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_MODIFY | IN_ATTRIB
                          | IN_DELETE_SELF | IN_MOVE_SELF)
        guard inotify_add_watch(fd, path, mask) >= 0 else {
            close(fd)
            return false
        }
        let thread = Thread { [self] in
            watch(fd)
            close(fd)
        }
        thread.name = "manifest-watch"
        thread.start()
        return true
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    var isRunning: Bool { !stopped.load(ordering: .relaxed) }

    private func watch(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while !stopped.load(ordering: .relaxed) {
            // A short timeout keeps stop() prompt without a wake-up pipe.
            guard poll(&poller, 1, 200) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { continue }
            var gone = false
            var offset = 0
            var lastEvent: [[UInt8]: UInt32] = [:]   // by file name
            while offset + MemoryLayout<inotify_event>.size <= n {
                let (mask, length) = buffer.withUnsafeBytes { raw in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.mask, Int(event.len))
                }
                if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 { gone = true }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                let name = Array(buffer[nameStart..<min(n, nameStart + length)].prefix { $0 != 0 })
                if name.first != UInt8(ascii: ".") { lastEvent[name] = mask }
                offset = nameStart + length
            }
            let finished = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM)
            if !lastEvent.isEmpty || gone { onChange(lastEvent.values.allSatisfy { $0 & finished != 0 }) }
            if gone {
                stopped.store(true, ordering: .relaxed)
            }
        }
    }
}
