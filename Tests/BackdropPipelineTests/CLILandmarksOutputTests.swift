import BackdropTestSupport
import Foundation
import XCTest

/// `backdrop run --landmarks-output`: one JSON line per output frame of the real talking head,
/// each face with 478 landmarks (and 52 blendshapes when asked), timestamps the video's own.
final class CLILandmarksOutputTests: PipelineTestCase {
    func testEveryFrameHasALineWithTheVideosTimestampAndEachFacesLandmarks() throws {
        let lines = path("faces.jsonl")
        let run = try tool(backdrop, ["run", "--input", Self.talkingHeadClip, "--no-output", "--effect", "none", "--stats-interval", "60",
                                      "--landmarks-output", lines, "--landmarks-blendshapes"])
        XCTAssertEqual(run.status, 0, run.err)
        let text = try String(contentsOfFile: lines, encoding: .utf8)
        let objects = try text.split(separator: "\n").map { line in
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line.prefix(80))")
        }
        XCTAssertEqual(objects.count, TestMedia.talkingHeadFrames, "one line per output frame")
        // The clip's own presentation times, as ffprobe reads them.
        let probe = try tool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "csv=p=0",
                                         Self.talkingHeadClip])
        // A frame's line may carry side data after a comma (the first does), or a blank line after it.
        let times = probe.out.split(separator: "\n").compactMap { Double($0.split(separator: ",").first ?? "") }
        XCTAssertEqual(times.count, objects.count)
        let firstTime = times.first ?? 0  // Backdrop's timestamps count from the stream's start
        var facesSeen = 0
        for (index, object) in objects.enumerated() {
            XCTAssertEqual(object["frame"] as? Int, index)
            let seconds = try XCTUnwrap(object["t"] as? Double)
            if index < times.count { XCTAssertEqual(seconds, times[index] - firstTime, accuracy: 0.001, "frame \(index)") }
            let faces = try XCTUnwrap(object["faces"] as? [[String: Any]])
            for face in faces {
                facesSeen += 1
                let landmarks = try XCTUnwrap(face["landmarks"] as? [[Double]])
                XCTAssertEqual(landmarks.count, 478)
                XCTAssertTrue(landmarks.allSatisfy { $0.count == 3 })
                let box = try XCTUnwrap(face["box"] as? [Double])
                XCTAssertEqual(box.count, 4)
                XCTAssertEqual(box[0], landmarks.map { $0[0] }.min()!, accuracy: 1e-5)
                XCTAssertEqual((face["blendshapes"] as? [String: Double])?.count, 52)
            }
        }
        XCTAssertGreaterThan(facesSeen, objects.count * 9 / 10, "the talking head's face is in nearly every frame")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [], "the temporary file became the output")
    }

    func testADestinationOffThisMachineNeedsToBeAskedFor() throws {
        let run = try tool(backdrop, ["run", "--input", Self.talkingHeadClip, "--no-output", "--landmarks-output", "udp://192.0.2.1:9000"])
        XCTAssertEqual(run.status, 64, run.err)
        XCTAssertTrue(run.err.contains("--landmarks-remote"), run.err)
    }
}
