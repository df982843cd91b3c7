import BackdropCore
@testable import BackdropPipeline
import XCTest

/// A slot carries one frame-size mask buffer, passed between the raw and the prepared mask.
final class FrameSlotTests: XCTestCase {
    private func address(_ mask: ConfidenceMask) -> UnsafeRawPointer? {
        mask.values.isEmpty ? nil : mask.values.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    /// Five frames through one slot, the way the stages pass it: the segmenter writes the raw mask,
    /// the effect stage prepares into its own buffer and the slot adopts it. After each frame the
    /// slot holds exactly one mask buffer (the prepared one, with the prepared values), and only two
    /// buffers ever exist (the slot's and the effect stage's), so none is allocated per frame.
    func testASlotHoldsOneMaskBufferAndNoneIsAllocatedPerFrame() {
        var slot = FrameSlot()
        var prepared = ConfidenceMask(width: 4, height: 3)
        var seen = Set<UnsafeRawPointer>()
        for frame in 1...5 {
            slot.segmentAsTheInferenceStageWould(width: 4, height: 3) { _ in 0.1 }
            for i in 0..<12 { prepared.values[i] = Float(frame) }  // the effect stage's preparation
            slot.adoptPreparedMask(&prepared)

            XCTAssertEqual(slot.mask.values, [Float](repeating: Float(frame), count: 12), "frame \(frame)")
            XCTAssertNil(address(slot.segmentation.confidenceMasks[0]), "frame \(frame): the raw mask's buffer went back")
            XCTAssertEqual(prepared.values.count, 12, "frame \(frame): the effect stage has a buffer for the next frame")
            for mask in [slot.mask, prepared] { if let pointer = address(mask) { seen.insert(pointer) } }
        }
        XCTAssertEqual(seen.count, 2, "buffers seen over five frames")
    }

    /// With inference below the frame's size nothing is lent: the small raw mask keeps its buffer.
    func testNothingIsLentWhileTheRawMaskHasItsOwnBuffer() {
        var slot = FrameSlot()
        slot.segmentation.confidenceMasks = [ConfidenceMask(width: 2, height: 2)]
        slot.mask = ConfidenceMask(width: 4, height: 3)
        let raw = address(slot.segmentation.confidenceMasks[0])
        slot.lendMaskToSegmenter()
        XCTAssertEqual(address(slot.segmentation.confidenceMasks[0]), raw)
        XCTAssertEqual(slot.mask.width, 4)
    }
}

extension FrameSlot {
    /// What the inference stage does to a slot's raw mask, without MediaPipe: lend the previous
    /// frame's mask buffer to the segmenter, which reshapes it (in place when the size holds) and
    /// fills it; `confidence(i)` is the value of pixel `i`.
    mutating func segmentAsTheInferenceStageWould(width: Int, height: Int, confidence: (Int) -> Float) {
        lendMaskToSegmenter()
        if segmentation.confidenceMasks.isEmpty { segmentation.confidenceMasks.append(ConfidenceMask()) }
        segmentation.confidenceMasks[0].reshape(width: width, height: height)
        segmentation.confidenceMasks[0].values.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] = confidence(i) }
        }
    }
}
