// Lifecycle hooks, as the kubelet runs them: postStart right after the container starts (its
// failure kills the container), preStop before the stop signal (its time comes out of the
// grace period). exec and httpGet run as probes do (an httpGet hook fails when the request
// does, or answers with an error status); sleep waits; tcpSocket is accepted and skipped, as
// in Kubernetes, where it is deprecated for hooks.
import Foundation
import KubeAPI

struct LifecycleHooks: Sendable {
    let actions: ContainerActions
    let logger: KubeletLogger

    enum Hook: String {
        case postStart = "PostStart"
        case preStop = "PreStop"
    }

    /// Runs the hook within `timeout`; nil when it succeeded, else why it failed.
    func run(_ hook: Hook, _ handler: LifecycleHandler, on target: ActionTarget, pod: Pod, timeout: Duration) async -> String? {
        let container = "container \"\(target.container.name)\" in pod \"\(pod.name)_\(pod.namespace)(\(pod.uid))\""
        if let exec = handler.exec {
            let command = exec.command ?? []
            let outcome = await actions.exec(command, on: target, timeout: timeout)
            guard outcome.result != .success else { return nil }
            return "Exec lifecycle hook (\(ContainerActions.quoted(command))) for \(container) failed - error: \(outcome.output)"
        }
        if let http = handler.httpGet {
            let outcome = await actions.httpGet(http, on: target, timeout: timeout)
            guard outcome.result != .success else { return nil }
            return "HTTP lifecycle hook (\(http.path ?? "/")) for \(container) failed - error: \(outcome.output)"
        }
        if let sleep = handler.sleep {
            let seconds = Duration.seconds(max(0, sleep.seconds))
            try? await Task.sleep(for: min(seconds, timeout))
            return nil
        }
        if handler.tcpSocket != nil {
            logger.warning("\(hook.rawValue) hook for \(container): tcpSocket is not supported for lifecycle hooks; skipped")
            return nil
        }
        return "\(hook.rawValue) hook for \(container) has no action (exec, httpGet or sleep)"
    }
}
