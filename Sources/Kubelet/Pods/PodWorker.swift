// One pod's worker: its own task, syncing the pod each time something wakes it (a runtime
// event, the periodic resync, the end of a back-off), until the pod goes; then it stops the
// pod and reports that it has finished. A worker that fails or waits never holds up another.
import Foundation
import KubeAPI
import Synchronization

final class PodWorker: Sendable {
    let uid: String
    private struct Control {
        var pod: Pod
        var terminateReason: String?
    }

    private let control: Mutex<Control>
    private let wakeups: AsyncStream<Void>.Continuation
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(pod: Pod, sync: PodSync, onFinished: @escaping @Sendable (String) async -> Void) {
        uid = pod.uid
        control = Mutex(Control(pod: pod))
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wakeups = continuation
        let settings = sync.settings
        let started = Task { [self] in
            var state = PodSyncState(crashLoop: settings.crashLoopBackOff, imagePull: settings.imagePullBackOff)
            var timer: Task<Void, Never>?
            for await _ in stream {
                let (pod, reason) = self.control.withLock { ($0.pod, $0.terminateReason) }
                if let reason {
                    timer?.cancel()
                    await sync.terminate(pod, reason: reason)
                    break
                }
                let next = await sync.sync(pod, state: &state)
                timer?.cancel()
                timer = next.map { delay in
                    Task {
                        try? await Task.sleep(for: delay)
                        if !Task.isCancelled { continuation.yield() }
                    }
                }
            }
            timer?.cancel()
            await onFinished(self.uid)
        }
        task.withLock { $0 = started }
        continuation.yield()
    }

    var pod: Pod { control.withLock { $0.pod } }
    var isTerminating: Bool { control.withLock { $0.terminateReason != nil } }

    func wake() { wakeups.yield() }

    /// The pod's spec changed under the same UID: the next sync works to the new one.
    func update(_ pod: Pod) {
        control.withLock { $0.pod = pod }
        wakeups.yield()
    }

    /// Stops the pod and removes it; the worker then finishes.
    func terminate(reason: String) {
        control.withLock { if $0.terminateReason == nil { $0.terminateReason = reason } }
        wakeups.yield()
    }

    /// Stops working on the pod without touching it (the kubelet is shutting down).
    func abandon() {
        wakeups.finish()
        task.withLock { $0?.cancel() }
    }

    func wait() async { await task.withLock { $0 }?.value }
}
