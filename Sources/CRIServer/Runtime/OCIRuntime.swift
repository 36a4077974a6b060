// The low-level OCI runtime a runtime handler names (skiff-runtime by default; runc or crun
// per pod, as containerd's runtime classes), driven through its runc-compatible command line.
// `create` is not here: the container's monitor runs it, so that the monitor holds the
// container's stdio and is its parent (see ContainerMonitor).
import CRIAPI

public struct OCIRuntime: Sendable, Equatable {
    /// The handler name pods ask for ("" or "skiff" is the default).
    public var handler: String
    public var path: String
    /// The runtime's --root: its state directory, one per handler.
    public var root: String

    public init(handler: String, path: String, root: String) {
        self.handler = handler; self.path = path; self.root = root
    }

    public func start(_ id: String) async throws { try await call(["start", id]) }

    /// Sends a signal to the container's init process, or to all its processes.
    /// A container already gone is not an error: stopping is idempotent.
    public func kill(_ id: String, signal: Int32, all: Bool = false) async throws {
        let r = try await call(["kill"] + (all ? ["--all"] : []) + [id, String(signal)], allowFailure: true)
        if r.status != 0 && !Self.saysNotFound(r.stderrText) && !r.stderrText.contains("not running") {
            throw CRIError.internal("\(handler) runtime: kill \(id): \(r.stderrText)")
        }
    }

    /// Deletes the runtime's state (and cgroup) of a container; gone already is fine.
    public func delete(_ id: String, force: Bool = false) async throws {
        let r = try await call(["delete"] + (force ? ["--force"] : []) + [id], allowFailure: true)
        if r.status != 0 && !Self.saysNotFound(r.stderrText) {
            throw CRIError.internal("\(handler) runtime: delete \(id): \(r.stderrText)")
        }
    }

    /// `update -r -`: new cgroup limits (an OCI LinuxResources JSON).
    public func update(_ id: String, resources: [UInt8]) async throws {
        try await call(["update", "-r", "-", id], input: resources)
    }

    @discardableResult
    func call(_ arguments: [String], input: [UInt8] = [], allowFailure: Bool = false,
              timeout: Duration = .seconds(60)) async throws -> ProcessResult {
        let r = try await ProcessCall.run(path, ["--root", root] + arguments, input: input, timeout: timeout)
        if r.status != 0 && !allowFailure {
            throw CRIError.internal("\(handler) runtime: \(arguments.first ?? "") failed: \(r.stderrText)")
        }
        return r
    }

    /// runc says "container does not exist"; crun "does not exist" or "No such file".
    static func saysNotFound(_ text: String) -> Bool {
        text.contains("does not exist") || text.contains("not found") || text.contains("No such file")
    }
}
