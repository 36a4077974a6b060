// Attach's backend: a connection to the container monitor's attach socket (output framed by
// stream, stdin messages) and its control socket for terminal resizes.
import ContainerMonitor
import CRIStreaming
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
        guard let output = try await Blocking.run({ try connection.read() }) else { return nil }
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
