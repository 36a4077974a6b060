import XCTest
@testable import ImageStore

final class ImageStoreInfoTests: XCTestCase {
    func testLayoutVersion() { XCTAssertEqual(ImageStoreInfo.layoutVersion, 1) }
}
