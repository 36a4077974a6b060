// Test support: a busybox bundle in a scratch directory, launched under a real skiff-monitor
// with the real runtime, and removed (container, monitor, files) when the test ends.
import ContainerMonitor
import Foundation
import OCISpec
import TestSupport
import XCTest

let runtimeBinary = Binaries.runtime
let monitorBinary = Binaries.monitor
let testRootfs = Binaries.testRootfs

final class MonitoredContainer {
    let id = "mon-\(UInt32.random(in: 0...UInt32.max))"
    let directory: String
    var spec: Spec
    var launch: MonitorLaunch
    private(set) var created: MonitorLaunch.Created?

    var bundle: String { directory + "/bundle" }
    var stateRoot: String { directory + "/state" }
    var logPath: String { launch.logPath }
    var exitFile: String { launch.exitFile }
    var attachSocket: String { launch.attachSocket }
    var control: MonitorControl { MonitorControl(socketPath: launch.controlSocket) }

    init(_ test: XCTestCase, args: [String], terminal: Bool = false, stdin: Bool = false, stdinOnce: Bool = false) throws {
        guard getuid() == 0 else { throw XCTSkip("monitor tests create containers: run as root") }
        guard FileManager.default.fileExists(atPath: testRootfs + "/bin/busybox") else {
            throw XCTSkip("no test rootfs at \(testRootfs): run rootfs/build (./hack/test does)")
        }
        guard FileManager.default.isExecutableFile(atPath: monitorBinary) else {
            throw TestFailure("no skiff-monitor at \(monitorBinary): swift build --build-tests builds it")
        }
        directory = try test.makeScratchDirectory("monitor")
        try FileManager.default.createDirectory(atPath: directory + "/bundle", withIntermediateDirectories: true)
        try shell("cp -a '\(testRootfs)' '\(directory)/bundle/rootfs'")
        spec = TestSpec.busybox(args: args)
        spec.process?.terminal = terminal
        launch = MonitorLaunch(monitor: monitorBinary, containerID: id, bundle: directory + "/bundle",
                               runtime: runtimeBinary, logPath: directory + "/container.log",
                               exitFile: directory + "/exit", pidFile: directory + "/pid",
                               attachSocket: directory + "/attach.sock", controlSocket: directory + "/control.sock")
        launch.runtimeRoot = directory + "/state"
        launch.terminal = terminal
        launch.stdin = stdin
        launch.stdinOnce = stdinOnce
        launch.monitorLog = directory + "/monitor.log"
        // Runs before the scratch directory is removed (teardown blocks run newest first).
        test.addTeardownBlock { [self] in
            _ = try? runtime(["delete", "--force", id])
            if let pid = created?.monitorPID { stopMonitor(pid, containerID: id) }
        }
    }

    func writeConfig() throws {
        try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: bundle + "/config.json"))
    }

    /// Writes config.json and starts the monitor, which creates the container.
    @discardableResult
    func create() throws -> MonitorLaunch.Created {
        try writeConfig()
        let created = try launch.launch()
        self.created = created
        return created
    }

    func start() throws {
        let result = try runtime(["start", id])
        guard result.status == 0 else { throw TestFailure("start: \(result.summary)") }
    }

    @discardableResult
    func runtime(_ arguments: [String]) throws -> CommandResult {
        try Command.run(runtimeBinary, ["--root", stateRoot] + arguments)
    }

    /// The exit record, once the monitor has written it.
    func waitForExit(timeout: TimeInterval = 10) throws -> ExitRecord {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let record = try ExitRecord.read(exitFile) { return record }
            usleep(20_000)
        }
        throw TestFailure("no exit file after \(timeout) s; log: \(logText(logPath)); monitor: \(logText(directory + "/monitor.log"))")
    }

    func logLines(_ path: String? = nil) throws -> [CRILogLine] {
        try CRILogLine.parseAll(logText(path ?? logPath))
    }

    /// Polls the log until a line contains `text`.
    func waitForLog(containing text: String, in path: String? = nil, timeout: TimeInterval = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try logLines(path).contains(where: { $0.text.contains(text) }) { return }
            usleep(20_000)
        }
        throw TestFailure("no \"\(text)\" in the log after \(timeout) s: \(logText(path ?? logPath))")
    }
}

func logText(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}

/// Whether a live process (not a zombie) runs with `text` in its command line.
func processRunning(mentioning text: String) -> Bool {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.contains { entry in
        guard Int32(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
        return String(decoding: data, as: UTF8.self).contains(text)
    }
}

/// Kills a monitor this test started, by pid, if it still runs for our container, and waits
/// until it is gone (it is not our child: init reaps it).
func stopMonitor(_ pid: Int32, containerID: String) {
    func running() -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: data, as: UTF8.self).contains(containerID)
    }
    guard running() else { return }
    kill(pid, SIGKILL)
    let deadline = Date().addingTimeInterval(5)
    while running() && Date() < deadline { usleep(10_000) }
}

/// Reads attach output until `predicate` holds for everything read so far, or end/timeout.
func readAttach(_ connection: AttachConnection, until predicate: ([AttachConnection.Output]) -> Bool,
                timeout: Duration = .seconds(10)) throws -> [AttachConnection.Output] {
    var outputs: [AttachConnection.Output] = []
    let deadline = ContinuousClock.now + timeout
    while !predicate(outputs) {
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero, let output = try connection.read(timeout: left) else { break }
        outputs.append(output)
    }
    return outputs
}
