// The labels and annotations the kubelet puts on CRI sandboxes and containers: they are how a
// (re)started kubelet recognises its pods in the runtime, with no state of its own.

enum RuntimeLabels {
    static let podName = "io.kubernetes.pod.name"
    static let podNamespace = "io.kubernetes.pod.namespace"
    static let podUID = "io.kubernetes.pod.uid"
    static let containerName = "io.kubernetes.container.name"
    static let containerType = "io.kubernetes.container.type"

    static let restartCount = "io.kubernetes.container.restartCount"
    static let terminationMessagePath = "io.kubernetes.container.terminationMessagePath"
    static let terminationMessagePolicy = "io.kubernetes.container.terminationMessagePolicy"
    static let terminationGracePeriod = "io.kubernetes.pod.terminationGracePeriod"
    static let containerHash = "io.kubernetes.container.hash"
    /// skiff's own: the host file behind terminationMessagePath.
    static let terminationMessageHostPath = "skiff.io/termination-message-host-path"
}
