// Probe kinds and results, and what running one probe or hook action yields.

/// The three probes a container can have, named as the kubelet names them.
public enum ProbeType: String, Sendable, CaseIterable {
    case liveness = "Liveness"
    case readiness = "Readiness"
    case startup = "Startup"

    /// What a probe reports before its first result: a container is live until shown otherwise,
    /// not ready and not started until shown to be.
    var initialResult: ProbeResult {
        switch self {
        case .liveness: return .success
        case .readiness: return .failure
        case .startup: return .unknown
        }
    }

    var lowercased: String { rawValue.lowercased() }
}

public enum ProbeResult: String, Sendable {
    case success, failure
    /// The probe could not be run (no pod IP, an unknown port name, a runtime error): the
    /// result is thrown away, as the kubelet does, and the last one stands.
    case unknown
}

/// One run of an action: its result and what it printed or why it failed.
struct ActionOutcome: Sendable, Equatable {
    var result: ProbeResult
    var output: String

    static func success(_ output: String = "") -> ActionOutcome { ActionOutcome(result: .success, output: output) }
    static func failure(_ output: String) -> ActionOutcome { ActionOutcome(result: .failure, output: output) }
    static func unknown(_ output: String) -> ActionOutcome { ActionOutcome(result: .unknown, output: output) }
}
