import XCTest
@testable import ImageStore

final class DigestTests: XCTestCase {
    func testParseAndCompute() throws {
        // sha256("abc"), the FIPS 180-2 test vector.
        let abc = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        XCTAssertEqual(Digest.of(Array("abc".utf8)).description, abc)
        XCTAssertEqual(try Digest(parsing: abc), Digest.of(Array("abc".utf8)))
        var streamed = DigestComputer()
        streamed.update(Array("a".utf8)); streamed.update(Array("bc".utf8))
        XCTAssertEqual(streamed.finalize().description, abc)
        XCTAssertEqual(streamed.count, 3)
        XCTAssertEqual(try Digest(parsing: abc).blobPath(under: "/r"),
                       "/r/blobs/sha256/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let json = try JSONEncoder().encode([try Digest(parsing: abc)])
        XCTAssertEqual(String(decoding: json, as: UTF8.self), "[\"\(abc)\"]")
    }

    func testErrorsNameTheBadValue() {
        let hex = String(repeating: "a", count: 64)
        ImageFixtures.assertThrows(try Digest(parsing: hex), containing: ["\"\(hex)\"", "sha256:"])
        ImageFixtures.assertThrows(try Digest(parsing: "sha512:\(hex)"), containing: ["sha512", "unsupported algorithm"])
        ImageFixtures.assertThrows(try Digest(parsing: "sha256:abc"), containing: ["\"sha256:abc\"", "64 hex digits, got 3"])
        ImageFixtures.assertThrows(try Digest(parsing: "sha256:" + String(repeating: "A", count: 64)), containing: ["lowercase"])
        ImageFixtures.assertThrows(try Digest(parsing: "sha256:../../../../etc/passwd" + String(repeating: "a", count: 36)),
                     containing: ["hex digits"])
        XCTAssertThrowsError(try JSONDecoder().decode([Digest].self, from: Data("[\"sha256:zz\"]".utf8)))
    }
}
