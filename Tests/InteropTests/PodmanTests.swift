// podman drives the runtime under test (SKIFF_RUNTIME) end to end: run, exit codes, exec, stop.
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Needs root, podman, and the environment ./hack/test sets: SKIFF_RUNTIME (the runtime binary
/// podman should use) and SKIFF_TEST_IMAGE_TAR (rootfs/out/busybox.tar). Skipped otherwise.
/// To check the test itself against a known-good runtime: SKIFF_RUNTIME=/usr/sbin/runc.
final class PodmanTests: XCTestCase {
    private var sandbox: PodmanSandbox?

    override func setUpWithError() throws {
        let env = ProcessInfo.processInfo.environment
        guard getuid() == 0 else { throw XCTSkip("podman interop tests need root") }
        guard let runtime = env["SKIFF_RUNTIME"], !runtime.isEmpty,
            let imageTar = env["SKIFF_TEST_IMAGE_TAR"], !imageTar.isEmpty
        else {
            throw XCTSkip("set SKIFF_RUNTIME and SKIFF_TEST_IMAGE_TAR (./hack/test does)")
        }
        // With the environment set, a missing piece is a broken setup, not a reason to skip.
        guard FileManager.default.isExecutableFile(atPath: runtime) else {
            throw CommandError(description: "SKIFF_RUNTIME \(runtime) is not an executable file")
        }
        guard FileManager.default.fileExists(atPath: imageTar) else {
            throw CommandError(description: "SKIFF_TEST_IMAGE_TAR \(imageTar) does not exist (run ./rootfs/build)")
        }
        guard let podman = Command.find("podman") else {
            throw CommandError(description: "podman is not installed (run ./hack/deps)")
        }

        let sandbox = try PodmanSandbox(podman: podman, runtime: runtime)
        self.sandbox = sandbox
        let imported = try sandbox.podman("import", "--quiet", imageTar, PodmanSandbox.image)
        try require(imported, exitsWith: 0)
    }

    override func tearDown() {
        sandbox?.destroy()
        sandbox = nil
        super.tearDown()
    }

    func testRunPrintsOutputAndReturnsExitCode() throws {
        let podman = try XCTUnwrap(sandbox)
        let result = try podman.run("--rm", PodmanSandbox.image, "sh", "-c", "echo hello; exit 3")
        XCTAssertEqual(result.status, 3, result.summary)
        XCTAssertEqual(result.stdout, "hello\n", result.summary)

        let left = try podman.podman("ps", "--all", "--quiet")
        XCTAssertEqual(left.stdout, "", "--rm left a container behind: \(left.summary)")
    }

    func testExecInDetachedContainerThenStopAndRemove() throws {
        let podman = try XCTUnwrap(sandbox)
        let started = try podman.run("--detach", PodmanSandbox.image, "sleep", "300")
        try require(started, exitsWith: 0)
        let id = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(id.isEmpty, started.summary)

        // Proves podman really drove the runtime under test, not its default.
        let inspected = try podman.podman("inspect", "--format", "{{.OCIRuntime}} {{.State.Status}}", id)
        try require(inspected, exitsWith: 0)
        XCTAssertEqual(inspected.stdout, "\(podman.runtime) running\n", inspected.summary)

        let exec = try podman.podman("exec", id, "sh", "-c", "echo from-exec")
        XCTAssertEqual(exec.status, 0, exec.summary)
        XCTAssertEqual(exec.stdout, "from-exec\n", exec.summary)

        let execStatus = try podman.podman("exec", id, "sh", "-c", "exit 5")
        XCTAssertEqual(execStatus.status, 5, execStatus.summary)

        // sleep is PID 1 and ignores SIGTERM: stop -t 1 ends with SIGKILL after a second.
        let stopped = try podman.podman("stop", "--time", "1", id)
        XCTAssertEqual(stopped.status, 0, stopped.summary)
        let state = try podman.podman("inspect", "--format", "{{.State.Status}}", id)
        XCTAssertEqual(state.stdout, "exited\n", state.summary)

        let removed = try podman.podman("rm", "--force", id)
        XCTAssertEqual(removed.status, 0, removed.summary)
        let left = try podman.podman("ps", "--all", "--quiet")
        XCTAssertEqual(left.stdout, "", left.summary)
    }

    /// Stops the test (throws) unless `result` exited with `status`, showing its output.
    private func require(_ result: CommandResult, exitsWith status: Int32,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        guard result.status == status else {
            XCTFail("expected exit \(status): \(result.summary)", file: file, line: line)
            throw CommandError(description: "expected exit \(status)")
        }
    }
}
