// Temporary directories and shell commands for tests.
import Foundation
import XCTest

public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A new directory under /tmp; the caller removes it (see makeScratchDirectory).
public func makeTemporaryDirectory(_ prefix: String) throws -> String {
    var template = Array("/tmp/skiff-test-\(prefix)-XXXXXX".utf8CString)
    guard let path = mkdtemp(&template) else { throw TestFailure("mkdtemp failed") }
    return String(cString: path)
}

/// Removes a test's directory tree, not crossing into mounts it may still hold.
public func removeScratch(_ path: String) {
    _ = try? Command.run("/bin/rm", ["-rf", "--one-file-system", path])
}

extension XCTestCase {
    /// A temporary directory removed when the test ends, however it ends (mounts in it are
    /// unmounted by teardown blocks registered after this one, which run first).
    public func makeScratchDirectory(_ prefix: String) throws -> String {
        let directory = try makeTemporaryDirectory(prefix)
        addTeardownBlock { removeScratch(directory) }
        return directory
    }
}

/// Runs a shell command; throws with its output unless it exits 0.
@discardableResult
public func shell(_ command: String) throws -> CommandResult {
    let result = try Command.run("/bin/sh", ["-c", command])
    if result.status != 0 { throw TestFailure("\(command): \(result.summary)") }
    return result
}
