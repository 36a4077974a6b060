// The PLEG: notices changes in the runtime and wakes the pods they concern. A relist every
// period (ListPodSandbox and ListContainers, compared with the last) catches everything; the
// daemon's GetContainerEvents stream makes an exit visible at once.
import CRIAPI
import Foundation

struct PodLifecycleEvents: Sendable {
    let cri: CRIClient
    let period: Duration
    let logger: KubeletLogger
    let onChange: @Sendable (Set<String>) async -> Void

    /// Relists until cancelled.
    func relist() async {
        var last: [String: String] = [:]
        var failing = false
        while !Task.isCancelled {
            do {
                let sandboxes = try await cri.listPodSandbox().items
                let containers = try await cri.listContainers().containers
                var fingerprints: [String: [String]] = [:]
                for s in sandboxes {
                    guard let uid = s.labels[RuntimeLabels.podUID] else { continue }
                    fingerprints[uid, default: []].append("s:\(s.id):\(s.state.rawValue)")
                }
                for c in containers {
                    guard let uid = c.labels[RuntimeLabels.podUID] else { continue }
                    fingerprints[uid, default: []].append("c:\(c.id):\(c.state.rawValue)")
                }
                let current = fingerprints.mapValues { $0.sorted().joined(separator: ",") }
                let changed = Set(current.keys).union(last.keys).filter { current[$0] != last[$0] }
                last = current
                if failing { logger.info("container runtime is reachable again") }
                failing = false
                if !changed.isEmpty { await onChange(changed) }
            } catch {
                if !failing { logger.error("PLEG relist: \(error)") }
                failing = true
            }
            try? await Task.sleep(for: period)
        }
    }

    /// Follows the runtime's container events until cancelled, reconnecting after failures.
    func followEvents() async {
        while !Task.isCancelled {
            do {
                for try await event in cri.containerEvents() {
                    let uid = event.podSandboxStatus?.metadata.uid
                        ?? event.containersStatuses.first?.labels[RuntimeLabels.podUID]
                    if let uid, !uid.isEmpty { await onChange([uid]) }
                }
            } catch is CancellationError {
                return
            } catch {
                // The relist covers the gap; try again shortly.
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
