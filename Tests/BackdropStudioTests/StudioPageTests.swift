@testable import BackdropStudio
import XCTest

/// The page as the binary serves it: the element ids the studio contract promises, and nothing
/// fetched from elsewhere (it must work offline).
final class StudioPageTests: XCTestCase {
    func testThePageHasEveryElementTheContractNames() {
        let ids = ["preview", "view", "effect", "blurStrength", "background", "upload", "color", "faces", "smoothing",
                   "feather", "maxFPS", "status", "summary", "chart-fps", "chart-latency", "chart-rss", "chart-drops"]
        for id in ids {
            XCTAssertEqual(StudioPage.html.components(separatedBy: "id=\"\(id)\"").count - 1, 1, "one element with id \(id)")
        }
        for chart in ids where chart.hasPrefix("chart-") {
            XCTAssertTrue(StudioPage.html.contains("<canvas id=\"\(chart)\" data-samples=\"0\">"), chart)
        }
    }

    func testThePageLoadsNothingFromAnotherOrigin() {
        // Every src, href and fetch target is a path on the studio itself or inline data.
        let references = StudioPage.html.matches(of: /(?:src|href)\s*=\s*"([^"]*)"/).map { String($0.1) }
        XCTAssertFalse(references.isEmpty)
        for reference in references {
            XCTAssertTrue(reference.hasPrefix("/") || reference.hasPrefix("data:"), "\(reference) is not served by the studio")
        }
        XCTAssertNil(StudioPage.html.firstMatch(of: /(?i)https?:\/\//), "no absolute URL: the page works offline")
        XCTAssertFalse(StudioPage.html.contains("<script src"), "the script is inline")
    }
}
