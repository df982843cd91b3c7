import BackdropCore
import BackdropEffects
import BackdropMediaPipe
import BackdropTestSupport
import XCTest

/// The tracker's rules, on boxes given directly, and the hider's steady state.
final class FaceTrackerTests: XCTestCase {
    private func box(_ x: Double, _ y: Double, side: Double) -> FaceBox {
        FaceBox(left: x - side / 2, top: y - side / 2, right: x + side / 2, bottom: y + side / 2)
    }

    func testAMissedFaceIsHeldForHoldFramesThenDropped() {
        var tracker = FaceTracker()
        let face = box(300, 300, side: 100)
        tracker.update(with: [face], holdFrames: 3, width: 1280, height: 720)
        for missed in 1...3 {
            tracker.update(with: [], holdFrames: 3, width: 1280, height: 720)
            XCTAssertEqual(tracker.tracks.map(\.box), [face], "missed \(missed) of 3 held frames: still hidden where it was")
        }
        tracker.update(with: [], holdFrames: 3, width: 1280, height: 720)
        XCTAssertTrue(tracker.tracks.isEmpty, "a fourth missed frame ends the track")
    }

    func testAFaceThatMovesKeepsItsTrack() {
        var tracker = FaceTracker()
        tracker.update(with: [box(300, 300, side: 100)], holdFrames: 5, width: 1280, height: 720)
        let id = tracker.tracks.first?.id
        tracker.update(with: [box(320, 310, side: 104)], holdFrames: 5, width: 1280, height: 720)
        XCTAssertEqual(tracker.tracks.count, 1)
        XCTAssertEqual(tracker.tracks.first?.id, id, "an overlapping box is the same face")
        XCTAssertEqual(tracker.tracks.first?.missedFrames, 0)
    }

    func testTheMainFaceIsTheLargestTiesGoToTheMostCentralAndSizeJitterDoesNotSwapIt() {
        var tracker = FaceTracker()
        let large = box(200, 360, side: 150), small = box(640, 360, side: 80)
        tracker.update(with: [small, large], holdFrames: 5, width: 1280, height: 720)
        XCTAssertEqual(tracker.main?.box, large, "the largest face is the main one")

        tracker.reset()
        let central = box(640, 360, side: 100), aside = box(1100, 360, side: 104)  // within 10 %: equal
        tracker.update(with: [aside, central], holdFrames: 5, width: 1280, height: 720)
        XCTAssertEqual(tracker.main?.box, central, "of about equal faces the most central is the main one")
        let mainID = tracker.mainID
        for frame in 0..<20 {
            let jitter = frame.isMultiple(of: 2) ? 15.0 : -10.0  // the other face grows past the main one by a third, not by half
            tracker.update(with: [box(1100, 360, side: 104 + jitter), central], holdFrames: 5, width: 1280, height: 720)
            XCTAssertEqual(tracker.mainID, mainID, "frame \(frame): the main face does not swap as sizes jitter")
        }
        tracker.update(with: [box(1100, 360, side: 140), box(640, 360, side: 100)], holdFrames: 5, width: 1280, height: 720)
        XCTAssertNotEqual(tracker.mainID, mainID, "a face about twice the main one's area takes over")
    }

    func testHidingAllocatesNothingPerFrame() throws {
        guard let counters = AllocationCounters.loaded() else {
            let child = try AllocationCounters.rerunPreloaded("BackdropEffectsTests.FaceTrackerTests/testHidingAllocatesNothingPerFrame",
                                                              checkout: Fixtures.root)
            return XCTAssertTrue(AllocationCounters.passed(child), "the counted run failed:\n\(child.stdout)\n\(child.errors)")
        }
        // Three faces as the landmarker hands them over (478 landmarks each, normalized).
        func face(_ x: Float, _ y: Float, _ side: Float) -> DetectedFace {
            DetectedFace(landmarks: (0..<478).map { i in
                NormalizedLandmark(x: x + side * Float(i % 22) / 21, y: y + side * Float(i / 22) / 21, z: 0)
            })
        }
        let faces = FaceLandmarkerResult(faces: [face(0.4, 0.3, 0.2), face(0.1, 0.4, 0.12), face(0.75, 0.4, 0.12)])
        let missed = FaceLandmarkerResult()
        var tracker = FaceTracker()
        let boxes = [box(500, 300, side: 200), box(150, 300, side: 120), box(1000, 300, side: 120)], none: [FaceBox] = []
        tracker.update(with: boxes, holdFrames: 15, width: 1280, height: 720)
        let tracking = counters.countSwiftAllocations {
            for index in 0..<50 { tracker.update(with: index % 5 == 4 ? none : boxes, holdFrames: 15, width: 1280, height: 720) }
        }
        XCTAssertEqual(tracking, 0, "tracking: Swift heap allocations in 50 frames")
        var frame = PixelImage(width: 1280, height: 720, format: .rgb)
        for style in FaceHiding.Style.allCases {
            let hider = FaceHider()
            let settings = FaceHiding(style: style, keepMain: true)
            hider.hide(in: &frame, faces: faces, settings: settings)  // sizes the scratch line
            let allocations = counters.countSwiftAllocations {
                for index in 0..<50 {
                    // Every fifth frame the faces are missed: held boxes take that path too.
                    hider.hide(in: &frame, faces: index % 5 == 4 ? missed : faces, settings: settings)
                }
            }
            XCTAssertEqual(allocations, 0, "\(style): Swift heap allocations in 50 frames")
            XCTAssertEqual(hider.tracker.tracks.count, 3)
        }
    }
}
