// A pod's QoS class, as Kubernetes computes it from its containers' CPU and memory requests
// and limits: Guaranteed (every container has limits equal to requests for both), BestEffort
// (no container asks for anything), else Burstable.
import KubeAPI

public enum QualityOfService {
    public static func of(_ pod: Pod) -> QOSClass {
        let containers = (pod.spec.initContainers ?? []) + pod.spec.containers
        var anyRequest = false
        var guaranteed = true
        for container in containers {
            let requests = container.resources?.requests ?? [:]
            let limits = container.resources?.limits ?? [:]
            for name in ["cpu", "memory"] {
                if let r = requests[name], !r.isZero { anyRequest = true }
                if let l = limits[name], !l.isZero { anyRequest = true }
                guard let limit = limits[name], !limit.isZero else {
                    guaranteed = false
                    continue
                }
                // Requests default to limits, so a missing request is equal.
                if let request = requests[name], request.amount != limit.amount { guaranteed = false }
            }
        }
        if !anyRequest { return .bestEffort }
        return guaranteed ? .guaranteed : .burstable
    }
}
