import BackdropCore
import BackdropMediaPipe

/// What the pipeline hands a Swift caller for each output frame: copies, so the caller may keep them.
public struct PipelineResult: Sendable {
    public var index: Int
    public var timestampMicroseconds: Int64
    /// The frame after the effect (only when asked for with `includeFrames`; it costs a copy per frame).
    public var frame: PixelImage?
    /// The person mask at the frame's size, refined and smoothed.
    public var mask: ConfidenceMask
    public var faces: FaceLandmarkerResult
    /// Capture to output, in milliseconds.
    public var latencyMilliseconds: Double
}
