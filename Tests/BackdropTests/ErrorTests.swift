import BackdropCore
import BackdropMediaPipe
import Foundation
import XCTest

/// Each failure the binding can meet gives a typed error whose message names the cause.
final class ErrorTests: XCTestCase {
    let image = PixelImage(width: 64, height: 48, format: .rgb)

    func testMissingRuntimeNamesThePathsTriedAndTheSetupCommand() {
        let path = "/nonexistent/libmediapipe.so"
        XCTAssertThrowsError(try MediaPipeRuntime.load(explicitPath: path)) { error in
            guard case let .runtimeNotFound(tried, setup) = error as? MediaPipeError else { return XCTFail("\(error)") }
            XCTAssertEqual(tried, [path])
            XCTAssertTrue(setup.hasSuffix("scripts/setup.sh"), setup)
            XCTAssertTrue("\(error)".contains(path))
            XCTAssertTrue("\(error)".contains("setup.sh"))
        }
    }

    func testVideoTimestampsMustIncrease() throws {
        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel, runningMode: .video))
        _ = try segmenter.segment(videoFrame: image, timestampMs: 100)
        for repeated in [Int64(100), 50] {
            assertThrows(.timestampNotIncreasing(previous: 100, given: repeated), containing: "\(repeated) ms after 100 ms") {
                _ = try segmenter.segment(videoFrame: image, timestampMs: repeated)
            }
        }
        _ = try segmenter.segment(videoFrame: image, timestampMs: 101)

        let landmarker = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel, runningMode: .video))
        _ = try landmarker.detect(videoFrame: image, timestampMs: 7)
        assertThrows(.timestampNotIncreasing(previous: 7, given: 7), containing: "7 ms after 7 ms") {
            _ = try landmarker.detect(videoFrame: image, timestampMs: 7)
        }
    }

    func testLiveStreamTimestampsMustIncrease() throws {
        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel, runningMode: .liveStream)) { _ in }
        try segmenter.segmentAsync(image, timestampMs: 10)
        assertThrows(.timestampNotIncreasing(previous: 10, given: 9), containing: "increase") {
            try segmenter.segmentAsync(image, timestampMs: 9)
        }
        try segmenter.close()
    }

    func testZeroSizedImageIsRejected() throws {
        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel))
        let landmarker = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel))
        let empty = PixelImage(width: 0, height: 0, format: .rgb)
        assertThrows(.invalidImage("image is 0x0; width and height must both be at least 1"), containing: "0x0") {
            _ = try segmenter.segment(empty)
        }
        assertThrows(.invalidImage("image is 0x0; width and height must both be at least 1"), containing: "0x0") {
            _ = try landmarker.detect(empty)
        }
    }

    func testImageWhosePixelsDoNotMatchItsSizeIsRejected() throws {
        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel))
        var short = image
        short.pixels.removeLast(7)
        XCTAssertThrowsError(try segmenter.segment(short)) { error in
            guard case let .invalidImage(reason) = error as? MediaPipeError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("64x48") && reason.contains("\(64 * 48 * 3 - 7) bytes"), reason)
        }
    }

    func testMissingModelNamesThePath() {
        let path = "/nonexistent/selfie_segmenter.tflite"
        assertThrows(.modelNotFound(path: path), containing: path) {
            _ = try ImageSegmenter(options: .init(modelPath: path))
        }
        assertThrows(.modelNotFound(path: path), containing: path) {
            _ = try FaceLandmarker(options: .init(modelPath: path))
        }
    }

    func testTruncatedModelsAreRejected() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        for (model, create) in [(TestEnvironment.segmenterModel, { (path: String) throws in _ = try ImageSegmenter(options: .init(modelPath: path)) }),
                                (TestEnvironment.faceModel, { (path: String) throws in _ = try FaceLandmarker(options: .init(modelPath: path)) })] {
            let data = try Data(contentsOf: URL(fileURLWithPath: model))
            let truncated = scratch.appendingPathComponent("truncated-" + URL(fileURLWithPath: model).lastPathComponent)
            try data.prefix(data.count / 2).write(to: truncated)
            XCTAssertThrowsError(try create(truncated.path)) { error in
                guard case let .modelRejected(path, _, message) = error as? MediaPipeError else { return XCTFail("\(error)") }
                XCTAssertEqual(path, truncated.path)
                XCTAssertFalse(message.isEmpty)
                XCTAssertTrue("\(error)".contains(truncated.path))
            }
        }
    }

    func testModelForAnotherTaskIsRejected() {
        XCTAssertThrowsError(try ImageSegmenter(options: .init(modelPath: TestEnvironment.faceModel))) { error in
            guard case let .modelRejected(path, task, _) = error as? MediaPipeError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, TestEnvironment.faceModel)
            XCTAssertEqual(task, "image segmenter")
            XCTAssertTrue("\(error)".contains("model for another task"))
        }
        XCTAssertThrowsError(try FaceLandmarker(options: .init(modelPath: TestEnvironment.segmenterModel))) { error in
            guard case let .modelRejected(path, task, _) = error as? MediaPipeError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, TestEnvironment.segmenterModel)
            XCTAssertEqual(task, "face landmarker")
        }
    }

    func testCallsForAnotherRunningModeAreRejected() throws {
        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel))
        assertThrows(.wrongRunningMode(operation: "segment(videoFrame:)", taskMode: .image), containing: "IMAGE mode") {
            _ = try segmenter.segment(videoFrame: image, timestampMs: 1)
        }
        let landmarker = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel, runningMode: .video))
        assertThrows(.wrongRunningMode(operation: "detect(_:)", taskMode: .video), containing: "VIDEO mode") {
            _ = try landmarker.detect(image)
        }
        assertThrows(.invalidOptions("live-stream mode needs a result handler"), containing: "result handler") {
            _ = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel, runningMode: .liveStream))
        }
    }

    func testInvalidOptionsAreNamed() {
        assertThrows(.invalidOptions("numFaces is 0; it must be at least 1"), containing: "numFaces") {
            _ = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel, numFaces: 0))
        }
        assertThrows(.invalidOptions("ask for confidence masks, a category mask, or both"), containing: "mask") {
            _ = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel, outputConfidenceMasks: false))
        }
    }

    func testClosedTaskRefusesWork() throws {
        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel))
        try segmenter.close()
        try segmenter.close()  // a second close is harmless
        assertThrows(.closed(task: "image segmenter"), containing: "closed") { _ = try segmenter.segment(image) }
    }

    func testMediaPipeFailuresCarryMediaPipesMessage() throws {
        // The segmenter does not support a region of interest; MediaPipe says so.
        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel))
        let roi = ImageProcessingOptions(regionOfInterest: NormalizedRect(left: 0.1, top: 0.1, right: 0.9, bottom: 0.9))
        XCTAssertThrowsError(try segmenter.segment(image, processing: roi)) { error in
            guard case let .mediapipe(status, _, message) = error as? MediaPipeError else { return XCTFail("\(error)") }
            XCTAssertEqual(status, .invalidArgument)
            XCTAssertTrue(message.contains("region-of-interest"), message)
        }
        // A rotation that is not a multiple of 90 degrees.
        XCTAssertThrowsError(try segmenter.segment(image, processing: ImageProcessingOptions(rotationDegrees: 45))) { error in
            guard case let .mediapipe(status, _, message) = error as? MediaPipeError else { return XCTFail("\(error)") }
            XCTAssertEqual(status, .invalidArgument)
            XCTAssertTrue(message.contains("90"), message)
        }
        // The task still works after a failed call.
        XCTAssertEqual(try segmenter.segment(image).confidenceMasks.count, 1)
    }

    private func assertThrows(_ expected: MediaPipeError, containing text: String,
                              file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? MediaPipeError, expected, file: file, line: line)
            XCTAssertTrue("\(error)".contains(text), "\"\(error)\" does not mention \"\(text)\"", file: file, line: line)
        }
    }
}
