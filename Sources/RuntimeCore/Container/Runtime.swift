// The runtime's entry point as a library: where state lives and how containers are found.
import Glibc
import OCISpec

public struct Runtime {
    /// Directory holding one state directory per container.
    public var root: String
    public var systemdCgroup: Bool
    public var log: RuntimeLog

    public init(root: String, systemdCgroup: Bool = false, log: RuntimeLog = RuntimeLog()) {
        self.root = root
        self.systemdCgroup = systemdCgroup
        self.log = log
    }

    func directory(of id: String) -> String { joinPath(root, id) }

    /// Loads a container's state, or fails with "container <id> does not exist".
    public func load(_ id: String) throws -> Container {
        try validate(id: id)
        let directory = self.directory(of: id)
        guard let bytes = try? FileIO.read(joinPath(directory, "state.json")) else {
            throw RuntimeError("container \(id) does not exist")
        }
        let record = try decodeJSON(ContainerRecord.self, bytes, source: joinPath(directory, "state.json"))
        return Container(directory: directory, record: record)
    }

    /// Every container under the root, in name order.
    public func list() -> [Container] {
        FileIO.list(root).sorted().compactMap { try? load($0) }
    }

    /// Container ids as runc allows them: no path separators or dot-only names.
    public func validate(id: String) throws {
        let allowed = id.allSatisfy { $0.isLetter || $0.isNumber || "_+-.".contains($0) }
        guard !id.isEmpty, allowed, id != ".", id != "..", id.unicodeScalars.allSatisfy(\.isASCII) else {
            throw RuntimeError("invalid container id \"\(id)\": use letters, digits, _ + - and .")
        }
    }

    func save(_ record: ContainerRecord, in directory: String) throws {
        try FileIO.writeAtomically(joinPath(directory, "state.json"), try encodeJSON(record))
    }
}

/// Where the runtime's messages go: --log (file) in text or json, stderr otherwise.
public struct RuntimeLog: Sendable {
    public enum Format: String, Sendable { case text, json }
    public var path: String?
    public var format: Format = .text
    public var debug = false
    public init(path: String? = nil, format: Format = .text, debug: Bool = false) {
        self.path = path; self.format = format; self.debug = debug
    }

    public func error(_ message: String) { write("error", message) }
    public func warning(_ message: String) { write("warning", message) }
    public func debug(_ message: String) { if debug { write("debug", message) } }

    private func write(_ level: String, _ message: String) {
        let line: String
        switch format {
        case .text: line = "time=\"\(rfc3339Now())\" level=\(level) msg=\"\(escape(message))\"\n"
        case .json: line = "{\"level\":\"\(level)\",\"msg\":\"\(escape(message))\",\"time\":\"\(rfc3339Now())\"}\n"
        }
        var fd: Int32 = 2
        if let path {
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            if fd < 0 { fd = 2 }
        }
        _ = try? FileIO.writeAll(fd: fd, Array(line.utf8), what: "log")
        if fd != 2 { close(fd) }
    }

    private func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
