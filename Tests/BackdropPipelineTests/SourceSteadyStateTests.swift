import BackdropCore
import BackdropMedia
import BackdropTestSupport
import Foundation
import XCTest

/// The source's per-frame path allocates no Swift objects once running, also when it turns every
/// frame upright (FrameRotation into the caller's buffer) and arms its I/O deadline per packet.
final class SourceSteadyStateTests: PipelineTestCase {
#if canImport(Glibc)
    func testReadingARotatedClipAllocatesNothingPerFrame() throws {
        guard let counters = AllocationCounters.loaded() else {
            let child = try AllocationCounters.rerunPreloaded(
                "BackdropPipelineTests.SourceSteadyStateTests/testReadingARotatedClipAllocatesNothingPerFrame", checkout: Self.root)
            XCTAssertTrue(AllocationCounters.passed(child), "the counted run failed:\n\(child.stdout)\n\(child.errors)")
            return
        }
        let stored = path("stored.mp4"), clip = path("rotated.mp4")
        XCTAssertEqual(try tool("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "2",
                                           "-c:v", "libx264", "-pix_fmt", "yuv420p", stored]).status, 0)
        XCTAssertEqual(try tool("ffmpeg", ["-v", "error", "-y", "-i", stored, "-c", "copy", "-metadata:s:v:0", "rotate=270", clip]).status, 0)
        let source = try FFmpegVideoSource(url: clip)
        var frame = VideoFrame(image: PixelImage(width: 1, height: 1, format: .rgb))
        for _ in 0..<3 { XCTAssertTrue(try source.read(into: &frame)) }  // buffers and the scaler are set up
        XCTAssertEqual(frame.image.width, 240, "turned upright")

        // Control: the counter sees a buffer allocated here.
        let control = counters.countSwiftAllocations { withExtendedLifetime([Int](repeating: 1, count: 64)) {} }
        XCTAssertGreaterThanOrEqual(control, 1)

        var delivered = 0
        let allocations = counters.countSwiftAllocations {
            for _ in 0..<30 where (try? source.read(into: &frame)) == true { delivered += 1 }
        }
        XCTAssertEqual(delivered, 30)
        XCTAssertEqual(allocations, 0, "Swift heap allocations while reading 30 turned frames")
        XCTAssertEqual(frame.rotationDegrees, 0)
    }
#endif
}
