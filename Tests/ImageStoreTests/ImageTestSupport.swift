// Scratch directories and the project's test image for the ImageStore tests.
import Foundation
import RuntimeCore
import TestSupport
import XCTest

/// Helpers for the ImageStore tests, in a namespace so that other test files in this target
/// stay free to name their own.
enum ImageFixtures {
    /// A temporary directory removed when the test ends, however it ends.
    static func scratchDirectory(_ test: XCTestCase, _ name: String = "imagestore") throws -> String {
        try test.makeScratchDirectory(name)
    }

    /// rootfs/out/busybox-oci: SKIFF_TEST_OCI_LAYOUT (as ./hack/test sets it), else this
    /// checkout's build, else the main checkout's. Skips when none exists (run ./rootfs/build).
    static func testOCILayout() throws -> String {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["SKIFF_TEST_OCI_LAYOUT"] { candidates.append(env) }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        candidates.append(repo + "/rootfs/out/busybox-oci")
        candidates.append("/work/main/rootfs/out/busybox-oci")
        guard let found = candidates.first(where: { FileIO.exists($0 + "/index.json") }) else {
            throw XCTSkip("no OCI test layout (run ./rootfs/build); looked in \(candidates)")
        }
        return found
    }

    /// Runs a program and throws unless it exits 0.
    @discardableResult
    static func runTool(_ program: String, _ args: [String]) throws -> CommandResult {
        guard let exe = Command.find(program) else { throw XCTSkip("\(program) is not installed") }
        let r = try Command.run(exe, args, timeout: 120)
        guard r.status == 0 else { throw RuntimeError("command failed: \(r.summary)") }
        return r
    }

    /// cp -a.
    static func copyTree(_ from: String, _ to: String) throws {
        try runTool("cp", ["-a", from, to])
    }

    static func fileSize(_ path: String) throws -> Int64 {
        var st = stat()
        if stat(path, &st) < 0 { throw RuntimeError.system("stat \(path)") }
        return Int64(st.st_size)
    }

    /// Asserts that `body` throws an error whose text contains every fragment.
    static func assertThrows<T>(_ body: @autoclosure () throws -> T, containing fragments: [String],
                                file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try body()
            XCTFail("expected an error containing \(fragments)", file: file, line: line)
        } catch {
            let text = "\(error)"
            for f in fragments where !text.contains(f) {
                XCTFail("error \"\(text)\" does not contain \"\(f)\"", file: file, line: line)
            }
        }
    }
}
