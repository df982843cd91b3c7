import BackdropCore
import BackdropEffects
import XCTest

/// Per-frame paths allocate nothing once sized: every buffer keeps its address across frames.
final class SteadyStateTests: XCTestCase {
    func testRendererReusesEveryBufferAndTheFrame() throws {
        let photo = Fixtures.downscale(try Fixtures.astronaut(), by: 4)         // 128x128
        let mask = try Fixtures.personMask(Fixtures.downscale(photo, by: 2))    // 64x64: refined each frame
        for effect: Effect in [.blur(strength: 9), .replace(Fixtures.downscale(photo, by: 2)), .greenScreen, .maskOverlay] {
            let renderer = EffectRenderer(effect: effect)
            var frame = photo
            renderer.apply(to: &frame, mask: mask, faces: nil)
            let frameAddress = Fixtures.address(frame)
            let storage = renderer.storageAddresses
            for _ in 0..<100 { renderer.apply(to: &frame, mask: mask, faces: nil) }
            XCTAssertEqual(Fixtures.address(frame), frameAddress, "\(effect)")
            XCTAssertEqual(renderer.storageAddresses, storage, "\(effect)")
        }
    }

    func testRefinerSmootherAndOutputsKeepTheirStorage() throws {
        let photo = try Fixtures.astronaut()
        let small = try Fixtures.personMask(Fixtures.downscale(photo, by: 4))
        let refiner = MaskRefiner(), smoother = TemporalSmoother()
        var refined = ConfidenceMask(), upscaled = ConfidenceMask(), smoothed = ConfidenceMask()
        // The first frame sizes everything (feather shares the refiner's box-filter scratch, which grows to the frame).
        refiner.refine(small, guide: photo, into: &refined)
        refiner.upscale(small, width: 512, height: 512, into: &upscaled)
        refiner.feather(&refined, radius: 3)
        smoother.smooth(small, into: &smoothed)
        let addresses = [Fixtures.address(refined), Fixtures.address(upscaled), Fixtures.address(smoothed), smoother.storageAddress]
        let owned = refiner.storageAddresses
        for _ in 0..<5 {
            refiner.refine(small, guide: photo, into: &refined)
            refiner.upscale(small, width: 512, height: 512, into: &upscaled)
            refiner.feather(&refined, radius: 3)
            smoother.smooth(small, into: &smoothed)
        }
        XCTAssertEqual([Fixtures.address(refined), Fixtures.address(upscaled), Fixtures.address(smoothed), smoother.storageAddress],
                       addresses)
        XCTAssertEqual(refiner.storageAddresses, owned)
    }

    /// A looping video background: a new image each frame goes into the same scaled buffer.
    func testVideoBackgroundIsRescaledIntoTheSameBuffer() throws {
        let photo = Fixtures.downscale(try Fixtures.astronaut(), by: 4)
        let mask = try Fixtures.personMask(photo)
        let replacement = BackgroundReplacement(image: PixelImage(width: 96, height: 64, format: .rgb))
        var frame = photo
        replacement.apply(to: &frame, mask: mask)
        let scaled = replacement.storageAddress
        var video = PixelImage(width: 96, height: 64, format: .rgb)
        for index in 0..<10 {
            for i in video.pixels.indices { video.pixels[i] = UInt8(truncatingIfNeeded: i &+ index * 7) }
            replacement.setBackground(video)
            frame.overwrite(with: photo)
            replacement.apply(to: &frame, mask: mask)
        }
        XCTAssertEqual(replacement.storageAddress, scaled)
        XCTAssertEqual(Fixtures.address(frame), Fixtures.address(frame))
    }
}
