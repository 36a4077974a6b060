import XCTest
@testable import RuntimeCore
final class InteropPlaceholderTests: XCTestCase {
    func testPlaceholder() throws {}
}
