import BackdropCore
import CMediaPipe

/// Options for ``ImageSegmenter``, as in MediaPipe's ImageSegmenterOptions.
public struct ImageSegmenterOptions: Sendable {
    public var modelPath: String
    public var runningMode: RunningMode
    public var outputConfidenceMasks: Bool
    /// Off by default: a category mask costs ~4x the confidence masks at 720p.
    public var outputCategoryMask: Bool
    public var displayNamesLocale: String

    public init(modelPath: String, runningMode: RunningMode = .image, outputConfidenceMasks: Bool = true,
                outputCategoryMask: Bool = false, displayNamesLocale: String = "en") {
        self.modelPath = modelPath
        self.runningMode = runningMode
        self.outputConfidenceMasks = outputConfidenceMasks
        self.outputCategoryMask = outputCategoryMask
        self.displayNamesLocale = displayNamesLocale
    }
}

/// MediaPipe's Image Segmenter (e.g. the Selfie Segmenter: labels background, person).
///
/// Every call copies the masks into Swift memory and closes MediaPipe's result before it returns.
/// Pass the same ``SegmentationResult`` to the `into:` variants to reuse its buffers: steady-state
/// calls then allocate nothing on the Swift side.
public final class ImageSegmenter: Sendable {
    public let options: ImageSegmenterOptions
    /// The model's labels; mask `i` of ``SegmentationResult/confidenceMasks`` belongs to `labels[i]`.
    public let labels: [String]
    let task: VisionTask

    /// Creates a segmenter in IMAGE or VIDEO mode.
    public convenience init(options: ImageSegmenterOptions, runtime: MediaPipeRuntime? = nil) throws(MediaPipeError) {
        try self.init(options: options, runtime: runtime, delivery: nil, finish: nil)
    }

    /// Creates a segmenter in LIVE_STREAM mode; `resultHandler` gets each result on MediaPipe's thread.
    public convenience init(options: ImageSegmenterOptions, runtime: MediaPipeRuntime? = nil,
                            resultHandler: @escaping @Sendable (LiveStreamResult<SegmentationResult>) -> Void) throws(MediaPipeError) {
        try self.init(options: options, runtime: runtime, delivery: resultHandler, finish: nil)
    }

    /// Creates a LIVE_STREAM segmenter whose results arrive as an AsyncStream that keeps only the
    /// newest `bufferingNewest` results when the consumer falls behind.
    public static func liveStream(options: ImageSegmenterOptions, runtime: MediaPipeRuntime? = nil,
                                  bufferingNewest: Int = 1) throws(MediaPipeError)
        -> (segmenter: ImageSegmenter, results: AsyncStream<LiveStreamResult<SegmentationResult>>)
    {
        var options = options
        options.runningMode = .liveStream
        let live = AsyncStream<LiveStreamResult<SegmentationResult>>.liveResults(bufferingNewest: bufferingNewest)
        let segmenter = try ImageSegmenter(options: options, runtime: runtime, delivery: live.yield, finish: live.finish)
        return (segmenter, live.stream)
    }

    private init(options: ImageSegmenterOptions, runtime: MediaPipeRuntime?,
                 delivery: (@Sendable (LiveStreamResult<SegmentationResult>) -> Void)?,
                 finish: (@Sendable () -> Void)?) throws(MediaPipeError) {
        if !options.outputConfidenceMasks && !options.outputCategoryMask {
            throw .invalidOptions("ask for confidence masks, a category mask, or both")
        }
        let factory = TaskFactory<MpImageSegmenterResult, SegmentationResult, MpImageSegmenterCallback>(
            name: "image segmenter",
            slots: LiveStreamSlots.segmenters,
            callbackForSlot: { bd_segmenter_callback($0) },
            fill: { value, result, runtime in value.fill(from: result.pointee, runtime: runtime) },
            emptyValue: { SegmentationResult() },
            create: { runtime, base, callback, handle, message in
                options.displayNamesLocale.withCString { locale in
                    var cOptions = MpImageSegmenterOptions()
                    cOptions.base_options = base
                    cOptions.running_mode = options.runningMode.cValue
                    cOptions.display_names_locale = locale
                    cOptions.output_confidence_masks = options.outputConfidenceMasks
                    cOptions.output_category_mask = options.outputCategoryMask
                    cOptions.result_callback = callback
                    return runtime.api.MpImageSegmenterCreate(&cOptions, handle, message)
                }
            },
            close: { runtime, handle, message in runtime.api.MpImageSegmenterClose(handle, message) })
        self.task = try factory.make(modelPath: options.modelPath, mode: options.runningMode, runtime: runtime,
                                     delivery: delivery, finish: finish)
        self.options = options
        self.labels = Self.readLabels(runtime: task.runtime, handle: task.handle)
    }

