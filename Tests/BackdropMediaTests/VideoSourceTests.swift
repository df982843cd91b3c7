import BackdropCore
@testable import BackdropMedia
import Foundation
import BackdropTestSupport
import XCTest

/// Clips made once for the whole class with the ffmpeg CLI (each 320x240 testsrc2 at 25 fps unless
/// said otherwise), so the tests check Backdrop's reader against files it did not write itself.
private enum Clips {
    nonisolated(unsafe) static var folder: URL!
    static let frames = 50  // 2 s at 25 fps

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static func make() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("BackdropSourceTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let card = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2"]
        try ffmpeg(card + ["-c:v", "libx264", "-pix_fmt", "yuv420p", path("h264.mp4")])
        try ffmpeg(card + ["-c:v", "mpeg4", "-q:v", "5", path("mpeg4.mkv")])
        try ffmpeg(card + ["-c:v", "libvpx", "-b:v", "500k", "-deadline", "realtime", path("vp8.webm")])
        try ffmpeg(card + ["-c:v", "mjpeg", "-q:v", "5", path("mjpeg.avi")])
        try ffmpeg(card + ["-pix_fmt", "yuv420p", path("raw.y4m")])
        try ffmpeg(card + ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2",
                           "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path("with-audio.mp4")])
    }

    static func remove() {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    /// Runs the ffmpeg CLI; throws with its message when it fails.
    static func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-v", "error", "-nostdin", "-y"] + arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            throw NSError(domain: "ffmpeg", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "ffmpeg \(arguments.joined(separator: " ")): \(message)"])
        }
    }
}

/// Everything one source delivered.
private struct Reading {
    var timestamps: [Int64] = []
    var sizes: Set<String> = []
    var rotation: Int?
    var statistics = SourceStatistics()
    var error: MediaError?
    var readAfterEnd = true
    var seconds = 0.0

    var count: Int { timestamps.count }
    var strictlyIncreasing: Bool { zip(timestamps, timestamps.dropFirst()).allSatisfy { $0 < $1 } }
}

final class VideoSourceTests: XCTestCase {
    override class func setUp() {
        super.setUp()
        do { try Clips.make() } catch { XCTFail("could not make the test clips: \(error)") }
    }

    override class func tearDown() {
        Clips.remove()
        super.tearDown()
    }

    private var realClip: String {
        let checkout = Checkout.root() ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        return TestMedia.talkingHeadClip(in: checkout)
    }

    /// Reads `source` to its end (or first error) and closes it.
    private func readAll(_ source: VideoSource, limit: Int = 10_000) -> Reading {
        var reading = Reading()
        var frame = VideoFrame(image: PixelImage(width: 1, height: 1, format: .rgb))
        let start = Date()
        do {
            while reading.count < limit, try source.read(into: &frame) {
                reading.timestamps.append(frame.timestampMicroseconds)
                reading.sizes.insert("\(frame.image.width)x\(frame.image.height)")
                reading.rotation = frame.rotationDegrees
                XCTAssertEqual(frame.index, reading.count - 1)
                XCTAssertNil(frame.image.layoutProblem)
            }
            reading.readAfterEnd = try source.read(into: &frame)
        } catch {
            reading.error = error
        }
        reading.seconds = Date().timeIntervalSince(start)
        reading.statistics = source.statistics
        source.close()
        return reading
    }

    private func read(_ url: String, _ options: SourceOptions = .init()) throws -> Reading {
        readAll(try FFmpegVideoSource(url: url, options: options))
    }

    /// The error opening `url` throws (fails the test when it opens).
    private func openingError(_ url: String, options: SourceOptions = .init()) -> MediaError? {
        do {
            _ = try FFmpegVideoSource(url: url, options: options)
            XCTFail("\(url) opened")
            return nil
        } catch {
            return error
        }
    }

    // MARK: Containers and codecs

    func testEveryContainerDeliversEveryFrameWithIncreasingTimestamps() throws {
        for name in ["h264.mp4", "mpeg4.mkv", "vp8.webm", "mjpeg.avi", "raw.y4m"] {
            let source = try FFmpegVideoSource(url: Clips.path(name))
            XCTAssertEqual(source.name, Clips.path(name))
            XCTAssertEqual(source.width, 320, name)
            XCTAssertEqual(source.height, 240, name)
            XCTAssertEqual(source.frameRate ?? 0, 25, accuracy: 0.01, name)
            XCTAssertNil(source.audioTrack, name)
            let reading = readAll(source)
            XCTAssertNil(reading.error, name)
            XCTAssertEqual(reading.count, Clips.frames, name)
            XCTAssertEqual(reading.sizes, ["320x240"], name)
            XCTAssertEqual(reading.timestamps.first, 0, name)
            XCTAssertTrue(reading.strictlyIncreasing, name)
            // 25 fps: frame 49 is at 1.96 s on the stream's own clock.
            XCTAssertEqual(Double(reading.timestamps.last ?? 0), 1_960_000, accuracy: 1_000, name)
            XCTAssertEqual(reading.statistics.framesDelivered, Clips.frames, name)
            XCTAssertEqual(reading.statistics.damagedFramesSkipped, 0, name)
            XCTAssertFalse(reading.readAfterEnd, name)
            XCTAssertEqual(reading.statistics.framesDeclared, Clips.frames, name)
            XCTAssertFalse(reading.statistics.endedEarly, "\(name) is whole")
        }
    }

