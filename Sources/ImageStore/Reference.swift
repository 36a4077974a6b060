// Image references as users type them ("busybox", "localhost:5000/team/app:v1", "app@sha256:..."),
// normalized as containerd and CRI-O do, following the grammar of the distribution project:
// docker.io is the default registry, single-component names there get "library/", and a
// reference with neither tag nor digest means ":latest". With both tag and digest, the digest
// decides and the normalized form drops the tag (as containerd's ParseDockerRef does).
import RuntimeCore

public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public static let defaultDomain = "docker.io"
    public static let defaultTag = "latest"

    /// Registry host, with port if any ("docker.io", "localhost:5000").
    public let domain: String
    /// Repository path inside the registry ("library/busybox", "team/app").
    public let path: String
    public let tag: String?
    public let digest: Digest?

    /// "docker.io/library/busybox"
    public var name: String { "\(domain)/\(path)" }

    /// The normalized string: name@digest when pinned, else name:tag.
    public var description: String {
        if let digest { return "\(name)@\(digest)" }
        return "\(name):\(tag ?? ImageReference.defaultTag)"
    }

    /// The short form docker shows ("busybox:latest" for docker.io/library/busybox:latest).
    public var familiar: String {
        var short = name
        if domain == ImageReference.defaultDomain {
            short = path.hasPrefix("library/") && path.split(separator: "/").count == 2
                ? String(path.dropFirst("library/".count)) : path
        }
        if let digest { return "\(short)@\(digest)" }
        return "\(short):\(tag ?? ImageReference.defaultTag)"
    }

    public init(parsing input: String) throws {
        func fail(_ why: String) -> RuntimeError { RuntimeError("invalid image reference \"\(input)\": \(why)") }
        guard !input.isEmpty else { throw fail("empty") }
        guard !input.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7f }) else {
            throw fail("contains whitespace or non-ASCII characters")
        }

        var rest = Substring(input)
        var digest: Digest? = nil
        if let at = rest.lastIndex(of: "@") {
            do { digest = try Digest(parsing: String(rest[rest.index(after: at)...])) } catch {
                throw fail("bad digest: \(error)")
            }
            rest = rest[..<at]
        }

        // A colon after the last slash starts the tag; one before it belongs to a registry port.
        var tag: String? = nil
        if let colon = rest.lastIndex(of: ":"), rest.lastIndex(of: "/").map({ colon > $0 }) ?? true {
            let t = String(rest[rest.index(after: colon)...])
            guard ImageReference.isValidTag(t) else {
                throw fail("invalid tag \"\(t)\" (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-')")
            }
            tag = t
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { throw fail("missing repository name") }

        // The first component is a registry only if it looks like a host: has '.' or ':', is
        // "localhost", or has uppercase letters (which repository paths may not).
        var domain = ImageReference.defaultDomain
        var path = String(rest)
        if let slash = rest.firstIndex(of: "/") {
            let first = String(rest[..<slash])
            if first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first {
                domain = first
                path = String(rest[rest.index(after: slash)...])
            }
        }
        if domain == "index.docker.io" { domain = ImageReference.defaultDomain }
        guard ImageReference.isValidDomain(domain) else { throw fail("invalid registry host \"\(domain)\"") }
        if domain == ImageReference.defaultDomain && !path.contains("/") { path = "library/" + path }

        if path.lowercased() != path { throw fail("repository name must be lowercase") }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        for component in components where !ImageReference.isValidPathComponent(component) {
            throw fail("invalid repository path component \"\(component)\"")
        }
        if domain.count + 1 + path.count > 255 { throw fail("name longer than 255 characters") }
        // A bare 64-hex string is an image ID, never a name (docker refuses it too).
        if tag == nil && digest == nil && rest.utf8.count == 64 && rest.utf8.allSatisfy({ isHex($0) }) {
            throw fail("a 64-character hex string is an image ID, not a repository name")
        }

        self.domain = domain; self.path = path; self.tag = tag; self.digest = digest
    }

    /// The same repository with another tag (for tagging).
    public func withTag(_ newTag: String) throws -> ImageReference {
        try ImageReference(parsing: "\(name):\(newTag)")
    }
    /// The same repository pinned to a digest ("repo digests" in CRI's image status).
    public func withDigest(_ d: Digest) -> ImageReference {
        // Safe: name and digest are both already valid.
        try! ImageReference(parsing: "\(name)@\(d)")
    }

    static func isValidTag(_ t: String) -> Bool {
        let u = Array(t.utf8)
        guard !u.isEmpty, u.count <= 128, u[0] != UInt8(ascii: "."), u[0] != UInt8(ascii: "-") else { return false }
        return u.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// [a-z0-9]+ separated by '.', '_', '__' or runs of '-'.
    static func isValidPathComponent(_ c: Substring) -> Bool {
        let u = Array(c.utf8)
        guard let first = u.first, let last = u.last, isLowerAlnum(first), isLowerAlnum(last) else { return false }
        var i = 0
        while i < u.count {
            if isLowerAlnum(u[i]) { i += 1; continue }
            var j = i
            while j < u.count && !isLowerAlnum(u[j]) { j += 1 }
            let sep = String(decoding: u[i..<j], as: UTF8.self)
            if !(sep == "." || sep == "_" || sep == "__" || sep.allSatisfy({ $0 == "-" })) { return false }
            i = j
        }
        return true
    }

    /// host[:port], host being DNS labels or an [IPv6] literal.
    static func isValidDomain(_ d: String) -> Bool {
        var host = Substring(d)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let inner = host[host.index(after: host.startIndex)..<close]
            guard !inner.isEmpty, inner.utf8.allSatisfy({ isHex($0) || $0 == UInt8(ascii: ":") }) else { return false }
            host = host[host.index(after: close)...]
            if host.isEmpty { return true }
            guard host.hasPrefix(":") else { return false }
            let port = host.dropFirst()
            return !port.isEmpty && port.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        }
        if let colon = host.firstIndex(of: ":") {
            let port = host[host.index(after: colon)...]
            guard !port.isEmpty, port.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
            host = host[..<colon]
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty && labels.allSatisfy { label in
            let u = Array(label.utf8)
            guard let f = u.first, let l = u.last, isAlnum(f), isAlnum(l) else { return false }
            return u.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") }
        }
    }
}

private func isLowerAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) }
private func isAlnum(_ b: UInt8) -> Bool { isLowerAlnum(b) || (b >= 0x41 && b <= 0x5a) }
private func isHex(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46) }
