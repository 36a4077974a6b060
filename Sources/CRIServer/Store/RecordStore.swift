// One JSON file per record in a directory, each replaced atomically: a crash leaves every
// record either as it was or as it became, never half written.
import Foundation
import RuntimeCore

struct RecordStore<Record: Codable & Sendable>: Sendable {
    let directory: String

    init(directory: String) throws {
        self.directory = directory
        try FileIO.mkdirAll(directory, mode: 0o700)
    }

    func save(_ record: Record, id: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileIO.writeAtomically(path(id), [UInt8](try encoder.encode(record)))
    }

    func delete(_ id: String) { unlink(path(id)) }

    /// Every record, skipping (and reporting) files that do not decode.
    func loadAll() -> (records: [Record], broken: [String]) {
        var records: [Record] = [], broken: [String] = []
        for name in FileIO.list(directory) where name.hasSuffix(".json") {
            do {
                records.append(try JSONDecoder().decode(Record.self, from: Data(try FileIO.read(directory + "/" + name))))
            } catch {
                broken.append("\(directory)/\(name): \(error)")
            }
        }
        return (records, broken)
    }

    private func path(_ id: String) -> String { directory + "/" + id + ".json" }
}
