import Foundation
import PodNetwork
import TestSupport
import XCTest

final class CNIConfigTests: XCTestCase {
    func testShippedConflistIsTheBridgeThenPortmap() throws {
        let config = try CNIConfig.load(file: shippedConflist)
        XCTAssertEqual(config.name, "skiff")
        XCTAssertEqual(config.cniVersion, "1.0.0")
        XCTAssertEqual(config.plugins.map(\.type), ["bridge", "portmap"])
        XCTAssertEqual(config.plugins[1].capabilities, ["portMappings"])
        XCTAssertEqual(config.plugins[0].fields["bridge"], .string("skiff0"))
        XCTAssertEqual(config.plugins[0].fields["isGateway"], .bool(true))
        XCTAssertEqual(config.plugins[0].fields["ipMasq"], .bool(true))
    }

    func testLexicallyFirstValidFileWinsAndBrokenOnesAreReported() throws {
        let dir = try makeScratchDirectory("cniconf")
        try writeFile(dir, "05-broken.conflist", #"{"cniVersion": "1.0.0", "name": "broken", "plugins": [{"ipam": {}}]}"#)
        try writeFile(dir, "10-first.conf", #"{"cniVersion": "0.4.0", "name": "first", "type": "bridge", "bridge": "b0"}"#)
        try writeFile(dir, "20-second.conflist", #"{"cniVersion": "1.0.0", "name": "second", "plugins": [{"type": "ptp"}]}"#)
        try writeFile(dir, "00-ignored.txt", "not a config")

        let (config, skipped) = try CNIConfig.load(directory: dir)
        XCTAssertEqual(config.name, "first", "a single plugin's .conf becomes a list of one")
        XCTAssertEqual(config.cniVersion, "0.4.0")
        XCTAssertEqual(config.plugins.map(\.type), ["bridge"])
        XCTAssertEqual(config.source, dir + "/10-first.conf")
        XCTAssertEqual(skipped.map(\.description), ["CNI config \(dir)/05-broken.conflist: plugins[0].type is missing"])
    }

    func testBrokenConfigErrorsNameTheFileAndTheField() throws {
        let dir = try makeScratchDirectory("cniconf")
        let cases: [(String, String)] = [
            (#"{"cniVersion": "1.0.0", "name": "n", "plugins": [{"type": "bridge"}, {"type": 7}]}"#,
             "plugins[1].type must be a non-empty string"),
            (#"{"cniVersion": "1.0.0", "plugins": [{"type": "bridge"}]}"#, "\"name\" is missing"),
            (#"{"name": "n", "plugins": [{"type": "bridge"}]}"#, "\"cniVersion\" is missing"),
            (#"{"cniVersion": "0.2.0", "name": "n", "plugins": [{"type": "bridge"}]}"#,
             "\"cniVersion\" \"0.2.0\" is not supported"),
            (#"{"cniVersion": "1.0.0", "name": "n", "plugins": []}"#, "\"plugins\" is empty"),
            (#"{"cniVersion": "1.0.0", "name": "n", "plugins": {"type": "bridge"}}"#, "\"plugins\" is an object, not an array"),
            (#"{"cniVersion": "1.0.0", "name": "bad name", "plugins": [{"type": "bridge"}]}"#,
             "\"name\" \"bad name\" must start with a letter or digit"),
            (#"{"cniVersion": "1.0.0", "name": "n", "plugins": [{"type": "../bin/sh"}]}"#,
             "plugins[0].type \"../bin/sh\" must be a plugin's file name, not a path"),
            (#"{"cniVersion": "1.0.0", "name": "n", "plugins": [{"type": "portmap", "capabilities": {"portMappings": "yes"}}]}"#,
             "plugins[0].capabilities.portMappings is a string, not a boolean"),
            (#"{"cniVersion": "1.0.0", "name": "n", "plugins": [{"type": "bridge"}]"#, "not valid JSON"),
            (#"["bridge"]"#, "the top level is an array, not an object"),
        ]
        for (index, (text, problem)) in cases.enumerated() {
            let file = "\(dir)/\(index).conflist"
            try writeFile(dir, "\(index).conflist", text)
            XCTAssertThrowsError(try CNIConfig.load(file: file)) { error in
                XCTAssertTrue("\(error)".hasPrefix("CNI config \(file): \(problem)"), "\(text) gave: \(error)")
            }
        }
        // With nothing valid the directory's error lists every file's problem.
        XCTAssertThrowsError(try CNIConfig.load(directory: dir)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("CNI config \(dir): no valid network config"), text)
            XCTAssertTrue(text.contains("\(dir)/0.conflist: plugins[1].type"), text)
            XCTAssertTrue(text.contains("\(dir)/9.conflist: not valid JSON"), text)
        }
    }

    func testEmptyOrMissingDirectoryIsAClearError() throws {
        let dir = try makeScratchDirectory("cniconf")
        XCTAssertThrowsError(try CNIConfig.load(directory: dir)) { error in
            XCTAssertEqual("\(error)", "CNI config \(dir): no valid network config (*.conflist, *.conf, *.json)")
        }
        XCTAssertThrowsError(try CNIConfig.load(directory: dir + "/nowhere")) { error in
            XCTAssertTrue("\(error)".hasPrefix("CNI config \(dir)/nowhere: the CNI config directory cannot be read"), "\(error)")
        }
    }
}
