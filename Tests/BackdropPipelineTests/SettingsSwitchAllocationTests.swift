import BackdropCore
import BackdropEffects
@testable import BackdropPipeline
import BackdropTestSupport
import XCTest

/// A settings switch on the frame path allocates nothing: the new effect object was built and
/// prepared by `update`, off the frame path, and the effect stage only adopts it.
final class SettingsSwitchAllocationTests: XCTestCase {
    func testTheEffectStageSwitchesSettingsBetweenFramesWithoutAllocating() throws {
        #if canImport(Glibc)
        guard let counters = AllocationCounters.loaded() else {
            let child = try AllocationCounters.rerunPreloaded(
                "BackdropPipelineTests.SettingsSwitchAllocationTests/testTheEffectStageSwitchesSettingsBetweenFramesWithoutAllocating",
                checkout: PipelineTestCase.root)
            print(child.stdout.split(separator: "\n").filter { $0.hasPrefix("switch:") }.joined(separator: "\n"))
            XCTAssertTrue(AllocationCounters.passed(child), "the counted run failed:\n\(child.stdout)\n\(child.errors)")
            return
        }
        let width = 160, height = 120
        func applied(_ settings: PipelineSettings, generation: Int) -> AppliedSettings {
            let effect = settings.effect.makeFrameEffect()
            effect.prepare(width: width, height: height)  // what `update` does, off the frame path
            return AppliedSettings(settings, frameEffect: effect, generation: generation)
        }
        let blur = applied(PipelineSettings(effect: .blur(strength: 16), featherRadius: 2), generation: 0)
        let color = applied(PipelineSettings(effect: .color(red: 0, green: 0, blue: 255), smoothing: false, featherRadius: 4),
                            generation: 1)
        let stage = EffectStage()
        var slot = FrameSlot(settings: blur)
        slot.video = VideoFrame(image: PixelImage(width: width, height: height, format: .rgb))
        func frame(_ index: Int) {
            slot.segmentAsTheInferenceStageWould(width: width, height: height) { i in i % width < width / 2 ? 1 : 0 }
            stage.process(&slot, maskWanted: false)
        }
        for index in 0..<3 { frame(index) }  // the blur's first frames size the stage's own buffers
        var switchFrame = 0
        let allocations = counters.countSwiftAllocations {
            for index in 3..<12 {
                if index == 6 { slot.stamp(with: color); switchFrame = index }  // what the source stage does
                frame(index)
            }
        }
        print("switch: 9 frames, blur -> colour at frame \(switchFrame) (smoothing off, feather 2 -> 4): \(allocations) Swift heap allocations")
        XCTAssertEqual(allocations, 0)
        // The colour was drawn: the right half (no person) is the colour.
        let pixel = (height / 2 * width + width - 1) * 3
        XCTAssertEqual(Array(slot.video.image.pixels[pixel..<pixel + 3]), [0, 0, 255])
        #endif
    }
}
