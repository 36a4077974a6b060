// Test support: a bundle (busybox rootfs + config.json) and a private state root per test, and
// the real skiff-runtime binary to drive them.
import Foundation
import OCISpec
import TestSupport
import XCTest

/// The skiff-runtime under test: $SKIFF_RUNTIME, else the debug build next to the tests.
let runtimeBinary: String = {
    if let path = ProcessInfo.processInfo.environment["SKIFF_RUNTIME"] { return path }
    let tests = Bundle.main.bundleURL.deletingLastPathComponent()
    for candidate in [tests.appendingPathComponent("skiff-runtime").path,
                      tests.deletingLastPathComponent().appendingPathComponent("skiff-runtime").path]
    where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/skiff-runtime").path
}()

/// The busybox rootfs built by rootfs/build ($SKIFF_TEST_ROOTFS).
let testRootfs: String = {
    if let path = ProcessInfo.processInfo.environment["SKIFF_TEST_ROOTFS"] { return path }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("rootfs/out/busybox").path
}()

typealias Result = CommandResult

final class TestBundle {
    let directory: String
    let stateRoot: String
    var spec: Spec
    var rootfs: String { directory + "/rootfs" }
    private var ids: [String] = []

    init(args: [String] = ["true"], file: StaticString = #filePath, line: UInt = #line) throws {
        guard getuid() == 0 else { throw XCTSkip("integration tests run as root") }
        guard FileManager.default.fileExists(atPath: testRootfs + "/bin/busybox") else {
            throw XCTSkip("no test rootfs at \(testRootfs): run rootfs/build (./hack/test does)")
        }
        directory = try makeTemporaryDirectory("bundle")
        stateRoot = try makeTemporaryDirectory("state")
        try shell("cp -a '\(testRootfs)' '\(directory)/rootfs'")
        spec = Self.defaultSpec(args: args)
    }

    deinit {
        for id in ids { _ = try? runtime(["delete", "--force", id]) }
        _ = try? shell("rm -rf '\(directory)' '\(stateRoot)'")
    }

    /// The container config our tests start from: runc's `spec` default, without a terminal.
    static func defaultSpec(args: [String]) -> Spec { TestSpec.busybox(args: args) }

    var args: [String] {
        get { spec.process?.args ?? [] }
        set { spec.process?.args = newValue }
    }

    func writeConfig() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        try encoder.encode(spec).write(to: URL(fileURLWithPath: directory + "/config.json"))
    }

    /// Runs skiff-runtime with this bundle's state root.
    @discardableResult
    func runtime(_ arguments: [String], timeout: TimeInterval = 30) throws -> Result {
        try Command.run(runtimeBinary, ["--root", stateRoot] + arguments, timeout: timeout)
    }

    /// `run` of the current spec under a fresh id; returns what the container printed and its exit code.
    func run(_ id: String = "c-\(UInt32.random(in: 0...UInt32.max))") throws -> Result {
        try writeConfig()
        return try runtime(["run", "--bundle", directory, id])
    }

    /// `create` (+ `start`) of the current spec; the container is deleted when the bundle goes away.
    func create(_ id: String, start: Bool = false, flags: [String] = []) throws {
        try writeConfig()
        ids.append(id)
        let created = try runtime(["create", "--bundle", directory] + flags + [id])
        guard created.status == 0 else { throw TestFailure("create failed: \(created.stderr)") }
        if start {
            let started = try runtime(["start", id])
            guard started.status == 0 else { throw TestFailure("start failed: \(started.stderr)") }
        }
    }

    func state(_ id: String) throws -> State {
        let result = try runtime(["state", id])
        guard result.status == 0 else { throw TestFailure("state failed: \(result.stderr)") }
        return try JSONDecoder().decode(State.self, from: Data(result.stdout.utf8))
    }

    /// Polls until the container reaches `status` (or fails after `timeout`).
    func wait(_ id: String, for status: State.Status, timeout: TimeInterval = 5) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? state(id))?.status == status { return }
            usleep(20_000)
        }
        throw TestFailure("container \(id) did not become \(status.rawValue)")
    }
}

