// Ids by unique prefix: exact ids win, one match resolves, none or several is an error naming the prefix.
import SkiffCtl
import XCTest

final class IDPrefixTests: XCTestCase {
    let ids = ["4f2a9c0b", "4f2b1111", "9e00aaaa", "9e"]

    func testAUniquePrefixResolvesToItsID() throws {
        XCTAssertEqual(try IDPrefix.resolve("4f2a", among: ids, kind: "container"), "4f2a9c0b")
        XCTAssertEqual(try IDPrefix.resolve("4f2a9c0b", among: ids, kind: "container"), "4f2a9c0b")
    }

    func testAnExactIDWinsOverLongerIDsItPrefixes() throws {
        XCTAssertEqual(try IDPrefix.resolve("9e", among: ids, kind: "pod sandbox"), "9e")
    }

    func testAnAmbiguousPrefixNamesItselfAndTheCandidates() {
        XCTAssertThrowsError(try IDPrefix.resolve("4f2", among: ids, kind: "container")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("container \"4f2\""), text)
            XCTAssertTrue(text.contains("ambiguous"), text)
            XCTAssertTrue(text.contains("4f2a9c0b") && text.contains("4f2b1111"), text)
        }
    }

    func testAnUnknownPrefixIsNotFoundNamingIt() {
        XCTAssertThrowsError(try IDPrefix.resolve("zz9", among: ids, kind: "pod sandbox")) { error in
            XCTAssertEqual("\(error)", "pod sandbox \"zz9\": not found (no pod sandbox id starts with \"zz9\")")
        }
        XCTAssertThrowsError(try IDPrefix.resolve("", among: ids, kind: "container"))
    }
}