    func testImageSequenceReadsEveryNumberedFileAtItsFrameRate() throws {
        let folder = Clips.path("sequence")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Clips.ffmpeg(["-i", Clips.path("h264.mp4"), "-frames:v", "10", folder + "/frame-%04d.png"])

        let reading = try read(folder + "/frame-%04d.png")
        XCTAssertNil(reading.error)
        XCTAssertEqual(reading.count, 10)
        XCTAssertEqual(reading.sizes, ["320x240"])
        // image2 plays sequences at 25 fps unless told otherwise.
        XCTAssertEqual(reading.timestamps, (0..<10).map { Int64($0) * 40_000 })

        let slower = try read(folder + "/frame-%04d.png", SourceOptions(formatOptions: ["framerate": "10"]))
        XCTAssertEqual(slower.timestamps.last, 900_000)
    }

    // MARK: Audio, rotation, pixels

    func testAudioIsExposedAndItsPacketsHandedOverInOrder() throws {
        let source = try FFmpegVideoSource(url: Clips.path("with-audio.mp4"))
        let track = try XCTUnwrap(source.audioTrack)
        XCTAssertEqual(track.codecName, "aac")
        XCTAssertEqual(track.sampleRate, 48_000)
        nonisolated(unsafe) var audioTimes: [Int64] = []
        source.audioHandler = { audioTimes.append($0.timestampMicroseconds ?? -1) }
        let reading = readAll(source)
        XCTAssertEqual(reading.count, Clips.frames)
        // 2 s of 48 kHz AAC is about 94 packets of 1024 samples.
        XCTAssertGreaterThanOrEqual(audioTimes.count, 90)
        XCTAssertLessThanOrEqual(audioTimes.count, 100)
        XCTAssertTrue(zip(audioTimes, audioTimes.dropFirst()).allSatisfy { $0 < $1 }, "\(audioTimes.prefix(5))")

        let silent = try FFmpegVideoSource(url: Clips.path("with-audio.mp4"), options: SourceOptions(keepAudio: false))
        XCTAssertNil(silent.audioTrack)
        nonisolated(unsafe) var packets = 0
        silent.audioHandler = { _ in packets += 1 }
        XCTAssertEqual(readAll(silent).count, Clips.frames)
        XCTAssertEqual(packets, 0)
    }

    /// A clip whose display matrix says the picture turns (as phones write portrait video: ffprobe
    /// shows `rotation=-90` for the `rotate=270` clip) comes out upright: every frame equals, within
    /// codec tolerance, what ffmpeg's own autorotation shows, the size is the displayed one
    /// (swapped for quarter turns) before and after reading, `rotationDegrees` is 0, and the frame's
    /// buffer is reused. Made from testsrc, whose picture no turn or flip leaves the same.
    func testRotatedClipsComeOutUprightLikeFFmpegsOwnAutorotation() throws {
        for tag in [90, 270, 180] {
            let stored = Clips.path("testsrc.mp4")
            try Clips.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "0.4", "-c:v", "libx264",
                              "-pix_fmt", "yuv420p", stored])
            // The display matrix only, the pictures as they are (as a phone does).
            let clip = Clips.path("rotate-\(tag).mp4")
            try Clips.ffmpeg(["-i", stored, "-c", "copy", "-metadata:s:v:0", "rotate=\(tag)", clip])
            let quarter = tag != 180
            let source = try FFmpegVideoSource(url: clip)
            XCTAssertEqual(source.width, quarter ? 240 : 320, "rotate=\(tag): the displayed width before any frame")
            XCTAssertEqual(source.height, quarter ? 320 : 240)

            // ffmpeg's autorotated decode of every frame, as raw RGB.
            let reference = Clips.path("upright-\(tag).rgb")
            try Clips.ffmpeg(["-i", clip, "-f", "rawvideo", "-pix_fmt", "rgb24", reference])
            let upright = try Data(contentsOf: URL(fileURLWithPath: reference))
            let frameBytes = 320 * 240 * 3
            XCTAssertEqual(upright.count, 10 * frameBytes)

