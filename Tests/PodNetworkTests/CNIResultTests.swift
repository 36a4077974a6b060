import Foundation
import PodNetwork
import XCTest

final class CNIResultTests: XCTestCase {
    private func parse(_ text: String) throws -> CNIResult {
        try CNIResult(json: JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), origin: "test")
    }

    func testVersion040ResultGivesTheSandboxInterfacesAddresses() throws {
        let result = try parse("""
        {"cniVersion": "0.4.0",
         "interfaces": [{"name": "cni0", "mac": "aa:bb:cc:dd:ee:01"},
                        {"name": "veth1", "mac": "aa:bb:cc:dd:ee:02"},
                        {"name": "eth0", "mac": "aa:bb:cc:dd:ee:03", "sandbox": "/run/netns/p"}],
         "ips": [{"version": "4", "interface": 2, "address": "10.88.0.5/16", "gateway": "10.88.0.1"},
                 {"version": "6", "interface": 2, "address": "fd00::5/64"},
                 {"version": "4", "interface": 0, "address": "10.88.0.1/16"}],
         "routes": [{"dst": "0.0.0.0/0", "gw": "10.88.0.1"}],
         "dns": {"nameservers": ["10.96.0.10"], "search": ["svc.cluster.local"]}}
        """)
        XCTAssertEqual(result.cniVersion, "0.4.0")
        XCTAssertEqual(result.podIPs(), ["10.88.0.5", "fd00::5"])
        XCTAssertEqual(result.ips[0].gateway, "10.88.0.1")
        XCTAssertEqual(result.routes, [CNIResult.Route(dst: "0.0.0.0/0", gw: "10.88.0.1")])
        XCTAssertEqual(result.dns?.nameservers, ["10.96.0.10"])
        XCTAssertEqual(result.dns?.search, ["svc.cluster.local"])
        XCTAssertEqual(result.interfaces[2].sandbox, "/run/netns/p")
    }

    func testVersion100ResultWithoutInterfaceIndexes() throws {
        let result = try parse(#"{"cniVersion": "1.0.0", "ips": [{"address": "192.168.1.9/24"}], "dns": {}}"#)
        XCTAssertEqual(result.podIPs(), ["192.168.1.9"], "addresses naming no interface are the pod's")
        XCTAssertEqual(result.interfaces, [])
        XCTAssertEqual(result.routes, [])
    }

    func testMalformedResultIsAnError() {
        XCTAssertThrowsError(try parse(#"{"cniVersion": "1.0.0", "ips": [{"gateway": "10.0.0.1"}]}"#)) { error in
            XCTAssertTrue("\(error)".hasPrefix("test: the result is not a CNI result"), "\(error)")
        }
        XCTAssertThrowsError(try parse(#""text""#)) { error in
            XCTAssertEqual("\(error)", "test: the result is a string, not an object")
        }
    }
}
