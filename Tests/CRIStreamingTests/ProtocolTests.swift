// The protocol's small parts: negotiation, status and resize messages, ports, URLs.
@testable import CRIStreaming
import XCTest

final class ProtocolTests: XCTestCase {
    func testNegotiationFollowsTheClientsOrder() {
        let offered = StreamProtocol.offered(in: ["v4.channel.k8s.io, v5.channel.k8s.io", "channel.k8s.io"])
        XCTAssertEqual(offered, ["v4.channel.k8s.io", "v5.channel.k8s.io", "channel.k8s.io"])
        XCTAssertEqual(StreamProtocol.negotiate(offered: offered, supported: StreamProtocol.remoteCommand, fallback: .v1), .chosen(.v4))
        XCTAssertEqual(StreamProtocol.negotiate(offered: ["base64.channel.k8s.io", "v5.channel.k8s.io"], supported: StreamProtocol.remoteCommand, fallback: .v1), .chosen(.v5))
        XCTAssertEqual(StreamProtocol.negotiate(offered: [], supported: StreamProtocol.remoteCommand, fallback: .v1), .unnamed(.v1))
        XCTAssertEqual(StreamProtocol.negotiate(offered: ["SPDY/3.1"], supported: StreamProtocol.remoteCommand, fallback: .v1), .unsupported(offered: ["SPDY/3.1"]))
        XCTAssertEqual(StreamProtocol.negotiate(offered: ["portforward.k8s.io"], supported: StreamProtocol.portForwarding, fallback: .v4), .chosen(.portForward))
        XCTAssertEqual(StreamProtocol.negotiate(offered: ["v5.channel.k8s.io"], supported: StreamProtocol.portForwarding, fallback: .v4),
                       .unsupported(offered: ["v5.channel.k8s.io"]), "port-forward has no v5")
    }

    func testStatusMessagesAreTheKubeletsJSON() throws {
        XCTAssertEqual(String(decoding: StreamStatus.success.encoded(), as: UTF8.self), #"{"metadata":{},"status":"Success"}"#)
        let failed = StreamStatus.exited(42)
        XCTAssertEqual(String(decoding: failed.encoded(), as: UTF8.self),
                       #"{"details":{"causes":[{"message":"42","reason":"ExitCode"}]},"message":"command terminated with non-zero exit code: exit status 42","metadata":{},"reason":"NonZeroExitCode","status":"Failure"}"#)
        XCTAssertEqual(try StreamStatus.decode(failed.encoded()).exitCode, 42)
        XCTAssertEqual(StreamStatus.exited(0), .success)
        XCTAssertNil(StreamStatus.failure("boom").exitCode)
        // What a kubelet sends decodes too (extra fields, a code).
        let kubelet = #"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#
        XCTAssertEqual(try StreamStatus.decode(Array(kubelet.utf8)).exitCode, 3)
        XCTAssertThrowsError(try StreamStatus.decode(Array("not json".utf8)))
    }

    func testClientExitCodes() throws {
        XCTAssertEqual(try StreamingClient.exitCode(StreamStatus.exited(5).encoded(), .v4), 5)
        XCTAssertEqual(try StreamingClient.exitCode(StreamStatus.success.encoded(), .v5), 0)
        XCTAssertThrowsError(try StreamingClient.exitCode(StreamStatus.failure("no such container").encoded(), .v4)) { error in
            XCTAssertEqual("\(error)", "no such container")
        }
        XCTAssertThrowsError(try StreamingClient.exitCode([], .v4), "v4 always reports an end; none means the stream broke")
        XCTAssertEqual(try StreamingClient.exitCode([], .v1), 0)
        XCTAssertThrowsError(try StreamingClient.exitCode(Array("it broke".utf8), .v1))
    }

    func testResizeMessages() {
        XCTAssertEqual(String(decoding: TerminalSize(width: 80, height: 24).encoded(), as: UTF8.self), #"{"Width":80,"Height":24}"#)
        XCTAssertEqual(TerminalSize.decodeAll(Array(#"{"Width":100,"Height":40}{"Width":81,"Height":25}"#.utf8)),
                       [TerminalSize(width: 100, height: 40), TerminalSize(width: 81, height: 25)])
        XCTAssertEqual(TerminalSize.decodeAll(Array("garbage{".utf8)), [])
    }

    func testPorts() throws {
        XCTAssertEqual(try ForwardedPorts.parse(query: "port=8080,9090"), [8080, 9090])
        XCTAssertEqual(try ForwardedPorts.parse(query: "port=80&x=1&port=443"), [80, 443])
        XCTAssertEqual(try ForwardedPorts.parse(query: "ports=8080"), [8080])
        XCTAssertEqual(try ForwardedPorts.parse(query: ""), [])
        XCTAssertThrowsError(try ForwardedPorts.parse(query: "port=0"))
        XCTAssertThrowsError(try ForwardedPorts.parse(query: "port=70000"))
        XCTAssertThrowsError(try ForwardedPorts.parse(query: "port=http"))
        XCTAssertThrowsError(try ForwardedPorts.parse(query: "port="))
        XCTAssertEqual(ForwardedPorts.prefix(8080), [0x90, 0x1f])
        XCTAssertEqual(ForwardedPorts.port(fromPrefix: [0x90, 0x1f]), 8080)
    }

    func testURLs() throws {
        let url = try StreamURL("http://127.0.0.1:10010/exec/abc")
        XCTAssertEqual(url.host, "127.0.0.1")
        XCTAssertEqual(url.port, 10010)
        XCTAssertEqual(url.target, "/exec/abc")
        XCTAssertEqual(url.adding(query: "port", "80").target, "/exec/abc?port=80")
        XCTAssertEqual(try StreamURL("ws://[::1]:99/portforward/x?port=1").adding(query: "port", "2").target, "/portforward/x?port=1&port=2")
        XCTAssertEqual(try StreamURL("ws://[::1]:99/x").host, "::1")
        XCTAssertThrowsError(try StreamURL("https://node:10250/exec/x")) { XCTAssertTrue("\($0)".contains("only http://")) }
        XCTAssertThrowsError(try StreamURL("http://host:notaport/"))
    }

    func testTokensAreURLSafeAndDistinct() {
        let tokens = (0..<200).map { _ in SessionCache.newToken() }
        XCTAssertEqual(Set(tokens).count, 200)
        for token in tokens {
            XCTAssertEqual(token.count, 22)
            XCTAssertTrue(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, token)
        }
    }
}
