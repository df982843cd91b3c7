import BackdropCore
import BackdropMediaPipe

/// One frame in flight and every buffer it needs on the way: the pipeline preallocates a fixed set
/// of slots and circulates them (free -> source -> inference -> effect -> sink -> free), so each
/// buffer inside is reused frame after frame. A slot has exactly one owner at a time: the stage
/// holding it or the hand-off between two stages.
struct FrameSlot: Sendable {
    var video: VideoFrame
    /// The frame scaled to the processing size (unused when inference runs at full size).
    var small: PixelImage
    var segmentation: SegmentationResult
    var faces: FaceLandmarkerResult
    /// The person mask at the frame's size, refined and smoothed: what the effect uses.
    var mask: ConfidenceMask
    /// When the source had the frame (monotonic nanoseconds), for capture-to-output latency.
    var capturedAt: UInt64

    init() {
        video = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        small = PixelImage(width: 0, height: 0, format: .rgb)
        segmentation = SegmentationResult()
        faces = FaceLandmarkerResult()
        mask = ConfidenceMask()
        capturedAt = 0
    }
}
