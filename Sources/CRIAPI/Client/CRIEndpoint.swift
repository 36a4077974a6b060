// The runtime endpoint as crictl and the kubelet spell it: "unix:///run/skiff/cri.sock".

/// A parsed CRI endpoint. Only Unix sockets: `unix:///absolute/path`, or a bare absolute path
/// (which older kubelets accepted).
public struct CRIEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// Where skiff-cri listens unless told otherwise.
    public static let defaultSocketPath = "/run/skiff/cri.sock"
    public static let `default` = CRIEndpoint(socketPath: defaultSocketPath)

    public var socketPath: String

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    public init(parsing endpoint: String) throws {
        let text = endpoint.trimmingWhitespace
        if text.hasPrefix("/") {
            socketPath = text
            return
        }
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw CRIError(.invalidArgument, """
                endpoint "\(endpoint)" is neither unix:///path nor an absolute socket path
                """)
        }
        let scheme = text[..<schemeEnd.lowerBound]
        let path = String(text[schemeEnd.upperBound...])
        guard scheme == "unix" else {
            throw CRIError(.invalidArgument, """
                endpoint "\(endpoint)": unsupported scheme "\(scheme)"; skiff-cri listens on a unix \
                socket (unix://\(Self.defaultSocketPath))
                """)
        }
        guard path.hasPrefix("/") else {
            throw CRIError(.invalidArgument, """
                endpoint "\(endpoint)": the socket path must be absolute (unix:///\(path))
                """)
        }
        socketPath = path
    }

    /// "unix:///run/skiff/cri.sock"
    public var description: String { "unix://\(socketPath)" }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
