// The static pod directory's inotify watcher: a file still open for writing is reported as not
// settled (the source then waits a moment before reading it), one closed or renamed in as
// settled; dotfiles are not reported.
import Foundation
@testable import Kubelet
import Synchronization
import TestSupport
import XCTest

final class DirectoryWatcherTests: XCTestCase {
    func testAFileBeingWrittenIsNotSettledUntilClosedOrRenamedIn() throws {
        let directory = try makeScratchDirectory("watch")
        let seen = Mutex<[Bool]>([])
        let watcher = DirectoryWatcher(path: directory) { settled in seen.withLock { $0.append(settled) } }
        XCTAssertTrue(watcher.start())
        defer { watcher.stop() }
        /// Waits for a report of `settled`; returns (and forgets) every report so far.
        @discardableResult
        func expectReport(_ settled: Bool, _ what: String) throws -> [Bool] {
            for _ in 0..<100 {
                if seen.withLock({ $0.contains(settled) }) {
                    usleep(50_000)
                    return seen.withLock { all in defer { all.removeAll() }; return all }
                }
                usleep(20_000)
            }
            throw TestFailure("no report of settled=\(settled) within 2 s (\(what)): \(seen.withLock { $0 })")
        }

        let fd = open(directory + "/pod.yaml", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        _ = "apiVersion: v1\n".withCString { write(fd, $0, strlen($0)) }
        let whileOpen = try expectReport(false, "created and written, still open")
        XCTAssertFalse(whileOpen.contains(true), "nothing is settled while the file is open: \(whileOpen)")
        close(fd)
        try expectReport(true, "closed after writing")

        // A dotfile is no manifest: writing one is not reported.
        try "kind: Pod\n".write(toFile: directory + "/.other.tmp", atomically: false, encoding: .utf8)
        usleep(200_000)
        XCTAssertEqual(seen.withLock { $0 }, [], "a dotfile's events are left out")
        XCTAssertEqual(rename(directory + "/.other.tmp", directory + "/other.yaml"), 0)
        try expectReport(true, "renamed in")
        unlink(directory + "/other.yaml")
        try expectReport(true, "removed")
    }
}
