// The user's terminal, for `exec -t`/`attach -t`: raw mode while the remote terminal is in
// charge (keys go through unprocessed, echo comes from the remote side), its size, and its
// changes (SIGWINCH).
import Dispatch
import Glibc

public final class LocalTerminal: Sendable {
    public let fd: Int32
    private let saved: termios

    /// Puts the terminal at `fd` in raw mode; nil when `fd` is not a terminal.
    public init?(rawModeOn fd: Int32) {
        var attributes = termios()
        guard isatty(fd) == 1, tcgetattr(fd, &attributes) == 0 else { return nil }
        self.fd = fd
        saved = attributes
        cfmakeraw(&attributes)
        tcsetattr(fd, TCSANOW, &attributes)
    }

    /// Puts the terminal back as it was.
    public func restore() {
        var attributes = saved
        tcsetattr(fd, TCSANOW, &attributes)
    }

    /// The size of the terminal at `fd`, if it is one.
    public static func size(of fd: Int32) -> TerminalSize? { Pseudoterminal.size(of: fd) }

    /// The size of the terminal at `fd` each time it changes (SIGWINCH), until the stream is
    /// dropped.
    public static func sizeChanges(of fd: Int32) -> AsyncStream<TerminalSize> {
        AsyncStream { continuation in
            let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
            source.setEventHandler {
                if let size = size(of: fd) { continuation.yield(size) }
            }
            source.resume()
            let handle = SignalSource(source)
            continuation.onTermination = { _ in handle.source.cancel() }
        }
    }
}

/// Dispatch sources are thread-safe; the type just does not say so.
private struct SignalSource: @unchecked Sendable {
    let source: any DispatchSourceSignal
    init(_ source: any DispatchSourceSignal) { self.source = source }
}
