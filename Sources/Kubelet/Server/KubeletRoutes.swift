// The kubelet API's endpoints, read-only: /healthz, /pods, /containerLogs, /exec, /attach and
// /portForward (streams proxied from the container runtime's streaming server), /stats/summary,
// /metrics and /manifestErrors.
import CRIAPI
import CRIStreaming
import Foundation
import KubeAPI

struct KubeletRoutes: Sendable {
    let kubelet: Kubelet
    let stats: StatsSummaryCollector
    let logs: ContainerLogs

    static let endpoints = ["/healthz", "/pods", "/containerLogs/{namespace}/{pod}/{container}", "/exec/{namespace}/{pod}/{container}",
                            "/attach/{namespace}/{pod}/{container}", "/portForward/{namespace}/{pod}", "/stats/summary", "/metrics",
                            "/manifestErrors"]

    init(kubelet: Kubelet) {
        self.kubelet = kubelet
        stats = StatsSummaryCollector(cri: kubelet.cri, statuses: kubelet.statuses, nodeName: kubelet.settings.nodeName,
                                      startTime: kubelet.startTime, rootDirectory: kubelet.settings.rootDirectory,
                                      podLogsDirectory: kubelet.settings.podLogsDirectory, volumes: kubelet.volumes)
        logs = ContainerLogs(statuses: kubelet.statuses)
    }

    func respond(to request: KubeletRequest) async -> KubeletResponse {
        let s = request.segments
        let streaming = s.first == "exec" || s.first == "attach" || s.first == "portForward"
        // Streams are opened with GET (WebSocket) or POST (kubectl's SPDY); everything else is a GET.
        guard request.method == .GET || request.method == .HEAD || (streaming && request.method == .POST) else {
            return .problem(.methodNotAllowed, "\(request.method) is not allowed: the kubelet API is read-only")
        }
        do {
            switch s.first {
            case "healthz" where s.count == 1:
                return .text("ok")
            case "pods" where s.count == 1:
                return .json(kubelet.statuses.podList())
            case "containerLogs" where s.count == 4:
                return logs.respond(namespace: s[1], pod: s[2], container: s[3], options: try ContainerLogOptions(request))
            case "exec" where s.count == 4 || s.count == 5, "attach" where s.count == 4 || s.count == 5:
                // /exec/{namespace}/{pod}/{container} or /exec/{namespace}/{pod}/{uid}/{container}
                return await stream(attach: s[0] == "attach", namespace: s[1], pod: s[2], container: s[s.count - 1], request: request)
            case "portForward" where s.count == 3 || s.count == 4:
                // /portForward/{namespace}/{pod} or /portForward/{namespace}/{pod}/{uid}
                return await portForward(namespace: s[1], pod: s[2], request: request)
            case "stats" where s.count == 2 && s[1] == "summary":
                return .json(try await stats.summary())
            case "metrics" where s.count == 1:
                let text = MetricsText.render(pods: kubelet.statuses.all(), metrics: kubelet.metrics, manifestErrors: kubelet.manifestErrors)
                return .full(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(text.utf8))
            case "manifestErrors" where s.count == 1:
                return .json(ManifestErrorList(items: kubelet.manifestErrors))
            default:
                return .problem(.notFound, "404 page not found: the kubelet serves \(Self.endpoints.joined(separator: ", "))")
            }
        } catch let problem as RequestProblem {
            return .problem(.badRequest, problem.description)
        } catch let error as CRIError {
            return .problem(.init(statusCode: error.code.httpStatus), "container runtime: \(error)")
        } catch {
            return .problem(.internalServerError, "\(error)")
        }
    }

