// `skiffctl pods`: the pod sandboxes, newest first, filtered as crictl filters them.
import CRIAPI

public struct ListPods: NewestListing, Sendable {
    public var id: String?
    /// Regular expressions matched against the pod's name and namespace.
    public var name: String?
    public var namespace: String?
    public var labels: [String: String] = [:]
    /// "ready" or "notready" (any case).
    public var state: String?
    public var quiet = false
    public var latest = false
    public var last = 0
    public var noTrunc = false
    public var output: OutputFormat = .table

    public init() {}

    public func run(_ context: CtlContext) async throws {
        var filter = PodSandboxFilter()
        if let id { filter.id = try await context.podID(id) }
        if let state { filter.state = PodSandboxStateValue(try Self.state(state)) }
        filter.labelSelector = labels
        let nameMatch = try NamePattern(name, what: "--name")
        let namespaceMatch = try NamePattern(namespace, what: "--namespace")
        var pods = try await CtlError.during("listing pod sandboxes") {
            try await context.runtime.listPodSandbox(ListPodSandboxRequest(filter: filter)).items
        }
        pods = pods.filter { nameMatch.matches($0.metadata.name) && namespaceMatch.matches($0.metadata.namespace) }
        pods = newest(pods) { $0.createdAt }

        if quiet {
            for pod in pods { context.console.line(pod.id) }
            return
        }
        switch output {
        case .json, .yaml:
            context.console.write(try Document.text(encoding: ListPodSandboxResponse(items: pods), output))
        case .table:
            context.console.write(table(pods, now: context.now()).text)
        }
    }

    func table(_ pods: [PodSandbox], now: Int64) -> TextTable {
        var table = TextTable(["POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME"])
        for pod in pods {
            table.append([
                noTrunc ? pod.id : HumanUnits.shortID(pod.id),
                HumanUnits.ago(now - pod.createdAt),
                Self.stateName(pod.state),
                pod.metadata.name,
                pod.metadata.namespace,
                String(pod.metadata.attempt),
                pod.runtimeHandler.isEmpty ? "(default)" : pod.runtimeHandler,
            ])
        }
        return table
    }

    static func stateName(_ state: PodSandboxState) -> String {
        state == .ready ? "Ready" : "NotReady"
    }

    static func state(_ text: String) throws -> PodSandboxState {
        switch text.lowercased() {
        case "ready", "sandbox_ready": return .ready
        case "notready", "not_ready", "sandbox_notready": return .notReady
        default: throw CtlError("--state \(text)", "unknown pod state; use ready or notready")
        }
    }
}

/// --name and --namespace: a regular expression that must match somewhere in the value, as
/// crictl's filters do; none matches everything.
struct NamePattern: @unchecked Sendable {
    private let regex: Regex<AnyRegexOutput>?

    init(_ pattern: String?, what: String) throws {
        guard let pattern, !pattern.isEmpty else {
            regex = nil
            return
        }
        do {
            regex = try Regex(pattern)
        } catch {
            throw CtlError("\(what) \(pattern)", "not a regular expression: \(error)")
        }
    }

    func matches(_ value: String) -> Bool {
        guard let regex else { return true }
        return (try? regex.firstMatch(in: value)) != nil
    }
}
