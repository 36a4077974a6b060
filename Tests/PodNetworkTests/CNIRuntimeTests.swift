// ADD/DEL/CHECK semantics with small script plugins that record their calls: no network is
// changed here (see PodNetworkingTests for the real plugins).
import Foundation
import PodNetwork
import TestSupport
import XCTest

final class CNIRuntimeTests: XCTestCase {
    private var bin = ""
    private var state = ""

    override func setUpWithError() throws {
        let dir = try makeScratchDirectory("cniruntime")
        bin = dir + "/bin"
        state = dir + "/state"
        try writeRecordingPlugin(bin, "first", address: "10.9.0.1/24")
        try writeRecordingPlugin(bin, "second", address: "10.9.0.2/24")
    }

    private func runtime(timeout: Duration = .seconds(10)) -> CNIRuntime {
        CNIRuntime(executor: CNIPluginExecutor(pluginDirectories: [bin + "/none", bin], timeout: timeout),
                   cache: CNIResultCache(directory: state))
    }

    private func list(_ text: String) throws -> CNIConfig {
        try CNIConfig(json: Array(text.utf8), source: "test")
    }

    private let twoPlugins = """
    {"cniVersion": "1.0.0", "name": "fake", "plugins": [
      {"type": "first", "mtu": 1400, "nested": {"a": [1, 2.5, "x"]}},
      {"type": "second", "capabilities": {"portMappings": true, "bandwidth": false}}]}
    """

    private let mappings: JSONValue = .array([.object(["hostPort": .integer(8080), "containerPort": .integer(80),
                                                       "protocol": .string("tcp")])])

    private func attachment(capabilities: Bool = true) -> CNIAttachment {
        CNIAttachment(containerID: "c1", networkNamespace: "/run/netns/c1", interfaceName: "eth0",
                      args: [("IgnoreUnknown", "1"), ("K8S_POD_NAME", "web")],
                      capabilityArgs: capabilities ? ["portMappings": mappings, "bandwidth": .object([:])] : [:])
    }

    func testAddChainsPluginsAndPassesTheSpecsEnvironment() throws {
        let result = try runtime().add(try list(twoPlugins), attachment())
        XCTAssertEqual(result.podIPs(), ["10.9.0.2"], "the last plugin's result is the network's")

        let first = try jsonObject(bin + "/first.ADD.stdin")
        XCTAssertEqual(first["name"], .string("fake"))
        XCTAssertEqual(first["cniVersion"], .string("1.0.0"))
        XCTAssertEqual(first["mtu"], .integer(1400), "plugin fields pass through unchanged")
        XCTAssertEqual(first["nested"], .object(["a": .array([.integer(1), .number(2.5), .string("x")])]))
        XCTAssertNil(first["prevResult"])
        XCTAssertNil(first["runtimeConfig"], "it declared no capability")

        let second = try jsonObject(bin + "/second.ADD.stdin")
        XCTAssertEqual(second["prevResult"]?.objectValue?["ips"],
                       .array([.object(["address": .string("10.9.0.1/24"), "interface": .integer(0)])]))
        XCTAssertEqual(second["runtimeConfig"], .object(["portMappings": mappings]),
                       "only the capability it declared true")

        XCTAssertEqual(contents(bin + "/second.ADD.env"), """
        CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=web
        CNI_COMMAND=ADD
        CNI_CONTAINERID=c1
        CNI_IFNAME=eth0
        CNI_NETNS=/run/netns/c1
        CNI_PATH=\(bin)/none:\(bin)

        """)
        let cached = try jsonObject(state + "/results/fake-c1-eth0")
        XCTAssertEqual(cached["result"], result.json)
        XCTAssertEqual(try runtime().cachedResult(network: "fake", containerID: "c1", interfaceName: "eth0"), result)
    }

    func testDeleteAfterRestartRunsInReverseWithTheCachedResultAndCapabilities() throws {
        let added = try runtime().add(try list(twoPlugins), attachment())
        // A new runtime (a restarted daemon) that knows only the container and the config.
        try runtime().delete(try list(twoPlugins), attachment(capabilities: false))
        XCTAssertEqual(contents(bin + "/calls.log"), "ADD first eth0\nADD second eth0\nDEL second eth0\nDEL first eth0\n")
        let second = try jsonObject(bin + "/second.DEL.stdin")
        XCTAssertEqual(second["prevResult"], added.json)
        XCTAssertEqual(second["runtimeConfig"], .object(["portMappings": mappings]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: state + "/results/fake-c1-eth0"))

        // A second DEL finds no cache and is still fine.
        try runtime().delete(try list(twoPlugins), attachment(capabilities: false))
        XCTAssertNil(try jsonObject(bin + "/second.DEL.stdin")["prevResult"])
    }

