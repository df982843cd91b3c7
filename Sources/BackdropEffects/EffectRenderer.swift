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
    /// The prepared mask at half the frame's size (the fast path: ``prepareHalfSizeMask(_:for:halfFrame:featherRadius:)``).
    private var halfMask = ConfidenceMask()
    /// The frame halved, when the caller has no half-size copy of its own.
    private var halfCopy = PixelImage(width: 0, height: 0, format: .rgb)
    private let weights = MatteWeights()
    /// What an effect that reads no mask is given.
    private let noMask = ConfidenceMask()

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
    /// smoothed and brought to the frame's size as ``prepareHalfSizeMask(_:for:halfFrame:featherRadius:)``
    /// does); `faces` is needed only by effects that draw landmarks.
    public func apply(to frame: inout PixelImage, mask: ConfidenceMask, faces: FaceLandmarkerResult?) {
        guard frameEffect.usesMask else {
            apply(to: &frame, fullSizeMask: mask, faces: faces)
            return
        }
        if !smoothsMask && mask.width == frame.width && mask.height == frame.height {
            apply(to: &frame, fullSizeMask: mask, faces: faces)  // nothing to prepare: the caller's mask as it is
            return
        }
        prepareHalfSizeMask(mask, for: frame, halfFrame: nil, featherRadius: 0)
        applyPrepared(to: &frame, halfFrame: nil, faces: faces)
    }

    // MARK: The per-frame path: the mask prepared at half the frame's size

    /// Prepares this frame's mask at half the frame's size (`HalfScale.half` of each side): smoothed
    /// over time (if ``smoothsMask``, on the mask as given), brought to half size (guided filter with
    /// the half-size frame as guide if ``refinesMask``, else bilinear) and feathered by
    /// `featherRadius` frame pixels, its edge moved in or out by `edgeBias` (``MaskRefiner/biasEdge(_:by:)``). ``applyPrepared(to:halfFrame:faces:)`` then draws the effect with
    /// it and ``writePreparedMask(for:into:)`` gives it at the frame's size. `halfFrame`: the frame
    /// at half size if the caller has one (a pipeline's inference image), else the renderer halves
    /// `frame` itself. Call it once per frame: it advances the temporal smoothing.
    public func prepareHalfSizeMask(_ mask: ConfidenceMask, for frame: PixelImage, halfFrame: PixelImage?, featherRadius: Int,
                                    edgeBias: Float = 0) {
        let guide = halfSize(of: frame, given: halfFrame)
        if smoothsMask {
            smoother.smooth(mask, into: &smoothed)
            let working = smoothed  // retains the storage only until the next frame writes it again
            bringToHalfSize(working, guide: guide)
        } else {
            bringToHalfSize(mask, guide: guide)
        }
        // Feathering at half size by half the radius: the same reach in frame pixels.
        if featherRadius > 0 { refiner.feather(&halfMask, radius: max(1, (featherRadius + 1) / 2)) }
        if edgeBias != 0 { MaskRefiner.biasEdge(&halfMask, by: edgeBias) }
    }

    /// Draws the effect on `frame` with the mask from the last ``prepareHalfSizeMask(_:for:halfFrame:featherRadius:)``
    /// for this frame. Built-in background effects composite with weight bytes doubled from the
    /// half-size mask; any other effect that reads the mask gets it at the frame's size.
    /// `effect`: another effect object to draw instead of ``frameEffect`` (a pipeline whose frames
    /// each carry their own), which this renderer then only prepares masks for.
    public func applyPrepared(to frame: inout PixelImage, halfFrame: PixelImage?, faces: FaceLandmarkerResult?,
                              using effect: (any FrameEffect)? = nil) {
        let frameEffect = effect ?? self.frameEffect
        if let weighted = frameEffect as? any MatteWeightedEffect {
            weights.make(from: halfMask, curve: weighted.curve)
            weighted.composite(onto: &frame, matte: .halfWeights(weights.pointer),
                               halfFrame: halfSize(of: frame, given: halfFrame, reuse: true))
        } else {
            if frameEffect.usesMask { writePreparedMask(for: frame, into: &full) }
            frameEffect.apply(to: &frame, mask: frameEffect.usesMask ? full : noMask, faces: faces ?? noFaces)
        }
    }

    /// Writes the prepared half-size mask, bilinearly doubled to `frame`'s size, into `output` (for
    /// whoever reads the mask itself: a mask video, a library caller, an effect of an app's own).
    public func writePreparedMask(for frame: PixelImage, into output: inout ConfidenceMask) {
        refiner.upscale(halfMask, width: frame.width, height: frame.height, into: &output)
    }

    private func bringToHalfSize(_ mask: ConfidenceMask, guide: PixelImage) {
        if refinesMask {
            refiner.refine(mask, guide: guide, guideScale: 2, into: &halfMask)
        } else {
            refiner.upscale(mask, width: guide.width, height: guide.height, into: &halfMask)
        }
    }

    /// `given` when it is `frame` at half size, else the renderer's own halved copy (made once
    /// per frame: by the mask's preparation, reused by the effect).
    private func halfSize(of frame: PixelImage, given: PixelImage?, reuse: Bool = false) -> PixelImage {
        let width = HalfScale.half(frame.width), height = HalfScale.half(frame.height)
        if let given, given.width == width, given.height == height, given.format == frame.format { return given }
        if reuse, halfCopy.width == width, halfCopy.height == height, halfCopy.format == frame.format { return halfCopy }
        if halfCopy.width != width || halfCopy.height != height || halfCopy.format != frame.format {
            halfCopy = PixelImage(width: width, height: height, format: frame.format)
        }
        frame.pixels.withUnsafeBufferPointer { source in
            halfCopy.pixels.withUnsafeMutableBufferPointer { destination in
                HalfScale.halve(source.baseAddress!, width: frame.width, height: frame.height,
                                channels: frame.format.bytesPerPixel, into: destination.baseAddress!)
            }
        }
        return halfCopy
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
            halfMask.values.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) },
            halfCopy.pixels.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) },
            smoother.storageAddress,
        ]
        addresses.append(weights.address)
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
