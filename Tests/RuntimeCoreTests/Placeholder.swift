import XCTest
@testable import RuntimeCore
final class PlaceholderTests: XCTestCase {
    func testPlaceholder() throws {}
}
