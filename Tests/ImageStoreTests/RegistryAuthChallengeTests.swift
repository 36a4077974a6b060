@testable import ImageStore
import XCTest

final class RegistryAuthChallengeTests: XCTestCase {
    func testBearerWithQuotedCommas() throws {
        let c = try XCTUnwrap(RegistryAuthChallenge(header:
            #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push""#))
        XCTAssertEqual(c.scheme, .bearer)
        XCTAssertEqual(c.realm, "https://auth.docker.io/token")
        XCTAssertEqual(c.service, "registry.docker.io")
        XCTAssertEqual(c.scope, "repository:library/busybox:pull,push")
    }

    func testBasicAndUnquotedAndUnknown() throws {
        let basic = try XCTUnwrap(RegistryAuthChallenge(header: #"Basic realm="Registry Realm""#))
        XCTAssertEqual(basic.scheme, .basic)
        XCTAssertEqual(basic.realm, "Registry Realm")
        let bare = try XCTUnwrap(RegistryAuthChallenge(header: "bearer Realm=http://h/token, service=s"))
        XCTAssertEqual(bare.realm, "http://h/token")
        XCTAssertEqual(bare.service, "s")
        XCTAssertNil(RegistryAuthChallenge(header: "Negotiate abc"))
        XCTAssertNil(RegistryAuthChallenge(header: ""))
    }
}
