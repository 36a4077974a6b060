// Port-forward into a network namespace the test makes (as a pod's), where busybox serves
// HTTP and echoes: the raw protocol (port prefixes, data and error channels, several ports in
// one stream) and the local forwarder that curl talks to.
@testable import CRIStreaming
import Foundation
import Glibc
import PodNetwork
import TestSupport
import XCTest

final class PortForwardStreamTests: XCTestCase {
    /// A network namespace with loopback up: busybox httpd on 8080, an echo server on 9090.
    private struct Pod {
        let name: String
        var path: String { "/run/netns/" + name }

        /// The backend the daemon plugs in: a socket made in the pod's namespace, connected to
        /// its loopback.
        var session: PortForwardSession {
            PortForwardSession { [path] port in
                let fd = try NetworkNamespace.socketInNamespace(path: path, domain: AF_INET, type: Int32(SOCK_STREAM.rawValue))
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
                let rc = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                if rc != 0 {
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    throw StreamingError("connect to 127.0.0.1:\(port) in the pod: \(reason)")
                }
                return fd
            }
        }
    }

    private func makePod() async throws -> Pod {
        let name = "skiff-pf-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        try shell("ip netns add \(name) && ip netns exec \(name) ip link set lo up")
        addTeardownBlock { _ = try? shell("ip netns del \(name)") }
        let root = try makeScratchDirectory("pf-www")
        try "hello from the pod\n".write(toFile: root + "/index.html", atomically: true, encoding: .utf8)
        for arguments in [["busybox", "httpd", "-f", "-p", "127.0.0.1:8080", "-h", root],
                          ["busybox", "nc", "-ll", "-p", "9090", "-e", "/bin/cat"]] {
            let pid = try Command.start("/usr/sbin/ip", ["netns", "exec", name] + arguments)
            addTeardownBlock { Command.stop(pid) }
        }
        // Wait until both listen.
        let pod = Pod(name: name)
        for port: UInt16 in [8080, 9090] {
            let deadline = Date().addingTimeInterval(10)
            while true {
                if let fd = try? await pod.session.connect(port) { close(fd); break }
                guard Date() < deadline else { throw TestFailure("nothing listens on \(port) in \(name)") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        return pod
    }

    func testTheRawProtocolCarriesBytesPerPort() async throws {
        let pod = try await makePod()
        try await withStreamingServer { server in
            let url = try server.register(.portForward(pod.session))
            let raw = try await RawStream.open(url + "?port=9090,8081", protocols: [.v4])
            XCTAssertEqual(raw.chosen, .v4)
            let messages = try await raw.stream.executeThenClose { inbound, outbound in
                let writer = ChannelWriter(outbound: outbound, isClient: true)
                var received: [ChannelMessage] = []
                var echoed = ""
                var sent = false
                await MessageReader.forEach(inbound, writer: writer) { message in
                    received.append(message)
                    // After the four prefixes and the refusal of 8081, talk to the echo server.
                    if !sent && received.count >= 5 {
                        sent = true
                        try? await writer.send(0, Array("ping\n".utf8))
                    }
                    if message.channel == 0 && received.filter({ $0.channel == 0 }).count > 1 {
                        echoed += String(decoding: message.payload, as: UTF8.self)
                        if echoed == "ping\n" { try? await writer.close() }
                    }
                }
                return received
            }
            // First on each channel: its port, little-endian.
            for (channel, port) in [(0, 9090), (1, 9090), (2, 8081), (3, 8081)] as [(UInt8, UInt16)] {
                XCTAssertEqual(messages.first { $0.channel == channel }?.payload, ForwardedPorts.prefix(port), "channel \(channel)")
            }
            let refusal = String(decoding: messages.filter { $0.channel == 3 }.dropFirst().flatMap(\.payload), as: UTF8.self)
            XCTAssertTrue(refusal.contains("8081") && refusal.contains("refused"), "the closed port's error channel says why: \(refusal)")
            let echoed = String(decoding: messages.filter { $0.channel == 0 }.dropFirst().flatMap(\.payload), as: UTF8.self)
            XCTAssertEqual(echoed, "ping\n")
        }
    }

    func testTheForwarderServesCurlThroughALocalPort() async throws {
        let pod = try await makePod()
        try await withStreamingServer { server in
            // Each connection gets a URL of its own, as each PortForward call gives one.
            let forwarder = try await PortForwarder.listen(remotePort: 8080, newURL: {
                try server.register(.portForward(pod.session))
            }, report: { _ in })
            let forwarding = Task { try await forwarder.run() }
            defer { forwarder.shutdown() }
            for _ in 0..<3 {
                let result = try Command.run("/usr/bin/curl", ["-sS", "--max-time", "10", "http://127.0.0.1:\(forwarder.localPort)/"], timeout: 30)
                XCTAssertEqual(result.status, 0, result.summary)
                XCTAssertEqual(result.stdout, "hello from the pod\n")
            }
            forwarder.shutdown()
            try await forwarding.value
        }
    }

    func testAPortThatIsClosedIsReported() async throws {
        let pod = try await makePod()
        try await withStreamingServer { server in
            let reports = ReportLog()
            let forwarder = try await PortForwarder.listen(remotePort: 7777, newURL: { try server.register(.portForward(pod.session)) },
                                                           report: { reports.add($0) })
            let forwarding = Task { try await forwarder.run() }
            let result = try Command.run("/usr/bin/curl", ["-sS", "--max-time", "10", "http://127.0.0.1:\(forwarder.localPort)/"], timeout: 30)
            XCTAssertNotEqual(result.status, 0, "the connection closes without an answer")
            XCTAssertTrue(reports.text.contains("7777") && reports.text.contains("refused"), reports.text)
            forwarder.shutdown()
            try await forwarding.value
        }
    }

    func testPortForwardWithoutPortsIs400() async throws {
        let pod = try await makePod()
        try await withStreamingServer { server in
            let url = try server.register(.portForward(pod.session))
            let result = try Command.run("/usr/bin/curl", ["-sS", "-w", "\n%{http_code}", "-H", "Connection: Upgrade", "-H", "Upgrade: websocket",
                                                          "-H", "Sec-WebSocket-Version: 13", "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", url])
            XCTAssertTrue(result.stdout.hasSuffix("400"), result.summary)
            XCTAssertTrue(result.stdout.contains("\"port\" is required"), result.summary)
        }
    }
}

final class ReportLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}
