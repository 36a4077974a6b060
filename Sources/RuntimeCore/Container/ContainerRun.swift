// `run`: create, start, and (unless detached) wait for the exit, then delete.
import Glibc
import OCISpec

extension Runtime {
    /// Returns the container process's exit code (0 when detached).
    public func run(_ options: CreateOptions, detach: Bool) throws -> Int32 {
        let signalFD = detach ? -1 : try Foreground.blockSignals()
        let (container, master) = try create(options, consoleReceiver: !detach)
        do {
            try start(container.id)
        } catch {
            try? destroy(container)
            throw error
        }
        if detach { return 0 }
        let code = Foreground.wait(pid: container.record.pid, signalFD: signalFD, terminal: master)
        if let master { close(master) }
        try destroy(container)
        return code
    }
}
