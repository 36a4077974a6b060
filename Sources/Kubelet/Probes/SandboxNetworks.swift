// Where each pod's network namespace is, for connecting from inside it: skiff-cri names it in
// PodSandboxStatus's verbose info ("netns"); a pod on the node's network (no netns file) is
// reached through its pause process's /proc/<pid>/ns/net. Looked up once per sandbox.
import CRIAPI
import Foundation
import Synchronization

final class SandboxNetworks: Sendable {
    private let cri: CRIClient
    private let known = Mutex<[String: String]>([:])

    init(cri: CRIClient) { self.cri = cri }

    /// The path of the sandbox's network namespace; nil when the runtime does not say.
    func namespace(of sandboxID: String) async -> String? {
        if let path = known.withLock({ $0[sandboxID] }) { return path }
        guard let response = try? await cri.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: sandboxID, verbose: true)),
              let path = Self.namespacePath(info: response.info) else { return nil }
        known.withLock { $0[sandboxID] = path }
        return path
    }

    func forget(_ sandboxIDs: some Sequence<String>) {
        known.withLock { for id in sandboxIDs { $0[id] = nil } }
    }

    /// From verbose info: {"info": "{\"netns\": ..., \"record\": {\"pid\": ...}}"} (skiff-cri),
    /// or a top-level "pid" as containerd reports it.
    static func namespacePath(info: [String: String]) -> String? {
        guard let text = info["info"], let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            return nil
        }
        if let netns = object["netns"] as? String, !netns.isEmpty { return netns }
        let record = object["record"] as? [String: Any]
        if let netns = record?["netnsPath"] as? String, !netns.isEmpty { return netns }
        let pid = (record?["pid"] as? Int) ?? (object["pid"] as? Int) ?? 0
        return pid > 0 ? "/proc/\(pid)/ns/net" : nil
    }
}
