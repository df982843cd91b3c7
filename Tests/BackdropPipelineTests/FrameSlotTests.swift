import BackdropCore
import BackdropEffects
import BackdropMedia
import Foundation
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

/// The images inference runs on by default (``PipelineConfiguration/ProcessSize/automatic``).
final class InferenceSizeTests: XCTestCase {
    /// At 720p the landmarker gets the frame halved (640x360, which the effect stage reuses as its
    /// half-size frame) and the segmenter that halved once more (320x180), so the raw mask is
    /// 320x180; the astronaut's face is still found on the larger image. A 640x360 frame is
    /// halved for the segmenter only; 1080p at 480x270 for both (the landmarker's rule already
    /// goes that far).
    func testSevenTwentyPSegmentsAtAQuarterAndFindsFacesAtAHalf() throws {
        XCTAssertEqual(PipelineConfiguration.ProcessSize.automaticSegmenterHalvings(width: 1280, height: 720), 2)
        XCTAssertEqual(PipelineConfiguration.ProcessSize.automaticSegmenterHalvings(width: 640, height: 360), 1)
        XCTAssertEqual(PipelineConfiguration.ProcessSize.automaticSegmenterHalvings(width: 1920, height: 1080), 2)
        XCTAssertEqual(PipelineConfiguration.ProcessSize.automaticHalvings(width: 1920, height: 1080), 2)
        XCTAssertEqual(PipelineConfiguration.ProcessSize.automaticSegmenterHalvings(width: 320, height: 240), 0)

        let photo = try ImageFile.read(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../.cache/astronaut.png").standardizedFileURL.path)
        var square = PixelImage(width: 720, height: 720, format: .rgb)
        try ImageResampler().resize(photo, to: 720, 720, into: &square)
        var frame = PixelImage(width: 1280, height: 720, format: .rgb)  // the photo in the middle of a black 720p frame
        for y in 0..<720 { for x in 0..<720 { for c in 0..<3 {
            frame.pixels[(y * 1280 + x + 280) * 3 + c] = square.pixels[(y * 720 + x) * 3 + c]
        } } }
        var configuration = PipelineConfiguration(mode: .offline, settings: PipelineSettings(effect: .none, faces: true),
                                                  statsInterval: .seconds(60))
        configuration.concurrentInference = false  // the landmarker runs in this stage, after the segmenter
        let stage = try InferenceStage(configuration: configuration, onSwap: { _ in })
        defer { stage.shutDown() }
        var slot = FrameSlot(settings: EffectRenderer.preparedSettings(.none, width: 1280, height: 720))
        slot.video = VideoFrame(image: frame)
        try stage.process(&slot)
        XCTAssertEqual(slot.inferenceInput, .halved(1))
        XCTAssertEqual([slot.small.width, slot.small.height], [640, 360])
        XCTAssertEqual(slot.segmenterHalvings, 1)
        let mask = try XCTUnwrap(slot.segmentation.confidenceMasks.first)
        XCTAssertEqual([mask.width, mask.height], [320, 180], "the raw mask is the segmenter's image's size")
        XCTAssertEqual(slot.faces.faces.count, 1, "the face is found on the 640x360 image")
    }
}
