import BackdropCore
import CMediaPipe

/// Options for ``FaceLandmarker``, as in MediaPipe's FaceLandmarkerOptions.
public struct FaceLandmarkerOptions: Sendable {
    public var modelPath: String
    public var runningMode: RunningMode
    public var numFaces: Int
    public var minFaceDetectionConfidence: Float
    public var minFacePresenceConfidence: Float
    public var minTrackingConfidence: Float
    public var outputBlendshapes: Bool
    public var outputTransformationMatrices: Bool

    public init(modelPath: String, runningMode: RunningMode = .image, numFaces: Int = 1,
                minFaceDetectionConfidence: Float = 0.5, minFacePresenceConfidence: Float = 0.5,
                minTrackingConfidence: Float = 0.5, outputBlendshapes: Bool = false,
                outputTransformationMatrices: Bool = false) {
        self.modelPath = modelPath
        self.runningMode = runningMode
        self.numFaces = numFaces
        self.minFaceDetectionConfidence = minFaceDetectionConfidence
        self.minFacePresenceConfidence = minFacePresenceConfidence
        self.minTrackingConfidence = minTrackingConfidence
        self.outputBlendshapes = outputBlendshapes
        self.outputTransformationMatrices = outputTransformationMatrices
    }

    var problem: String? {
        if numFaces < 1 { return "numFaces is \(numFaces); it must be at least 1" }
        for (name, value) in [("minFaceDetectionConfidence", minFaceDetectionConfidence),
                              ("minFacePresenceConfidence", minFacePresenceConfidence),
                              ("minTrackingConfidence", minTrackingConfidence)] where !(0...1).contains(value) {
            return "\(name) is \(value); it must be within 0...1"
        }
        return nil
    }
}

/// MediaPipe's Face Landmarker: 478 landmarks per face, optional blendshapes and transformation
/// matrices. Results are copied into Swift values and MediaPipe's result is closed before a call
/// returns; the `into:` variants reuse the caller's buffers.
public final class FaceLandmarker: Sendable {
    public let options: FaceLandmarkerOptions
    let task: VisionTask

    /// Creates a landmarker in IMAGE or VIDEO mode.
    public convenience init(options: FaceLandmarkerOptions, runtime: MediaPipeRuntime? = nil) throws(MediaPipeError) {
        try self.init(options: options, runtime: runtime, delivery: nil, finish: nil)
    }

    /// Creates a landmarker in LIVE_STREAM mode; `resultHandler` gets each result on MediaPipe's thread.
    public convenience init(options: FaceLandmarkerOptions, runtime: MediaPipeRuntime? = nil,
                            resultHandler: @escaping @Sendable (LiveStreamResult<FaceLandmarkerResult>) -> Void) throws(MediaPipeError) {
        try self.init(options: options, runtime: runtime, delivery: resultHandler, finish: nil)
    }

    /// Creates a LIVE_STREAM landmarker whose results arrive as an AsyncStream keeping the newest
    /// `bufferingNewest` results.
    public static func liveStream(options: FaceLandmarkerOptions, runtime: MediaPipeRuntime? = nil,
                                  bufferingNewest: Int = 1) throws(MediaPipeError)
        -> (landmarker: FaceLandmarker, results: AsyncStream<LiveStreamResult<FaceLandmarkerResult>>)
    {
        var options = options
        options.runningMode = .liveStream
        let live = AsyncStream<LiveStreamResult<FaceLandmarkerResult>>.liveResults(bufferingNewest: bufferingNewest)
        let landmarker = try FaceLandmarker(options: options, runtime: runtime, delivery: live.yield, finish: live.finish)
        return (landmarker, live.stream)
    }

