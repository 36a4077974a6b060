// Container events for PLEG-style watchers (GetContainerEvents): each subscriber gets every
// event from the moment it subscribes, through its own buffered stream.
import CRIAPI
import Foundation

final class EventBroadcaster: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncThrowingStream<ContainerEventResponse, any Error>.Continuation] = [:]

    func subscribe() -> AsyncThrowingStream<ContainerEventResponse, any Error> {
        let id = UUID()
        let (stream, continuation) = AsyncThrowingStream<ContainerEventResponse, any Error>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        continuation.onTermination = { [weak self] _ in self?.lock.withLock { _ = self?.subscribers.removeValue(forKey: id) } }
        lock.withLock { subscribers[id] = continuation }
        return stream
    }

    func publish(_ event: ContainerEventResponse) {
        for c in lock.withLock({ Array(subscribers.values) }) { c.yield(event) }
    }
}
