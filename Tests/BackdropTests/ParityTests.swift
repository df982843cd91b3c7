import BackdropCore
import BackdropMediaPipe
import XCTest

/// Backdrop's binding against MediaPipe's own Python API, on the same pixels, in the same run.
final class ParityTests: XCTestCase {
    /// Thresholds from the foundation issue.
    static let minimumMeanIoU = 0.99
    static let minimumCategoryAgreement = 0.995
    static let maximumMeanLandmarkDistancePixels = 0.5

    func testImageModeMatchesPythonOnPhotoAndClipFrames() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        let frames = try extractFrames(of: TestEnvironment.talkingHeadClip, count: 5, every: 50, into: scratch)
        let references = try PythonReference.run([TestEnvironment.astronaut] + frames, categoryMask: true, scratch: scratch)
        XCTAssertEqual(references.count, 6)

        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel, outputCategoryMask: true))
        let landmarker = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel))
        XCTAssertEqual(segmenter.labels, references[0].labels)
        let comparison = try compare(references) { reference in
            (try segmenter.segment(reference.pixels), try landmarker.detect(reference.pixels))
        }
        comparison.assertWithinThresholds()
    }

    func testVideoModeMatchesPythonOnConsecutiveClipFrames() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        let frames = try extractFrames(of: TestEnvironment.talkingHeadClip, count: 20, into: scratch)
        let references = try PythonReference.run(frames, mode: .video, categoryMask: true, scratch: scratch)

        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel, runningMode: .video,
                                                          outputCategoryMask: true))
        let landmarker = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel, runningMode: .video))
        var segmentation = SegmentationResult()
        var faces = FaceLandmarkerResult()
        let comparison = try compare(references) { reference in
            try segmenter.segment(videoFrame: reference.pixels, timestampMs: reference.timestampMs, into: &segmentation)
            try landmarker.detect(videoFrame: reference.pixels, timestampMs: reference.timestampMs, into: &faces)
            return (segmentation, faces)
        }
        comparison.assertWithinThresholds()
    }

    func testRotationIsAppliedLikePython() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        let frames = try extractFrames(of: TestEnvironment.talkingHeadClip, count: 2, every: 100, into: scratch)
        let images = [TestEnvironment.astronaut] + frames
        let rotation = ImageProcessingOptions(rotationDegrees: 90)
        let references = try PythonReference.run(images, rotationDegrees: 90, scratch: scratch)
        let unrotated = try PythonReference.run(images, maxFaces: 0, scratch: scratch)

        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel))
        let landmarker = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel))
        let comparison = try compare(references) { reference in
            (try segmenter.segment(reference.pixels, processing: rotation),
             try landmarker.detect(reference.pixels, processing: rotation))
        }
        comparison.assertWithinThresholds()
        // The rotation must really change what the model saw: masks differ from the unrotated ones.
        for (rotated, upright) in zip(references, unrotated) where rotated.confidenceMasks[0].width == upright.confidenceMasks[0].width {
            let mine = try segmenter.segment(rotated.pixels, processing: rotation).confidenceMasks[0]
            XCTAssertLessThan(intersectionOverUnion(mine, upright.confidenceMasks[0]), 0.95)
        }
    }
}

/// Per-image agreement figures between Backdrop and the reference.
struct ParityComparison {
    var ious: [Double] = []
    var categoryAgreements: [Double] = []
    var landmarkDistances: [Double] = []
    var faceCountMismatches: [String] = []

    func assertWithinThresholds(file: StaticString = #filePath, line: UInt = #line) {
        let meanIoU = ious.reduce(0, +) / Double(max(1, ious.count))
        print("parity: images \(ious.count), mean IoU \(meanIoU), min category agreement \(categoryAgreements.min() ?? 1), "
              + "landmark distances (px) \(landmarkDistances.map { String(format: "%.4f", $0) })")
        XCTAssertFalse(ious.isEmpty, file: file, line: line)
        XCTAssertGreaterThanOrEqual(meanIoU, ParityTests.minimumMeanIoU, file: file, line: line)
        for agreement in categoryAgreements {
            XCTAssertGreaterThanOrEqual(agreement, ParityTests.minimumCategoryAgreement, file: file, line: line)
        }
        XCTAssertEqual(faceCountMismatches, [], file: file, line: line)
        XCTAssertFalse(landmarkDistances.isEmpty, "no faces were compared", file: file, line: line)
        for distance in landmarkDistances {
            XCTAssertLessThanOrEqual(distance, ParityTests.maximumMeanLandmarkDistancePixels, file: file, line: line)
        }
    }
}

func compare(_ references: [ReferenceResult],
             _ run: (ReferenceResult) throws -> (SegmentationResult, FaceLandmarkerResult)) throws -> ParityComparison {
    var comparison = ParityComparison()
    for reference in references {
        let (segmentation, faces) = try run(reference)
        XCTAssertEqual(segmentation.confidenceMasks.count, reference.confidenceMasks.count)
        for (mine, theirs) in zip(segmentation.confidenceMasks, reference.confidenceMasks) {
            XCTAssertEqual(mine.width, theirs.width)
            XCTAssertEqual(mine.height, theirs.height)
            comparison.ious.append(intersectionOverUnion(mine, theirs))
        }
        if let theirs = reference.categoryMask {
            guard let mine = segmentation.categoryMask else { XCTFail("no category mask"); continue }
            comparison.categoryAgreements.append(fractionEqual(mine, theirs))
        }
        if faces.faces.count != reference.faces.count {
            comparison.faceCountMismatches.append("t=\(reference.timestampMs): \(faces.faces.count) vs \(reference.faces.count)")
            continue
        }
        for (mine, theirs) in zip(faces.faces, reference.faces) {
            XCTAssertEqual(mine.landmarks.count, theirs.count)
            let width = Double(reference.pixels.width), height = Double(reference.pixels.height)
            var total = 0.0
            for (point, expected) in zip(mine.landmarks, theirs) {
                let dx = (Double(point.x) - Double(expected[0])) * width
                let dy = (Double(point.y) - Double(expected[1])) * height
                total += (dx * dx + dy * dy).squareRoot()
            }
            comparison.landmarkDistances.append(total / Double(max(1, theirs.count)))
        }
    }
    return comparison
}
