// What a pod worker remembers between syncs of its pod; everything else is read from the runtime.
import Foundation
import KubeAPI

struct PodSyncState: Sendable {
    var crashBackOff: BackOff
    var pullBackOff: BackOff
    /// Why a container is not running when the runtime cannot say (the kubelet's reason cache):
    /// CrashLoopBackOff, ErrImagePull, CreateContainerConfigError...
    var waiting: [String: ContainerStateWaiting] = [:]
    /// When starting a container last failed (before it ever ran), for its back-off.
    var startFailures: [String: Date] = [:]
    var pullFailures: [String: Date] = [:]
    /// Termination messages by container ID, read once when the container exits.
    var terminationMessages: [String: String] = [:]
    /// Why the kubelet stopped a container (a failed probe or postStart hook), by container ID:
    /// the message of its terminated state when it left none of its own.
    var killMessages: [String: String] = [:]
    /// Containers stopped because their spec changed: started again whatever restartPolicy says.
    var changedSpec: Set<String> = []
    var startTime: Date?
    var lastPodIPs: [String] = []
    /// A problem that keeps the whole pod from starting (volumes, sandbox).
    var podProblem: ContainerStateWaiting?
    var lastStatus: PodStatus?
    var notes: Set<String> = []

    init(crashLoop: BackOffPolicy, imagePull: BackOffPolicy) {
        crashBackOff = BackOff(policy: crashLoop)
        pullBackOff = BackOff(policy: imagePull)
    }
}
