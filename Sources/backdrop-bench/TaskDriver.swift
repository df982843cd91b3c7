import BackdropCore
import BackdropMediaPipe
import Foundation

/// One task in one running mode, fed frame after frame: the unit both measurements run.
struct TaskDriver {
    enum Kind: String, CaseIterable { case segmenter, segmenterCategory = "segmenter+category", faceLandmarker = "face-landmarker" }

    let kind: Kind
    let mode: RunningMode
    private let step: (PixelImage, Int64) throws -> Void
    private let finish: () throws -> Void

    /// Creates the task. In LIVE_STREAM mode each call waits for its result, so that every call
    /// is a complete round trip and nothing piles up inside MediaPipe.
    init(kind: Kind, mode: RunningMode, models: ModelDirectory) throws {
        self.kind = kind
        self.mode = mode
        let delivered = DispatchSemaphore(value: 0)
        switch kind {
        case .segmenter, .segmenterCategory:
            let options = ImageSegmenterOptions(modelPath: models.segmenterPath, runningMode: mode,
                                                outputConfidenceMasks: kind == .segmenter, outputCategoryMask: kind == .segmenterCategory)
            var result = SegmentationResult()
            switch mode {
            case .image:
                let task = try ImageSegmenter(options: options)
                step = { image, _ in try task.segment(image, into: &result) }
                finish = { try task.close() }
            case .video:
                let task = try ImageSegmenter(options: options)
                step = { image, timestamp in try task.segment(videoFrame: image, timestampMs: timestamp, into: &result) }
                finish = { try task.close() }
            case .liveStream:
                let task = try ImageSegmenter(options: options) { _ in delivered.signal() }
                step = { image, timestamp in
                    try task.segmentAsync(image, timestampMs: timestamp)
                    delivered.wait()
                }
                finish = { try task.close() }
            }
        case .faceLandmarker:
            let options = FaceLandmarkerOptions(modelPath: models.faceLandmarkerPath, runningMode: mode)
            var result = FaceLandmarkerResult()
            switch mode {
            case .image:
                let task = try FaceLandmarker(options: options)
                step = { image, _ in try task.detect(image, into: &result) }
                finish = { try task.close() }
            case .video:
                let task = try FaceLandmarker(options: options)
                step = { image, timestamp in try task.detect(videoFrame: image, timestampMs: timestamp, into: &result) }
                finish = { try task.close() }
            case .liveStream:
                let task = try FaceLandmarker(options: options) { _ in delivered.signal() }
                step = { image, timestamp in
                    try task.detectAsync(image, timestampMs: timestamp)
                    delivered.wait()
                }
                finish = { try task.close() }
            }
        }
    }

    func run(_ image: PixelImage, timestampMs: Int64) throws { try step(image, timestampMs) }
    func close() throws { try finish() }
}
