// process.terminal: the pty master arrives on the console socket; the container's stdio and
// /dev/console are the pty.
import CSkiffSystem
import Foundation
import OCISpec
import TestSupport
import XCTest

final class ConsoleTests: XCTestCase {
    func testTerminalIsSentToTheConsoleSocket() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "tty; stat -c %t:%T /dev/console; [ -t 0 ] && echo stdin-is-tty; stty size"])
        bundle.spec.process?.terminal = true
        bundle.spec.process?.consoleSize = ConsoleSize(height: 33, width: 111)
        let socketPath = bundle.directory + "/console.sock"
        let listener = try listen(on: socketPath)
        defer { close(listener) }
        try bundle.create("tty", flags: ["--console-socket", socketPath])
        // create connected and sent the master before it returned: it waits in the backlog.
        let connection = accept(listener, nil, nil)
        XCTAssertGreaterThanOrEqual(connection, 0)
        defer { close(connection) }
        let master = sk_recv_fd(connection)
        XCTAssertGreaterThanOrEqual(master, 0, "a pty master fd arrived")
        defer { close(master) }
        XCTAssertEqual(try bundle.runtime(["start", "tty"]).status, 0)
        let output = readAll(master, timeout: 5)
        XCTAssertTrue(output.contains("/dev/pts/0"), output)
        XCTAssertTrue(output.contains("88:0"), "/dev/console is the pty (major 136 = 0x88): \(output)")
        XCTAssertTrue(output.contains("stdin-is-tty"), output)
        XCTAssertTrue(output.contains("33 111"), "consoleSize applied: \(output)")
    }

    func testRunAndExecRelayTheTerminalThemselves() throws {
        let bundle = try TestBundle(args: ["sh", "-c", "tty; echo via-pty; sleep 60"])
        bundle.spec.process?.terminal = true
        try bundle.writeConfig()
        let runPID = try Command.start(runtimeBinary, ["--root", bundle.stateRoot, "run", "--bundle", bundle.directory, "ttyrun"])
        defer { Command.stop(runPID) }
        try bundle.wait("ttyrun", for: .running)
        let exec = try bundle.runtime(["exec", "-t", "ttyrun", "sh", "-c", "tty; echo exec-via-pty; exit 5"])
        XCTAssertEqual(exec.status, 5, exec.stderr)
        XCTAssertTrue(exec.stdout.contains("/dev/pts/1"), exec.stdout)
        XCTAssertTrue(exec.stdout.contains("exec-via-pty"), exec.stdout)
        _ = try bundle.runtime(["kill", "ttyrun", "KILL"])
    }

    func testTerminalWithoutConsoleSocketIsRefusedForCreate() throws {
        let bundle = try TestBundle(args: ["sh"])
        bundle.spec.process?.terminal = true
        try bundle.writeConfig()
        let result = try bundle.runtime(["create", "--bundle", bundle.directory, "notty"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--console-socket"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bundle.stateRoot), [])
    }

    private func listen(on path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, b) in path.utf8.enumerated() { buffer[i] = b }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 4) == 0 else { throw TestFailure("cannot listen on \(path)") }
        return fd
    }

    /// Reads until the slave side closes (EIO on a pty master) or the timeout passes.
    private func readAll(_ fd: Int32, timeout: TimeInterval) -> String {
        var data = [UInt8]()
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 200) > 0 else { continue }
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }
}
