// Tokens: unknown, used and expired ones are refused with 404; a request that does not upgrade
// gets a 400 that says what is missing (curl shows it is plain HTTP).
@testable import CRIStreaming
import Foundation
import TestSupport
import XCTest

final class TokenTests: XCTestCase {
    private func echo(_ server: StreamingServer) throws -> String {
        let options = StreamOptions()
        return try server.register(.exec(ExecSession(options: options) { try ExecProcess.spawn(["/bin/echo", "once"], options: options) }))
    }

    private func curl(_ url: String, _ extra: [String] = []) throws -> (status: Int, body: String) {
        let result = try Command.run("/usr/bin/curl", ["-sS", "-w", "\n%{http_code}"] + extra + [url], timeout: 30)
        guard result.status == 0 else { throw TestFailure(result.summary) }
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let status = Int(lines.removeLast()) ?? -1
        return (status, lines.joined(separator: "\n"))
    }

    func testURLsPointAtTheServer() async throws {
        try await withStreamingServer { server in
            XCTAssertGreaterThan(server.port, 0)
            let url = try echo(server)
            XCTAssertTrue(url.hasPrefix("http://127.0.0.1:\(server.port)/exec/"), url)
            let token = String(url.split(separator: "/").last!)
            XCTAssertGreaterThanOrEqual(token.count, 16)
            XCTAssertNotEqual(try echo(server), url, "each session gets its own token")
        }
    }

    func testATokenWorksOnce() async throws {
        try await withStreamingServer { server in
            let url = try echo(server)
            let local = try LocalSide(self, stdin: false)
            let code = try await StreamingClient.run(url: url, local: local.streams)
            XCTAssertEqual(code, 0)
            XCTAssertEqual(local.output, "once\n")
            do {
                _ = try await StreamingClient.run(url: url, local: local.streams)
                XCTFail("a token is single-use")
            } catch let error as StreamingError {
                XCTAssertTrue(error.description.contains("404"), "\(error)")
                XCTAssertTrue(error.description.contains("unknown, used or expired"), "\(error)")
            }
        }
    }

    func testUnknownTokensAndPathsAre404() async throws {
        try await withStreamingServer { server in
            let unknown = try curl(server.baseURL + "/exec/nosuchtoken")
            XCTAssertEqual(unknown.status, 404)
            XCTAssertTrue(unknown.body.contains("nosuchtoken"), unknown.body)
            let elsewhere = try curl(server.baseURL + "/metrics")
            XCTAssertEqual(elsewhere.status, 404)
            XCTAssertTrue(elsewhere.body.contains("/exec/<token>"), elsewhere.body)
            // A token for exec does not open an attach.
            let url = try echo(server)
            let token = url.split(separator: "/").last!
            XCTAssertEqual(try curl(server.baseURL + "/attach/\(token)").status, 404)
        }
    }

    func testATokenExpiresUnused() async throws {
        try await withStreamingServer(tokenLifetime: .milliseconds(300)) { server in
            let url = try echo(server)
            try await Task.sleep(for: .milliseconds(500))
            let local = try LocalSide(self, stdin: false)
            do {
                _ = try await StreamingClient.run(url: url, local: local.streams)
                XCTFail("an expired token is refused")
            } catch let error as StreamingError {
                XCTAssertTrue(error.description.contains("404"), "\(error)")
            }
            XCTAssertEqual(local.output, "", "the command never ran")
        }
    }

    func testARequestWithoutUpgradeIs400AndKeepsTheToken() async throws {
        try await withStreamingServer { server in
            let url = try echo(server)
            let plain = try curl(url)
            XCTAssertEqual(plain.status, 400)
            XCTAssertTrue(plain.body.contains("WebSocket upgrade"), plain.body)
            let post = try curl(url, ["-X", "POST"])
            XCTAssertEqual(post.status, 405)
            // The token was not used up by requests that could not stream.
            let local = try LocalSide(self, stdin: false)
            let code = try await StreamingClient.run(url: url, local: local.streams)
            XCTAssertEqual(code, 0)
            XCTAssertEqual(local.output, "once\n")
        }
    }

    func testAnUnsupportedSubprotocolIs400() async throws {
        try await withStreamingServer { server in
            let url = try echo(server)
            let result = try curl(url, ["-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
                                        "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "-H", "Sec-WebSocket-Protocol: v9.channel.k8s.io"])
            XCTAssertEqual(result.status, 400)
            XCTAssertTrue(result.body.contains("v9.channel.k8s.io") && result.body.contains("v4.channel.k8s.io"), result.body)
        }
    }

    func testWebSocketHandshakeAnswersWithTheChosenProtocol() async throws {
        try await withStreamingServer { server in
            let url = try echo(server)
            let result = try Command.run("/usr/bin/curl", [
                "-sS", "-o", "/dev/null", "-D", "-", "--max-time", "3", "-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
                "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "-H", "Sec-WebSocket-Protocol: v4.channel.k8s.io, channel.k8s.io", url,
            ], timeout: 30)
            XCTAssertTrue(result.stdout.hasPrefix("HTTP/1.1 101"), result.summary)
            XCTAssertTrue(result.stdout.lowercased().contains("sec-websocket-protocol: v4.channel.k8s.io"), result.summary)
            XCTAssertTrue(result.stdout.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "RFC 6455's accept key: \(result.summary)")
        }
    }
}
