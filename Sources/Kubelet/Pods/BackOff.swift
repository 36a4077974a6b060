// The kubelet's back-off (CrashLoopBackOff, ImagePullBackOff): after a failure at time t, the
// next try waits the current delay from t; each try doubles the delay up to the maximum; a
// container that ran for `resetAfter` before failing, or a key with no failure for that long,
// starts again from the initial delay.
import Foundation

struct BackOff: Sendable {
    let policy: BackOffPolicy
    private var entries: [String: (delay: Duration, lastFailure: Date)] = [:]

    init(policy: BackOffPolicy) { self.policy = policy }

    /// How long a failure at `failedAt` still holds `key` back; nil: it may try now.
    func remaining(_ key: String, failedAt: Date, now: Date = Date()) -> Duration? {
        guard let entry = entries[key] else { return nil }
        let until = failedAt.addingTimeInterval(entry.delay.seconds)
        guard now < until else { return nil }
        return .milliseconds(Int64(until.timeIntervalSince(now) * 1000) + 1)
    }

    /// The delay now in force for `key` (for messages).
    func delay(_ key: String) -> Duration? { entries[key]?.delay }

    /// Records a try after the failure at `failedAt` (of a run that began at `ranSince`, for a
    /// container that ran): the delay for the next failure.
    mutating func next(_ key: String, failedAt: Date, ranSince: Date? = nil) {
        let healthy: Bool
        if let ranSince {
            healthy = failedAt.timeIntervalSince(ranSince) >= policy.resetAfter.seconds
        } else {
            healthy = entries[key].map { failedAt.timeIntervalSince($0.lastFailure) > policy.resetAfter.seconds } ?? true
        }
        if let entry = entries[key], !healthy {
            entries[key] = (min(entry.delay * 2, policy.maximum), failedAt)
        } else {
            entries[key] = (policy.initial, failedAt)
        }
    }

    mutating func reset(_ key: String) { entries[key] = nil }
}

extension Duration {
    /// "10s", "1m20s", as the kubelet's messages show back-off delays.
    var shortText: String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        return total % 60 == 0 ? "\(total / 60)m0s" : "\(total / 60)m\(total % 60)s"
    }
}
