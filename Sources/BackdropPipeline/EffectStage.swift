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

    func process(_ slot: inout FrameSlot) {
        guard let mask = slot.segmentation.confidenceMasks.first else { return }
        renderer.prepareMask(mask, for: slot.video.image, into: &slot.mask)
        if featherRadius > 0 { renderer.refiner.feather(&slot.mask, radius: featherRadius) }
        renderer.apply(to: &slot.video.image, fullSizeMask: slot.mask, faces: slot.faces)
    }
}
