// What every verb is handed: clients for the runtime and image services, and the console.
#if canImport(Glibc)
import Glibc
#endif
import CRIAPI

public struct CtlContext: Sendable {
    public var runtime: CRIClient
    public var images: CRIClient
    public var console: Console
    /// The clock for "x minutes ago"; nanoseconds since the epoch.
    public var now: @Sendable () -> Int64

    public init(runtime: CRIClient, images: CRIClient, console: Console = .standard,
                now: @escaping @Sendable () -> Int64 = { WallClock.nowNanoseconds() }) {
        self.runtime = runtime
        self.images = images
        self.console = console
        self.now = now
    }

    /// Clients for the endpoints `options` name; a malformed endpoint is an error naming it.
    public init(_ options: GlobalOptions, console: Console = .standard) throws {
        let runtime = try CtlError.parsing("runtime endpoint") {
            try CRIClient(endpoint: options.runtimeEndpoint, timeout: options.timeout)
        }
        let images = try CtlError.parsing("image endpoint") {
            try CRIClient(endpoint: options.imageEndpoint, timeout: options.timeout)
        }
        self.init(runtime: runtime, images: images, console: console)
    }
}

public enum WallClock {
    public static func nowNanoseconds() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }
}

extension CtlError {
    static func parsing<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CRIError {
            throw CtlError(what, error.message)
        }
    }
}
