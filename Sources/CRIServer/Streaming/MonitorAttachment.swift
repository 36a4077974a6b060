// Attach's backend: a connection to the container monitor's attach socket (output framed by
// stream, stdin messages) and its control socket for terminal resizes.
import ImageStore
import ContainerMonitor
import CRIStreaming
import Dispatch
import Glibc

final class MonitorAttachment: AttachedContainer {
    private let connection: AttachConnection
    private let control: MonitorControl
    private let terminal: Bool

    init(directory: String, terminal: Bool) throws {
        connection = try AttachConnection(socketPath: directory + "/attach")
        control = MonitorControl(socketPath: directory + "/control")
        self.terminal = terminal
    }

    func read() async throws -> (channel: StreamChannel, bytes: [UInt8])? {
        let connection = connection
        // A read waits as long as the container is silent: on a thread of its own, not the
        // bounded pool that short blocking calls share (a few idle attaches would starve it).
        let read: AttachConnection.Output? = try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async { c.resume(with: Result { try connection.read() }) }
        }
        guard let output = read else { return nil }
        return (output.stream == .stderr ? .stderr : .stdout, output.bytes)
    }

    func write(_ bytes: [UInt8]) async throws {
        let connection = connection
        try await Blocking.run { try connection.write(bytes) }
    }

    func closeStdin() async throws { try connection.closeStdin() }

    func resize(_ size: TerminalSize) async throws {
        guard terminal else { return }
        let control = control
        try await Blocking.run { try control.resize(rows: size.height, columns: size.width) }
    }

    /// Shut down, not closed: a read blocked on the descriptor returns, and the descriptor is
    /// closed with the connection.
    func close() { shutdown(connection.fileDescriptor, Int32(SHUT_RDWR)) }
}
