// The -r/--runtime-endpoint forms skiffctl and skiff-kubelet accept.
import CRIAPI
import XCTest

final class EndpointTests: XCTestCase {
    func testUnixEndpointsAndBarePaths() throws {
        XCTAssertEqual(try CRIEndpoint(parsing: "unix:///run/skiff/cri.sock").socketPath, "/run/skiff/cri.sock")
        XCTAssertEqual(try CRIEndpoint(parsing: " unix:///tmp/x y.sock\n").socketPath, "/tmp/x y.sock")
        XCTAssertEqual(try CRIEndpoint(parsing: "/var/run/cri.sock").socketPath, "/var/run/cri.sock")
        XCTAssertEqual(CRIEndpoint.default.description, "unix:///run/skiff/cri.sock")
        XCTAssertEqual(try CRIClient(endpoint: "unix:///a/b.sock").socketPath, "/a/b.sock")
    }

    func testOtherEndpointsAreRefusedWithTheReason() {
        let cases: [(String, String)] = [
            ("tcp://127.0.0.1:1234", "unsupported scheme \"tcp\""),
            ("npipe:////./pipe/cri", "unsupported scheme \"npipe\""),
            ("unix://run/skiff/cri.sock", "must be absolute (unix:///run/skiff/cri.sock)"),
            ("cri.sock", "neither unix:///path nor an absolute socket path"),
            ("", "neither"),
        ]
        for (endpoint, expected) in cases {
            XCTAssertThrowsError(try CRIEndpoint(parsing: endpoint), endpoint) { error in
                XCTAssertEqual((error as? CRIError)?.code, .invalidArgument, endpoint)
                XCTAssertTrue("\(error)".contains(expected), "\(endpoint): \(error)")
            }
        }
    }
}