    private static func readLabels(runtime: MediaPipeRuntime, handle: MpTaskPtr) -> [String] {
        var list = MpStringList()
        guard runtime.check("reading labels", { runtime.api.MpImageSegmenterGetLabels(handle, &list, $0) }) == nil else { return [] }
        defer { runtime.api.MpStringListFree(&list) }
        return (0..<Int(list.num_strings)).map { index in list.strings[index].map { String(cString: $0) } ?? "" }
    }

    // MARK: IMAGE mode

    public func segment(_ image: PixelImage, processing: ImageProcessingOptions? = nil) throws(MediaPipeError) -> SegmentationResult {
        var result = SegmentationResult()
        try segment(image, processing: processing, into: &result)
        return result
    }

    public func segment(_ image: PixelImage, processing: ImageProcessingOptions? = nil,
                        into result: inout SegmentationResult) throws(MediaPipeError) {
        let runtime = task.runtime
        try task.produce("segment(_:)", in: .image, image: image, processing: processing, timestampMs: nil,
                         empty: MpImageSegmenterResult(),
                         call: { runtime.api.MpImageSegmenterSegmentImage($0, $1, $2, $3, $4) },
                         closeResult: { runtime.api.MpImageSegmenterCloseResult($0) },
                         fill: { result.fill(from: $0, runtime: runtime) })
    }

    // MARK: VIDEO mode

    public func segment(videoFrame image: PixelImage, timestampMs: Int64,
                        processing: ImageProcessingOptions? = nil) throws(MediaPipeError) -> SegmentationResult {
        var result = SegmentationResult()
        try segment(videoFrame: image, timestampMs: timestampMs, processing: processing, into: &result)
        return result
    }

    public func segment(videoFrame image: PixelImage, timestampMs: Int64, processing: ImageProcessingOptions? = nil,
                        into result: inout SegmentationResult) throws(MediaPipeError) {
        let runtime = task.runtime
        try task.produce("segment(videoFrame:)", in: .video, image: image, processing: processing, timestampMs: timestampMs,
                         empty: MpImageSegmenterResult(),
                         call: { runtime.api.MpImageSegmenterSegmentForVideo($0, $1, $2, timestampMs, $3, $4) },
                         closeResult: { runtime.api.MpImageSegmenterCloseResult($0) },
                         fill: { result.fill(from: $0, runtime: runtime) })
    }

    // MARK: LIVE_STREAM mode

    /// Sends a frame; its result reaches the handler (or stream) later. MediaPipe may drop frames
    /// to keep latency low, so not every frame gets a result.
    public func segmentAsync(_ image: PixelImage, timestampMs: Int64, processing: ImageProcessingOptions? = nil) throws(MediaPipeError) {
        let runtime = task.runtime
        try task.send("segmentAsync(_:timestampMs:)", image: image, processing: processing, timestampMs: timestampMs) {
            runtime.api.MpImageSegmenterSegmentAsync($0, $1, $2, timestampMs, $3)
        }
    }

    /// Closes the MediaPipe task (also done on deinit). In live-stream mode, pending results are
    /// delivered before this returns.
    public func close() throws(MediaPipeError) {
        if let error = task.close() { throw error }
    }
}
