// /metrics in Prometheus' text format (0.0.4): a few of the kubelet's own series (running pods
// and containers, starts and start errors, probe runs) and skiff's (restart counts, manifest
// errors), from the pods' statuses and the kubelet's counters.
import Foundation
import KubeAPI

struct MetricsText {
    private var lines: [String] = []

    static func render(pods: [Pod], metrics: KubeletMetrics, manifestErrors: [ManifestError]) -> String {
        var text = MetricsText()
        let running = pods.filter { $0.status?.condition(.podReadyToStartContainers)?.status == .true }
        text.family("kubelet_running_pods", .gauge, "Number of pods that have a running pod sandbox",
                    [([:], Double(running.count))])
        var states: [String: Int] = ["running": 0, "exited": 0, "created": 0]
        for pod in pods {
            for status in (pod.status?.initContainerStatuses ?? []) + (pod.status?.containerStatuses ?? []) where status.containerID != nil {
                let state = status.state?.running != nil ? "running" : status.state?.terminated != nil ? "exited"
                    : status.lastState?.terminated != nil ? "exited" : "created"
                states[state, default: 0] += 1
            }
        }
        text.family("kubelet_running_containers", .gauge, "Number of containers currently running",
                    states.sorted { $0.key < $1.key }.map { (["container_state": $0.key], Double($0.value)) })
        text.family("kubelet_started_pods_total", .counter, "Cumulative number of pods started",
                    [([:], Double(metrics.startedPods))])
        text.family("kubelet_started_pods_errors_total", .counter, "Cumulative number of errors when starting pods",
                    [([:], Double(metrics.startedPodErrors))])
        text.family("kubelet_started_containers_total", .counter, "Cumulative number of containers started",
                    [(["container_type": "container"], Double(metrics.startedContainers))])
        text.family("kubelet_started_containers_errors_total", .counter, "Cumulative number of errors when starting containers",
                    metrics.startedContainerErrors.sorted { $0.key < $1.key }.map {
                        (["code": $0.key, "container_type": "container"], Double($0.value))
                    })
        text.family("prober_probe_total", .counter, "Cumulative number of a liveness, readiness or startup probe for a container by result",
                    metrics.probes.sorted { ($0.key.namespace, $0.key.pod, $0.key.container, $0.key.type.rawValue, $0.key.result)
                        < ($1.key.namespace, $1.key.pod, $1.key.container, $1.key.type.rawValue, $1.key.result) }.map {
                        (["container": $0.key.container, "namespace": $0.key.namespace, "pod": $0.key.pod,
                          "probe_type": $0.key.type.rawValue, "result": $0.key.result], Double($0.value))
                    })
        var restarts: [([String: String], Double)] = []
        for pod in pods {
            for status in (pod.status?.initContainerStatuses ?? []) + (pod.status?.containerStatuses ?? []) {
                restarts.append((["namespace": pod.namespace, "pod": pod.name, "container": status.name], Double(status.restartCount)))
            }
        }
        text.family("skiff_kubelet_container_restarts", .gauge, "Restart count of each container of each pod", restarts)
        let ready = pods.map { pod in
            (["namespace": pod.namespace, "pod": pod.name], pod.status?.condition(.ready)?.status == .true ? 1.0 : 0.0)
        }
        text.family("skiff_kubelet_pod_ready", .gauge, "1 when the pod's Ready condition is True", ready)
        text.family("skiff_kubelet_static_pod_manifest_errors", .gauge, "Static pod manifest files that cannot be used",
                    [([:], Double(manifestErrors.count))])
        text.family("skiff_kubelet_static_pod_manifest_error", .gauge, "1 for each static pod manifest that cannot be used, by file",
                    manifestErrors.map { (["path": $0.path], 1.0) })
        return text.lines.joined(separator: "\n") + "\n"
    }

    enum Kind: String { case gauge, counter }

    private mutating func family(_ name: String, _ kind: Kind, _ help: String, _ samples: [([String: String], Double)]) {
        lines.append("# HELP \(name) \(help)")
        lines.append("# TYPE \(name) \(kind.rawValue)")
        for (labels, value) in samples {
            let rendered = labels.isEmpty ? "" : "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }
                .joined(separator: ",") + "}"
            lines.append("\(name)\(rendered) \(Self.number(value))")
        }
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
