// `skiffctl port-forward POD [LOCAL:]REMOTE...`: listens on local ports and forwards each
// connection to the pod's port through a PortForward stream (a new one per connection, as a
// stream URL works once), until interrupted.
import CRIAPI
import CRIStreaming
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

public struct ForwardPorts: Sendable {
    public struct Mapping: Sendable, Equatable {
        /// 0: any free port.
        public var local: Int
        public var remote: UInt16

        /// "8080" (the same port here), "8081:80", ":80" (any free local port).
        public init(parsing text: String) throws {
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let remote = UInt16(parts.last!), remote > 0 else {
                throw CtlError("port-forward", "\"\(text)\": the pod's port must be a number in 1-65535 ([LOCAL:]REMOTE)")
            }
            self.remote = remote
            if parts.count == 1 {
                local = Int(remote)
            } else if parts[0].isEmpty {
                local = 0
            } else if let local = Int(parts[0]), (0...65535).contains(local) {
                self.local = local
            } else {
                throw CtlError("port-forward", "\"\(text)\": the local port must be a number in 0-65535 ([LOCAL:]REMOTE)")
            }
        }
    }

    public var pod: String
    public var mappings: [Mapping]
    public var address = "127.0.0.1"

    public init(pod: String, mappings: [Mapping]) {
        self.pod = pod
        self.mappings = mappings
    }

    /// Forwards until SIGINT or SIGTERM; 0 then.
    public func run(_ context: CtlContext) async throws -> Int32 {
        guard !mappings.isEmpty else { throw CtlError("port-forward", "name at least one port ([LOCAL:]REMOTE)") }
        let id = try await context.podID(pod)
        let runtime = context.runtime
        let console = context.console
        var forwarders: [PortForwarder] = []
        for mapping in mappings {
            let remote = mapping.remote
            let forwarder = try await CtlError.during("port-forward to pod \(id)") {
                try await PortForwarder.listen(remotePort: remote, localHost: address, localPort: mapping.local, newURL: {
                    try await runtime.portForward(PortForwardRequest(podSandboxId: id, port: [Int32(remote)])).url
                }, report: { message in console.write("skiffctl: \(message)\n", to: .stderr) })
            }
            forwarders.append(forwarder)
            console.line("Forwarding from \(address):\(forwarder.localPort) -> \(remote)")
        }
        let stop = forwarders
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { stop.forEach { $0.shutdown() } }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for forwarder in forwarders { group.addTask { try await forwarder.run() } }
            try await group.waitForAll()
        }
        return 0
    }
}
