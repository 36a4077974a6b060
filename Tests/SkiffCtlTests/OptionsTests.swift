// The global flags before the verb, durations, labels and output formats.
import SkiffCtl
import XCTest

final class OptionsTests: XCTestCase {
    func testGlobalFlagsBeforeTheVerbAreSplitOff() throws {
        let (options, rest) = try GlobalOptions.parse(["-r", "unix:///tmp/a.sock", "--timeout=5s", "logs", "-t", "abc"])
        XCTAssertEqual(options.runtimeEndpoint, "unix:///tmp/a.sock")
        XCTAssertEqual(options.imageEndpoint, "unix:///tmp/a.sock")
        XCTAssertEqual(options.timeout, .seconds(5))
        XCTAssertEqual(rest, ["logs", "-t", "abc"], "the verb's own -t is left to it")
    }

    func testEndpointsComeFromTheEnvironmentUnlessAFlagSaysOtherwise() throws {
        let env = ["CONTAINER_RUNTIME_ENDPOINT": "unix:///env.sock"]
        XCTAssertEqual(try GlobalOptions.parse(["ps"], environment: env).options.runtimeEndpoint, "unix:///env.sock")
        XCTAssertEqual(try GlobalOptions.parse(["--runtime-endpoint", "/flag.sock", "ps"], environment: env).options.runtimeEndpoint, "/flag.sock")
        let defaults = try GlobalOptions.parse(["ps"]).options
        XCTAssertEqual(defaults.runtimeEndpoint, "unix:///run/skiff/cri.sock")
        XCTAssertEqual(defaults.imageEndpoint, defaults.runtimeEndpoint)
        XCTAssertEqual(try GlobalOptions.parse(["-r", "/a.sock", "-i", "/b.sock", "images"]).options.imageEndpoint, "/b.sock")
    }

    func testBadGlobalFlagsSayWhatIsWrong() {
        XCTAssertThrowsError(try GlobalOptions.parse(["-r"])) { XCTAssertTrue("\($0)".contains("-r"), "\($0)") }
        XCTAssertThrowsError(try GlobalOptions.parse(["-t", "soon", "ps"])) { XCTAssertTrue("\($0)".contains("soon"), "\($0)") }
    }

    func testGoDurations() {
        XCTAssertEqual(DurationText.parse("2s"), .seconds(2))
        XCTAssertEqual(DurationText.parse("1h30m"), .seconds(5400))
        XCTAssertEqual(DurationText.parse("500ms"), .milliseconds(500))
        XCTAssertEqual(DurationText.parse("1.5m"), .seconds(90))
        XCTAssertEqual(DurationText.parse("10"), .seconds(10))
        XCTAssertEqual(DurationText.parse("-5s"), .seconds(-5))
        XCTAssertNil(DurationText.parse("5 minutes"))
        XCTAssertNil(DurationText.parse("s"))
        XCTAssertNil(DurationText.parse(""))
    }

    func testLabelsAndOutputFormats() throws {
        XCTAssertEqual(try LabelSelector.parse(["app=web", "tier=a=b"]), ["app": "web", "tier": "a=b"])
        XCTAssertThrowsError(try LabelSelector.parse(["app"])) { XCTAssertTrue("\($0)".contains("key=value"), "\($0)") }
        XCTAssertEqual(try OutputFormat(parsing: "YAML"), .yaml)
        XCTAssertEqual(try OutputFormat(parsing: "yml"), .yaml)
        XCTAssertThrowsError(try OutputFormat(parsing: "xml")) { XCTAssertTrue("\($0)".contains("xml"), "\($0)") }
    }
}

final class PortMappingTests: XCTestCase {
    func testPortsAreRemoteLocalColonRemoteOrColonRemote() throws {
        XCTAssertEqual(try ForwardPorts.Mapping(parsing: "8080").local, 8080)
        XCTAssertEqual(try ForwardPorts.Mapping(parsing: "8080").remote, 8080)
        XCTAssertEqual(try ForwardPorts.Mapping(parsing: "18080:80").local, 18080)
        XCTAssertEqual(try ForwardPorts.Mapping(parsing: "18080:80").remote, 80)
        XCTAssertEqual(try ForwardPorts.Mapping(parsing: ":80").local, 0, "any free local port")
        for bad in ["", "http", "0", "70000", "x:80", "80:", "1:2:3"] {
            XCTAssertThrowsError(try ForwardPorts.Mapping(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains("[LOCAL:]REMOTE"), "\(error)")
            }
        }
    }
}
