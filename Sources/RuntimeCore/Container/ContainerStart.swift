// `start`: release a created container's process (one byte into exec.fifo), then poststart hooks.
import Glibc
import OCISpec

extension Runtime {
    public func start(_ id: String) throws {
        let container = try load(id)
        let status = container.status
        guard status == .created else { throw RuntimeError("cannot start container \(id): it is \(status.rawValue), not created") }
        let fd = open(container.fifoPath, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            if errno == ENXIO { throw RuntimeError("cannot start container \(id): its process is not waiting") }
            throw RuntimeError.system("open \(container.fifoPath)")
        }
        var byte: UInt8 = 0
        let written = write(fd, &byte, 1)
        close(fd)
        if written != 1 { throw RuntimeError.system("start container \(id): write exec.fifo") }
        unlink(container.fifoPath)
        var state = container.state
        state.status = .running
        do {
            try HookRunner.run(container.record.poststart, kind: "poststart", state: state)
        } catch {
            log.warning("\(error)")
        }
    }
}
