// A pod as the runtime sees it: its sandboxes (newest first) and every container, with the
// kubelet's labels read back. Built from CRI on each sync; the kubelet keeps no copy.
import CRIAPI
import Foundation

struct RuntimePod: Sendable {
    var sandboxes: [PodSandboxStatus] = []
    /// Every container of every sandbox, newest first.
    var containers: [RuntimeContainer] = []

    var newestSandbox: PodSandboxStatus? { sandboxes.first }

    /// The latest and earlier instances of the container named `name`, newest first.
    func instances(of name: String) -> [RuntimeContainer] {
        containers.filter { $0.name == name }
    }

    func latest(_ name: String) -> RuntimeContainer? { instances(of: name).first }

    var podIPs: [String] {
        guard let network = newestSandbox?.network, !network.ip.isEmpty else { return [] }
        return [network.ip] + network.additionalIps.map(\.ip)
    }

    static func load(uid: String, cri: CRIClient) async throws -> RuntimePod {
        var filter = PodSandboxFilter()
        filter.labelSelector = [RuntimeLabels.podUID: uid]
        let list = try await cri.listPodSandbox(ListPodSandboxRequest(filter: filter))
        var pod = RuntimePod()
        for sandbox in list.items.sorted(by: { $0.createdAt > $1.createdAt }) {
            // A sandbox removed between the list and this call is simply gone.
            guard let status = try? await cri.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: sandbox.id)) else { continue }
            pod.sandboxes.append(status.status)
            pod.containers += status.containersStatuses.map { RuntimeContainer(status: $0, sandboxID: sandbox.id) }
        }
        pod.containers.sort { ($0.restartCount, $0.status.createdAt) > ($1.restartCount, $1.status.createdAt) }
        return pod
    }
}

struct RuntimeContainer: Sendable {
    var status: ContainerStatus
    var sandboxID: String

    var id: String { status.id }
    var name: String { status.labels[RuntimeLabels.containerName] ?? status.metadata.name }
    var restartCount: Int { Int(status.annotations[RuntimeLabels.restartCount] ?? "") ?? Int(status.metadata.attempt) }
    var state: ContainerState { status.state }
    var isRunning: Bool { status.state == .running }
    var hasExited: Bool { status.state == .exited }
    var exitCode: Int32 { status.exitCode }
    var startedAt: Date? { status.startedAt > 0 ? Date(timeIntervalSince1970: Double(status.startedAt) / 1e9) : nil }
    /// The hash of the spec it was created from (nil: made by a kubelet that kept none).
    var specHash: String? { status.annotations[RuntimeLabels.containerHash] }
    var finishedAt: Date? { status.finishedAt > 0 ? Date(timeIntervalSince1970: Double(status.finishedAt) / 1e9) : nil }
}
