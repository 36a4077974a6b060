// Which container a network list is ADDed to, DELeted from or CHECKed for (libcni's RuntimeConf).
public struct CNIAttachment: Sendable {
    public var containerID: String
    /// The container's network namespace: a path (see NetworkNamespace).
    public var networkNamespace: String
    public var interfaceName: String
    /// CNI_ARGS pairs, e.g. K8S_POD_NAME.
    public var args: [(String, String)]
    /// Runtime values for plugins that declare the capability ("portMappings" for portmap).
    public var capabilityArgs: [String: JSONValue]

    public init(containerID: String, networkNamespace: String, interfaceName: String = "eth0",
                args: [(String, String)] = [], capabilityArgs: [String: JSONValue] = [:]) {
        self.containerID = containerID
        self.networkNamespace = networkNamespace
        self.interfaceName = interfaceName
        self.args = args
        self.capabilityArgs = capabilityArgs
    }

    /// Container IDs and interface names go into file names and the kernel's 15-byte device
    /// names, so both are checked before any plugin runs.
    /// A DEL may come without a namespace (it may be gone already); ADD and CHECK need one.
    func validate(needsNamespace: Bool) throws {
        let idBytes = Array(containerID.utf8)
        guard !idBytes.isEmpty, idBytes.allSatisfy(isNameByte), containerID != ".", containerID != ".." else {
            throw PodNetworkError("CNI container ID \"\(containerID)\" must be letters, digits, '_', '.' and '-'")
        }
        let nameBytes = Array(interfaceName.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= 15, interfaceName != ".", interfaceName != "..",
              !nameBytes.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 })
        else {
            throw PodNetworkError("interface name \"\(interfaceName)\" must be 1 to 15 characters without '/', ':' or spaces")
        }
        guard !needsNamespace || !networkNamespace.isEmpty else {
            throw PodNetworkError("CNI attachment of \(containerID): no network namespace path")
        }
    }
}

private func isNameByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
         UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
        true
    default:
        false
    }
}
