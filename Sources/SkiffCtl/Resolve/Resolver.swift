// Turns what a user typed into full ids, asking the daemon for the lists to match against.
import CRIAPI

extension CtlContext {
    /// The full id of the container `prefix` names.
    public func containerID(_ prefix: String) async throws -> String {
        try await containerIDs([prefix])[0]
    }

    public func containerIDs(_ prefixes: [String]) async throws -> [String] {
        let ids = try await CtlError.during("listing containers") {
            try await runtime.listContainers().containers.map(\.id)
        }
        return try prefixes.map { try IDPrefix.resolve($0, among: ids, kind: "container") }
    }

    public func podID(_ prefix: String) async throws -> String {
        try await podIDs([prefix])[0]
    }

    public func podIDs(_ prefixes: [String]) async throws -> [String] {
        let ids = try await CtlError.during("listing pod sandboxes") {
            try await runtime.listPodSandbox().items.map(\.id)
        }
        return try prefixes.map { try IDPrefix.resolve($0, among: ids, kind: "pod sandbox") }
    }

    /// The image `reference` names: a name the daemon knows (busybox, busybox:1,
    /// registry/x@sha256:…), an image id, or a unique prefix of one; nil when none matches.
    public func image(_ reference: String) async throws -> CRIAPI.Image? {
        if let image = try await CtlError.during("image status of \"\(reference)\"", {
            try await images.imageStatus(ImageStatusRequest(image: ImageSpec(image: reference))).image
        }) {
            return image
        }
        // Short id prefixes (the daemon resolves 12 or more hex digits itself).
        let hex = reference.hasPrefix("sha256:") ? String(reference.dropFirst(7)) : reference
        guard !hex.isEmpty, hex.allSatisfy(\.isHexDigit) else { return nil }
        let all = try await CtlError.during("listing images") { try await images.listImages().images }
        let digests = all.map { Self.digestHex($0.id) }
        guard digests.contains(where: { $0.hasPrefix(hex) }) else { return nil }
        let match = try IDPrefix.resolve(hex, among: digests, kind: "image")
        return all.first { Self.digestHex($0.id) == match }
    }
}

extension CtlContext {
    /// "sha256:4f2a…" without its algorithm.
    static func digestHex(_ id: String) -> String {
        guard let colon = id.firstIndex(of: ":") else { return id }
        return String(id[id.index(after: colon)...])
    }
}
