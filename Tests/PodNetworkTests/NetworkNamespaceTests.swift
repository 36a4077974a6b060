import Foundation
import Glibc
import PodNetwork
import TestSupport
import XCTest

final class NetworkNamespaceTests: XCTestCase {
    func testCreatedNamespaceIsANewNetworkNamespaceUntilRemoved() throws {
        try requireRoot()
        let dir = try makeScratchDirectory("netns")
        let namespace = try makePodNamespace("pod1", in: dir)
        XCTAssertEqual(namespace.path, dir + "/netns/pod1")
        XCTAssertTrue(namespace.exists)

        // A namespace of its own: only a loopback device, and not the one this process is in.
        let inside = try shell("nsenter --net=\(namespace.path) ip -o link show").stdout
        XCTAssertEqual(inside.split(separator: "\n").count, 1, inside)
        XCTAssertTrue(inside.contains(": lo:"), inside)
        XCTAssertNotEqual(try namespaceInode(namespace.path), try namespaceInode("/proc/self/ns/net"))
        XCTAssertEqual(try namespaceInode("/proc/thread-self/ns/net"), try namespaceInode("/proc/self/ns/net"),
                       "the creating thread of the test process did not move")

        XCTAssertThrowsError(try NetworkNamespace.create(name: "pod1", stateDirectory: dir)) { error in
            XCTAssertTrue("\(error)".contains("already exists"), "\(error)")
        }

        try namespace.remove()
        XCTAssertFalse(namespace.exists)
        XCTAssertFalse(FileManager.default.fileExists(atPath: namespace.path))
        XCTAssertFalse(try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).contains(namespace.path))
        try namespace.remove()  // a second remove is fine
    }

    func testBadNamesAndNonNamespaceFilesAreRefused() throws {
        try requireRoot()
        let dir = try makeScratchDirectory("netns")
        for name in ["", "..", "a/b"] {
            XCTAssertThrowsError(try NetworkNamespace.create(name: name, stateDirectory: dir)) { error in
                XCTAssertTrue("\(error)".contains("is not a single file name"), "\(error)")
            }
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/plain", contents: Data()))
        XCTAssertThrowsError(_ = try NetworkNamespace(path: dir + "/plain").open()) { error in
            XCTAssertEqual("\(error)", "\(dir)/plain is not a network namespace")
        }
        XCTAssertThrowsError(try NetworkNamespace.socketInNamespace(path: dir + "/missing", domain: AF_INET,
                                                                    type: Int32(SOCK_STREAM.rawValue))) { error in
            XCTAssertTrue("\(error)".contains("open network namespace \(dir)/missing: No such file"), "\(error)")
        }
    }

    /// CRI PortForward: a socket made in the pod's namespace reaches the pod's own 127.0.0.1.
    func testSocketInNamespaceConnectsToTheNamespacesLoopback() throws {
        try requireRoot()
        let dir = try makeScratchDirectory("netns")
        let namespace = try makePodNamespace("pod", in: dir)
        try shell("nsenter --net=\(namespace.path) ip link set lo up")
        let port: UInt16 = 7000 + UInt16.random(in: 0...999)
        _ = try startInNamespace(namespace.path, ["/usr/bin/busybox", "nc", "-l", "-p", "\(port)",
                                                  "-e", "/usr/bin/busybox", "echo", "inside the pod"])
        let reply = try connectAndRead(ip: "127.0.0.1", port: port) {
            try NetworkNamespace.socketInNamespace(path: namespace.path, domain: AF_INET, type: Int32(SOCK_STREAM.rawValue))
        }
        XCTAssertEqual(reply, "inside the pod\n")

        // The socket is close-on-exec and the caller's namespace is unchanged.
        let fd = try namespace.makeSocket(domain: AF_INET, type: Int32(SOCK_STREAM.rawValue))
        defer { close(fd) }
        XCTAssertEqual(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC)
        XCTAssertEqual(try namespaceInode("/proc/thread-self/ns/net"), try namespaceInode("/proc/self/ns/net"))
    }

    private func namespaceInode(_ path: String) throws -> UInt {
        var info = stat()
        guard stat(path, &info) == 0 else { throw TestFailure("stat \(path): \(String(cString: strerror(errno)))") }
        return UInt(info.st_ino)
    }
}
