import BackdropCore
import BackdropMedia
import BackdropMediaPipe
import BackdropTestSupport
import Foundation
import XCTest

/// Tiny frames (issue 9): MediaPipe handles every size from 1x1 up (see `backdrop-bench size-sweep`),
/// and a tiny video goes through `backdrop run` without the heap corruption libswscale caused when
/// it wrote past the end of a tightly packed RGB frame.
final class ImageSizeLimitTests: XCTestCase {
    /// The smallest sizes, thin strips and odd shapes: the sweep's boundary cases.
    static let smallSizes = [(1, 1), (1, 2), (2, 1), (2, 2), (3, 3), (1, 64), (64, 1), (17, 3)]

    private func pattern(_ width: Int, _ height: Int) -> PixelImage {
        var image = PixelImage(width: width, height: height, format: .rgb)
        for index in image.pixels.indices { image.pixels[index] = UInt8(truncatingIfNeeded: index &* 37 &+ 11) }
        return image
    }

    private func assertMasks(_ result: SegmentationResult, fit image: PixelImage, _ context: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.confidenceMasks.isEmpty, context, file: file, line: line)
        for mask in result.confidenceMasks {
            XCTAssertEqual([mask.width, mask.height], [image.width, image.height], context, file: file, line: line)
            XCTAssertEqual(mask.values.count, image.width * image.height, context, file: file, line: line)
            XCTAssertTrue(mask.values.allSatisfy { (0...1).contains($0) }, "\(context): confidences outside 0...1", file: file, line: line)
        }
    }

    func testSegmenterGivesMasksOfTheImagesSizeForTinyImagesInEveryMode() async throws {
        let still = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel, runningMode: .image))
        let video = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel, runningMode: .video))
        let (live, results) = try ImageSegmenter.liveStream(options: .init(modelPath: TestEnvironment.segmenterModel),
                                                           bufferingNewest: 64)
        var timestamp: Int64 = 0
        for (width, height) in Self.smallSizes {
            let image = pattern(width, height)
            assertMasks(try still.segment(image), fit: image, "IMAGE \(width)x\(height)")
            for _ in 0..<2 {  // consecutive frames: VIDEO mode keeps state between them
                timestamp += 33
                assertMasks(try video.segment(videoFrame: image, timestampMs: timestamp), fit: image, "VIDEO \(width)x\(height)")
            }
        }
        // LIVE_STREAM: each frame's result is awaited before the next is sent, so MediaPipe is idle
        // and drops none.
        var received = results.makeAsyncIterator()
        for (width, height) in Self.smallSizes {
            timestamp += 33
            let image = pattern(width, height)
            try live.segmentAsync(image, timestampMs: timestamp)
            let next = await received.next()
            let result = try XCTUnwrap(next, "LIVE_STREAM \(width)x\(height): the stream ended")
            XCTAssertEqual(result.timestampMs, timestamp)
            assertMasks(try result.result.get(), fit: image, "LIVE_STREAM \(width)x\(height)")
        }
        try live.close()
    }

    func testFaceLandmarkerAcceptsTinyImagesInEveryMode() async throws {
        let still = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel, runningMode: .image))
        let video = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel, runningMode: .video))
        let (live, results) = try FaceLandmarker.liveStream(options: .init(modelPath: TestEnvironment.faceModel), bufferingNewest: 64)
        var received = results.makeAsyncIterator()
        var timestamp: Int64 = 0
        for (width, height) in Self.smallSizes {
            let image = pattern(width, height)
            XCTAssertEqual(try still.detect(image).faces.count, 0, "IMAGE \(width)x\(height)")
            for _ in 0..<2 {
                timestamp += 33
                XCTAssertEqual(try video.detect(videoFrame: image, timestampMs: timestamp).faces.count, 0, "VIDEO \(width)x\(height)")
            }
            try live.detectAsync(image, timestampMs: timestamp)
            let next = await received.next()
            let result = try XCTUnwrap(next, "LIVE_STREAM \(width)x\(height): the stream ended")
            XCTAssertEqual(result.timestampMs, timestamp)
            XCTAssertEqual(try result.result.get().faces.count, 0, "LIVE_STREAM \(width)x\(height)")
        }
        try live.close()
    }

    /// A decoded frame of a width libswscale cannot write into packed rows has the same pixels as
    /// FFmpeg's own conversion: the padded rows are copied out with the right stride.
    func testNarrowVideoFramesDecodeLikeFFmpeg() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        for (width, height) in [(2, 2), (24, 24), (426, 240), (64, 2)] {
            let clip = scratch.appendingPathComponent("clip-\(width)x\(height).mp4").path
            try makeClip(clip, width: width, height: height, frames: 3)
            let reference = try runTool("/usr/bin/ffmpeg", ["-v", "error", "-i", clip, "-frames:v", "1", "-sws_flags", "bilinear",
                                                            "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
            XCTAssertEqual(reference.status, 0, reference.errors)
            let expected = [UInt8](reference.output)
            let source = try FFmpegVideoSource(url: clip)
            defer { source.close() }
            var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
            XCTAssertTrue(try source.read(into: &frame), "\(width)x\(height): no frame")
            XCTAssertEqual([frame.image.width, frame.image.height], [width, height])
            XCTAssertEqual(frame.image.pixels.count, expected.count, "\(width)x\(height)")
            let worst = zip(frame.image.pixels, expected).map { abs(Int($0) - Int($1)) }.max() ?? 255
            XCTAssertLessThanOrEqual(worst, 8, "\(width)x\(height): a channel differs from FFmpeg's conversion by \(worst)")
        }
    }

    /// The clip of issue 9: `backdrop run` on a 2x2 video crashed (SIGSEGV/SIGABRT, heap corruption).
    /// With glibc's malloc checks on, any write past a heap block aborts the process, so this fails
    /// wherever the overrun happens, not only where it happens to crash.
    func testTwoByTwoClipRunsThroughBackdropRunWithoutCorruptingTheHeap() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        let clip = scratch.appendingPathComponent("2x2.mp4").path
        let output = scratch.appendingPathComponent("out.mp4").path
        try makeClip(clip, width: 2, height: 2, frames: 25)
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let debugMalloc = "/usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0"
        if FileManager.default.fileExists(atPath: debugMalloc) { environment["LD_PRELOAD"] = debugMalloc }
        environment["MALLOC_CHECK_"] = "3"
        environment["MALLOC_PERTURB_"] = "165"
        environment["GLIBC_TUNABLES"] = "glibc.malloc.check=3:glibc.malloc.perturb=165"
        let run = try runReportingSignal(backdrop, ["run", "--input", clip, "--output", output], environment: environment)
        XCTAssertEqual(run.reason, .exit, "backdrop run was killed by signal \(run.status): \(run.stderr.suffix(2000))")
        XCTAssertEqual(run.status, 0, String(run.stderr.suffix(2000)))
        XCTAssertTrue(run.stdout.contains("wrote \(output)"), run.stdout)

        let source = try FFmpegVideoSource(url: output)
        defer { source.close() }
        XCTAssertEqual([source.width, source.height], [2, 2])
        var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        var frames = 0
        while try source.read(into: &frame) { frames += 1 }
        XCTAssertEqual(frames, 25)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "temporary files left behind")
    }

    // MARK: Helpers

    private var backdrop: String {
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("backdrop").path
    }

    private func makeClip(_ path: String, width: Int, height: Int, frames: Int) throws {
        let made = try runProcess("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=\(width)x\(height):rate=25",
                                                      "-frames:v", "\(frames)", "-c:v", "libx264", "-pix_fmt", "yuv420p", path])
        guard made.status == 0 else { throw TestFailure("ffmpeg could not make \(path): \(made.stderr)") }
    }

    /// Like `runProcess`, but tells an exit from a death by signal (`runProcess` reports both as a number).
    private func runReportingSignal(_ executable: String, _ arguments: [String], environment: [String: String])
        throws -> (reason: Process.TerminationReason, status: Int32, stdout: String, stderr: String)
    {
        let folder = try TestEnvironment.scratchDirectory(for: self)
        let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationReason, process.terminationStatus,
                (try? String(contentsOf: outURL, encoding: .utf8)) ?? "", (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}
