import BackdropCore
import BackdropMediaPipe

/// Something drawn on each frame, in place: the open end of Backdrop's effects. The built-in ones
/// (``BackgroundBlur``, ``BackgroundReplacement``, ``MaskOverlayEffect``, ``LandmarkEffect``,
/// ``NoEffect``) conform, and so can an app's own; wrap it in ``Effect/custom(_:)`` to run it in a
/// pipeline or an ``EffectRenderer``.
///
/// Threading: an effect object is used by one thread at a time. A pipeline builds it on the
/// caller's thread (in `update(...)`, where ``prepare(width:height:)`` may allocate) and then
/// hands it to its effect stage, which alone calls ``apply(to:mask:faces:)`` from then on; that
/// hand-over is why the protocol asks for `Sendable` (classes with buffers mark themselves
/// `@unchecked Sendable` and say so).
///
/// Steady state: `apply` should allocate nothing once it has seen a frame of the size (size
/// buffers in `prepare` or on the first frame, and reuse them).
public protocol FrameEffect: AnyObject, Sendable {
    /// Whether ``apply(to:mask:faces:)`` reads the person mask. When false, the pipeline skips
    /// preparing a full-size mask (unless something else wants it) and passes an empty one.
    var usesMask: Bool { get }
    /// Whether ``apply(to:mask:faces:)`` reads face landmarks (a pipeline whose face landmarker is
    /// off refuses such an effect instead of drawing nothing).
    var usesFaces: Bool { get }
    /// Sizes whatever the effect keeps for frames of `width` x `height`, so the first such frame
    /// allocates nothing. Called off the frame path, before the effect's first frame.
    func prepare(width: Int, height: Int)
    /// Draws the effect on `frame`. `mask` is the person's confidence at the frame's size (empty
    /// when ``usesMask`` is false); `faces` holds the landmarks found on this frame (none when
    /// the landmarker is off or found no face).
    func apply(to frame: inout PixelImage, mask: ConfidenceMask, faces: FaceLandmarkerResult)
}

extension FrameEffect {
    public var usesMask: Bool { true }
    public var usesFaces: Bool { false }
    public func prepare(width: Int, height: Int) {}
}

extension FrameEffect {
    /// Runs `apply` once on a blank frame of the size, so buffers sized on a first frame exist
    /// before the real first frame. For built-in effects whose scratch is sized lazily; those that
    /// composite with half-size weights also run that path, with and without a half-size frame.
    func warmUp(width: Int, height: Int) {
        guard width > 0, height > 0 else { return }
        var frame = PixelImage(width: width, height: height, format: .rgb)
        let mask = usesMask ? ConfidenceMask(width: width, height: height) : ConfidenceMask()
        apply(to: &frame, mask: mask, faces: FaceLandmarkerResult())
        guard let weighted = self as? any MatteWeightedEffect else { return }
        let half = PixelImage(width: HalfScale.half(width), height: HalfScale.half(height), format: .rgb)
        let weights = [UInt8](repeating: 0, count: half.width * half.height)
        weights.withUnsafeBufferPointer { weights in
            weighted.composite(onto: &frame, matte: .halfWeights(weights.baseAddress!), halfFrame: half)
            weighted.composite(onto: &frame, matte: .halfWeights(weights.baseAddress!), halfFrame: nil)
        }
    }
}

/// Leaves frames as they are.
public final class NoEffect: FrameEffect {
    public init() {}
    public var usesMask: Bool { false }
    public func apply(to frame: inout PixelImage, mask: ConfidenceMask, faces: FaceLandmarkerResult) {}
}

/// ``MaskOverlay`` as an effect: tints what the segmenter found.
public final class MaskOverlayEffect: FrameEffect {
    public init() {}
    public func apply(to frame: inout PixelImage, mask: ConfidenceMask, faces: FaceLandmarkerResult) {
        MaskOverlay.apply(mask, to: &frame)
    }
}

/// ``LandmarkOverlay`` as an effect: draws the face landmarks in a style.
public final class LandmarkEffect: FrameEffect {
    public let style: LandmarkOverlay.Style
    public init(style: LandmarkOverlay.Style) { self.style = style }
    public var usesMask: Bool { false }
    public var usesFaces: Bool { true }
    public func apply(to frame: inout PixelImage, mask: ConfidenceMask, faces: FaceLandmarkerResult) {
        LandmarkOverlay.draw(faces, on: &frame, style: style)
    }
}

/// Blur is an effect; its scratch is sized on a first frame, which `prepare` provides.
/// `@unchecked Sendable`: used by one thread at a time (see ``FrameEffect``).
extension BackgroundBlur: @unchecked Sendable, MatteWeightedEffect {
    public func prepare(width: Int, height: Int) { warmUp(width: width, height: height) }
    public func apply(to frame: inout PixelImage, mask: ConfidenceMask, faces: FaceLandmarkerResult) {
        apply(to: &frame, mask: mask)
    }
}

/// Replacement is an effect; its scaled background is made on a first frame, which `prepare` provides.
/// `@unchecked Sendable`: used by one thread at a time (see ``FrameEffect``).
extension BackgroundReplacement: @unchecked Sendable, MatteWeightedEffect {
    public func prepare(width: Int, height: Int) { warmUp(width: width, height: height) }
    public func apply(to frame: inout PixelImage, mask: ConfidenceMask, faces: FaceLandmarkerResult) {
        apply(to: &frame, mask: mask)
    }
}
