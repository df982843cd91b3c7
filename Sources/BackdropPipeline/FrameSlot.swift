import BackdropCore
import BackdropMediaPipe

/// One frame in flight and every buffer it needs on the way: the pipeline preallocates a fixed set
/// of slots and circulates them (free -> source -> inference -> effect -> sink -> free), so each
/// buffer inside is reused frame after frame. A slot has exactly one owner at a time: the stage
/// holding it or the hand-off between two stages.
struct FrameSlot: Sendable {
    var video: VideoFrame
    /// The frame scaled to the processing size: exactly the image inference ran on, unless
    /// `inferenceInput` is `.frame` (then unused).
    var small: PixelImage
    /// What inference ran on, set by the inference stage.
    var inferenceInput: InferenceInput
    /// The timestamp the segmenter was given for this frame (MediaPipe's VIDEO mode needs them
    /// strictly increasing); the face landmarker, a stage later, is given the same one.
    var inferenceTimestampMs: Int64
    var segmentation: SegmentationResult
    var faces: FaceLandmarkerResult
    /// The person mask at the frame's size, refined and smoothed: what the effect uses.
    ///
    /// When inference runs at the frame's size, the raw mask (in `segmentation`) and this one are
    /// the same size and never needed at once, so a slot carries one buffer for both (at 720p,
    /// 3.7 MB per slot saved): see `adoptPreparedMask(_:)` and `lendMaskToSegmenter()`.
    var mask: ConfidenceMask
    /// When the source had the frame (monotonic nanoseconds), for capture-to-output latency.
    var capturedAt: UInt64
    /// The settings this frame is processed with, stamped by the source stage (a reference: no copy).
    var settings: AppliedSettings

    init(settings: AppliedSettings = .unset) {
        self.settings = settings
        video = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        small = PixelImage(width: 0, height: 0, format: .rgb)
        inferenceInput = .frame
        inferenceTimestampMs = 0
        segmentation = SegmentationResult()
        faces = FaceLandmarkerResult()
        mask = ConfidenceMask()
        capturedAt = 0
    }
}

/// The image the segmenter and the face landmarker were given for a frame, and how it relates to the frame.
enum InferenceInput: Sendable, Equatable {
    /// The frame itself (`FrameSlot.small` is unused).
    case frame
    /// `FrameSlot.small`, the frame halved this many times by exact 2x2 averages
    /// (`HalfScale.halve`: each side `HalfScale.half` of the one before).
    case halved(Int)
    /// `FrameSlot.small`, the frame resampled to a `--process-size` that is no exact halving.
    case resampled
}

extension FrameSlot {
    /// `small` is exactly the frame halved once (2x2 averages): the effect stage may use it as its
    /// half-size copy of the frame.
    var smallIsHalfFrame: Bool { inferenceInput == .halved(1) }
}

extension FrameSlot {
    /// The effect stage, once `prepared` (its own buffer) holds this frame's prepared mask: the
    /// slot takes it as `mask`, and `prepared` gets the raw mask's buffer, which nothing reads any
    /// more, to prepare the next frame into. The slot is left holding one mask buffer.
    mutating func adoptPreparedMask(_ prepared: inout ConfidenceMask) {
        swap(&mask, &prepared)  // `mask` was emptied by `lendMaskToSegmenter()` (or never filled)
        guard !segmentation.confidenceMasks.isEmpty else { return }
        swap(&segmentation.confidenceMasks[0], &prepared)
    }

    /// The inference stage, before segmenting: the previous frame's mask is no longer read, so its
    /// buffer becomes the segmenter's destination instead of the segmenter filling a second one.
    mutating func lendMaskToSegmenter() {
        guard !mask.values.isEmpty, !segmentation.confidenceMasks.isEmpty, segmentation.confidenceMasks[0].values.isEmpty
        else { return }
        swap(&mask, &segmentation.confidenceMasks[0])
    }
}

extension FrameSlot {
    /// The source stage: this frame is processed with `settings`. (A method rather than an
    /// assignment at the call site: Swift 6.3 rejects `consume slot` after a direct assignment of
    /// a class-typed field in that loop, a compiler bug.)
    mutating func stamp(with settings: AppliedSettings) {
        self.settings = settings
    }
}