    func testDeleteGoesPastAFailingPluginAndKeepsTheCacheForARetry() throws {
        try writePlugin(bin, "flaky", """
        if [ "$CNI_COMMAND" = DEL ]; then echo '{"code": 11, "msg": "busy"}'; exit 1; fi
        cat "$(dirname "$0")/first.ADD.stdin" > /dev/null
        echo '{"cniVersion": "1.0.0", "ips": [{"address": "10.9.0.3/24"}]}'
        """)
        let config = try list(#"{"cniVersion": "1.0.0", "name": "fake", "plugins": [{"type": "first"}, {"type": "flaky"}]}"#)
        _ = try runtime().add(config, attachment())
        XCTAssertThrowsError(try runtime().delete(config, attachment())) { error in
            XCTAssertEqual("\(error)", "CNI network \"fake\": plugin flaky DEL failed with error 11 (try again later): busy")
        }
        XCTAssertEqual(contents(bin + "/calls.log"), "ADD first eth0\nDEL first eth0\n", "first's DEL still ran")
        XCTAssertTrue(FileManager.default.fileExists(atPath: state + "/results/fake-c1-eth0"))
    }

    func testPluginErrorResultBecomesAClearError() throws {
        try writePlugin(bin, "failing", """
        echo '{"cniVersion": "1.0.0", "code": 7, "msg": "bad subnet", "details": "ipam.subnet 10.0.0.0/33"}'
        exit 1
        """)
        let config = try list(#"{"cniVersion": "1.0.0", "name": "fake", "plugins": [{"type": "failing"}]}"#)
        XCTAssertThrowsError(try runtime().add(config, attachment())) { error in
            XCTAssertEqual((error as? CNIPluginError)?.failure,
                           .errorResult(code: 7, message: "bad subnet", details: "ipam.subnet 10.0.0.0/33"))
            XCTAssertEqual("\(error)", "CNI network \"fake\": plugin failing ADD failed with error 7 (invalid network config): bad subnet (ipam.subnet 10.0.0.0/33)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: state + "/results/fake-c1-eth0"), "no result, no cache")
    }

    func testPluginFailureWithoutAnErrorResultReportsWhatItPrinted() throws {
        try writePlugin(bin, "crashing", "echo 'panic: oops' >&2\nexit 3\n")
        try writePlugin(bin, "silent", "exit 0\n")
        let crashing = try list(#"{"cniVersion": "1.0.0", "name": "fake", "plugins": [{"type": "crashing"}]}"#)
        XCTAssertThrowsError(try runtime().add(crashing, attachment())) { error in
            XCTAssertEqual("\(error)", "CNI network \"fake\": plugin crashing ADD failed with exit status 3: panic: oops")
        }
        let silent = try list(#"{"cniVersion": "1.0.0", "name": "fake", "plugins": [{"type": "silent"}]}"#)
        XCTAssertThrowsError(try runtime().add(silent, attachment())) { error in
            XCTAssertTrue("\(error)".hasPrefix("CNI network \"fake\": plugin silent ADD: unusable result"), "\(error)")
        }
    }

    func testSlowPluginIsKilledAtTheTimeout() throws {
        try writePlugin(bin, "slow", "exec sleep 30\n")
        let config = try list(#"{"cniVersion": "1.0.0", "name": "fake", "plugins": [{"type": "slow"}]}"#)
        let started = Date()
        XCTAssertThrowsError(try runtime(timeout: .milliseconds(300)).add(config, attachment())) { error in
            XCTAssertEqual((error as? CNIPluginError)?.failure, .timedOut(seconds: 0.3))
            XCTAssertEqual("\(error)", "CNI network \"fake\": plugin slow ADD timed out after 0.3 s and was killed")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testMissingPluginNamesWhereItWasLookedFor() throws {
        let config = try list(#"{"cniVersion": "1.0.0", "name": "fake", "plugins": [{"type": "nosuch"}]}"#)
        XCTAssertThrowsError(try runtime().add(config, attachment())) { error in
            XCTAssertEqual("\(error)", "CNI network \"fake\": plugin nosuch ADD: no executable \"nosuch\" in \(bin)/none, \(bin)")
        }
    }

    func testCheckUsesTheCachedResult() throws {
        let config = try list(twoPlugins)
        XCTAssertThrowsError(try runtime().check(config, attachment())) { error in
            XCTAssertEqual("\(error)", "CNI network \"fake\": no cached ADD result for c1 eth0 to CHECK")
        }
        let added = try runtime().add(config, attachment())
        try runtime().check(config, attachment())
        XCTAssertEqual(try jsonObject(bin + "/first.CHECK.stdin")["prevResult"], added.json)

        let old = try list(#"{"cniVersion": "0.3.1", "name": "fake", "plugins": [{"type": "first"}]}"#)
        XCTAssertThrowsError(try runtime().check(old, attachment())) { error in
            XCTAssertEqual("\(error)", "CNI network \"fake\": CHECK needs cniVersion 0.4.0 or later, not 0.3.1")
        }
    }

    func testConfigLargerThanAPipeReachesThePlugin() throws {
        let big = String(repeating: "x", count: 200_000)
        let config = try list(#"{"cniVersion": "1.0.0", "name": "fake", "plugins": [{"type": "first", "blob": "\#(big)"}]}"#)
        _ = try runtime().add(config, attachment())
        XCTAssertEqual(try jsonObject(bin + "/first.ADD.stdin")["blob"], .string(big))
    }

    func testBadContainerIDOrInterfaceNameIsRefusedBeforeAnyPluginRuns() throws {
        let config = try list(twoPlugins)
        var bad = attachment()
        bad.containerID = "../etc"
        XCTAssertThrowsError(try runtime().add(config, bad)) { error in
            XCTAssertEqual("\(error)", "CNI container ID \"../etc\" must be letters, digits, '_', '.' and '-'")
        }
        bad = attachment()
        bad.interfaceName = "a-very-long-interface"
        XCTAssertThrowsError(try runtime().add(config, bad)) { error in
            XCTAssertTrue("\(error)".hasPrefix("interface name \"a-very-long-interface\" must be 1 to 15"), "\(error)")
        }
        XCTAssertEqual(contents(bin + "/calls.log"), "")
    }
}
