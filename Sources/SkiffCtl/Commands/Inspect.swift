// `skiffctl inspect`, `inspectp` and `inspecti`: a container's, pod's or image's status with
// the daemon's verbose info, as JSON (the default), YAML, or a short table.
import CRIAPI
import ContainerMonitor

public struct InspectContainers: Sendable {
    public var ids: [String]
    public var output: OutputFormat = .json

    public init(ids: [String]) { self.ids = ids }

    public func run(_ context: CtlContext) async throws {
        for id in try await context.containerIDs(ids) {
            let response = try await CtlError.during("container status of \(id)") {
                try await context.runtime.containerStatus(ContainerStatusRequest(containerId: id, verbose: true))
            }
            if output == .table {
                context.console.write(Self.summary(response.status, now: context.now()))
            } else {
                context.console.write(try Document.text(Document.inspection(status: response.status, info: response.info), output))
            }
        }
    }

    static func summary(_ s: ContainerStatus, now: Int64) -> String {
        var lines = [
            "ID: \(s.id)",
            "Name: \(s.metadata.name)",
            "Attempt: \(s.metadata.attempt)",
            "State: \(ListContainers.stateName(s.state))",
            "Image: \(s.image.image)",
            "Created: \(HumanUnits.ago(now - s.createdAt))",
        ]
        if s.startedAt > 0 { lines.append("Started: \(HumanUnits.ago(now - s.startedAt))") }
        if s.finishedAt > 0 {
            lines.append("Finished: \(HumanUnits.ago(now - s.finishedAt))")
            lines.append("Exit Code: \(s.exitCode)")
            if !s.reason.isEmpty { lines.append("Reason: \(s.reason)") }
        }
        if !s.logPath.isEmpty { lines.append("Log Path: \(s.logPath)") }
        lines += keyValues("Labels", s.labels) + keyValues("Annotations", s.annotations)
        return lines.joined(separator: "\n") + "\n"
    }
}

public struct InspectPods: Sendable {
    public var ids: [String]
    public var output: OutputFormat = .json

    public init(ids: [String]) { self.ids = ids }

    public func run(_ context: CtlContext) async throws {
        for id in try await context.podIDs(ids) {
            let response = try await CtlError.during("pod sandbox status of \(id)") {
                try await context.runtime.podSandboxStatus(PodSandboxStatusRequest(podSandboxId: id, verbose: true))
            }
            if output == .table {
                context.console.write(Self.summary(response.status, now: context.now()))
            } else {
                context.console.write(try Document.text(Document.inspection(status: response.status, info: response.info), output))
            }
        }
    }

    static func summary(_ s: PodSandboxStatus, now: Int64) -> String {
        var lines = [
            "ID: \(s.id)",
            "Name: \(s.metadata.name)",
            "UID: \(s.metadata.uid)",
            "Namespace: \(s.metadata.namespace)",
            "Attempt: \(s.metadata.attempt)",
            "Status: \(ListPods.stateName(s.state))",
            "Created: \(HumanUnits.ago(now - s.createdAt))",
        ]
        if let network = s.network, !network.ip.isEmpty {
            lines.append("IP Addresses: \(([network.ip] + network.additionalIps.map(\.ip)).joined(separator: ", "))")
        }
        lines += keyValues("Labels", s.labels) + keyValues("Annotations", s.annotations)
        return lines.joined(separator: "\n") + "\n"
    }
}

public struct InspectImages: Sendable {
    public var images: [String]
    public var output: OutputFormat = .json

    public init(images: [String]) { self.images = images }

    public func run(_ context: CtlContext) async throws {
        for name in images {
            guard let found = try await context.image(name) else {
                throw CtlError("image status of \(name)", "no such image")
            }
            let response = try await CtlError.during("image status of \(name)") {
                try await context.images.imageStatus(ImageStatusRequest(image: ImageSpec(image: found.id), verbose: true))
            }
            guard let image = response.image else { throw CtlError("image status of \(name)", "no such image") }
            if output == .table {
                var table = TextTable(["IMAGE ID", "TAGS", "DIGESTS", "SIZE"])
                table.append([image.id, image.repoTags.joined(separator: ","), image.repoDigests.joined(separator: ","),
                              HumanUnits.size(image.size)])
                context.console.write(table.text)
            } else {
                context.console.write(try Document.text(Document.inspection(status: image, info: response.info), output))
            }
        }
    }
}

/// "Labels:" and one "  key -> value" line per entry, sorted; nothing when empty.
func keyValues(_ title: String, _ values: [String: String]) -> [String] {
    guard !values.isEmpty else { return [] }
    return ["\(title):"] + values.keys.sorted().map { "  \($0) -> \(values[$0]!)" }
}
