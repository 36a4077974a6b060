import XCTest
@testable import OCISpec
final class DecodeTests: XCTestCase {
    func testPlaceholder() throws {}
}
