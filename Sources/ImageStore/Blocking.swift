// Blocking work (unpacking a layer: thousands of syscalls) kept off Swift concurrency's
// cooperative threads, of which there are only as many as cores.
import Dispatch

enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}
