import BackdropCore
import BackdropEffects
import Foundation
import XCTest

/// Prints the per-frame cost at 1280x720 (meaningful with `swift test -c release`; a debug build
/// runs the loops once). A 256x144 segmentation of the bench frame is refined to 1280x720.
final class TimingTests: XCTestCase {
    func testPrintsPerFrameCostAt720p() throws {
        let frame0 = try Fixtures.benchFrame()
        XCTAssertEqual(frame0.width, 1280)
        let small = try Fixtures.personMask(Fixtures.downscale(frame0, by: 5))  // 256x144
        XCTAssertEqual(small.width, 256)
        XCTAssertEqual(small.height, 144)
        #if DEBUG
        let iterations = 1
        #else
        let iterations = 40
        #endif

        func measure(_ name: String, _ body: () -> Void) {
            body()  // size the buffers first
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iterations { body() }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(iterations)
            print(String(format: "timing 1280x720: %@ %.2f ms/frame", name, ms))
        }

        let refiner = MaskRefiner()
        var full = ConfidenceMask()
        measure("refine guided 256x144 -> 1280x720") { refiner.refine(small, guide: frame0, into: &full) }
        var bilinear = ConfidenceMask()
        measure("upscale bilinear 256x144 -> 1280x720") { refiner.upscale(small, width: 1280, height: 720, into: &bilinear) }
        let smoother = TemporalSmoother()
        var smoothed = ConfidenceMask()
        measure("temporal smoothing at 256x144") { smoother.smooth(small, into: &smoothed) }
        var feathered = full
        measure("feather radius 4 at 1280x720") { refiner.feather(&feathered, radius: 4) }

        var frame = frame0
        let blur = BackgroundBlur(strength: 15)
        measure("blur strength 15 (blur + composite)") { blur.apply(to: &frame, mask: full) }
        let replacement = BackgroundReplacement(image: try Fixtures.astronaut())
        measure("replace with image (composite)") { replacement.apply(to: &frame, mask: full) }
        let background = Fixtures.downscale(frame0, by: 2)
        measure("replace, new 640x360 video background each frame") {
            replacement.setBackground(background)
            replacement.apply(to: &frame, mask: full)
        }
        let green = BackgroundReplacement.greenScreen()
        measure("green screen") { green.apply(to: &frame, mask: full) }
        let renderer = EffectRenderer(effect: .blur(strength: 15))
        measure("renderer: smooth + refine + blur") { renderer.apply(to: &frame, mask: small, faces: nil) }
        XCTAssertEqual(full.width, 1280)
    }
}
