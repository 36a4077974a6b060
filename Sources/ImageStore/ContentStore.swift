// The content store: immutable blobs named by their sha256 under <root>/blobs/sha256/<hex>,
// as in containerd and the OCI layout. Nothing becomes visible under blobs/ unless its bytes
// were verified against the digest (and size) the writer was promised: a write goes to a
// temporary file in <root>/ingest/, is fsynced, checked, and only then renamed into place.
// A write cut off by a crash leaves only an ingest file, which the next open removes.
import Glibc
import RuntimeCore

public final class ContentStore: Sendable {
    public let root: String
    let blobsDirectory: String
    let ingestDirectory: String

    /// Opens (creating if needed) a store, removing ingest files left by writes that died.
    public init(root: String) throws {
        self.root = root
        blobsDirectory = joinPath(root, "blobs/\(Digest.algorithm)")
        ingestDirectory = joinPath(root, "ingest")
        try FileIO.mkdirAll(blobsDirectory)
        try FileIO.mkdirAll(ingestDirectory)
        for name in FileIO.list(ingestDirectory) where ContentStore.isStaleIngest(name) {
            FileIO.removeAll(joinPath(ingestDirectory, name))
        }
    }

    /// Ingest files are named "<what>-<pid>-<random>": one whose writer process is gone is
    /// stale. A live process's file is a write in progress (another store object on the same
    /// root, or another process) and stays. Names we never make are stale too.
    static func isStaleIngest(_ name: String) -> Bool {
        let parts = name.split(separator: "-")
        guard parts.count == 3, let pid = Int32(parts[1]), pid > 0 else { return true }
        return kill(pid, 0) < 0 && errno == ESRCH
    }

    public func path(_ digest: Digest) -> String { digest.blobPath(under: root) }

    public func exists(_ digest: Digest) -> Bool { FileIO.exists(path(digest)) }

    public func size(_ digest: Digest) throws -> Int64 {
        var st = stat()
        if stat(path(digest), &st) < 0 { throw RuntimeError.system("content store: stat blob \(digest)") }
        return Int64(st.st_size)
    }

    /// Reads a whole blob (for manifests and configs; layers are opened by path) and checks it
    /// still matches its name, so on-disk corruption is reported rather than parsed.
    public func read(_ digest: Digest) throws -> [UInt8] {
        guard exists(digest) else { throw RuntimeError("content store: blob \(digest) not found") }
        let bytes = try FileIO.read(path(digest))
        let actual = Digest.of(bytes)
        guard actual == digest else {
            throw RuntimeError("content store: blob \(digest) is corrupt on disk (its content hashes to \(actual))")
        }
        return bytes
    }

    public func delete(_ digest: Digest) throws {
        if unlink(path(digest)) < 0 && errno != ENOENT {
            throw RuntimeError.system("content store: delete blob \(digest)")
        }
    }

    /// Every blob's digest; names that are not valid digests (foreign files) are skipped.
    public func list() -> [Digest] {
        FileIO.list(blobsDirectory).compactMap { try? Digest(parsing: "\(Digest.algorithm):\($0)") }.sorted()
    }

    /// Starts a streamed write. `expected` nil means "name it after what arrives" (content we
    /// generate ourselves); otherwise commit fails unless the bytes hash to it.
    public func writer(expected: Digest?, size: Int64? = nil) throws -> ContentWriter {
        try ContentWriter(store: self, expected: expected, expectedSize: size)
    }

    /// Writes bytes held in memory; returns their digest.
    @discardableResult
    public func write(_ bytes: [UInt8], expected: Digest? = nil) throws -> Digest {
        if let expected, exists(expected), Digest.of(bytes) == expected { return expected }
        let w = try writer(expected: expected, size: Int64(bytes.count))
        try w.append(bytes)
        return try w.commit()
    }

