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
    /// The image the segmenter ran on when it is smaller than `small` (by default from a short side
    /// of 360 up: 720p segments at 320x180, see ``PipelineConfiguration/ProcessSize/automatic``);
    /// unused when `segmenterHalvings` is 0.
    var segmenterImage: PixelImage
    /// How many more exact halvings of `small` `segmenterImage` is (0: the segmenter ran on what
    /// the landmarker did).
    var segmenterHalvings: Int
    /// What inference ran on, set by the inference stage.
    var inferenceInput: InferenceInput
    /// The timestamp the segmenter was given for this frame (MediaPipe's VIDEO mode needs them
    /// strictly increasing); the face landmarker, a stage later, is given the same one.
    var inferenceTimestampMs: Int64
    var segmentation: SegmentationResult
    var faces: FaceLandmarkerResult
    /// The prepared person mask (smoothed, refined, feathered) at the frame's size, written by the
    /// effect stage only when someone reads it (a mask video, a library caller, the preview): the
    /// built-in effects work from a half-size mask, so a slot normally carries only the raw mask
    /// (in `segmentation`, at the inference size: 0.9 MB at 720p instead of 3.7 MB).
    var mask: ConfidenceMask
    /// When the source had the frame (monotonic nanoseconds), for capture-to-output latency.
    var capturedAt: UInt64
    /// The settings this frame is processed with, stamped by the source stage (a reference: no copy).
    var settings: AppliedSettings

    init(settings: AppliedSettings = .unset) {
        self.settings = settings
        video = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        small = PixelImage(width: 0, height: 0, format: .rgb)
        segmenterImage = PixelImage(width: 0, height: 0, format: .rgb)
        segmenterHalvings = 0
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
    /// The source stage: this frame is processed with `settings`. (A method rather than an
    /// assignment at the call site: Swift 6.3 rejects `consume slot` after a direct assignment of
    /// a class-typed field in that loop, a compiler bug.)
    mutating func stamp(with settings: AppliedSettings) {
        self.settings = settings
    }
}
