// The command line as runc's callers use it: flag spellings, help, and usage errors.
import Foundation
import TestSupport
import XCTest

final class CommandLineTests: XCTestCase {
    private func runtime(_ arguments: [String]) throws -> CommandResult {
        try Command.run(runtimeBinary, arguments)
    }

    func testVersionAndHelp() throws {
        let version = try runtime(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("skiff-runtime version "), version.stdout)
        XCTAssertTrue(version.stdout.contains("spec: 1."), version.stdout)
        let help = try runtime(["--help"])
        XCTAssertEqual(help.status, 0)
        for command in ["create", "start", "run", "state", "kill", "delete", "exec", "ps", "list", "pause", "resume",
                        "update", "events", "features", "spec"] {
            XCTAssertTrue(help.stdout.contains("  \(command) "), "help lists \(command)")
        }
        let killHelp = try runtime(["kill", "--help"])
        XCTAssertEqual(killHelp.status, 0)
        XCTAssertTrue(killHelp.stdout.contains("--all, -a"), killHelp.stdout)
    }

    func testFlagSpellingsRuncCallersUse() throws {
        let root = try makeScratchDirectory("cli")
        for arguments in [["--root", root, "list"], ["--root=\(root)", "list"], ["-root", root, "list"],
                          ["--root", root, "--log-format", "json", "list", "-q"]] {
            let result = try runtime(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
        }
    }

    func testUsageErrorsAreClear() throws {
        let unknownFlag = try runtime(["create", "--bogus", "x"])
        XCTAssertEqual(unknownFlag.status, 1)
        XCTAssertTrue(unknownFlag.stderr.contains("unknown flag --bogus"), unknownFlag.stderr)
        let missingID = try runtime(["state"])
        XCTAssertEqual(missingID.status, 1)
        XCTAssertTrue(missingID.stderr.contains("expected <container-id>"), missingID.stderr)
        let unknownCommand = try runtime(["frobnicate"])
        XCTAssertTrue(unknownCommand.stderr.contains("unknown command \"frobnicate\""), unknownCommand.stderr)
        let missingValue = try runtime(["create", "--bundle"])
        XCTAssertTrue(missingValue.stderr.contains("--bundle needs a value"), missingValue.stderr)
        let badFormat = try runtime(["--log-format", "xml", "list"])
        XCTAssertTrue(badFormat.stderr.contains("--log-format"), badFormat.stderr)
    }

    func testErrorsGoToTheJSONLogAsRuncWritesThem() throws {
        let root = try makeScratchDirectory("cli-log")
        let log = root + "/runtime.log"
        let result = try runtime(["--root", root, "--log", log, "--log-format", "json", "state", "missing"])
        XCTAssertEqual(result.status, 1)
        let line = try String(contentsOfFile: log, encoding: .utf8)
        let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        XCTAssertEqual(entry?["level"] as? String, "error")
        XCTAssertTrue((entry?["msg"] as? String ?? "").contains("container missing does not exist"), line)
    }

    func testSpecWritesADefaultConfigTheRuntimeRuns() throws {
        let bundle = try TestBundle()
        XCTAssertEqual(try Command.run(runtimeBinary, ["spec", "--bundle", bundle.directory]).status, 0)
        XCTAssertNotEqual(try Command.run(runtimeBinary, ["spec", "--bundle", bundle.directory]).status, 0, "spec does not overwrite")
        var config = try String(contentsOfFile: bundle.directory + "/config.json", encoding: .utf8)
        config = config.replacingOccurrences(of: "\"terminal\" : true", with: "\"terminal\" : false")
            .replacingOccurrences(of: "\"sh\"\n", with: "\"true\"\n")
        try config.write(toFile: bundle.directory + "/config.json", atomically: true, encoding: .utf8)
        let result = try bundle.runtime(["run", "--bundle", bundle.directory, "fromspec"])
        XCTAssertEqual(result.status, 0, result.stderr)
    }
}
