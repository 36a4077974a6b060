// A fingerprint of a container's spec, kept on the runtime's container (the kubelet's
// io.kubernetes.container.hash): when a pod's spec changes under the same UID (a static pod
// whose manifest names its uid), the running containers whose spec changed are restarted.
import Foundation
import KubeAPI

enum ContainerSpecHash {
    /// FNV-1a (64 bits) of the spec's JSON with sorted keys, in hex.
    static func of(_ container: KubeAPI.Container) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (try? encoder.encode(container)) ?? Data() {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
