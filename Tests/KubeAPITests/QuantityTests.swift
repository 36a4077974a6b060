// resource.Quantity: the suffixes Kubernetes accepts, exact values, rounding up, bad input.
import Foundation
import KubeAPI
import XCTest

final class QuantityTests: XCTestCase {
    func testDecimalAndBinarySuffixes() throws {
        XCTAssertEqual(try Quantity(parsing: "64Mi").value, 64 * 1024 * 1024)
        XCTAssertEqual(try Quantity(parsing: "1Gi").value, 1 << 30)
        XCTAssertEqual(try Quantity(parsing: "1.5Gi").value, 1_610_612_736)
        XCTAssertEqual(try Quantity(parsing: "2Ki").value, 2048)
        XCTAssertEqual(try Quantity(parsing: "1k").value, 1000)
        XCTAssertEqual(try Quantity(parsing: "128M").value, 128_000_000)
        XCTAssertEqual(try Quantity(parsing: "1e3").value, 1000)
        XCTAssertEqual(try Quantity(parsing: "1E6").value, 1_000_000)
        XCTAssertEqual(try Quantity(parsing: "12").value, 12)
    }

    func testMilliValuesAndRoundingUp() throws {
        XCTAssertEqual(try Quantity(parsing: "100m").milliValue, 100)
        XCTAssertEqual(try Quantity(parsing: "0.5").milliValue, 500)
        XCTAssertEqual(try Quantity(parsing: "2").milliValue, 2000)
        XCTAssertEqual(try Quantity(parsing: ".25").milliValue, 250)
        // Value() rounds up: 100m of a core is 1 whole core, 1.5 bytes is 2.
        XCTAssertEqual(try Quantity(parsing: "100m").value, 1)
        XCTAssertEqual(try Quantity(parsing: "1.5").value, 2)
        XCTAssertEqual(try Quantity(parsing: "1u").milliValue, 1)
    }

    func testEqualityIsByAmount() throws {
        XCTAssertEqual(try Quantity(parsing: "1Gi"), try Quantity(parsing: "1024Mi"))
        XCTAssertEqual(try Quantity(parsing: "1"), try Quantity(parsing: "1000m"))
        XCTAssertNotEqual(try Quantity(parsing: "1G"), try Quantity(parsing: "1Gi"))
    }

    func testBadQuantitiesAreRejectedWithTheirText() {
        for bad in ["", "Mi", "1.2.3", "1Xi", "12 Mi", "abc", "1e", "--1"] {
            XCTAssertThrowsError(try Quantity(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains("\"\(bad)\""), "\(error)")
            }
        }
    }

    func testDecodesStringsAndNumbersAndEncodesAsWritten() throws {
        let decoded = try JSONDecoder().decode([String: Quantity].self, from: Data(#"{"cpu": 0.5, "memory": "64Mi", "pods": 3}"#.utf8))
        XCTAssertEqual(decoded["cpu"]?.milliValue, 500)
        XCTAssertEqual(decoded["memory"]?.value, 67_108_864)
        XCTAssertEqual(decoded["pods"]?.value, 3)
        let encoded = String(decoding: try JSONEncoder().encode(["memory": Quantity(stringLiteral: "64Mi")]), as: UTF8.self)
        XCTAssertEqual(encoded, #"{"memory":"64Mi"}"#)
    }
}
