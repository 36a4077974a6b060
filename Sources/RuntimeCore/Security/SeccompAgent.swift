// The seccomp agent at linux.seccomp.listenerPath: it receives the notify fd (SCM_RIGHTS) with
// the container process state as the message, as the runtime-spec's seccomp section describes.
import CSkiffSystem
import Glibc
import OCISpec

public struct SeccompAgent: Sendable {
    public let socket: Int32

    /// Connects to the agent. listenerPath is a host path: connect before pivot_root (or in the
    /// parent), and before the filter is loaded, since connect() itself could be a notified call.
    public static func connect(_ listenerPath: String) throws -> SeccompAgent {
        let fd = sk_unix_connect(listenerPath)
        if fd < 0 { throw RuntimeError.system("linux.seccomp.listenerPath: connect \(listenerPath)", errno: -fd) }
        return SeccompAgent(socket: fd)
    }

    public init(socket: Int32) { self.socket = socket }

    /// Sends the notify fd with the state JSON as one message.
    public func send(notifyFd: Int32, state: [UInt8]) throws {
        let r = state.withUnsafeBytes { sk_send_fd_with_payload(socket, notifyFd, $0.baseAddress, $0.count) }
        if r < 0 { throw RuntimeError.system("linux.seccomp.listenerPath: send notify fd", errno: -r) }
    }

    public func close() { Glibc.close(socket) }

    /// The runtime-spec's containerProcessState: `pid` is the container process as the runtime
    /// sees it (host pid namespace), `metadata` is linux.seccomp.listenerMetadata. Written by hand:
    /// RuntimeCore does without Foundation.
    public static func processState(state: State, pid: Int32, metadata: String?) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("ociVersion", specVersion)
        json.key("fds"); json.array(["seccompFd"])
        json.key("pid"); json.raw(String(pid))
        if let metadata { json.field("metadata", metadata) }
        json.key("state"); json.beginObject()
        json.field("ociVersion", state.ociVersion)
        json.field("id", state.id)
        json.field("status", state.status.rawValue)
        if let p = state.pid { json.key("pid"); json.raw(String(p)) }
        json.field("bundle", state.bundle)
        if let annotations = state.annotations, !annotations.isEmpty {
            json.key("annotations"); json.beginObject()
            for k in annotations.keys.sorted() { json.field(k, annotations[k]!) }
            json.endObject()
        }
        json.endObject()
        json.endObject()
        return json.bytes
    }
}

/// Just enough JSON output for the process state: objects, string arrays, strings, numbers.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }

    mutating func array(_ strings: [String]) {
        separate(); bytes.append(UInt8(ascii: "[")); needsComma = false
        for s in strings { string(s) }
        bytes.append(UInt8(ascii: "]")); needsComma = true
    }

    mutating func key(_ k: String) {
        string(k); bytes.append(UInt8(ascii: ":")); needsComma = false
    }

    mutating func field(_ k: String, _ value: String) { key(k); string(value) }

    mutating func raw(_ literal: String) { separate(); bytes += literal.utf8; needsComma = true }

    mutating func string(_ s: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), b]
            case 0x0A: bytes += Array("\\n".utf8)
            case 0x0D: bytes += Array("\\r".utf8)
            case 0x09: bytes += Array("\\t".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}
