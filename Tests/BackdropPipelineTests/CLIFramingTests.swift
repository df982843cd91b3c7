import BackdropTestSupport
import Foundation
import XCTest

/// `backdrop run --framing auto` end to end on the real talking head: every frame comes out, at the
/// input's size, and framed (not the frames a run without framing writes).
final class CLIFramingTests: PipelineTestCase {
    func testFramingAutoWritesEveryFrameCroppedAtTheInputsSize() throws {
        let framed = path("framed.mkv"), plain = path("plain.mkv")
        let common = ["run", "--input", Self.talkingHeadClip, "--effect", "none", "--lossless", "--stats-interval", "60"]
        let run = try tool(backdrop, common + ["--output", framed, "--framing", "auto", "--framing-tightness", "0.6"])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(try count(framed).video, TestMedia.talkingHeadFrames)
        let size = try tool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", framed])
        XCTAssertEqual(size.out.trimmingCharacters(in: .whitespacesAndNewlines), "\(TestMedia.talkingHeadWidth),\(TestMedia.talkingHeadHeight)")

        XCTAssertEqual(try tool(backdrop, common + ["--output", plain]).status, 0)
        let framedHashes = try frameHashes(framed), plainHashes = try frameHashes(plain)
        XCTAssertEqual(framedHashes.count, plainHashes.count)
        let cropped = zip(framedHashes, plainHashes).filter { $0 != $1 }.count
        XCTAssertGreaterThan(cropped, plainHashes.count / 2, "most frames are a crop around the face")
    }

    func testFramingOptionsOutOfRangeAreRefusedBeforeAnythingOpens() throws {
        for (option, value) in [("--framing-tightness", "0.9"), ("--framing-speed", "0"), ("--framing-max-zoom", "5"),
                                ("--framing-no-face-seconds", "601")] {
            let output = path("refused.mp4")
            let run = try tool(backdrop, ["run", "--input", Self.talkingHeadClip, "--output", output, "--framing", "auto", option, value])
            XCTAssertEqual(run.status, 64, "\(option) \(value): \(run.err)")
            XCTAssertTrue(run.err.contains(option), run.err)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        }
    }
}