            var frame = VideoFrame(image: PixelImage(width: 1, height: 1, format: .rgb))
            var addresses: Set<UnsafeRawPointer?> = []
            var index = 0
            while try source.read(into: &frame) {
                XCTAssertEqual(frame.rotationDegrees, 0, "rotate=\(tag): delivered upright")
                XCTAssertEqual(frame.image.width, quarter ? 240 : 320)
                XCTAssertEqual(frame.image.height, quarter ? 320 : 240)
                let expected = PixelImage(width: frame.image.width, height: frame.image.height, format: .rgb,
                                          pixels: [UInt8](upright[(index * frameBytes)..<((index + 1) * frameBytes)]))
                XCTAssertLessThan(meanDifference(frame.image, expected), 3, "rotate=\(tag) frame \(index)")
                if index == 0 {  // the same picture the other way up is far off: the comparison can tell
                    let wrongWay = turnClockwise(frame.image, by: 180)
                    XCTAssertGreaterThan(meanDifference(wrongWay, expected), 20, "rotate=\(tag)")
                }
                if index > 0 { addresses.insert(frame.image.pixels.withUnsafeBytes { UnsafeRawPointer($0.baseAddress) }) }
                index += 1
            }
            XCTAssertEqual(index, 10)
            XCTAssertEqual(addresses.count, 1, "rotate=\(tag): one buffer after the first frame")
            XCTAssertEqual(source.width, frame.image.width)

