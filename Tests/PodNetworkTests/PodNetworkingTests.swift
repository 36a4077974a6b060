// Pod networking with Debian's real CNI plugins (bridge, host-local, portmap, loopback) and the
// shipped conflist. The plugins run in a network namespace each test makes (the "host"), so the
// bridge, veths and iptables rules never reach the machine's own network.
import Foundation
import Glibc
import PodNetwork
import TestSupport
import XCTest

final class PodNetworkingTests: XCTestCase {
    private var dir = ""
    private var host = ""
    private var ipam = ""
    private var networking: PodNetworking!

    override func setUpWithError() throws {
        try requireRoot()
        try requireSystemPlugins()
        dir = try makeScratchDirectory("podnet")
        host = try makeHostNamespace()
        ipam = dir + "/ipam"
        networking = PodNetworking(
            configDirectory: try makeConfigDirectory(in: dir, ipamDirectory: ipam),
            pluginDirectories: [systemPluginDirectory], stateDirectory: dir + "/cni",
            pluginTimeout: .seconds(30), hostNetworkNamespace: host)
    }

    private func pod(_ name: String, ports: [PortMapping] = []) throws -> PodSandboxNetwork {
        let namespace = try makePodNamespace(name, in: dir)
        let pod = PodSandboxNetwork(sandboxID: "sandbox-\(name)", podNamespace: "default", podName: name,
                                    podUID: "uid-\(name)", networkNamespace: namespace.path, portMappings: ports)
        // Whatever the test does, its addresses and rules go before the namespaces do.
        addTeardownBlock { [networking] in try? networking!.tearDown(pod) }
        return pod
    }

