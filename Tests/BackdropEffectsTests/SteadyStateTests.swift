import BackdropCore
import BackdropEffects
import BackdropTestSupport
import XCTest

/// Per-frame paths allocate nothing once sized: every buffer keeps its address across frames, and
/// the malloc interposer (bench/alloc_count.c, preloaded into a child run of each test) counts no
/// Swift heap allocation, which also catches a buffer freed and allocated again at the same address.
final class SteadyStateTests: XCTestCase {
    func testRendererReusesEveryBufferAndTheFrame() throws {
        guard let counters = AllocationCounters.loaded() else {
            return try assertPassesCounted("BackdropEffectsTests.SteadyStateTests/testRendererReusesEveryBufferAndTheFrame")
        }
        let photo = Fixtures.downscale(try Fixtures.astronaut(), by: 4)         // 128x128
        let mask = try Fixtures.personMask(Fixtures.downscale(photo, by: 2))    // 64x64: refined each frame
        let effects: [(String, Effect)] = [("blur", .blur(strength: 9)), ("replace", .replace(Fixtures.downscale(photo, by: 2))),
                                           ("green screen", .greenScreen), ("mask overlay", .maskOverlay)]
        for (name, effect) in effects {
            let renderer = EffectRenderer(effect: effect)
            var frame = photo
            renderer.apply(to: &frame, mask: mask, faces: nil)
            let frameAddress = Fixtures.address(frame)
            let storage = renderer.storageAddresses
            let allocations = counters.countSwiftAllocations {
                for _ in 0..<100 { renderer.apply(to: &frame, mask: mask, faces: nil) }
            }
            XCTAssertEqual(allocations, 0, "\(name): Swift heap allocations in 100 frames")
            XCTAssertEqual(Fixtures.address(frame), frameAddress, name)
            XCTAssertEqual(renderer.storageAddresses, storage, name)
        }
    }

    func testRefinerSmootherAndOutputsKeepTheirStorage() throws {
        guard let counters = AllocationCounters.loaded() else {
            return try assertPassesCounted("BackdropEffectsTests.SteadyStateTests/testRefinerSmootherAndOutputsKeepTheirStorage")
        }
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
        let allocations = counters.countSwiftAllocations {
            for _ in 0..<5 {
                refiner.refine(small, guide: photo, into: &refined)
                refiner.upscale(small, width: 512, height: 512, into: &upscaled)
                refiner.feather(&refined, radius: 3)
                smoother.smooth(small, into: &smoothed)
            }
        }
        XCTAssertEqual(allocations, 0, "Swift heap allocations in 5 frames")
        XCTAssertEqual([Fixtures.address(refined), Fixtures.address(upscaled), Fixtures.address(smoothed), smoother.storageAddress],
                       addresses)
        XCTAssertEqual(refiner.storageAddresses, owned)
    }

    /// A looping video background: a new image each frame goes into the same scaled buffer.
    func testVideoBackgroundIsRescaledIntoTheSameBuffer() throws {
        guard let counters = AllocationCounters.loaded() else {
            return try assertPassesCounted("BackdropEffectsTests.SteadyStateTests/testVideoBackgroundIsRescaledIntoTheSameBuffer")
        }
        let photo = Fixtures.downscale(try Fixtures.astronaut(), by: 4)
        let mask = try Fixtures.personMask(photo)
        let replacement = BackgroundReplacement(image: PixelImage(width: 96, height: 64, format: .rgb))
        var frame = photo
        replacement.apply(to: &frame, mask: mask)
        let scaled = replacement.storageAddress
        let frameAddress = Fixtures.address(frame)
        var video = PixelImage(width: 96, height: 64, format: .rgb)
        let allocations = counters.countSwiftAllocations {
            for index in 0..<10 {
                video.pixels.withUnsafeMutableBufferPointer { pixels in
                    for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: i &+ index * 7) }
                }
                replacement.setBackground(video)
                frame.overwrite(with: photo)
                replacement.apply(to: &frame, mask: mask)
            }
        }
        XCTAssertEqual(allocations, 0, "Swift heap allocations in 10 frames with a new background each")
        XCTAssertEqual(replacement.storageAddress, scaled)
        XCTAssertEqual(Fixtures.address(frame), frameAddress)
    }

    /// Runs `test` again in a child process with the allocation counters preloaded; passes when it does.
    private func assertPassesCounted(_ test: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let child = try AllocationCounters.rerunPreloaded(test, checkout: Fixtures.root)
        XCTAssertTrue(AllocationCounters.passed(child), "the counted run failed:\n\(child.stdout)\n\(child.errors)",
                      file: file, line: line)
    }
}
