import BackdropCore
import BackdropMediaPipe
import BackdropTestSupport
import XCTest

/// The `into:` variants write into the caller's buffers instead of allocating new ones: the
/// buffers keep their addresses and the malloc interposer counts no Swift heap allocation.
final class ResultReuseTests: XCTestCase {
    /// The counters, in a child run of `test` with them preloaded; nil in the parent, which asserts the child passed.
    private func countersOrRerun(_ test: String) throws -> AllocationCounters? {
        if let counters = AllocationCounters.loaded() { return counters }
        let child = try AllocationCounters.rerunPreloaded("BackdropTests.ResultReuseTests/\(test)", checkout: TestEnvironment.root)
        XCTAssertTrue(AllocationCounters.passed(child), "the counted run failed:\n\(child.stdout)\n\(child.errors)")
        return nil
    }

    func testSegmentationIntoAReusedResultKeepsItsStorage() throws {
        guard let counters = try countersOrRerun("testSegmentationIntoAReusedResultKeepsItsStorage") else { return }
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        let photo = try Fixtures.astronaut(scratch: scratch)
        let segmenter = try ImageSegmenter(options: .init(modelPath: TestEnvironment.segmenterModel, runningMode: .video,
                                                          outputCategoryMask: true))
        var result = SegmentationResult()
        try segmenter.segment(videoFrame: photo, timestampMs: 0, into: &result)
        let maskStorage = result.confidenceMasks[0].values.withUnsafeBufferPointer { $0.baseAddress }
        let categoryStorage = result.categoryMask?.values.withUnsafeBufferPointer { $0.baseAddress }
        let allocations = try counters.countSwiftAllocations {
            for frame in 1...5 { try segmenter.segment(videoFrame: photo, timestampMs: Int64(frame), into: &result) }
        }
        XCTAssertEqual(allocations, 0, "Swift heap allocations in 5 frames")
        XCTAssertEqual(result.confidenceMasks[0].values.withUnsafeBufferPointer { $0.baseAddress }, maskStorage)
        XCTAssertEqual(result.categoryMask?.values.withUnsafeBufferPointer { $0.baseAddress }, categoryStorage)
        XCTAssertEqual(result.confidenceMasks[0].width, photo.width)
        XCTAssertGreaterThan(Fixtures.personFraction(result.confidenceMasks[0]), 0.2)
    }

    func testLandmarksIntoAReusedResultKeepTheirStorage() throws {
        guard let counters = try countersOrRerun("testLandmarksIntoAReusedResultKeepTheirStorage") else { return }
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        let photo = try Fixtures.astronaut(scratch: scratch)
        let landmarker = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel, runningMode: .video,
                                                           outputBlendshapes: true, outputTransformationMatrices: true))
        var result = FaceLandmarkerResult()
        try landmarker.detect(videoFrame: photo, timestampMs: 0, into: &result)
        XCTAssertEqual(result.faces.count, 1)
        XCTAssertEqual(result.faces[0].landmarks.count, 478)
        XCTAssertEqual(result.faces[0].blendshapes.count, 52)
        XCTAssertEqual(result.faces[0].blendshapes.map(\.category), BlendshapeCategory.allCases)
        XCTAssertEqual(result.faces[0].transformationMatrix?.rows, 4)
        XCTAssertEqual(result.faces[0].transformationMatrix?.columns, 4)
        // A rigid transform: the bottom row of the 4x4 matrix is 0 0 0 1.
        XCTAssertEqual(result.faces[0].transformationMatrix?[3, 3] ?? 0, 1, accuracy: 1e-4)
        XCTAssertEqual(result.faces[0].transformationMatrix?[3, 0] ?? 1, 0, accuracy: 1e-4)

        let landmarkStorage = result.faces[0].landmarks.withUnsafeBufferPointer { $0.baseAddress }
        let blendshapeStorage = result.faces[0].blendshapes.withUnsafeBufferPointer { $0.baseAddress }
        // The second frame is the first to refill a result (generic metadata is instantiated once, then):
        // steady state starts with the third.
        try landmarker.detect(videoFrame: photo, timestampMs: 1, into: &result)
        let allocations = try counters.countSwiftAllocations {
            for frame in 2...21 { try landmarker.detect(videoFrame: photo, timestampMs: Int64(frame), into: &result) }
        }
        XCTAssertEqual(allocations, 0, "Swift heap allocations in 20 frames")
        XCTAssertEqual(result.faces[0].landmarks.withUnsafeBufferPointer { $0.baseAddress }, landmarkStorage)
        XCTAssertEqual(result.faces[0].blendshapes.withUnsafeBufferPointer { $0.baseAddress }, blendshapeStorage)
    }

    /// A face that leaves the picture and comes back gets its old buffers again (a per-frame
    /// allocation in a long run otherwise: every time the face count changes).
    func testAFaceThatComesBackReusesItsStorage() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        let photo = try Fixtures.astronaut(scratch: scratch)
        let empty = PixelImage(width: photo.width, height: photo.height, format: photo.format)
        let landmarker = try FaceLandmarker(options: .init(modelPath: TestEnvironment.faceModel, runningMode: .video))
        var result = FaceLandmarkerResult()
        try landmarker.detect(videoFrame: photo, timestampMs: 0, into: &result)
        XCTAssertEqual(result.faces.count, 1)
        let landmarkStorage = result.faces[0].landmarks.withUnsafeBufferPointer { $0.baseAddress }
        try landmarker.detect(videoFrame: empty, timestampMs: 1, into: &result)
        XCTAssertEqual(result.faces.count, 0, "a black frame has no face")
        XCTAssertEqual(result, FaceLandmarkerResult(), "the kept buffers are not part of the value")
        try landmarker.detect(videoFrame: photo, timestampMs: 2, into: &result)
        XCTAssertEqual(result.faces.count, 1)
        XCTAssertEqual(result.faces[0].landmarks.count, 478)
        XCTAssertEqual(result.faces[0].landmarks.withUnsafeBufferPointer { $0.baseAddress }, landmarkStorage)
        // The kept buffers stay out of the coded form too: a JSON round trip gives the same value.
        let decoded = try JSONDecoder().decode(FaceLandmarkerResult.self, from: JSONEncoder().encode(result))
        XCTAssertEqual(decoded, result)
        XCTAssertEqual(decoded.faces[0].landmarks.count, 478)
    }
}
