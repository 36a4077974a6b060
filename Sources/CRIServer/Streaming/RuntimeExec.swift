// An exec stream's command: the OCI runtime's `exec` (runc's command line) in a running
// container, as containerd's shim would run it. Without a terminal the runtime gets our pipes
// and the process inherits them; with one, the runtime sends us the terminal's master over a
// console socket. The runtime stays in the foreground, so its exit status is the command's.
import CRIAPI
import ImageStore
import CRIStreaming
import CSkiffSystem
import Foundation
import Glibc
import RuntimeCore

enum RuntimeExec {
    /// Starts `processFile` (written by writeExecProcess) in container `id`. `scratch` is a
    /// directory for the pid file and the console socket; they are removed when the command ends.
    static func start(runtime: OCIRuntime, id: String, processFile: String, scratch: String,
                      options: StreamOptions) async throws -> ExecProcess {
        let name = String(NodeRuntime.newID().prefix(8))
        let pidFile = scratch + "/x\(name).pid"
        let cleanup: @Sendable () -> Void = { unlink(processFile); unlink(pidFile) }
        var arguments = [runtime.path, "--root", runtime.root, "exec", "--process", processFile, "--pid-file", pidFile]
        // Killing the runtime would leave the command running: kill the command itself. (Its
        // pid is freed only after the runtime reaps it, just before the runtime exits.)
        let killCommand: @Sendable () -> Void = {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 {
                kill(pid, SIGKILL)
            }
        }
        if options.tty {
            let socket = try ConsoleSocket(path: scratch + "/t\(name)")
            defer { socket.close() }
            let errors = scratch + "/x\(name).err"
            defer { unlink(errors) }
            arguments += ["--tty", "--console-socket", socket.path, id]
            let child: ChildProcess
            do {
                child = try ChildProcess(arguments, stdin: .null, stdout: .null, stderr: .open(path: errors, flags: O_WRONLY | O_CREAT | O_TRUNC))
            } catch {
                cleanup()
                throw CRIError.internal("exec in \(id): \(error)")
            }
            let exited = ExitFlag()
            let waiting = Task { let code = await child.wait(); exited.set(); return code }
            let master = try await Blocking.run { try socket.receiveMaster(timeout: .seconds(30)) { exited.isSet } }
            guard let master else {
                killCommand()
                child.signal(SIGKILL)
                let code = await waiting.value
                cleanup()
                let text = ((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "").trimmingTrailingNewlines
                throw CRIError.internal("exec in \(id): the runtime exited \(code) without a terminal: \(text)")
            }
            return ExecProcess(stdio: .terminal(master: master), wait: {
                let code = await waiting.value
                cleanup()
                return code
            }, kill: killCommand)
        }
        arguments.append(id)
        var ours: [Int32] = []
        var theirs: [Int32] = []
        defer { theirs.forEach { close($0) } }
        func pipe(childReads: Bool) throws -> (ours: Int32, theirs: Int32) {
            var fds: [Int32] = [0, 0]
            guard sk_pipe2(&fds, O_CLOEXEC) == 0 else {
                ours.forEach { close($0) }
                throw CRIError.internal("exec in \(id): pipe: \(String(cString: strerror(errno)))")
            }
            let pair = childReads ? (ours: fds[1], theirs: fds[0]) : (ours: fds[0], theirs: fds[1])
            ours.append(pair.ours)
            theirs.append(pair.theirs)
            return pair
        }
        // stdout and stderr are always pipes: what the client did not ask for is read and dropped.
        let stdin = options.stdin ? try pipe(childReads: true) : nil
        let stdout = try pipe(childReads: false)
        let stderr = try pipe(childReads: false)
        let child: ChildProcess
        do {
            child = try ChildProcess(arguments, stdin: stdin.map { .descriptor($0.theirs) } ?? .null,
                                     stdout: .descriptor(stdout.theirs), stderr: .descriptor(stderr.theirs))
        } catch {
            ours.forEach { close($0) }
            cleanup()
            throw CRIError.internal("exec in \(id): \(error)")
        }
        return ExecProcess(stdio: .pipes(stdin: stdin?.ours, stdout: stdout.ours, stderr: stderr.ours), wait: {
            let code = await child.wait()
            cleanup()
            return code
        }, kill: killCommand)
    }
}

/// Set once, read from any thread.
final class ExitFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