    /// host-local's allocations: one file per address, named by it.
    private func allocatedAddresses() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: ipam + "/skiff")) ?? [])
            .filter { $0.hasPrefix("10.") }.sorted()
    }

    func testTwoPodsGetDistinctAddressesOnTheBridgeAndReachEachOther() throws {
        let a = try pod("a")
        let b = try pod("b")
        let statusA = try networking.setUp(a)
        let statusB = try networking.setUp(b)
        XCTAssertEqual(statusA.network, "skiff")
        XCTAssertEqual(statusA.ips.count, 1)
        XCTAssertEqual(statusB.ips.count, 1)
        XCTAssertNotEqual(statusA.ips, statusB.ips)
        for ip in statusA.ips + statusB.ips { XCTAssertTrue(ip.hasPrefix("10.88."), ip) }
        XCTAssertEqual(allocatedAddresses(), (statusA.ips + statusB.ips).sorted())

        // The bridge and one veth per pod are in the test's host namespace, not the machine's.
        XCTAssertEqual(try links(ofType: "bridge", inNamespace: host), ["skiff0"])
        XCTAssertEqual(try links(ofType: "veth", inNamespace: host).count, 2)
        XCTAssertNotEqual(try Command.run("/usr/sbin/ip", ["link", "show", "skiff0"]).status, 0,
                          "no skiff0 in the machine's namespace")

        // Inside the pod: lo is up (the loopback plugin) and eth0 holds the address.
        let addresses = try shell("nsenter --net=\(a.networkNamespace) ip -o -4 addr show").stdout
        XCTAssertTrue(addresses.contains("lo    inet 127.0.0.1/8"), addresses)
        XCTAssertTrue(addresses.contains("eth0    inet \(statusA.ips[0])/16"), addresses)

        let ping = try Command.run("/usr/bin/nsenter", ["--net=\(a.networkNamespace)", "/usr/bin/busybox", "ping",
                                                        "-c", "1", "-W", "5", statusB.ips[0]])
        XCTAssertEqual(ping.status, 0, ping.summary)
        XCTAssertTrue(ping.stdout.contains("1 packets received"), ping.summary)

        // After a daemon restart the addresses come from the cache.
        XCTAssertEqual(try networking.status(sandboxID: a.sandboxID)?.ips, statusA.ips)
        try networking.check(a)
    }

    func testHostPortReachesAListenerInThePod() throws {
        let web = try pod("web", ports: [PortMapping(hostPort: 8080, containerPort: 80, protocol: "TCP")])
        let status = try networking.setUp(web)
        _ = try startInNamespace(web.networkNamespace, ["/usr/bin/busybox", "nc", "-l", "-p", "80",
                                                        "-e", "/usr/bin/busybox", "echo", "hello from the pod"])
        // From the host side: the bridge's address and the hostPort, DNATed by portmap's rules.
        let reply = try connectAndRead(ip: "10.88.0.1", port: 8080) {
            try NetworkNamespace.socketInNamespace(path: host, domain: AF_INET, type: Int32(SOCK_STREAM.rawValue))
        }
        XCTAssertEqual(reply, "hello from the pod\n")
        let rules = try shell("ip netns exec \(URL(fileURLWithPath: host).lastPathComponent) iptables -t nat -S").stdout
        XCTAssertTrue(rules.contains("--to-destination \(status.ips[0]):80"), rules)

        try networking.tearDown(web)
        let after = try shell("ip netns exec \(URL(fileURLWithPath: host).lastPathComponent) iptables -t nat -S").stdout
        XCTAssertFalse(after.contains(status.ips[0]), "the pod's DNAT and masquerade rules are gone: \(after)")
    }

    func testTearDownRemovesTheVethAndFreesTheAddressAndCanBeRepeated() throws {
        let a = try pod("a")
        let status = try networking.setUp(a)
        XCTAssertEqual(allocatedAddresses(), status.ips)
        XCTAssertEqual(try links(ofType: "veth", inNamespace: host).count, 1)

        try networking.tearDown(a)
        XCTAssertEqual(try links(ofType: "veth", inNamespace: host), [])
        XCTAssertEqual(allocatedAddresses(), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/cni/results"), [], "cache entries removed")
        XCTAssertNil(try networking.status(sandboxID: a.sandboxID))
        let inside = try shell("nsenter --net=\(a.networkNamespace) ip -o link show").stdout
        XCTAssertFalse(inside.contains("eth0"), inside)

        try networking.tearDown(a)  // a second DEL is fine
        try NetworkNamespace(path: a.networkNamespace).remove()
        try networking.tearDown(a)  // and so is one after the namespace is gone

        // The freed address is handed out again.
        let b = try pod("b")
        XCTAssertEqual(try networking.setUp(b).ips.count, 1)
    }

    func testSetUpWithABrokenConfigFailsNamingItAndLeavesNothing() throws {
        let a = try pod("a")
        let broken = networking.configDirectory + "/10-skiff.conflist"
        try #"{"cniVersion": "1.0.0", "name": "skiff", "plugins": [{"bridge": "skiff0"}]}"#
            .write(toFile: broken, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try networking.setUp(a)) { error in
            XCTAssertTrue("\(error)".contains("CNI config \(broken): plugins[0].type is missing"), "\(error)")
        }
        XCTAssertEqual(try links(ofType: "veth", inNamespace: host), [])
    }

    func testFailedSetUpUndoesWhatWasDone() throws {
        // The bridge plugin makes a veth and takes an address, then the next plugin is missing.
        let config = networking.configDirectory + "/10-skiff.conflist"
        try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "\"portmap\"", with: "\"nosuchplugin\"")
            .write(toFile: config, atomically: false, encoding: .utf8)
        let a = try pod("a")
        XCTAssertThrowsError(try networking.setUp(a)) { error in
            XCTAssertEqual("\(error)", "CNI network \"skiff\": plugin nosuchplugin ADD: no executable \"nosuchplugin\" in /usr/lib/cni")
        }
        XCTAssertEqual(try links(ofType: "veth", inNamespace: host), [])
        XCTAssertEqual(allocatedAddresses(), [])
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: dir + "/cni/results")) ?? [], [])
    }
}
