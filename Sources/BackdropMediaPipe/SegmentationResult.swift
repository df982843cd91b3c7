import BackdropCore
import CMediaPipe

/// What the image segmenter found in one image, copied out of MediaPipe into Swift-owned memory.
public struct SegmentationResult: Sendable, Equatable {
    /// One mask per label (see ``ImageSegmenter/labels``), each value the confidence 0...1.
    public var confidenceMasks: [ConfidenceMask]
    /// The label index of each pixel, when asked for (it costs ~4x the confidence masks at 720p).
    public var categoryMask: CategoryMask?
    /// MediaPipe's quality scores, where the model gives them.
    public var qualityScores: [Float]

    public init(confidenceMasks: [ConfidenceMask] = [], categoryMask: CategoryMask? = nil, qualityScores: [Float] = []) {
        self.confidenceMasks = confidenceMasks
        self.categoryMask = categoryMask
        self.qualityScores = qualityScores
    }

    /// Overwrites this result with a MediaPipe result, reusing every buffer whose size is unchanged.
    mutating func fill(from result: MpImageSegmenterResult, runtime: MediaPipeRuntime) -> MediaPipeError? {
        let count = Int(result.confidence_masks_count)
        if confidenceMasks.count > count { confidenceMasks.removeLast(confidenceMasks.count - count) }
        while confidenceMasks.count < count { confidenceMasks.append(ConfidenceMask()) }
        for index in 0..<count {
            guard let image = result.confidence_masks[index] else { continue }
            if let error = copyPixels(of: image, runtime: runtime, into: &confidenceMasks[index],
                                      data: { runtime.api.MpImageDataFloat32($0, $1, $2) }) {
                return error
            }
        }
        if result.has_category_mask != 0, let image = result.category_mask {
            var mask = categoryMask ?? CategoryMask()
            categoryMask = nil  // keep `mask` uniquely referenced so its storage is reused
            if let error = copyPixels(of: image, runtime: runtime, into: &mask,
                                      data: { runtime.api.MpImageDataUint8($0, $1, $2) }) {
                return error
            }
            categoryMask = mask
        } else {
            categoryMask = nil
        }
        qualityScores.removeAll(keepingCapacity: true)
        if let scores = result.quality_scores, result.quality_scores_count > 0 {
            qualityScores.append(contentsOf: UnsafeBufferPointer(start: scores, count: Int(result.quality_scores_count)))
        }
        return nil
    }
}
