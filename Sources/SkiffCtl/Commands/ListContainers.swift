// `skiffctl ps`: the containers, newest first; running ones unless -a or --state.
import CRIAPI

public struct ListContainers: NewestListing, Sendable {
    public var all = false
    public var id: String?
    public var pod: String?
    public var name: String?
    public var labels: [String: String] = [:]
    /// created, running, exited or unknown (any case).
    public var state: String?
    /// Only containers of this image (a name, id or id prefix).
    public var image: String?
    public var quiet = false
    public var latest = false
    public var last = 0
    public var noTrunc = false
    public var output: OutputFormat = .table

    public init() {}

    public func run(_ context: CtlContext) async throws {
        var filter = ContainerFilter()
        if let id { filter.id = try await context.containerID(id) }
        if let pod { filter.podSandboxId = try await context.podID(pod) }
        if let state {
            filter.state = ContainerStateValue(try Self.state(state))
        } else if !all && !latest && last == 0 && id == nil {
            filter.state = ContainerStateValue(.running)
        }
        filter.labelSelector = labels
        let nameMatch = try NamePattern(name, what: "--name")
        var containers = try await CtlError.during("listing containers") {
            try await context.runtime.listContainers(ListContainersRequest(filter: filter)).containers
        }
        containers = containers.filter { nameMatch.matches($0.metadata.name) }
        if let image {
            guard let match = try await context.image(image) else {
                throw CtlError("--image \(image)", "no such image")
            }
            containers = containers.filter { $0.imageRef == match.id || $0.imageId == match.id || $0.image.image == match.id }
        }
        containers = newest(containers) { $0.createdAt }

        if quiet {
            for container in containers { context.console.line(container.id) }
            return
        }
        switch output {
        case .json, .yaml:
            context.console.write(try Document.text(encoding: ListContainersResponse(containers: containers), output))
        case .table:
            let pods = try await CtlError.during("listing pod sandboxes") { try await context.runtime.listPodSandbox().items }
            let podNames = Dictionary(pods.map { ($0.id, $0.metadata.name) }, uniquingKeysWith: { a, _ in a })
            let images = (try? await context.images.listImages().images) ?? []
            context.console.write(table(containers, podNames: podNames, images: images, now: context.now()).text)
        }
    }

    func table(_ containers: [Container], podNames: [String: String], images: [CRIAPI.Image], now: Int64) -> TextTable {
        var table = TextTable(["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD"])
        for c in containers {
            table.append([
                noTrunc ? c.id : HumanUnits.shortID(c.id),
                Self.imageName(c, images: images, noTrunc: noTrunc),
                HumanUnits.ago(now - c.createdAt),
                Self.stateName(c.state),
                c.metadata.name,
                String(c.metadata.attempt),
                noTrunc ? c.podSandboxId : HumanUnits.shortID(c.podSandboxId),
                podNames[c.podSandboxId] ?? "unknown",
            ])
        }
        return table
    }

    /// The image as the user named it; an image id becomes its first tag, else a short id.
    static func imageName(_ c: Container, images: [CRIAPI.Image], noTrunc: Bool) -> String {
        let image = c.image.image
        guard image.hasPrefix("sha256:") || image.isEmpty else { return image }
        let id = image.isEmpty ? c.imageRef : image
        if let tag = images.first(where: { $0.id == id })?.repoTags.first { return tag }
        return noTrunc ? id : HumanUnits.shortImageID(id)
    }

    static func stateName(_ state: ContainerState) -> String {
        switch state {
        case .created: return "Created"
        case .running: return "Running"
        case .exited: return "Exited"
        case .unknown: return "Unknown"
        }
    }

    static func state(_ text: String) throws -> ContainerState {
        switch text.lowercased() {
        case "created", "container_created": return .created
        case "running", "container_running": return .running
        case "exited", "container_exited": return .exited
        case "unknown", "container_unknown": return .unknown
        default: throw CtlError("--state \(text)", "unknown container state; use created, running, exited or unknown")
        }
    }
}
