// Blocking work (unpacking a layer, launching a monitor, a CNI plugin, a mount) kept off Swift
// concurrency's cooperative threads, of which there are only as many as cores, on a fixed pool:
// Dispatch's global queues add a thread for every call that blocks, and each new thread grows a
// daemon's resident memory (stack, malloc arena) for good.
import NIOPosix

public enum Blocking {
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        return pool
    }()

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive { try body() }
    }
}
