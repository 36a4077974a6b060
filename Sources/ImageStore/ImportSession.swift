// One import as a unit: it remembers which blobs it added to the content store, so that a
// failed import deletes them again (nothing half-imported stays behind) and a successful one
// deletes those no recorded image needs (other platforms' blobs in an archive). It runs under
// the index lock, from the first blob to the last record, so GC cannot race it.
import Foundation
import Glibc
import RuntimeCore

final class ImportSession {
    let content: ContentStore
    private(set) var added: [Digest] = []

    init(content: ContentStore) { self.content = content }

    func noteWritten(_ digest: Digest) { added.append(digest) }

    /// Copies a file into the store, verifying digest and size; notes the blob if it is new.
    func store(fileAt path: String, expected: Digest, size: Int64?, what: String) throws {
        if content.exists(expected) { return }
        try content.write(fileAt: path, expected: expected, size: size, what: what)
        added.append(expected)
    }

    /// Stores bytes we generated (a manifest for a docker archive); notes the blob if new.
    @discardableResult
    func store(_ bytes: [UInt8]) throws -> Digest {
        let d = Digest.of(bytes)
        if content.exists(d) { return d }
        try content.write(bytes, expected: d)
        added.append(d)
        return d
    }

    func rollback() {
        for d in added { try? content.delete(d) }
        added = []
    }

    func dropUnreferenced(live: Set<Digest>) {
        for d in added where !live.contains(d) { try? content.delete(d) }
        added = []
    }
}

extension ImageIndex {
    /// Runs an import: `body` fills the store through the session and returns the records to
    /// add; they are saved together, or on any error the import's new blobs are deleted.
    func runImport(_ body: (ImportSession) throws -> [ImageRecord]) throws -> [ImageRecord] {
        try lock.withLock {
            let session = ImportSession(content: content)
            do {
                let made = try body(session)
                try saveLocked(adding: made)
                // A name listed twice in one import ends on the last image: report the final state.
                let saved = made.compactMap { records[$0.id] }
                session.dropUnreferenced(live: try reachableLocked())
                return saved
            } catch {
                session.rollback()
                throw error
            }
        }
    }

    /// The time as RFC 3339 in UTC ("2026-11-24T02:10:00Z"), from the C library: Foundation's
    /// ISO8601DateFormatter would load ICU's calendar and time zone data into the daemon.
    static func now() -> String {
        var seconds = time(nil)
        var utc = tm()
        gmtime_r(&seconds, &utc)
        var text = [CChar](repeating: 0, count: 32)
        strftime(&text, text.count, "%Y-%m-%dT%H:%M:%SZ", &utc)
        return String(cString: text)
    }
}
