import BackdropCore
import BackdropTestSupport
import Foundation
import XCTest

/// A scratch folder per test, the built `backdrop` tool, and the real talking-head clip.
class StudioTestCase: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("BackdropStudioTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// The `backdrop` tool built beside the test bundle.
    var backdrop: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("backdrop").path
    }

    static var talkingHeadClip: String { TestMedia.talkingHeadClip(in: Checkout.root()!) }

    /// A live run of the real clip, looped for as long as the test needs, serving the studio.
    func startLiveRun(_ extra: [String] = [], environment: [String: String]? = nil) throws -> StudioRun {
        try StudioRun(backdrop: backdrop, ["run", "--input", Self.talkingHeadClip, "--realtime", "--loop", "0",
                                           "--no-output", "--stats-interval", "1", "--serve", "127.0.0.1:0"] + extra,
                      in: folder, environment: environment)
    }

    /// Waits until the run has output more than `frames` frames (the pipeline is going).
    func waitForFrames(after frames: Int, _ run: StudioRun, headers: [String: String] = [:],
                       file: StaticString = #filePath, line: UInt = #line) {
        var seen = frames
        let flowing = poll(timeout: 60, every: 0.2) {
            seen = (try? run.framesOutput(headers: headers)) ?? seen
            return seen > frames
        }
        XCTAssertTrue(flowing, "no frame was output after \(frames) within 60 s: \(run.errors.suffix(1500))", file: file, line: line)
    }
}
