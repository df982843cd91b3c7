import BackdropCore
import BackdropEffects
import BackdropMediaPipe
import BackdropTestSupport
import XCTest

/// The framer's drawing: the crop comes back at the frame's size with the pixels where the window
/// says, and following a face frame after frame allocates nothing.
final class FrameCropTests: XCTestCase {
    /// A face box of 478 landmarks (the corners of the box and points inside it).
    static func face(minX: Float, minY: Float, size: Float) -> FaceLandmarkerResult {
        let points = (0..<478).map { index in
            NormalizedLandmark(x: minX + size * Float(index % 2), y: minY + size * Float((index / 2) % 2), z: 0)
        }
        return FaceLandmarkerResult(faces: [DetectedFace(landmarks: points)])
    }

    /// A horizontal and a vertical ramp: each pixel's source position can be read back from its bytes.
    static func ramps(width: Int, height: Int) -> PixelImage {
        var image = PixelImage(width: width, height: height, format: .rgb)
        for y in 0..<height {
            for x in 0..<width {
                image.pixels[(y * width + x) * 3] = UInt8(x)
                image.pixels[(y * width + x) * 3 + 1] = UInt8(y)
            }
        }
        return image
    }

    func testTheCropShowsTheWindowAtTheFramesSize() {
        let width = 256, height = 192
        var image = Self.ramps(width: width, height: height)
        let framer = AutoFramer()
        // A face in the top-left quarter, framed for a second: the crop rests at the target.
        let faces = Self.face(minX: 0.2, minY: 0.2, size: 0.15)
        for index in 0..<50 {
            image = Self.ramps(width: width, height: height)
            framer.frame(&image, faces: faces, timestampMicroseconds: Int64(index) * 40_000, framing: Framing())
        }
        let window = framer.shownWindow!
        XCTAssertEqual(image.width, width)
        XCTAssertEqual(image.height, height)
        XCTAssertGreaterThan(window.zoom, 1.2)
        let (left, top) = window.origin(width: width, height: height)
        for (x, y) in [(10, 10), (128, 96), (240, 180)] {
            let sourceX = left + (Double(x) + 0.5) / window.zoom - 0.5, sourceY = top + (Double(y) + 0.5) / window.zoom - 0.5
            XCTAssertEqual(Double(image.pixels[(y * width + x) * 3]), sourceX, accuracy: 1, "column at (\(x), \(y))")
            XCTAssertEqual(Double(image.pixels[(y * width + x) * 3 + 1]), sourceY, accuracy: 1, "row at (\(x), \(y))")
        }
    }

    func testFollowingAndDrawingAllocateNothingPerFrame() throws {
        guard let counters = AllocationCounters.loaded() else {
            let child = try AllocationCounters.rerunPreloaded("BackdropEffectsTests.FrameCropTests/testFollowingAndDrawingAllocateNothingPerFrame",
                                                              checkout: Fixtures.root)
            return XCTAssertTrue(AllocationCounters.passed(child), "the counted run failed:\n\(child.stdout)\n\(child.errors)")
        }
        var image = Self.ramps(width: 256, height: 192)
        let framer = AutoFramer()
        // Two faces far apart, alternating every 10 frames: the crop keeps moving and zooming.
        let left = Self.face(minX: 0.15, minY: 0.2, size: 0.15), right = Self.face(minX: 0.6, minY: 0.4, size: 0.25)
        let framing = Framing()
        framer.frame(&image, faces: left, timestampMicroseconds: 0, framing: framing)
        framer.frame(&image, faces: right, timestampMicroseconds: 40_000, framing: framing)
        // The drawn buffer and the frame's trade places each frame: together they stay the same two.
        let storage = Set(framer.storageAddresses + [Fixtures.address(image)])
        let allocations = counters.countSwiftAllocations {
            for index in 2..<102 {
                framer.frame(&image, faces: (index / 10) % 2 == 0 ? left : right, timestampMicroseconds: Int64(index) * 40_000, framing: framing)
            }
        }
        XCTAssertEqual(allocations, 0, "Swift heap allocations in 100 framed frames")
        XCTAssertEqual(Set(framer.storageAddresses + [Fixtures.address(image)]), storage)
    }
}
