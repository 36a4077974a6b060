// The static pod source on its own (no runtime): a manifest written is delivered within a
// second by inotify, long before the periodic resync; a change and a removal likewise.
import Foundation
import KubeAPI
@testable import Kubelet
import Synchronization
import TestSupport
import XCTest

final class StaticPodSourceTests: XCTestCase {
    func testChangesArriveWithinASecondNotAtTheResync() async throws {
        let directory = try makeScratchDirectory("source")
        defer { removeScratch(directory) }
        let source = StaticPodSource(directory: directory, nodeName: "n1", resyncPeriod: .seconds(60), logger: KubeletLogger { _, _ in })
        let snapshots = Delivered()
        let running = Task { await source.run { snapshot in snapshots.withLock { $0.append((.now, snapshot.pods)) } } }
        defer { running.cancel() }

        /// Writes (or removes) a file and returns how long until a snapshot with `expected` pods came.
        func latency(_ change: () throws -> Void, until expected: @escaping ([Pod]) -> Bool) async throws -> Duration {
            try await Task.sleep(for: .milliseconds(200))
            let before = snapshots.withLock { $0.count }
            let started = ContinuousClock.now
            try change()
            for _ in 0..<100 {
                if let hit = snapshots.withLock({ $0.dropFirst(before).first { expected($0.pods) } }) { return hit.at - started }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw TestFailure("no snapshot within 2 s: \(snapshots.withLock { $0.map { $0.pods.map(\.name) } })")
        }
        let manifest = { (image: String) in "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: a, image: \"\(image)\"}]}\n" }
        let added = try await latency({ try manifest("x:1").write(toFile: directory + "/web.yaml", atomically: true, encoding: .utf8) }) {
            $0.map(\.name) == ["web-n1"]
        }
        let changed = try await latency({ try manifest("x:2").write(toFile: directory + "/web.yaml", atomically: false, encoding: .utf8) }) {
            $0.first?.spec.containers.first?.image == "x:2"
        }
        let removed = try await latency({ unlink(directory + "/web.yaml") }) { $0.isEmpty }
        for (what, took) in [("added", added), ("changed", changed), ("removed", removed)] {
            XCTAssertLessThan(took, .seconds(1), "\(what): \(took)")
        }
    }
}

/// The snapshots the source delivered, and when.
private final class Delivered: Sendable {
    private let list = Mutex<[(at: ContinuousClock.Instant, pods: [Pod])]>([])
    func withLock<T>(_ body: (inout [(at: ContinuousClock.Instant, pods: [Pod])]) -> T) -> T { list.withLock { body(&$0) } }
}
