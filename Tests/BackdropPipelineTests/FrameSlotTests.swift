import BackdropCore
import BackdropEffects
@testable import BackdropPipeline
import XCTest

/// What a frame slot carries through the effect stage: the raw mask at the inference size, and a
/// mask at the frame's size only when someone reads it (each one 3.7 MB at 720p, in every slot).
final class FrameSlotTests: XCTestCase {
    private func address(_ mask: ConfidenceMask) -> UnsafeRawPointer? {
        mask.values.isEmpty ? nil : mask.values.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    /// Five blurred frames (the mask at half the frame's size, as inference makes it at 720p):
    /// with no mask reader the slot never holds a frame-size mask and the raw mask keeps its one
    /// buffer; with a reader, the slot's frame-size mask is written in place, one buffer for all frames.
    func testAFrameSizeMaskExistsOnlyForAReaderAndIsReusedInPlace() {
        let width = 64, height = 36
        let blur = EffectRenderer.preparedSettings(.blur(strength: 16), width: width, height: height)
        for maskWanted in [false, true] {
            let stage = EffectStage()
            var slot = FrameSlot(settings: blur)
            slot.video = VideoFrame(image: PixelImage(width: width, height: height, format: .rgb))
            var raw = Set<UnsafeRawPointer>(), full = Set<UnsafeRawPointer>()
            for frame in 1...5 {
                slot.segmentAsTheInferenceStageWould(width: width / 2, height: height / 2) { i in i % 32 < 16 ? 1 : Float(frame) / 10 }
                stage.process(&slot, maskWanted: maskWanted)
                if let pointer = address(slot.segmentation.confidenceMasks[0]) { raw.insert(pointer) }
                if let pointer = address(slot.mask) { full.insert(pointer) }
                XCTAssertEqual(slot.mask.width, maskWanted ? width : 0, "frame \(frame), mask wanted: \(maskWanted)")
            }
            XCTAssertEqual(raw.count, 1, "the raw mask keeps one buffer")
            XCTAssertEqual(full.count, maskWanted ? 1 : 0, "frame-size mask buffers, mask wanted: \(maskWanted)")
        }
    }
}

extension EffectRenderer {
    /// Settings for `effect` with its effect object built and sized, as `Pipeline.update` makes them.
    static func preparedSettings(_ effect: Effect, width: Int, height: Int, generation: Int = 0) -> AppliedSettings {
        let settings = PipelineSettings(effect: effect)
        let frameEffect = effect.makeFrameEffect()
        frameEffect.prepare(width: width, height: height)
        return AppliedSettings(settings, frameEffect: frameEffect, generation: generation)
    }
}

extension FrameSlot {
    /// What the inference stage does to a slot's raw mask, without MediaPipe: the segmenter
    /// reshapes the slot's mask (in place when the size holds) and fills it; `confidence(i)` is
    /// the value of pixel `i`.
    mutating func segmentAsTheInferenceStageWould(width: Int, height: Int, confidence: (Int) -> Float) {
        if segmentation.confidenceMasks.isEmpty { segmentation.confidenceMasks.append(ConfidenceMask()) }
        segmentation.confidenceMasks[0].reshape(width: width, height: height)
        segmentation.confidenceMasks[0].values.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] = confidence(i) }
        }
    }
}
