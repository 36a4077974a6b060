// The monitor's resident memory while it watches a container: a pod's monitors together
// must stay under 2 MB.
import ContainerMonitor
import Foundation
import XCTest

final class MonitorFootprintTests: XCTestCase {
    func testResidentMemoryWhileWatchingASleepingContainer() throws {
        let container = try MonitoredContainer(self, args: ["sleep", "100"])
        let created = try container.create()
        try container.start()
        usleep(200_000)
        let status = try String(contentsOfFile: "/proc/\(created.monitorPID)/status", encoding: .utf8)
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        let kilobytes = Int(rss?.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
        print("skiff-monitor VmRSS while watching a sleeping container: \(kilobytes) kB")
        XCTAssertGreaterThan(kilobytes, 0)
        XCTAssertLessThan(kilobytes, 1024, "two monitors (a pod of two containers) stay under 2 MB")
        XCTAssertEqual(try container.runtime(["kill", container.id, "KILL"]).status, 0)
        XCTAssertEqual(try container.waitForExit().exitCode, 137)
    }
}
