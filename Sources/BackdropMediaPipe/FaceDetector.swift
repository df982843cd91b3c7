import BackdropCore
import CMediaPipe

/// Options for ``FaceDetector``, as in MediaPipe's FaceDetectorOptions.
public struct FaceDetectorOptions: Sendable {
    /// A BlazeFace model: `face_detector.tflite`, the short-range detector inside face_landmarker.task.
    public var modelPath: String
    /// IMAGE or VIDEO (this binding has no live-stream mode: nothing in Backdrop needs one).
    public var runningMode: RunningMode
    public var minDetectionConfidence: Float
    /// Overlap above which two detections count as one face (non-maximum suppression).
    public var minSuppressionThreshold: Float

    public init(modelPath: String, runningMode: RunningMode = .image, minDetectionConfidence: Float = 0.5,
                minSuppressionThreshold: Float = 0.3) {
        self.modelPath = modelPath
        self.runningMode = runningMode
        self.minDetectionConfidence = minDetectionConfidence
        self.minSuppressionThreshold = minSuppressionThreshold
    }

    var problem: String? {
        if runningMode == .liveStream { return "the face detector binding runs in IMAGE or VIDEO mode only" }
        for (name, value) in [("minDetectionConfidence", minDetectionConfidence),
                              ("minSuppressionThreshold", minSuppressionThreshold)] where !(0...1).contains(value) {
            return "\(name) is \(value); it must be within 0...1"
        }
        return nil
    }
}

/// One face the detector found: its box in pixels of the image it was given, and its score.
public struct FaceDetection: Sendable, Equatable, Codable {
    public var left: Int
    public var top: Int
    public var right: Int
    public var bottom: Int
    public var score: Float

    public init(left: Int, top: Int, right: Int, bottom: Int, score: Float) {
        self.left = left; self.top = top; self.right = right; self.bottom = bottom; self.score = score
    }
}

/// What the face detector found in one image, copied out of MediaPipe.
public struct FaceDetectorResult: Sendable, Equatable, Codable {
    public var detections: [FaceDetection]

    public init(detections: [FaceDetection] = []) {
        self.detections = detections
        self.detections.reserveCapacity(8)
    }

    /// Overwrites this result with a MediaPipe result, keeping the array's storage.
    mutating func fill(from result: MpDetectionResult) {
        detections.removeAll(keepingCapacity: true)
        for detection in UnsafeBufferPointer(start: result.detections, count: Int(result.detections_count)) {
            let box = detection.bounding_box
            let score = detection.categories_count > 0 ? detection.categories[0].score : 0
            detections.append(FaceDetection(left: Int(box.left), top: Int(box.top), right: Int(box.right),
                                            bottom: Int(box.bottom), score: score))
        }
    }
}

/// MediaPipe's Face Detector (BlazeFace): a box and a score per face, no landmarks. Results are
/// copied into Swift values and MediaPipe's result is closed before a call returns.
public final class FaceDetector: Sendable {
    public let options: FaceDetectorOptions
    let task: VisionTask

    /// Never claimed: the detector has no live-stream mode, but the task factory wants a table.
    private static let unusedSlots = SlotTable<MpDetectionResult>()

    public init(options: FaceDetectorOptions, runtime: MediaPipeRuntime? = nil) throws(MediaPipeError) {
        if let problem = options.problem { throw .invalidOptions(problem) }
        let factory = TaskFactory<MpDetectionResult, FaceDetectorResult, MpFaceDetectorCallback>(
            name: "face detector",
            slots: Self.unusedSlots,
            callbackForSlot: { _ in nil },
            fill: { value, result, _ in
                value.fill(from: result.pointee)
                return nil
            },
            emptyValue: { FaceDetectorResult() },
            create: { runtime, base, callback, handle, message in
                var cOptions = MpFaceDetectorOptions()
                cOptions.base_options = base
                cOptions.running_mode = options.runningMode.cValue
                cOptions.min_detection_confidence = options.minDetectionConfidence
                cOptions.min_suppression_threshold = options.minSuppressionThreshold
                cOptions.result_callback = callback
                return runtime.api.MpFaceDetectorCreate(&cOptions, handle, message)
            },
            close: { runtime, handle, message in runtime.api.MpFaceDetectorClose(handle, message) })
        self.task = try factory.make(modelPath: options.modelPath, mode: options.runningMode, runtime: runtime,
                                     delivery: nil, finish: nil)
        self.options = options
    }

    // MARK: IMAGE mode

    public func detect(_ image: PixelImage, processing: ImageProcessingOptions? = nil) throws(MediaPipeError) -> FaceDetectorResult {
        var result = FaceDetectorResult()
        try detect(image, processing: processing, into: &result)
        return result
    }

    public func detect(_ image: PixelImage, processing: ImageProcessingOptions? = nil,
                       into result: inout FaceDetectorResult) throws(MediaPipeError) {
        let runtime = task.runtime
        try task.produce("detect(_:)", in: .image, image: image, processing: processing, timestampMs: nil,
                         empty: MpDetectionResult(),
                         call: { runtime.api.MpFaceDetectorDetectImage($0, $1, $2, $3, $4) },
                         closeResult: { runtime.api.MpFaceDetectorCloseResult($0) },
                         fill: { result.fill(from: $0); return nil })
    }

    // MARK: VIDEO mode

    public func detect(videoFrame image: PixelImage, timestampMs: Int64,
                       processing: ImageProcessingOptions? = nil) throws(MediaPipeError) -> FaceDetectorResult {
        var result = FaceDetectorResult()
        try detect(videoFrame: image, timestampMs: timestampMs, processing: processing, into: &result)
        return result
    }

    public func detect(videoFrame image: PixelImage, timestampMs: Int64, processing: ImageProcessingOptions? = nil,
                       into result: inout FaceDetectorResult) throws(MediaPipeError) {
        let runtime = task.runtime
        try task.produce("detect(videoFrame:)", in: .video, image: image, processing: processing, timestampMs: timestampMs,
                         empty: MpDetectionResult(),
                         call: { runtime.api.MpFaceDetectorDetectForVideo($0, $1, $2, timestampMs, $3, $4) },
                         closeResult: { runtime.api.MpFaceDetectorCloseResult($0) },
                         fill: { result.fill(from: $0); return nil })
    }

    /// Closes the MediaPipe task (also done on deinit).
    public func close() throws(MediaPipeError) {
        if let error = task.close() { throw error }
    }
}
