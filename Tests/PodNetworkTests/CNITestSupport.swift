// CNI configs and plugins for the tests: the shipped conflist pointed at a scratch IPAM
// directory, and small shell-script plugins that record how they were called.
import Foundation
import Glibc
import PodNetwork
import TestSupport
import XCTest

let systemPluginDirectory = "/usr/lib/cni"

/// The project's shipped conflist (config/cni/10-skiff.conflist).
let shippedConflist = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../config/cni/10-skiff.conflist").standardized.path

extension XCTestCase {
    /// Debian's containernetworking-plugins (hack/deps installs them).
    func requireSystemPlugins() throws {
        for plugin in ["bridge", "host-local", "portmap", "loopback"]
        where access(systemPluginDirectory + "/" + plugin, X_OK) != 0 {
            throw TestFailure("\(systemPluginDirectory)/\(plugin) is missing: run hack/deps (containernetworking-plugins)")
        }
    }

    /// A CNI config directory holding the shipped conflist, with host-local's addresses kept in
    /// `ipamDirectory` instead of /var/lib/cni.
    func makeConfigDirectory(in directory: String, ipamDirectory: String) throws -> String {
        let configDirectory = directory + "/net.d"
        try FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
        var list = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: shippedConflist)))
        guard case .object(var top) = list, case .array(var plugins)? = top["plugins"],
              case .object(var bridge) = plugins[0], case .object(var ipam)? = bridge["ipam"] else {
            throw TestFailure("\(shippedConflist) is not the bridge-first conflist the tests expect")
        }
        ipam["dataDir"] = .string(ipamDirectory)
        bridge["ipam"] = .object(ipam)
        plugins[0] = .object(bridge)
        top["plugins"] = .array(plugins)
        list = .object(top)
        try JSONEncoder().encode(list).write(to: URL(fileURLWithPath: configDirectory + "/10-skiff.conflist"))
        return configDirectory
    }
}

/// Writes `text` to `directory/name`.
func writeFile(_ directory: String, _ name: String, _ text: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try text.write(toFile: directory + "/" + name, atomically: false, encoding: .utf8)
}

/// An executable shell script plugin `name` in `directory`.
func writePlugin(_ directory: String, _ name: String, _ script: String) throws {
    try writeFile(directory, name, "#!/bin/sh\n" + script)
    chmod(directory + "/" + name, 0o755)
}

/// A plugin that records each call (stdin to `<name>.<COMMAND>.stdin`, its CNI_* variables to
/// `<name>.<COMMAND>.env`, a line in calls.log) and answers ADD with address `address`.
func writeRecordingPlugin(_ directory: String, _ name: String, address: String) throws {
    try writePlugin(directory, name, """
    dir=$(dirname "$0")
    cat > "$dir/\(name).$CNI_COMMAND.stdin"
    env | grep '^CNI_' | sort > "$dir/\(name).$CNI_COMMAND.env"
    echo "$CNI_COMMAND \(name) $CNI_IFNAME" >> "$dir/calls.log"
    if [ "$CNI_COMMAND" = ADD ]; then
      printf '{"cniVersion":"1.0.0","interfaces":[{"name":"%s","sandbox":"%s"}],"ips":[{"address":"\(address)","interface":0}]}' "$CNI_IFNAME" "$CNI_NETNS"
    fi
    """)
}

/// A file's text, "" when missing.
func contents(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}

/// A JSON file's top-level object.
func jsonObject(_ path: String) throws -> [String: JSONValue] {
    guard let object = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: path))).objectValue else {
        throw TestFailure("\(path) is not a JSON object")
    }
    return object
}
