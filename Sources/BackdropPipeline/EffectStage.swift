import BackdropCore
import BackdropEffects

/// The effect stage's work on one frame: the person mask brought to the frame's size (smoothed over
/// time, refined along edges, feathered) into the slot, then the effect drawn on the frame, in place.
final class EffectStage {
    private let renderer: EffectRenderer
    private let featherRadius: Int
    /// Receives each frame's prepared mask before the slot adopts it (full-size inference only).
    private var prepared = ConfidenceMask()

    init(configuration: PipelineConfiguration) {
        renderer = EffectRenderer(effect: configuration.effect, smoothsMask: configuration.smoothing, refinesMask: true)
        featherRadius = configuration.featherRadius
    }

    /// `maskWanted`: someone other than the effect reads the full-size mask (a mask video, a
    /// library caller); otherwise an effect that ignores the mask skips preparing it.
    func process(_ slot: inout FrameSlot, maskWanted: Bool) {
        guard renderer.effect.usesMask || maskWanted, !slot.segmentation.confidenceMasks.isEmpty else {
            renderer.apply(to: &slot.video.image, fullSizeMask: slot.mask, faces: slot.faces)
            return
        }
        // The raw mask is read through the slot, never bound to a local: a second reference to its
        // buffer would make the next write into it a copy.
        let frameSize = slot.segmentation.confidenceMasks[0].width == slot.video.image.width
            && slot.segmentation.confidenceMasks[0].height == slot.video.image.height
        if frameSize {
            renderer.prepareMask(slot.segmentation.confidenceMasks[0], for: slot.video.image, into: &prepared)
            slot.adoptPreparedMask(&prepared)
        } else {
            renderer.prepareMask(slot.segmentation.confidenceMasks[0], for: slot.video.image, into: &slot.mask)
        }
        if featherRadius > 0 { renderer.refiner.feather(&slot.mask, radius: featherRadius) }
        renderer.apply(to: &slot.video.image, fullSizeMask: slot.mask, faces: slot.faces)
    }
}
