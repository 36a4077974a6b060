// Namespaces, processes and sockets for the pod network tests. Everything that changes networking
// happens in a "host" network namespace each test makes and deletes: the machine's own network
// namespace and firewall rules are never touched.
import Foundation
import Glibc
import PodNetwork
import TestSupport
import XCTest

extension XCTestCase {
    func requireRoot() throws {
        guard getuid() == 0 else { throw XCTSkip("network namespace tests run as root") }
    }

    /// A network namespace made with `ip netns add` that plays the node for the test: plugins
    /// run in it, so bridges, veths and iptables rules land in it. Deleted at teardown.
    func makeHostNamespace() throws -> String {
        let name = "skiff-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try shell("ip netns add \(name)")
        addTeardownBlock { _ = try? shell("ip netns del \(name)") }
        try shell("ip -n \(name) link set lo up")
        return "/run/netns/\(name)"
    }

    /// A pod network namespace under the scratch directory, removed at teardown.
    func makePodNamespace(_ name: String, in directory: String) throws -> NetworkNamespace {
        let namespace = try NetworkNamespace.create(name: name, stateDirectory: directory)
        addTeardownBlock { try? namespace.remove() }
        return namespace
    }

    /// Starts a program inside a network namespace; killed (by PID) at teardown.
    func startInNamespace(_ path: String, _ arguments: [String]) throws -> pid_t {
        let pid = try Command.start("/usr/bin/nsenter", ["--net=\(path)"] + arguments)
        addTeardownBlock { Command.stop(pid) }
        return pid
    }
}

/// Names of the links of a kind ("veth", "bridge") in a namespace made with `ip netns add`.
func links(ofType type: String, inNamespace path: String) throws -> [String] {
    let name = URL(fileURLWithPath: path).lastPathComponent
    return try shell("ip -n \(name) -o link show type \(type)").stdout
        .split(separator: "\n")
        .map { line in String(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces).prefix { $0 != "@" }) }
}

/// Connects a fresh socket from `makeSocket` to ip:port, retrying while nothing listens yet,
/// then reads until the peer closes. What it read, or a TestFailure after `timeout`.
func connectAndRead(ip: String, port: UInt16, timeout: TimeInterval = 10,
                    makeSocket: () throws -> Int32) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    var lastError = ""
    while Date() < deadline {
        let fd = try makeSocket()
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, ip, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected < 0 {
            lastError = String(cString: strerror(errno))
            usleep(50_000)
            continue
        }
        var receiveTimeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receiveTimeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            received += buffer[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
    throw TestFailure("connect to \(ip):\(port): \(lastError)")
}
