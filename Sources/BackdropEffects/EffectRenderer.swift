import BackdropCore
import BackdropMediaPipe

/// Applies the chosen ``Effect`` to each frame of a video, owning everything the effect needs
/// (its ``FrameEffect`` object and the mask's smoothing and refinement).
///
/// Per frame it takes the segmenter's mask at whatever size it was computed, smooths it over time
/// (``TemporalSmoother``, on the small mask where it is cheap), brings it to the frame's size
/// (``MaskRefiner``: guided filter, or bilinear), and runs the effect in place on the frame.
/// Every buffer involved belongs to the renderer or its effect objects and is sized on the first
/// frame or when the frame or mask size changes, so steady-state frames allocate nothing.
public final class EffectRenderer {
    /// The effect; setting it builds the new effect's state (allocating, once) and keeps the rest.
    public var effect: Effect { didSet { if effect != oldValue { configure(after: oldValue) } } }
    /// The object that draws ``effect`` (built when the effect is set; kept when only a blur's
    /// strength, a colour or a background image changes).
    public private(set) var frameEffect: any FrameEffect
    /// Smooth the mask over time (on for live video; a still image gains nothing).
    public var smoothsMask: Bool
    /// Bring a smaller mask to the frame's size with the guided filter (true) or bilinear (false).
    public var refinesMask: Bool
    public let refiner: MaskRefiner
    public let smoother: TemporalSmoother

    private var smoothed = ConfidenceMask()
    /// Passed to the effect when the caller has no landmarks (kept, so no call allocates one).
    private let noFaces = FaceLandmarkerResult()
    private var full = ConfidenceMask()

    public init(effect: Effect = .none, smoothsMask: Bool = true, refinesMask: Bool = true,
                refiner: MaskRefiner = MaskRefiner(), smoother: TemporalSmoother = TemporalSmoother()) {
        self.effect = effect
        self.frameEffect = effect.makeFrameEffect()
        self.smoothsMask = smoothsMask
        self.refinesMask = refinesMask
        self.refiner = refiner
        self.smoother = smoother
    }

    /// Updates the background image of a `.replace` effect without replacing the effect value: for
    /// a looping video background, pass each of its frames. The image is rescaled into the
    /// replacement's preallocated buffer (see ``BackgroundReplacement/setBackground(_:)``).
    public func setBackground(_ image: PixelImage) {
        if let replacement = frameEffect as? BackgroundReplacement, case .replace = effect {
            replacement.setBackground(image)
        } else {
            effect = .replace(image)
        }
    }

    /// Forgets the mask history (a scene cut, a new camera).
    public func reset() { smoother.reset() }

    /// Applies the effect to `frame` in place. `mask` is the person's confidence at any size (it is
    /// smoothed and brought to the frame's size as ``prepareMask(_:for:into:)`` does); `faces` is
    /// needed only by effects that draw landmarks.
    public func apply(to frame: inout PixelImage, mask: ConfidenceMask, faces: FaceLandmarkerResult?) {
        guard frameEffect.usesMask else {
            apply(to: &frame, fullSizeMask: mask, faces: faces)
            return
        }
        if !smoothsMask && mask.width == frame.width && mask.height == frame.height {
            apply(to: &frame, fullSizeMask: mask, faces: faces)  // nothing to prepare: the caller's mask as it is
            return
        }
        prepareMask(mask, for: frame, into: &full)
        apply(to: &frame, fullSizeMask: full, faces: faces)
    }

    /// Applies the effect with a mask already at the frame's size (from ``prepareMask(_:for:into:)``,
    /// perhaps feathered since); effects that draw no mask ignore it.
    public func apply(to frame: inout PixelImage, fullSizeMask mask: ConfidenceMask, faces: FaceLandmarkerResult?) {
        if frameEffect.usesMask {
            precondition(mask.width == frame.width && mask.height == frame.height, "mask and frame sizes differ")
        }
        if let faces {
            frameEffect.apply(to: &frame, mask: mask, faces: faces)
        } else {
            frameEffect.apply(to: &frame, mask: mask, faces: noFaces)
        }
    }

    /// Writes the mask the effect would use for `frame` into `output`: smoothed over time (if
    /// ``smoothsMask``; on the mask as given, before resizing, where it is cheapest) and brought to
    /// the frame's size (guided filter if ``refinesMask``, else bilinear). `output` is the caller's
    /// and its storage is reused while its size holds. Call it once per frame: it advances the
    /// temporal smoothing.
    public func prepareMask(_ mask: ConfidenceMask, for frame: PixelImage, into output: inout ConfidenceMask) {
        let fullSize = mask.width == frame.width && mask.height == frame.height
        if smoothsMask {
            if fullSize {
                smoother.smooth(mask, into: &output)
                return
            }
            smoother.smooth(mask, into: &smoothed)
            // A local copy of the struct only retains the storage; it is released before the next
            // frame writes into `smoothed` again, so that write stays in place.
            let working = smoothed
            resize(working, for: frame, into: &output)
        } else if fullSize {
            output.reshape(width: mask.width, height: mask.height)
            output.values.withUnsafeMutableBufferPointer { out in
                mask.values.withUnsafeBufferPointer { out.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
            }
        } else {
            resize(mask, for: frame, into: &output)
        }
    }

    private func resize(_ mask: ConfidenceMask, for frame: PixelImage, into output: inout ConfidenceMask) {
        if refinesMask {
            refiner.refine(mask, guide: frame, into: &output)
        } else {
            refiner.upscale(mask, width: frame.width, height: frame.height, into: &output)
        }
    }

    /// Base addresses of the buffers the renderer and its effects own, for tests and diagnostics that
    /// check storage is reused across frames. Reading this allocates an array: don't call it per frame.
    public var storageAddresses: [UnsafeRawPointer?] {
        var addresses: [UnsafeRawPointer?] = [
            smoothed.values.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) },
            full.values.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) },
            smoother.storageAddress,
        ]
        addresses += refiner.storageAddresses.map(Optional.some)
        if let blur = frameEffect as? BackgroundBlur { addresses += blur.storageAddresses.map(Optional.some) }
        if let replacement = frameEffect as? BackgroundReplacement { addresses.append(replacement.storageAddress) }
        return addresses
    }

    /// Updates the current effect object in place when only a parameter changed (a blur's
    /// strength, a colour, a background image), so its buffers are kept; otherwise builds the new one.
    private func configure(after previous: Effect) {
        // An app's own object is never reconfigured as if it were the renderer's.
        if case .custom = previous { frameEffect = effect.makeFrameEffect(); return }
        switch effect {
        case .blur(let strength):
            if let blur = frameEffect as? BackgroundBlur { blur.strength = strength; return }
        case .replace(let image):
            if let replacement = frameEffect as? BackgroundReplacement { replacement.setBackground(image); return }
        case .color(let red, let green, let blue):
            if let replacement = frameEffect as? BackgroundReplacement { replacement.setColor(red: red, green: green, blue: blue); return }
        case .greenScreen:
            if let replacement = frameEffect as? BackgroundReplacement { replacement.setColor(red: 0, green: 255, blue: 0); return }
        case .none, .maskOverlay, .landmarks, .custom:
            break
        }
        frameEffect = effect.makeFrameEffect()
    }
}
