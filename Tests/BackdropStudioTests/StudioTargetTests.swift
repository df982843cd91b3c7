import BackdropStudio
import XCTest

/// Placeholder until the studio's own tests land (issue 11, in progress).
final class StudioTargetTests: XCTestCase {
    func testTargetLinks() { XCTAssertEqual(1 + 1, 2) }
}
