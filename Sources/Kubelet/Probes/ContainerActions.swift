// The three actions probes and lifecycle hooks run against a container, as the kubelet runs
// them: exec (CRI ExecSync with the timeout; exit code 0 succeeds), httpGet (HTTP or HTTPS from
// inside the pod's network to the pod's IP or `host`; 2xx and 3xx succeed) and tcpSocket (a
// connection that opens succeeds). Failures carry the kubelet's wording, for logs and statuses.
import CRIAPI
import Foundation
import KubeAPI

/// The running container an action is aimed at.
struct ActionTarget: Sendable {
    var containerID: String
    var container: KubeAPI.Container
    var sandboxID: String
    var podIP: String?
}

struct ContainerActions: Sendable {
    let cri: CRIClient
    let networks: SandboxNetworks

    /// Runs a probe's action (exec, httpGet, tcpSocket; grpc is not supported here).
    func run(_ probe: Probe, on target: ActionTarget, timeout: Duration) async -> ActionOutcome {
        if let exec = probe.exec { return await self.exec(exec.command ?? [], on: target, timeout: timeout) }
        if let http = probe.httpGet { return await httpGet(http, on: target, timeout: timeout) }
        if let tcp = probe.tcpSocket { return await tcpSocket(tcp, on: target, timeout: timeout) }
        if probe.grpc != nil { return .unknown("gRPC probes are not supported by skiff-kubelet") }
        return .unknown("the probe has no action (exec, httpGet or tcpSocket)")
    }

    func exec(_ command: [String], on target: ActionTarget, timeout: Duration?) async -> ActionOutcome {
        let seconds = timeout.map { max(1, Int64($0.components.seconds)) } ?? 0
        do {
            // The call itself may take as long as the command may, and a little more.
            let client = cri.withTimeout(max(cri.timeout, .seconds(seconds + 10)))
            let response = try await client.execSync(ExecSyncRequest(containerId: target.containerID, cmd: command, timeout: seconds))
            let output = String(decoding: response.stdout + response.stderr, as: UTF8.self)
            if response.exitCode == 0 { return .success(output) }
            return .failure("command \(Self.quoted(command)) exited with \(response.exitCode): \(output)")
        } catch let error as CRIError where error.code == .deadlineExceeded {
            return .failure("command \(Self.quoted(command)) timed out")
        } catch {
            return .unknown("exec \(Self.quoted(command)): \(error)")
        }
    }

    func httpGet(_ action: HTTPGetAction, on target: ActionTarget, timeout: Duration) async -> ActionOutcome {
        let scheme = action.scheme ?? "HTTP"
        guard scheme == "HTTP" || scheme == "HTTPS" else {
            return .unknown("httpGet scheme \(scheme) is not supported (HTTP or HTTPS)")
        }
        let endpoint: PodEndpoint
        switch await resolve(host: action.host, port: action.port, on: target) {
        case .success(let found): endpoint = found
        case .failure(let problem): return .unknown(problem.description)
        }
        do {
            let headers = (action.httpHeaders ?? []).map { (name: $0.name, value: $0.value) }
            let response = try await ProbeHTTPClient.get(endpoint, secure: scheme == "HTTPS", path: action.path ?? "/",
                                                          headers: headers, timeout: timeout)
            if (200..<400).contains(response.statusCode) { return .success(response.body) }
            return .failure("HTTP probe failed with statuscode: \(response.statusCode)")
        } catch {
            return .failure("\(error)")
        }
    }

    func tcpSocket(_ action: TCPSocketAction, on target: ActionTarget, timeout: Duration) async -> ActionOutcome {
        let endpoint: PodEndpoint
        switch await resolve(host: action.host, port: action.port, on: target) {
        case .success(let found): endpoint = found
        case .failure(let problem): return .unknown(problem.description)
        }
        do {
            try await PodConnection.withConnection(to: endpoint, timeout: timeout) { _, _ in }
            return .success()
        } catch {
            return .failure("\(error)")
        }
    }

    /// The probe's host (the pod's IP unless given) and port (a number, or the name of one of
    /// the container's ports), in the pod's network namespace.
    private func resolve(host: String?, port: IntOrString, on target: ActionTarget) async -> Result<PodEndpoint, PodConnectionError> {
        let number: Int
        switch port {
        case .int(let n): number = Int(n)
        case .string(let name):
            if let n = Int(name) {
                number = n
            } else if let found = target.container.ports?.first(where: { $0.name == name && ($0.protocol ?? .tcp) == .tcp }) {
                number = Int(found.containerPort)
            } else {
                return .failure(PodConnectionError("container \(target.container.name) has no TCP port named \"\(name)\""))
            }
        }
        guard let address = host.flatMap({ $0.isEmpty ? nil : $0 }) ?? target.podIP else {
            return .failure(PodConnectionError("the pod has no IP address yet"))
        }
        guard let namespace = await networks.namespace(of: target.sandboxID) else {
            return .failure(PodConnectionError("the runtime does not say where pod sandbox \(target.sandboxID.prefix(12))'s network namespace is"))
        }
        return .success(PodEndpoint(networkNamespace: namespace, host: address, port: number))
    }

    static func quoted(_ command: [String]) -> String { "[" + command.joined(separator: " ") + "]" }
}
