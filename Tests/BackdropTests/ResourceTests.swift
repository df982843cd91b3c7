import BackdropCore
import BackdropMediaPipe
import XCTest

/// Memory stays flat over many task lifetimes and many frames: each C resource is released.
final class ResourceTests: XCTestCase {
    /// RSS may grow at most this much after warm-up (allocator noise is a few MB).
    static let allowedGrowthBytes = 10 * 1024 * 1024

    func testOneThousandCreateRunCloseCyclesKeepMemoryFlat() throws {
        let frame = PixelImage(width: 128, height: 128, format: .rgb)
        func cycle() throws {
            let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel))
            _ = try segmenter.segment(frame)
            try segmenter.close()
        }
        for _ in 0..<50 { try cycle() }  // warm-up: allocator pools, XNNPACK caches
        let before = ProcessMemory.residentBytes()
        for _ in 0..<1000 { try cycle() }
        let growth = ProcessMemory.residentBytes() - before
        print("resource: 1000 segmenter create/run/close cycles, RSS growth \(growth / 1024) KiB")
        XCTAssertLessThan(growth, Self.allowedGrowthBytes)
    }

    func testTwoThousandFramesOnOneInstanceKeepMemoryFlat() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        let photo = try Fixtures.astronaut(scratch: scratch)
        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel, runningMode: .video))
        let landmarker = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel, runningMode: .video))
        var segmentation = SegmentationResult()
        var faces = FaceLandmarkerResult()
        var timestamp: Int64 = 0
        func frame() throws {
            timestamp += 33
            try segmenter.segment(videoFrame: photo, timestampMs: timestamp, into: &segmentation)
            try landmarker.detect(videoFrame: photo, timestampMs: timestamp, into: &faces)
        }
        for _ in 0..<200 { try frame() }
        let before = ProcessMemory.residentBytes()
        for _ in 0..<2000 { try frame() }
        let growth = ProcessMemory.residentBytes() - before
        print("resource: 2000 frames (segmenter + face landmarker, VIDEO mode, 512x512), RSS growth \(growth / 1024) KiB")
        XCTAssertEqual(faces.faces.count, 1)
        XCTAssertLessThan(growth, Self.allowedGrowthBytes)
    }

    func testFailingCallsReleaseEverything() throws {
        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel))
        let frame = PixelImage(width: 256, height: 256, format: .rgb)
        let roi = ImageProcessingOptions(regionOfInterest: NormalizedRect(left: 0, top: 0, right: 0.5, bottom: 0.5))
        func failures() {
            // MediaPipe rejects each of these after the input image was created: its error string
            // and the image must both be freed.
            XCTAssertThrowsError(try segmenter.segment(frame, processing: roi))
            XCTAssertThrowsError(try ImageSegmenter(options: .init(modelPath: TestEnvironment.faceModel)))
        }
        for _ in 0..<20 { failures() }
        let before = ProcessMemory.residentBytes()
        for _ in 0..<500 { failures() }
        let growth = ProcessMemory.residentBytes() - before
        print("resource: 500 rounds of failing calls, RSS growth \(growth / 1024) KiB")
        XCTAssertLessThan(growth, Self.allowedGrowthBytes)
    }
}
