import XCTest
import Foundation
final class InteropPlaceholderTests: XCTestCase {
    func testPlaceholder() throws {}
}
