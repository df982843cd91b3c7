import BackdropCore
@testable import BackdropMedia
import BackdropTestSupport
import XCTest

/// A file played several times in a row is one source: indices and timestamps carry on from pass
/// to pass and from list to list, and what the file declares is multiplied by the passes.
final class LoopingSourceTests: SinkTestCase {
    private let frameDuration: Int64 = 40_000  // 25 fps

    /// Ten frames of the lossless moving gradient at 25 fps (Matroska: its length comes from the duration).
    private func gradientClip() throws -> String {
        let clip = path("gradient.mkv")
        try writeGradient(to: try VideoFileSink(path: clip, width: 320, height: 240, frameRate: 25, codec: .lossless), count: 10)
        return clip
    }

    private func readAll(_ source: VideoSource) throws -> [VideoFrame] {
        var frames: [VideoFrame] = []
        var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        while try source.read(into: &frame) {
            frames.append(frame)
            if frames.count > 1_000 { break }
        }
        return frames
    }

    /// What the file alone says it holds (Matroska: duration x rate, which may miss a frame).
    private func declared(_ clip: String) throws -> Int {
        let single = try FFmpegVideoSource(url: clip)
        defer { single.close() }
        return try XCTUnwrap(single.statistics.framesDeclared)
    }

    func testPassesPlayBackToBackAsOneSource() throws {
        let clip = try gradientClip()
        let looping = try LoopingSource(url: clip, passes: 3)
        XCTAssertEqual(looping.estimatedFrameCount, 3 * (try declared(clip)))
        let frames = try readAll(looping)
        XCTAssertEqual(frames.count, 30)
        XCTAssertEqual(frames.map(\.index), Array(0..<30))
        for (earlier, later) in zip(frames, frames.dropFirst()) {
            let step = later.timestampMicroseconds - earlier.timestampMicroseconds
            XCTAssertTrue(step > 0 && step <= 2 * frameDuration, "frame \(later.index) comes \(step) µs after the one before")
        }
        XCTAssertEqual(frames[10].image, frames[0].image, "the second pass starts with the file's first frame")
        XCTAssertEqual(frames[29].image, frames[9].image)
        XCTAssertEqual(looping.statistics.framesDelivered, 30)
        XCTAssertEqual(looping.statistics.framesDeclared, 3 * (try declared(clip)))
        XCTAssertFalse(looping.statistics.endedEarly)
        var after = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        XCTAssertFalse(try looping.read(into: &after), "it stays ended")
    }

    /// With two passes a list, five passes take three lists: each new list starts one frame after
    /// the last frame of the one before, and the counts run on.
    func testTimestampsAndIndicesCarryOnFromListToList() throws {
        let clip = try gradientClip()
        let looping = try LoopingSource(url: clip, options: .init(), passes: 5, passesPerList: 2)
        let frames = try readAll(looping)
        XCTAssertEqual(frames.count, 50)
        XCTAssertEqual(frames.map(\.index), Array(0..<50))
        XCTAssertEqual(frames[20].timestampMicroseconds - frames[19].timestampMicroseconds, frameDuration)
        XCTAssertEqual(frames[40].timestampMicroseconds - frames[39].timestampMicroseconds, frameDuration)
        XCTAssertEqual(frames.map(\.timestampMicroseconds), frames.map(\.timestampMicroseconds).sorted())
        XCTAssertEqual(Set(frames.map(\.timestampMicroseconds)).count, 50, "strictly increasing")
        XCTAssertEqual(frames[40].image, frames[0].image)
        XCTAssertEqual(looping.statistics.framesDelivered, 50)
        XCTAssertEqual(looping.statistics.framesDeclared, 5 * (try declared(clip)))
        XCTAssertFalse(looping.statistics.endedEarly)
    }

    /// Each pass of a cut file is cut: the loop as a whole ends well short of what it declares,
    /// and says so as a single truncated file does; the whole file looped does not.
    func testALoopedTruncatedFileSaysItEndedEarly() throws {
        let whole = path("all-intra.mp4")
        let made = try runTool("ffmpeg", ["-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                                          "-t", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "1",
                                          "-movflags", "+faststart", whole])
        XCTAssertEqual(made.status, 0, made.errors)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        let cut = path("all-intra-cut.mp4")
        try bytes.prefix(bytes.count * 30 / 100).write(to: URL(fileURLWithPath: cut))

        let short = try LoopingSource(url: cut, passes: 2)
        let frames = try readAll(short)
        XCTAssertGreaterThan(frames.count, 20)
        XCTAssertLessThan(frames.count, 80)
        XCTAssertEqual(short.statistics.framesDeclared, 150)
        XCTAssertTrue(short.statistics.endedEarly, "\(frames.count) of 150 frames")

        let full = try LoopingSource(url: whole, passes: 2)
        XCTAssertEqual(try readAll(full).count, 150)
        XCTAssertEqual(full.statistics.framesDeclared, 150)
        XCTAssertFalse(full.statistics.endedEarly)
    }

    func testLoopingForeverDeclaresNoLength() throws {
        let looping = try LoopingSource(url: try gradientClip(), options: .init(), passes: 0, passesPerList: 1)
        var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        for _ in 0..<35 { XCTAssertTrue(try looping.read(into: &frame)) }
        XCTAssertEqual(frame.index, 34, "past three lists and on")
        XCTAssertNil(looping.estimatedFrameCount)
        XCTAssertNil(looping.statistics.framesDeclared)
        looping.close()
        XCTAssertFalse(try looping.read(into: &frame))
        XCTAssertEqual(looping.statistics.framesDelivered, 35)
    }

    func testAFileThatIsNoVideoFailsToOpen() throws {
        let text = path("notes.mp4")
        try Data("not a video".utf8).write(to: URL(fileURLWithPath: text))
        XCTAssertThrowsError(try LoopingSource(url: text, passes: 2)) { error in
            guard case .notVideo(let path, _) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, text)
        }
    }
}
