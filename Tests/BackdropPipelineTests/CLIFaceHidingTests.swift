import BackdropTestSupport
import Foundation
import XCTest

/// `backdrop run --hide-faces`: end to end on the talking-head clip, and its options refused
/// before anything opens when they make no sense together.
final class CLIFaceHidingTests: PipelineTestCase {
    func testPixelateKeepingTheMainFaceRunsEndToEnd() throws {
        let output = path("hidden.mp4")
        let result = try tool(backdrop, ["run", "--input", Self.talkingHeadClip, "--output", output, "--effect", "blur",
                                         "--hide-faces", "pixelate", "--keep-main", "--hide-hold", "10", "--stats-interval", "60"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(try count(output).video, try count(Self.talkingHeadClip).video, "every frame is written")
    }

    func testHidingOptionsAreCheckedBeforeTheRun() throws {
        let keepAlone = try tool(backdrop, ["run", "--keep-main", "--synthetic-frames", "1", "-o", path("a.mp4")])
        XCTAssertEqual(keepAlone.status, 64, keepAlone.err)
        XCTAssertTrue(keepAlone.err.contains("--keep-main shapes --hide-faces"), keepAlone.err)
        let badHold = try tool(backdrop, ["run", "--hide-faces", "blur", "--hide-hold", "301", "--synthetic-frames", "1", "-o", path("b.mp4")])
        XCTAssertEqual(badHold.status, 64, badHold.err)
        XCTAssertTrue(badHold.err.contains("--hide-hold takes 0 to 300"), badHold.err)
        let badStyle = try tool(backdrop, ["run", "--hide-faces", "smudge", "--synthetic-frames", "1", "-o", path("c.mp4")])
        XCTAssertEqual(badStyle.status, 64, badStyle.err)
        let noFaces = try tool(backdrop, ["run", "--hide-faces", "blur", "--no-faces", "--synthetic-frames", "1", "-o", path("d.mp4")])
        XCTAssertEqual(noFaces.status, 64, noFaces.err)
        XCTAssertTrue(noFaces.err.contains("--hide-faces needs the face landmarker"), noFaces.err)
    }
}
