import BackdropCore
import BackdropEffects

/// The effect stage's work on one frame: the person mask brought to the frame's size (smoothed over
/// time, refined along edges, feathered) into the slot, then the effect drawn on the frame, in place.
final class EffectStage {
    private let renderer: EffectRenderer
    private let featherRadius: Int

    init(configuration: PipelineConfiguration) {
        renderer = EffectRenderer(effect: configuration.effect, smoothsMask: configuration.smoothing, refinesMask: true)
        featherRadius = configuration.featherRadius
    }

    /// `maskWanted`: someone other than the effect reads the full-size mask (a mask video, a
    /// library caller); otherwise an effect that ignores the mask skips preparing it.
    func process(_ slot: inout FrameSlot, maskWanted: Bool) {
        guard renderer.effect.usesMask || maskWanted, let mask = slot.segmentation.confidenceMasks.first else {
            renderer.apply(to: &slot.video.image, fullSizeMask: slot.mask, faces: slot.faces)
            return
        }
        renderer.prepareMask(mask, for: slot.video.image, into: &slot.mask)
        if featherRadius > 0 { renderer.refiner.feather(&slot.mask, radius: featherRadius) }
        renderer.apply(to: &slot.video.image, fullSizeMask: slot.mask, faces: slot.faces)
    }
}
