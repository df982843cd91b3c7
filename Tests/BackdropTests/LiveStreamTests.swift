import BackdropCore
import BackdropMediaPipe
import XCTest

final class LiveStreamTests: XCTestCase {
    func testLiveStreamResultsMatchImageModeForTheSameFrames() async throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        let photo = try Fixtures.astronaut(scratch: scratch)
        let expected = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel)).segment(photo)
        let expectedFaces = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel)).detect(photo)

        let (segmenter, segmentations) = try ImageSegmenter.liveStream(
            options: .init(modelPath: TestEnvironment.segmenterModel), bufferingNewest: 100)
        let (landmarker, faceResults) = try FaceLandmarker.liveStream(
            options: .init(modelPath: TestEnvironment.faceModel), bufferingNewest: 100)
        let sent: [Int64] = (1...8).map { Int64($0) * 40 }
        for timestamp in sent {
            try segmenter.segmentAsync(photo, timestampMs: timestamp)
            try landmarker.detectAsync(photo, timestampMs: timestamp)
        }
        // Closing delivers what is pending and finishes the streams, so these loops end.
        try segmenter.close()
        try landmarker.close()

        var segmentationCount = 0
        for await live in segmentations {
            XCTAssertTrue(sent.contains(live.timestampMs))
            let mask = try live.result.get().confidenceMasks[0]
            XCTAssertGreaterThanOrEqual(intersectionOverUnion(mask, expected.confidenceMasks[0]), 0.99)
            segmentationCount += 1
        }
        var faceCount = 0
        for await live in faceResults {
            XCTAssertTrue(sent.contains(live.timestampMs))
            XCTAssertEqual(try live.result.get().faces.count, expectedFaces.faces.count)
            faceCount += 1
        }
        // MediaPipe may drop frames in live mode, but it must deliver some.
        XCTAssertGreaterThan(segmentationCount, 0)
        XCTAssertGreaterThan(faceCount, 0)
    }

    func testSeveralLiveInstancesEachReceiveOnlyTheirOwnResults() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        let photo = try Fixtures.astronaut(scratch: scratch)
        let blank = PixelImage(width: photo.width, height: photo.height, format: .rgb)

        // Instance "photo" sends timestamps 1000..., instance "blank" 5000...; results must not cross.
        let photoMasks = Collector<LiveStreamResult<SegmentationResult>>()
        let blankMasks = Collector<LiveStreamResult<SegmentationResult>>()
        let photoFaces = Collector<LiveStreamResult<FaceLandmarkerResult>>()
        let blankFaces = Collector<LiveStreamResult<FaceLandmarkerResult>>()
        let segmenterOptions = ImageSegmenterOptions(modelPath: TestEnvironment.segmenterModel, runningMode: .liveStream)
        let landmarkerOptions = FaceLandmarkerOptions(modelPath: TestEnvironment.faceModel, runningMode: .liveStream)
        let photoSegmenter = try ImageSegmenter(options: segmenterOptions) { photoMasks.append($0) }
        let blankSegmenter = try ImageSegmenter(options: segmenterOptions) { blankMasks.append($0) }
        let photoLandmarker = try FaceLandmarker(options: landmarkerOptions) { photoFaces.append($0) }
        let blankLandmarker = try FaceLandmarker(options: landmarkerOptions) { blankFaces.append($0) }

        for frame in 0..<6 {
            try photoSegmenter.segmentAsync(photo, timestampMs: 1000 + Int64(frame) * 40)
            try blankSegmenter.segmentAsync(blank, timestampMs: 5000 + Int64(frame) * 40)
            try photoLandmarker.detectAsync(photo, timestampMs: 1000 + Int64(frame) * 40)
            try blankLandmarker.detectAsync(blank, timestampMs: 5000 + Int64(frame) * 40)
        }
        for task in [photoSegmenter, blankSegmenter] { try task.close() }
        for task in [photoLandmarker, blankLandmarker] { try task.close() }

        XCTAssertFalse(photoMasks.values.isEmpty)
        XCTAssertFalse(blankMasks.values.isEmpty)
        XCTAssertFalse(photoFaces.values.isEmpty)
        XCTAssertFalse(blankFaces.values.isEmpty)
        for live in photoMasks.values {
            XCTAssertTrue((1000..<5000).contains(live.timestampMs), "photo segmenter got \(live.timestampMs)")
            XCTAssertGreaterThan(Fixtures.personFraction(try live.result.get().confidenceMasks[0]), 0.2)
        }
        for live in blankMasks.values {
            XCTAssertTrue(live.timestampMs >= 5000, "blank segmenter got \(live.timestampMs)")
            XCTAssertLessThan(Fixtures.personFraction(try live.result.get().confidenceMasks[0]), 0.01)
        }
        for live in photoFaces.values {
            XCTAssertTrue((1000..<5000).contains(live.timestampMs))
            XCTAssertEqual(try live.result.get().faces.count, 1)
        }
        for live in blankFaces.values {
            XCTAssertTrue(live.timestampMs >= 5000)
            XCTAssertEqual(try live.result.get().faces.count, 0)
        }
    }

    func testClosingReleasesCallbackSlotsForNewInstances() throws {
        // More live instances over time than there are callback slots: each close must free its slot.
        let options = ImageSegmenterOptions(modelPath: TestEnvironment.segmenterModel, runningMode: .liveStream)
        for _ in 0..<80 {
            let segmenter = try ImageSegmenter(options: options) { _ in }
            try segmenter.close()
        }
    }
}
