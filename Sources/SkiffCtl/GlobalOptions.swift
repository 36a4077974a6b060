// The flags that come before the verb, as crictl has them: `skiffctl -r unix:///x.sock --timeout 5s ps`.
// They are split off before the verb's own flags are parsed, because verbs reuse the same
// short names (`exec -t` is a tty, `logs -t` timestamps, the global `-t` a timeout).

public struct GlobalOptions: Sendable, Equatable {
    /// Where skiff-cri listens: -r/--runtime-endpoint, else $CONTAINER_RUNTIME_ENDPOINT, else
    /// unix:///run/skiff/cri.sock.
    public var runtimeEndpoint: String
    /// ImageService calls go here: -i/--image-endpoint, else $IMAGE_SERVICE_ENDPOINT, else the
    /// runtime endpoint (skiff-cri serves both on one socket).
    public var imageEndpoint: String
    /// The longest one call may take.
    public var timeout: Duration

    public static let defaultEndpoint = "unix:///run/skiff/cri.sock"
    public static let defaultTimeout: Duration = .seconds(120)

    public init(runtimeEndpoint: String = GlobalOptions.defaultEndpoint, imageEndpoint: String? = nil,
                timeout: Duration = GlobalOptions.defaultTimeout) {
        self.runtimeEndpoint = runtimeEndpoint
        self.imageEndpoint = imageEndpoint ?? runtimeEndpoint
        self.timeout = timeout
    }

    /// Help text for the global flags (the verbs' help is ArgumentParser's).
    public static let help = """
        Global options (before the command):
          -r, --runtime-endpoint <endpoint>  skiff-cri's socket, unix:///path (default: $CONTAINER_RUNTIME_ENDPOINT, \
        else \(defaultEndpoint))
          -i, --image-endpoint <endpoint>    the image service's socket (default: $IMAGE_SERVICE_ENDPOINT, else the runtime endpoint)
          -t, --timeout <duration>           the longest one call may take: 2s, 1m30s, or seconds (default: 2m)
        """

    /// Reads the global flags at the front of `arguments` (the program name excluded) and
    /// returns them with the rest, which starts at the verb. `environment` supplies the
    /// endpoint variables crictl reads.
    public static func parse(_ arguments: [String], environment: [String: String] = [:]) throws
        -> (options: GlobalOptions, rest: [String])
    {
        var runtime = environment["CONTAINER_RUNTIME_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
        var image = environment["IMAGE_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
        var timeout = defaultTimeout
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            var (name, inlineValue) = (argument, String?.none)
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard ["-r", "--runtime-endpoint", "-i", "--image-endpoint", "-t", "--timeout"].contains(name) else { break }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index + 1 < arguments.count else { throw CtlError("\(name)", "needs a value") }
                value = arguments[index + 1]
                index += 1
            }
            index += 1
            switch name {
            case "-r", "--runtime-endpoint": runtime = value
            case "-i", "--image-endpoint": image = value
            default:
                guard let parsed = DurationText.parse(value), parsed > .zero else {
                    throw CtlError("\(name) \(value)", "not a duration (examples: 2s, 1m30s, 500ms, 10)")
                }
                timeout = parsed
            }
        }
        let options = GlobalOptions(runtimeEndpoint: runtime ?? defaultEndpoint, imageEndpoint: image ?? runtime,
                                    timeout: timeout)
        return (options, Array(arguments[index...]))
    }
}