            // autorotate off: the stored picture, and the clockwise turn it needs.
            let raw = try FFmpegVideoSource(url: clip, options: SourceOptions(autorotate: false))
            XCTAssertTrue(try raw.read(into: &frame))
            XCTAssertEqual(frame.image.width, 320, "pixels as stored")
            XCTAssertEqual(frame.rotationDegrees, [90: 270, 270: 90, 180: 180][tag])
            let first = PixelImage(width: quarter ? 240 : 320, height: quarter ? 320 : 240, format: .rgb,
                                   pixels: [UInt8](upright[0..<frameBytes]))
            XCTAssertLessThan(meanDifference(turnClockwise(frame.image, by: frame.rotationDegrees), first), 3)
        }
        XCTAssertEqual(try read(Clips.path("h264.mp4")).rotation, 0)
    }

    /// The turn itself on a tiny image with a different value in every pixel and channel, against
    /// the test's own pixel-by-pixel turn; odd sizes cross the 32x32 tiles' edges.
    func testFrameRotationMatchesAPixelByPixelTurnForEveryFormat() {
        for format in PixelFormat.allCases {
            let width = 37, height = 70
            let count = width * height * format.bytesPerPixel
            let image = PixelImage(width: width, height: height, format: format,
                                   pixels: (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 256) })
            var turned = PixelImage(width: 1, height: 1, format: .gray)
            for degrees in [0, 90, 180, 270] {
                FrameRotation.turn(image, clockwise: degrees, into: &turned)
                XCTAssertEqual(turned, turnClockwise(image, by: degrees), "\(format) \(degrees)")
            }
            var back = PixelImage(width: 1, height: 1, format: .gray)
            FrameRotation.turn(image, clockwise: 90, into: &turned)
            FrameRotation.turn(turned, clockwise: 270, into: &back)
            XCTAssertEqual(back, image)
        }
    }

    func testOutputFormatsAndTheFrameBufferIsReused() throws {
        for format in PixelFormat.allCases {
            let source = try FFmpegVideoSource(url: Clips.path("h264.mp4"), options: SourceOptions(outputFormat: format))
            var frame = VideoFrame(image: PixelImage(width: 1, height: 1, format: .rgb))
            var addresses: Set<UnsafePointer<UInt8>?> = []
            var count = 0
            while try source.read(into: &frame) {
                XCTAssertEqual(frame.image.format, format)
                XCTAssertEqual(frame.image.pixels.count, 320 * 240 * format.bytesPerPixel)
                addresses.insert(frame.image.pixels.withUnsafeBufferPointer { $0.baseAddress })
                count += 1
            }
            XCTAssertEqual(count, Clips.frames)
            XCTAssertEqual(addresses.count, 1, "\(format): every frame after the first reuses the first one's storage")
            source.close()
        }
    }

    func testFirstFrameMatchesTheStillImageReader() throws {
        var exact = SourceOptions()
        exact.exactColorConversion = true
        let source = try FFmpegVideoSource(url: Clips.path("raw.y4m"), options: exact)
        var frame = VideoFrame(image: PixelImage(width: 1, height: 1, format: .rgb))
        XCTAssertTrue(try source.read(into: &frame))
        // The still-image reader decodes the same first frame through the same conversion.
        let still = try ImageFile.read(Clips.path("raw.y4m"))
        XCTAssertEqual(frame.image, still)

        // The default, fast conversion stays within a few grey levels of it.
        let fast = try FFmpegVideoSource(url: Clips.path("raw.y4m"))
        XCTAssertTrue(try fast.read(into: &frame))
        let differences = zip(frame.image.pixels, still.pixels).map { abs(Int($0) - Int($1)) }
        let mean = Double(differences.reduce(0, +)) / Double(differences.count)
        print("fast YUV->RGB: mean difference \(mean), max \(differences.max() ?? 0)")
        XCTAssertLessThan(mean, 2.0)
    }

    /// Duplicates, missing timestamps, jumps back, a reconnect and (live) a jump far ahead all
    /// come out strictly increasing, spaced by the frame duration where the stream's own clock fails.
    func testTimelineKeepsTimestampsStrictlyIncreasing() {
        var file = SourceTimeline()
        let step: Int64 = 40_000
        let raws: [Int64?] = [1_000_000, 1_040_000, 1_040_000, nil, 1_000_000, 1_040_000, 9_000_000]
        XCTAssertEqual(raws.map { file.place($0, step: step) }, [0, 40_000, 80_000, 120_000, 160_000, 200_000, 8_160_000])
        file.restart(after: 2_000_000, step: step)
        XCTAssertEqual(file.place(500, step: step), 10_160_000)
        XCTAssertEqual(file.place(40_500, step: step), 10_200_000)

        var live = SourceTimeline(maximumJump: 5_000_000)
        XCTAssertEqual([0, 40_000, 3_600_000_000, 3_600_040_000].map { live.place($0, step: step) }, [0, 40_000, 80_000, 120_000])
    }

    // MARK: Pacing

    func testRealTimePacingTakesTheClipsDurationAndFastDoesNot() throws {
        let clip = Clips.path("one-second.mp4")
        try Clips.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "1", "-c:v", "libx264",
                          "-pix_fmt", "yuv420p", clip])
        let fast = try read(clip, SourceOptions(pacing: .asFastAsPossible))
        let paced = try read(clip, SourceOptions(pacing: .realTime))
        XCTAssertEqual(fast.count, 25)
        XCTAssertEqual(paced.count, 25)
        // The last of 25 frames at 25 fps is due 0.96 s after the first.
        XCTAssertGreaterThanOrEqual(paced.seconds, 0.9)
        XCTAssertLessThan(paced.seconds, 1.5)
        XCTAssertLessThan(fast.seconds, 0.5)

        let synthetic = try SyntheticSource(width: 64, height: 48, frameRate: 20, frameCount: 5, pacing: .realTime)
        let generated = readAll(synthetic)
        XCTAssertEqual(generated.count, 5)
        XCTAssertGreaterThanOrEqual(generated.seconds, 0.19)
    }

    // MARK: Damage

    /// The real clip's index (moov) sits at its end, so a plainly truncated copy has no index at
    /// all; one with the index first (faststart) loses only its last frames.
    func testTruncatedFileEndsCleanlyWithFewerFrames() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: realClip))
        let indexLast = Clips.path("truncated-index-last.mp4")
        try original.prefix(original.count * 60 / 100).write(to: URL(fileURLWithPath: indexLast))
        guard case let .notVideo(path, _)? = openingError(indexLast) else { return XCTFail("expected .notVideo") }
        XCTAssertEqual(path, indexLast)

        let indexFirst = Clips.path("index-first.mp4")
        try Clips.ffmpeg(["-i", realClip, "-c", "copy", "-movflags", "+faststart", indexFirst])
        let whole = try Data(contentsOf: URL(fileURLWithPath: indexFirst))
        let truncated = Clips.path("truncated.mp4")
        try whole.prefix(whole.count * 60 / 100).write(to: URL(fileURLWithPath: truncated))

        let reading = try read(truncated)
        XCTAssertNil(reading.error)
        XCTAssertFalse(reading.readAfterEnd)
        // 60% of the bytes hold about 60% of the frames; the one cut in half is counted as damaged.
        let frames = TestMedia.talkingHeadFrames
        XCTAssertGreaterThanOrEqual(reading.count, frames * 45 / 100)
        XCTAssertLessThan(reading.count, frames * 75 / 100)
        XCTAssertLessThanOrEqual(reading.statistics.damagedFramesSkipped, 2)
        XCTAssertTrue(reading.strictlyIncreasing)
        XCTAssertEqual(reading.statistics.framesDeclared, frames)
        XCTAssertTrue(reading.statistics.endedEarly, "\(reading.count) of \(frames) frames: the file looks truncated")
    }

    /// A faststart mp4 cut at 30% of its bytes ends at about a third of its 75 declared frames, and
    /// says so (`endedEarly`); the whole file, and one whose count is off by a frame, do not.
    func testFileThatEndsShortOfItsDeclaredFramesIsFlagged() throws {
        let whole = Clips.path("all-intra.mp4")
        try Clips.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                          "-g", "1", "-movflags", "+faststart", whole])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        let cut = Clips.path("all-intra-cut.mp4")
        try bytes.prefix(bytes.count * 30 / 100).write(to: URL(fileURLWithPath: cut))

        let short = try read(cut)
        XCTAssertNil(short.error)
        XCTAssertEqual(short.statistics.framesDeclared, 75)
        XCTAssertGreaterThan(short.count, 10)
        XCTAssertLessThan(short.count, 40)
        XCTAssertTrue(short.statistics.endedEarly)

        let full = try read(whole)
        XCTAssertEqual(full.count, 75)
        XCTAssertEqual(full.statistics.framesDeclared, 75)
        XCTAssertFalse(full.statistics.endedEarly)

        // Stopped a frame short of the end (the last frame is cut off): within the slack, no flag.
        let almost = Clips.path("all-intra-almost.mp4")
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: almost))
        let nearly = try read(almost)
        XCTAssertGreaterThanOrEqual(nearly.count + nearly.statistics.damagedFramesSkipped, 73, "\(nearly.count)")
        XCTAssertFalse(nearly.statistics.endedEarly)

        // Matroska states no frame count: the declared frames are its duration x rate.
        let mkv = try read(Clips.path("mpeg4.mkv"))
        XCTAssertEqual(mkv.statistics.framesDeclared, Clips.frames)
        XCTAssertFalse(mkv.statistics.endedEarly)
        let mkvBytes = try Data(contentsOf: URL(fileURLWithPath: Clips.path("mpeg4.mkv")))
        let mkvCut = Clips.path("mpeg4-cut.mkv")
        try mkvBytes.prefix(mkvBytes.count * 30 / 100).write(to: URL(fileURLWithPath: mkvCut))
        let shortMKV = try read(mkvCut)
        XCTAssertEqual(shortMKV.statistics.framesDeclared, Clips.frames)
        XCTAssertLessThan(shortMKV.count, 30)
        XCTAssertTrue(shortMKV.statistics.endedEarly)
    }

    /// 20 KB of garbage at 40% of the real clip hits a few frames: H.264 rejects some outright
    /// (invalid NAL sizes) and conceals others, which it flags. All are skipped and counted; the
    /// rest decode.
    func testCorruptedMiddleSkipsAndCountsTheDamagedFramesOnly() throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: realClip))
        let start = bytes.count * 40 / 100
        var state: UInt32 = 12_345
        for offset in start..<(start + 20_000) {
            state = state &* 1_664_525 &+ 1_013_904_223
            bytes[offset] = UInt8(truncatingIfNeeded: state >> 24)
        }
        let damaged = Clips.path("damaged.mp4")
        try bytes.write(to: URL(fileURLWithPath: damaged))

        let clean = try read(realClip)
        let frames = TestMedia.talkingHeadFrames
        XCTAssertEqual(clean.count, frames)
        XCTAssertEqual(clean.statistics.damagedFramesSkipped, 0)

        let reading = try read(damaged)
        XCTAssertNil(reading.error)
        XCTAssertGreaterThanOrEqual(reading.count, frames * 90 / 100)
        XCTAssertGreaterThan(reading.statistics.damagedFramesSkipped, 0)
        XCTAssertEqual(reading.count + reading.statistics.damagedFramesSkipped, frames, "every frame is delivered or counted")
        XCTAssertTrue(reading.strictlyIncreasing)
        XCTAssertEqual(reading.sizes, ["\(TestMedia.talkingHeadWidth)x\(TestMedia.talkingHeadHeight)"])
    }

    // MARK: Errors

    func testMissingFileIsFileNotFound() {
        let missing = Clips.path("nothing-here.mp4")
        XCTAssertEqual(openingError(missing), .fileNotFound(path: missing))
        XCTAssertTrue(openingError(missing)?.description.contains(missing) ?? false)
    }

    func testFilesWithoutVideoAreNotVideo() throws {
        let text = Clips.path("notes.txt")
        try "just some words\nand more\n".write(toFile: text, atomically: true, encoding: .utf8)
        let audio = Clips.path("tone.wav")
        try Clips.ffmpeg(["-f", "lavfi", "-i", "sine=duration=0.5", audio])

        for (path, reasonPart) in [(text, "could not make sense"), (audio, "no video stream, only audio"),
                                   (Clips.folder.path, "folder")] {
            guard case let .notVideo(named, reason)? = openingError(path) else {
                XCTFail("\(path): expected .notVideo")
                continue
            }
            XCTAssertEqual(named, path)
            XCTAssertTrue(reason.contains(reasonPart), reason)
            XCTAssertTrue(MediaError.notVideo(path: named, reason: reason).description.contains("ffprobe"))
        }
        let noMatches = Clips.folder.path + "/none-%04d.png"
        guard case .notVideo(noMatches, _)? = openingError(noMatches) else { return XCTFail("expected .notVideo for \(noMatches)") }
    }

    func testUnknownCodecIsUnsupported() throws {
        let avi = Clips.path("mpeg4-small.avi")
        try Clips.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "0.2", "-c:v", "mpeg4", avi])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: avi))
        // Rename the codec in the header (stream handler and bitmap compression fields).
        let header = bytes.prefix(4_096)
        var searchFrom = header.startIndex
        while let found = header.range(of: Data("FMP4".utf8), in: searchFrom..<header.endIndex) {
            bytes.replaceSubrange(found, with: Data("QQQQ".utf8))
            searchFrom = found.upperBound
        }
        let odd = Clips.path("unknown-codec.avi")
        try bytes.write(to: URL(fileURLWithPath: odd))
        guard case let .unsupported(path, reason)? = openingError(odd) else { return XCTFail("expected .unsupported") }
        XCTAssertEqual(path, odd)
        XCTAssertTrue(reason.contains("QQQQ"), reason)
    }

    func testNoCameraHereAndAnAbsentCameraSaysSo() {
        // No camera here or on CI: then the list is empty. (Where there are cameras, each listed
        // one must at least exist and have modes.)
        let nodes = (try? FileManager.default.contentsOfDirectory(atPath: "/dev"))?.filter { $0.hasPrefix("video") } ?? []
        let cameras = CameraDevices.list()
        if nodes.isEmpty {
            XCTAssertEqual(cameras, [])
        } else {
            XCTAssertTrue(cameras.allSatisfy { FileManager.default.fileExists(atPath: $0.path) && !$0.modes.isEmpty })
        }
        guard case let .deviceUnavailable(path, _)? = openingError("/dev/video9") else {
            return XCTFail("expected .deviceUnavailable")
        }
        XCTAssertEqual(path, "/dev/video9")
        let message = MediaError.deviceUnavailable(path: path, reason: "").description
        XCTAssertTrue(message.contains("/dev/video9"))
        let full = openingError("/dev/video9")?.description ?? ""
        XCTAssertTrue(full.contains("no camera at /dev/video9"), full)
        XCTAssertTrue(full.contains("`backdrop devices`"), full)
    }

    func testReadingAfterCloseReturnsFalse() throws {
        let source = try FFmpegVideoSource(url: Clips.path("h264.mp4"))
        var frame = VideoFrame(image: PixelImage(width: 1, height: 1, format: .rgb))
        XCTAssertTrue(try source.read(into: &frame))
        source.close()
        source.close()
        XCTAssertFalse(try source.read(into: &frame))
    }

    // MARK: Live streams

    /// An HTTP stream served twice in a row by the ffmpeg CLI: the source reads the first, sees it
    /// end, reconnects to the second, and throws `.streamLost` once nothing answers any more.
    func testLiveStreamReconnectsAndKeepsTimestampsIncreasing() throws {
        let clip = Clips.path("live.ts")
        try Clips.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "1", "-c:v", "libx264",
                          "-pix_fmt", "yuv420p", "-g", "5", "-f", "mpegts", clip])
        let port = Int.random(in: 20_000..<60_000)
        let url = "http://127.0.0.1:\(port)/live.ts"
        let serve = "ffmpeg -v error -nostdin -re -i '\(clip)' -c copy -f mpegts -listen 1 \(url)"
        let servers = Process()
        servers.executableURL = URL(fileURLWithPath: "/bin/sh")
        servers.arguments = ["-c", "\(serve) && \(serve)"]
        try servers.run()
        defer { servers.terminate() }

        let options = SourceOptions(reconnect: ReconnectPolicy(maxAttempts: 3, initialDelay: 0.2, maxDelay: 0.4),
                                    networkTimeout: 2)
        var opened: FFmpegVideoSource?
        for _ in 0..<50 where opened == nil {
            opened = try? FFmpegVideoSource(url: url, options: options)
            if opened == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let reading = readAll(try XCTUnwrap(opened, "the ffmpeg server never answered"))

        XCTAssertEqual(reading.statistics.reconnects, 1)
        XCTAssertGreaterThan(reading.statistics.gapMicroseconds, 0)
        guard case let .streamLost(path, attempts, _)? = reading.error else {
            return XCTFail("expected .streamLost after the second stream, got \(String(describing: reading.error))")
        }
        XCTAssertEqual(path, url)
        XCTAssertEqual(attempts, 3)
        XCTAssertGreaterThanOrEqual(reading.count, 40, "both 25-frame streams arrive")
        XCTAssertLessThanOrEqual(reading.count, 50)
        XCTAssertTrue(reading.strictlyIncreasing)
    }

    /// A server that accepts the connection (the kernel does, from the listen backlog) and never
    /// answers: the source gives up after its network timeout instead of hanging.
    func testStalledNetworkStreamTimesOutInsteadOfHanging() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(listener, 0)
        defer { Glibc.close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        XCTAssertTrue(bound)
        XCTAssertEqual(listen(listener, 4), 0)
        let url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/stalled.ts"

        let start = Date()
        guard case let .inputTimedOut(named, seconds, stage)? = openingError(url, options: SourceOptions(networkTimeout: 1)) else {
            return XCTFail("expected .inputTimedOut")
        }
        XCTAssertEqual(named, url)
        XCTAssertEqual(seconds, 1)
        XCTAssertEqual(stage, "while opening it")
        XCTAssertLessThan(Date().timeIntervalSince(start), 4)
    }

    /// A udp:// input nobody sends to: opening gives up after the timeout (not before), naming the
    /// URL and the timeout, and saying what to do.
    func testSilentUDPInputTimesOutAfterItsTimeout() throws {
        let url = "udp://127.0.0.1:\(try LoopbackPorts.free(.udp))"
        let start = Date()
        let error = openingError(url, options: SourceOptions(networkTimeout: 1))
        let elapsed = Date().timeIntervalSince(start)
        guard case let .inputTimedOut(named, seconds, _)? = error else {
            return XCTFail("expected .inputTimedOut, got \(String(describing: error))")
        }
        XCTAssertEqual(named, url)
        XCTAssertEqual(seconds, 1)
        XCTAssertGreaterThanOrEqual(elapsed, 1)
        XCTAssertLessThan(elapsed, 5, "well under the 10 s default")
        let message = error?.description ?? ""
        XCTAssertTrue(message.contains("nothing arrived from \(url) for 1 s"), message)
        XCTAssertTrue(message.contains("sender") && message.contains("--input-timeout"), message)
    }

    /// A live udp:// stream that goes silent after sending frames is a drop-out like any other:
    /// the source tries to reconnect, each attempt waiting out the timeout, and then throws
    /// `.streamLost` saying nothing arrived; the frames before the silence were delivered.
    func testLiveUDPStreamThatFallsSilentReconnectsThenIsLost() throws {
        let port = try LoopbackPorts.free(.udp)
        let url = "udp://127.0.0.1:\(port)"
        let options = SourceOptions(reconnect: ReconnectPolicy(maxAttempts: 2, initialDelay: 0.1, maxDelay: 0.2),
                                    networkTimeout: 1)
        final class Opened: @unchecked Sendable { var source: FFmpegVideoSource?; var error: (any Error)? }
        let opened = Opened()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            do { opened.source = try FFmpegVideoSource(url: url, options: options) } catch { opened.error = error }
            done.signal()
        }
        // The source binds the port as it starts opening; send 2 s of frames once it has.
        XCTAssertTrue(LoopbackPorts.waitUntilBound(port, .udp), "the source never bound udp port \(port)")
        let sender = try startTestStream(to: url, seconds: 2)
        defer { if sender.isRunning { sender.terminate() } }
        XCTAssertEqual(done.wait(timeout: .now() + 20), .success, "opening never finished")
        let source = try XCTUnwrap(opened.source, "\(String(describing: opened.error))")
        XCTAssertTrue(source.isLive)

        let start = Date()
        let reading = readAll(source)
        guard case let .streamLost(path, attempts, reason)? = reading.error else {
            return XCTFail("expected .streamLost, got \(String(describing: reading.error))")
        }
        XCTAssertEqual(path, url)
        XCTAssertEqual(attempts, 2)
        XCTAssertTrue(reason.contains("nothing arrived from \(url) for 1 s"), reason)
        XCTAssertGreaterThan(reading.count, 10, "the frames sent before the silence")
        XCTAssertEqual(reading.statistics.reconnects, 0)
        // Sending (2 s) + the silence (1 s) + two back-offs and two timed-out attempts (~2.3 s), with room.
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
    }

    func testFileURLsReadLikePaths() throws {
        XCTAssertEqual(try read("file://" + Clips.path("h264.mp4")).count, Clips.frames)
        let missing = "file://" + Clips.path("absent.mp4")
        XCTAssertEqual(openingError(missing), .fileNotFound(path: missing))
    }

    // MARK: Synthetic

    func testSyntheticFramesHaveTheSizeMoveAndReuseTheirBuffer() throws {
        let source = try SyntheticSource(width: 320, height: 180, frameRate: 30, frameCount: 12)
        XCTAssertEqual(source.width, 320)
        XCTAssertEqual(source.frameRate, 30)
        var frame = VideoFrame(image: PixelImage(width: 320, height: 180, format: .rgb))
        let storage = frame.image.pixels.withUnsafeBufferPointer { $0.baseAddress }
        var previous: [UInt8]?
        var timestamps: [Int64] = []
        while try source.read(into: &frame) {
            XCTAssertEqual(frame.image.width, 320)
            XCTAssertEqual(frame.image.height, 180)
            XCTAssertNil(frame.image.layoutProblem)
            XCTAssertEqual(frame.image.pixels.withUnsafeBufferPointer { $0.baseAddress }, storage, "frame \(frame.index)")
            if let previous {
                let changed = zip(previous, frame.image.pixels).filter { $0 != $1 }.count
                XCTAssertGreaterThan(changed, frame.image.pixels.count / 10, "frame \(frame.index) differs from the one before")
            }
            previous = frame.image.pixels.withUnsafeBufferPointer { Array($0) }  // a copy, not a second reference
            timestamps.append(frame.timestampMicroseconds)
        }
        XCTAssertEqual(timestamps, (0..<12).map { Int64((Double($0) * 1_000_000 / 30).rounded()) })
        XCTAssertFalse(try source.read(into: &frame))
    }

    func testSyntheticDefaultsFormatsAndBadArguments() throws {
        let source = try SyntheticSource(frameCount: 1)
        var frame = VideoFrame(image: PixelImage(width: 1, height: 1, format: .rgb))
        XCTAssertTrue(try source.read(into: &frame))
        XCTAssertEqual([frame.image.width, frame.image.height], [1280, 720])
        XCTAssertEqual(source.frameRate, 30)

        for format in [PixelFormat.gray, .rgba] {
            let other = try SyntheticSource(width: 96, height: 64, frameCount: 2, format: format)
            XCTAssertTrue(try other.read(into: &frame))
            XCTAssertEqual(frame.image.format, format)
            XCTAssertNil(frame.image.layoutProblem)
        }
        XCTAssertThrowsError(try SyntheticSource(width: 0, height: 720))
        XCTAssertThrowsError(try SyntheticSource(frameRate: 0))
        XCTAssertThrowsError(try SyntheticSource(photo: Clips.path("no-photo.png"))) { error in
            XCTAssertEqual(error as? MediaError, .fileNotFound(path: Clips.path("no-photo.png")))
        }
    }

    /// With a pure green "photo" (a colour the background bands never reach), the person's pixels
    /// can be found exactly: they stand at the bottom and slide sideways.
    func testSyntheticPersonSlidesAlongTheBottom() throws {
        let green = Clips.path("green.png")
        var image = PixelImage(width: 100, height: 140, format: .rgb)
        for pixel in 0..<(100 * 140) { image.pixels[pixel * 3 + 1] = 255 }
        try ImageFile.write(image, to: green)

        let source = try SyntheticSource(width: 320, height: 180, frameRate: 10, frameCount: 20, photo: green)
        var frame = VideoFrame(image: PixelImage(width: 1, height: 1, format: .rgb))
        var centres: [Double] = []
        while try source.read(into: &frame) {
            var count = 0, sumX = 0, lowest = 0
            for y in 0..<180 {
                for x in 0..<320 {
                    let at = (y * 320 + x) * 3
                    if frame.image.pixels[at] == 0 && frame.image.pixels[at + 1] == 255 && frame.image.pixels[at + 2] == 0 {
                        count += 1
                        sumX += x
                        lowest = y
                    }
                }
            }
            XCTAssertGreaterThan(count, 320 * 180 / 10, "frame \(frame.index): the person covers over a tenth of the frame")
            XCTAssertGreaterThanOrEqual(lowest, 170, "frame \(frame.index): the person stands at the bottom")
            centres.append(Double(sumX) / Double(max(1, count)))
        }
        XCTAssertEqual(centres.count, 20)
        XCTAssertGreaterThan((centres.max() ?? 0) - (centres.min() ?? 0), 50, "\(centres)")
    }

    // MARK: Helpers

    private func turnClockwise(_ image: PixelImage, by degrees: Int) -> PixelImage {
        let turns = (degrees / 90) % 4
        let quarter = turns % 2 == 1
        var turned = PixelImage(width: quarter ? image.height : image.width, height: quarter ? image.width : image.height,
                                format: image.format)
        let channels = image.format.bytesPerPixel
        for y in 0..<image.height {
            for x in 0..<image.width {
                let (tx, ty): (Int, Int)
                switch turns {
                case 1: (tx, ty) = (image.height - 1 - y, x)
                case 2: (tx, ty) = (image.width - 1 - x, image.height - 1 - y)
                case 3: (tx, ty) = (y, image.width - 1 - x)
                default: (tx, ty) = (x, y)
                }
                for channel in 0..<channels {
                    turned.pixels[(ty * turned.width + tx) * channels + channel] = image.pixels[(y * image.width + x) * channels + channel]
                }
            }
        }
        return turned
    }

    private func meanDifference(_ a: PixelImage, _ b: PixelImage) -> Double {
        guard a.width == b.width, a.height == b.height, a.format == b.format else { return .infinity }
        let total = zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        return Double(total) / Double(a.pixels.count)
    }
}