    /// Streams a file into the store, verifying digest and size. `what` names the source in errors.
    @discardableResult
    public func write(fileAt source: String, expected: Digest?, size: Int64? = nil, what: String? = nil) throws -> Digest {
        let label = what ?? source
        // Already present means already verified: skip the copy (as containerd does).
        if let expected, exists(expected) { return expected }
        let fd = open(source, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw RuntimeError.system("content store: open \(label)") }
        defer { close(fd) }
        let w = try writer(expected: expected, size: size)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RuntimeError.system("content store: read \(label)")
            }
            if n == 0 { break }
            do { try chunk.withUnsafeBytes { try w.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } } catch {
                throw RuntimeError("\(label): \(error)")
            }
        }
        do { return try w.commit() } catch { throw RuntimeError("\(label): \(error)") }
    }
}

/// One blob being written: bytes go to an ingest file while they are hashed; `commit` checks
/// size and digest, then fsyncs and renames the file into blobs/. Dropped without commit, the
/// ingest file is removed.
public final class ContentWriter {
    let store: ContentStore
    public let expected: Digest?
    public let expectedSize: Int64?
    private let ingestPath: String
    private var fd: Int32
    private var computer = DigestComputer()
    private var finished = false
    /// After commit: false when the store already held this blob (nothing new was added).
    public private(set) var createdNew = false

    init(store: ContentStore, expected: Digest?, expectedSize: Int64?) throws {
        self.store = store; self.expected = expected; self.expectedSize = expectedSize
        let tag = expected?.hex.prefix(16) ?? "new"
        ingestPath = joinPath(store.ingestDirectory, "\(tag)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        fd = open(ingestPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        if fd < 0 { throw RuntimeError.system("content store: create ingest file for \(expected.map { "\($0)" } ?? "new blob")") }
    }

    deinit { if !finished { abort() } }

    private var name: String { expected.map { "blob \($0)" } ?? "new blob" }

    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    public func append(_ chunk: UnsafeRawBufferPointer) throws {
        guard !finished else { throw RuntimeError("content store: write to \(name) after commit or abort") }
        // Fail as soon as a source sends more than promised, rather than storing the excess.
        if let expectedSize, computer.count + Int64(chunk.count) > expectedSize {
            abort()
            throw RuntimeError("content store: \(name) is larger than its expected size \(expectedSize)")
        }
        computer.update(chunk)
        var offset = 0
        while offset < chunk.count {
            let n = Glibc.write(fd, chunk.baseAddress! + offset, chunk.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno; abort()
                throw RuntimeError.system("content store: write ingest file for \(name)", errno: e)
            }
            offset += n
        }
    }

    public var bytesWritten: Int64 { computer.count }

    /// Verifies and publishes the blob; returns its digest.
    @discardableResult
    public func commit() throws -> Digest {
        guard !finished else { throw RuntimeError("content store: \(name) already committed or aborted") }
        let actual = computer.finalize()
        if let expectedSize, computer.count != expectedSize {
            abort()
            throw RuntimeError("content store: \(name) is truncated: got \(computer.count) bytes, expected \(expectedSize)")
        }
        if let expected, actual != expected {
            abort()
            throw RuntimeError("content store: digest mismatch: expected \(expected), got \(actual)")
        }
        // fsync before rename: after a crash the name must never point at missing data.
        if fsync(fd) < 0 { let e = errno; abort(); throw RuntimeError.system("content store: fsync \(name)", errno: e) }
        close(fd); fd = -1
        finished = true
        let target = store.path(actual)
        if FileIO.exists(target) { unlink(ingestPath); return actual }
        createdNew = true
        if rename(ingestPath, target) < 0 {
            createdNew = false
            let e = errno; unlink(ingestPath)
            throw RuntimeError.system("content store: rename \(name) into blobs", errno: e)
        }
        ContentStore.syncDirectory(store.blobsDirectory)
        return actual
    }

    /// Throws the partial write away.
    public func abort() {
        if fd >= 0 { close(fd); fd = -1 }
        if !finished { unlink(ingestPath) }
        finished = true
    }
}

extension ContentStore {
    /// fsync of a directory makes a rename in it durable.
    static func syncDirectory(_ path: String) {
        let dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}