    private init(options: FaceLandmarkerOptions, runtime: MediaPipeRuntime?,
                 delivery: (@Sendable (LiveStreamResult<FaceLandmarkerResult>) -> Void)?,
                 finish: (@Sendable () -> Void)?) throws(MediaPipeError) {
        if let problem = options.problem { throw .invalidOptions(problem) }
        let factory = TaskFactory<MpFaceLandmarkerResult, FaceLandmarkerResult, MpFaceLandmarkerCallback>(
            name: "face landmarker",
            slots: LiveStreamSlots.faceLandmarkers,
            callbackForSlot: { bd_face_landmarker_callback($0) },
            fill: { value, result, _ in
                value.fill(from: result.pointee)
                return nil
            },
            emptyValue: { FaceLandmarkerResult() },
            create: { runtime, base, callback, handle, message in
                var cOptions = MpFaceLandmarkerOptions()
                cOptions.base_options = base
                cOptions.running_mode = options.runningMode.cValue
                cOptions.num_faces = Int32(options.numFaces)
                cOptions.min_face_detection_confidence = options.minFaceDetectionConfidence
                cOptions.min_face_presence_confidence = options.minFacePresenceConfidence
                cOptions.min_tracking_confidence = options.minTrackingConfidence
                cOptions.output_face_blendshapes = options.outputBlendshapes
                cOptions.output_facial_transformation_matrixes = options.outputTransformationMatrices
                cOptions.result_callback = callback
                return runtime.api.MpFaceLandmarkerCreate(&cOptions, handle, message)
            },
            close: { runtime, handle, message in runtime.api.MpFaceLandmarkerClose(handle, message) })
        self.task = try factory.make(modelPath: options.modelPath, mode: options.runningMode, runtime: runtime,
                                     delivery: delivery, finish: finish)
        self.options = options
    }

    // MARK: IMAGE mode

    public func detect(_ image: PixelImage, processing: ImageProcessingOptions? = nil) throws(MediaPipeError) -> FaceLandmarkerResult {
        var result = FaceLandmarkerResult()
        try detect(image, processing: processing, into: &result)
        return result
    }

    public func detect(_ image: PixelImage, processing: ImageProcessingOptions? = nil,
                       into result: inout FaceLandmarkerResult) throws(MediaPipeError) {
        let runtime = task.runtime
        try task.produce("detect(_:)", in: .image, image: image, processing: processing, timestampMs: nil,
                         empty: MpFaceLandmarkerResult(),
                         call: { runtime.api.MpFaceLandmarkerDetectImage($0, $1, $2, $3, $4) },
                         closeResult: { runtime.api.MpFaceLandmarkerCloseResult($0) },
                         fill: { result.fill(from: $0); return nil })
    }

    // MARK: VIDEO mode

    public func detect(videoFrame image: PixelImage, timestampMs: Int64,
                       processing: ImageProcessingOptions? = nil) throws(MediaPipeError) -> FaceLandmarkerResult {
        var result = FaceLandmarkerResult()
        try detect(videoFrame: image, timestampMs: timestampMs, processing: processing, into: &result)
        return result
    }

    public func detect(videoFrame image: PixelImage, timestampMs: Int64, processing: ImageProcessingOptions? = nil,
                       into result: inout FaceLandmarkerResult) throws(MediaPipeError) {
        let runtime = task.runtime
        try task.produce("detect(videoFrame:)", in: .video, image: image, processing: processing, timestampMs: timestampMs,
                         empty: MpFaceLandmarkerResult(),
                         call: { runtime.api.MpFaceLandmarkerDetectForVideo($0, $1, $2, timestampMs, $3, $4) },
                         closeResult: { runtime.api.MpFaceLandmarkerCloseResult($0) },
                         fill: { result.fill(from: $0); return nil })
    }

    // MARK: LIVE_STREAM mode

    /// Sends a frame; its result reaches the handler (or stream) later, unless MediaPipe drops it.
    public func detectAsync(_ image: PixelImage, timestampMs: Int64, processing: ImageProcessingOptions? = nil) throws(MediaPipeError) {
        let runtime = task.runtime
        try task.send("detectAsync(_:timestampMs:)", image: image, processing: processing, timestampMs: timestampMs) {
            runtime.api.MpFaceLandmarkerDetectAsync($0, $1, $2, timestampMs, $3)
        }
    }

    /// Closes the MediaPipe task (also done on deinit). In live-stream mode, pending results are
    /// delivered before this returns.
    public func close() throws(MediaPipeError) {
        if let error = task.close() { throw error }
    }
}
