// SCMP_ACT_NOTIFY end to end: a child loads a filter and hands the notify fd to an agent (this
// test) at listenerPath; the agent answers the child's mkdir with an errno of its choosing.
import CSeccomp
import CSkiffSystem
import Foundation
import Glibc
import OCISpec
import XCTest
@testable import RuntimeCore

final class SeccompAgentTests: XCTestCase {
    func testProcessStateJSON() throws {
        let state = State(id: "c\"1\n", status: .creating, pid: 4242, bundle: "/b/ü", annotations: ["k": "v\u{1}", "a": "b"])
        let bytes = try SeccompAgent.processState(state: state, pid: 4242, metadata: "MKNOD=/dev/null")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        XCTAssertEqual(json["ociVersion"] as? String, specVersion)
        XCTAssertEqual(json["fds"] as? [String], ["seccompFd"])
        XCTAssertEqual(json["pid"] as? Int, 4242)
        XCTAssertEqual(json["metadata"] as? String, "MKNOD=/dev/null")
        let inner = try XCTUnwrap(json["state"] as? [String: Any])
        XCTAssertEqual(inner["id"] as? String, "c\"1\n")
        XCTAssertEqual(inner["status"] as? String, "creating")
        XCTAssertEqual(inner["pid"] as? Int, 4242)
        XCTAssertEqual(inner["bundle"] as? String, "/b/ü")
        XCTAssertEqual(inner["annotations"] as? [String: String], ["k": "v\u{1}", "a": "b"])
        // The payload also decodes as our own State type.
        struct Envelope: Decodable { var state: State }
        XCTAssertEqual(try JSONDecoder().decode(Envelope.self, from: Data(bytes)).state, state)

        let bare = try SeccompAgent.processState(state: State(id: "x", status: .creating, pid: nil, bundle: "/", annotations: nil),
                                             pid: 1, metadata: nil)
        let bareJSON = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bare)) as? [String: Any])
        XCTAssertNil(bareJSON["metadata"])
    }

    func testAgentReceivesTheFdAndAnswersTheNotification() throws {
        let path = "/tmp/skiff-agent-\(getpid()).sock"
        let listener = try listen(at: path)
        defer { close(listener); unlink(path) }
        var profile = Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY")])
        profile.listenerPath = path
        profile.listenerMetadata = "hello-agent"
        let target = "/tmp/skiff-notify-\(getpid())"

        let pid = try forkChild {
            let agent = try SeccompAgent.connect(path)
            let state = try SeccompAgent.processState(
                state: State(id: "notify-test", status: .creating, pid: getpid(), bundle: "/bundle", annotations: nil),
                pid: getpid(), metadata: profile.listenerMetadata)
            try SeccompFilter.load(profile, agent: agent, state: state)
            return mkdir(target, 0o700) == 0 ? 0 : errno
        }

        // The agent's side: accept, take the fd and the state, answer one notification.
        XCTAssertTrue(waitReadable(listener), "the child never connected")
        let conn = accept(listener, nil, nil)
        XCTAssertGreaterThanOrEqual(conn, 0)
        defer { close(conn) }
        var notifyFd: Int32 = -1
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = buf.withUnsafeMutableBytes { sk_recv_fd_with_payload(conn, &notifyFd, $0.baseAddress, $0.count) }
        XCTAssertGreaterThan(n, 0)
        XCTAssertGreaterThanOrEqual(notifyFd, 0, "no fd came with the message")
        defer { close(notifyFd) }
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(buf[0..<max(n, 0)])) as? [String: Any])
        XCTAssertEqual(json["metadata"] as? String, "hello-agent")
        XCTAssertEqual(json["fds"] as? [String], ["seccompFd"])
        XCTAssertEqual((json["state"] as? [String: Any])?["id"] as? String, "notify-test")

        XCTAssertTrue(waitReadable(notifyFd), "no notification arrived")
        var req: UnsafeMutablePointer<seccomp_notif>?
        var resp: UnsafeMutablePointer<seccomp_notif_resp>?
        XCTAssertEqual(seccomp_notify_alloc(&req, &resp), 0)
        defer { seccomp_notify_free(req, resp) }
        XCTAssertEqual(seccomp_notify_receive(notifyFd, req), 0)
        let nr = Int32(req!.pointee.data.nr)
        XCTAssertTrue([seccomp_syscall_resolve_name("mkdir"), seccomp_syscall_resolve_name("mkdirat")].contains(nr))
        XCTAssertEqual(Int32(req!.pointee.pid), pid)
        resp!.pointee.id = req!.pointee.id
        resp!.pointee.error = -EDOM   // the agent's verdict: fail with EDOM
        resp!.pointee.val = 0
        resp!.pointee.flags = 0
        XCTAssertEqual(seccomp_notify_respond(notifyFd, resp), 0)

        XCTAssertEqual(waitExit(pid), EDOM)
        XCTAssertFalse(FileIO.exists(target))
        rmdir(target)
    }

    func testLoadReturnsTheNotifyFdOnlyForNotifyProfiles() {
        var notify = Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [.init(names: ["acct"], action: "SCMP_ACT_NOTIFY")])
        notify.listenerPath = "/nonexistent.sock"
        let outcome = runInChild { _ in
            guard let fd = try SeccompFilter.load(notify), fcntl(fd, F_GETFD) >= 0 else { return 2 }
            return try SeccompFilter.load(Seccomp(defaultAction: "SCMP_ACT_ALLOW")) == nil ? 0 : 3
        }
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
    }

    func testConnectErrorNamesTheField() {
        XCTAssertThrowsError(try SeccompAgent.connect("/nonexistent/agent.sock")) {
            XCTAssertEqual("\($0)", "linux.seccomp.listenerPath: connect /nonexistent/agent.sock: No such file or directory")
        }
    }

    // MARK: helpers

    private func listen(at path: String) throws -> Int32 {
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, r == 0, Glibc.listen(fd, 1) == 0 else { throw RuntimeError.system("listen \(path)") }
        return fd
    }

    private func waitReadable(_ fd: Int32, ms: Int32 = 10_000) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, ms) == 1
    }

    /// Like runInChild, but returns at once so the parent can play the agent.
    private func forkChild(_ body: () throws -> Int32) throws -> pid_t {
        fflush(nil)
        let pid = fork()
        if pid == 0 {
            do { _exit(try body()) } catch { _exit(100) }
        }
        if pid < 0 { throw RuntimeError.system("fork") }
        return pid
    }

    private func waitExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7f == 0 ? (status >> 8) & 0xff : -(status & 0x7f)
    }
}
