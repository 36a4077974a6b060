// Content digests ("sha256:<64 lowercase hex>"): the names of everything in the content store.
import Crypto
import RuntimeCore

public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// Only sha256 is accepted: it is what registries and layouts use, and the store's paths
    /// (blobs/sha256/<hex>) must never come from an unchecked string.
    public static let algorithm = "sha256"
    public let hex: String

    /// Parses "sha256:<64 hex>"; the error names the bad value and what is wrong with it.
    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw RuntimeError("invalid digest \"\(text)\": expected \"sha256:<64 hex digits>\"")
        }
        let algorithm = text[..<colon]
        let hex = text[text.index(after: colon)...]
        guard algorithm == Digest.algorithm else {
            throw RuntimeError("invalid digest \"\(text)\": unsupported algorithm \"\(algorithm)\" (only sha256)")
        }
        guard hex.utf8.count == 64 else {
            throw RuntimeError("invalid digest \"\(text)\": sha256 needs 64 hex digits, got \(hex.utf8.count)")
        }
        guard hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw RuntimeError("invalid digest \"\(text)\": hex digits must be 0-9 or a-f (lowercase)")
        }
        self.hex = String(hex)
    }

    /// From an already computed hash.
    init<D: Sequence>(hashBytes: D) where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in hashBytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xf)]) }
        self.hex = String(decoding: out, as: UTF8.self)
    }

    public var description: String { "\(Digest.algorithm):\(hex)" }
    public static func < (a: Digest, b: Digest) -> Bool { a.hex < b.hex }

    /// The digest of `bytes`.
    public static func of(_ bytes: [UInt8]) -> Digest {
        Digest(hashBytes: SHA256.hash(data: bytes))
    }

    /// Where this blob lives under a content store or OCI layout root (both use this shape).
    public func blobPath(under root: String) -> String {
        joinPath(root, "blobs/\(Digest.algorithm)/\(hex)")
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Hashes a stream chunk by chunk, counting bytes, so large layers never sit in memory.
public struct DigestComputer {
    private var hasher = SHA256()
    public private(set) var count: Int64 = 0
    public init() {}

    public mutating func update(_ chunk: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: chunk)
        count += Int64(chunk.count)
    }
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }
    public func finalize() -> Digest { Digest(hashBytes: hasher.finalize()) }
}
