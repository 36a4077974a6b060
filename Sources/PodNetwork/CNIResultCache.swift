// ADD results kept on disk per network, container and interface, as libcni keeps them: a DEL or
// CHECK after a daemon restart still hands the plugins their prevResult, and a DEL after the
// config directory changed still runs the plugins that were ADDed.
import Foundation

public struct CNIResultCache: Sendable {
    /// One attachment: what was ADDed and what it answered.
    public struct Entry: Sendable, Codable, Hashable {
        public var kind = "cniCacheV1"
        public var containerId: String
        public var ifName: String
        public var networkName: String
        public var netns: String
        /// The network list as a .conflist.
        public var config: JSONValue
        public var cniArgs: [[String]]
        public var capabilityArgs: [String: JSONValue]
        public var result: JSONValue
    }

    /// Files live in `<directory>/results/`.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func path(network: String, containerID: String, interfaceName: String) -> String {
        "\(directory)/results/\(network)-\(containerID)-\(interfaceName)"
    }

    public func read(network: String, containerID: String, interfaceName: String) throws -> Entry? {
        let file = path(network: network, containerID: containerID, interfaceName: interfaceName)
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        do {
            return try JSONDecoder().decode(Entry.self, from: data)
        } catch {
            throw PodNetworkError("CNI result cache \(file): \(jsonErrorSummary(error))")
        }
    }

    /// Every cached attachment of a container, in any network.
    public func entries(containerID: String) throws -> [Entry] {
        let results = directory + "/results"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: results)) ?? []
        return try names.sorted().compactMap { name -> Entry? in
            guard name.contains("-\(containerID)-"), let data = FileManager.default.contents(atPath: results + "/" + name) else {
                return nil
            }
            guard let entry = try? JSONDecoder().decode(Entry.self, from: data) else {
                throw PodNetworkError("CNI result cache \(results)/\(name): not a cache entry")
            }
            return entry.containerId == containerID ? entry : nil
        }
    }

    /// Writes atomically (temporary file, then rename): a crash leaves the old entry or the new.
    public func write(_ entry: Entry) throws {
        try makeDirectories(directory + "/results")
        let file = path(network: entry.networkName, containerID: entry.containerId, interfaceName: entry.ifName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(entry).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw PodNetworkError("write CNI result cache \(file): \(error.localizedDescription)")
        }
    }

    /// Removes an entry; a missing one is fine.
    public func remove(network: String, containerID: String, interfaceName: String) throws {
        let file = path(network: network, containerID: containerID, interfaceName: interfaceName)
        if unlink(file) < 0 && errno != ENOENT { throw PodNetworkError.system("remove CNI result cache \(file)") }
    }
}