    /// exec and attach: the runtime's Exec or Attach call gives the URL of its streaming
    /// server, to which the client's upgrade is passed on.
    private func stream(attach: Bool, namespace: String, pod: String, container: String, request: KubeletRequest) async -> KubeletResponse {
        let verb = attach ? "attach" : "exec"
        guard let id = kubelet.statuses.containerID(namespace: namespace, pod: pod, container: container) else {
            return .problem(.notFound, "container \(container) of pod \(namespace)/\(pod) not found (or not created yet)")
        }
        do {
            let tty = try request.flag("tty")
            let stdin = try request.flag("stdin", "input")
            let stdout = try request.flag("stdout", "output")
            let stderr = try request.flag("stderr", "error") && !tty
            guard stdin || stdout || stderr else {
                return .problem(.badRequest, "\(verb): at least one of stdin, stdout and stderr must be true")
            }
            let command = request.query["command"] ?? []
            guard attach || !command.isEmpty else { return .problem(.badRequest, "exec: no command (give it as command=...&command=...)") }
            guard request.isUpgrade else { return Self.upgradeRequired(verb) }
            let url: String
            if attach {
                var call = AttachRequest()
                (call.containerId, call.stdin, call.stdout, call.stderr, call.tty) = (id, stdin, stdout, stderr, tty)
                url = try await kubelet.cri.attach(call).url
            } else {
                var call = ExecRequest()
                (call.containerId, call.cmd, call.stdin, call.stdout, call.stderr, call.tty) = (id, command, stdin, stdout, stderr, tty)
                url = try await kubelet.cri.exec(call).url
            }
            return .upgrade(url: url)
        } catch let problem as RequestProblem {
            return .problem(.badRequest, problem.description)
        } catch let error as CRIError where error.code == .unimplemented {
            return .problem(.notImplemented, "\(verb) is not available: the container runtime does not serve \(verb) streams (CRI \(attach ? "Attach" : "Exec"): \(error.message))")
        } catch let error as CRIError {
            return .problem(.init(statusCode: error.code.httpStatus), "\(verb): container runtime: \(error)")
        } catch {
            return .problem(.internalServerError, "\(verb): \(error)")
        }
    }
}

extension KubeletRoutes {
    /// port-forward: the runtime's PortForward call for the pod's sandbox (with the ports the
    /// client names, `port=8080` or `port=8080,9090`) gives the stream's URL.
    func portForward(namespace: String, pod name: String, request: KubeletRequest) async -> KubeletResponse {
        guard let pod = kubelet.statuses.pod(namespace: namespace, name: name) else {
            return .problem(.notFound, "pod \(namespace)/\(name) not found")
        }
        let ports: [UInt16]
        do {
            ports = try ForwardedPorts.parse(query: request.rawQuery)
        } catch {
            return .problem(.badRequest, "portForward: \(error)")
        }
        guard request.isUpgrade else { return Self.upgradeRequired("portForward") }
        do {
            var filter = PodSandboxFilter()
            filter.labelSelector = [RuntimeLabels.podUID: pod.uid]
            filter.state = PodSandboxStateValue(.ready)
            guard let sandbox = try await kubelet.cri.listPodSandbox(ListPodSandboxRequest(filter: filter)).items.first else {
                return .problem(.notFound, "pod \(namespace)/\(name) has no running sandbox to forward ports to")
            }
            var call = PortForwardRequest()
            call.podSandboxId = sandbox.id
            call.port = ports.map(Int32.init)
            return .upgrade(url: try await kubelet.cri.portForward(call).url)
        } catch let error as CRIError {
            return .problem(.init(statusCode: error.code.httpStatus), "portForward: container runtime: \(error)")
        } catch {
            return .problem(.internalServerError, "portForward: \(error)")
        }
    }

    /// A stream asked for without an upgrade, answered as the kubelet answers it.
    static func upgradeRequired(_ verb: String) -> KubeletResponse {
        .problem(.badRequest, "Upgrade request required: \(verb) is a stream (Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Protocol: v5.channel.k8s.io or v4.channel.k8s.io)")
    }
}

/// /manifestErrors: the static pod files that cannot be used, and why.
struct ManifestErrorList: Codable {
    var kind = "ManifestErrorList"
    var items: [ManifestError]
}
