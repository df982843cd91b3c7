import BackdropCore
import BackdropEffects

/// The effect stage's work on one frame: the person mask brought to the frame's size (smoothed over
/// time, refined along edges, feathered) into the slot, then the frame's effect drawn on it, in place.
/// The effect object and the smoothing and feathering come from the settings the frame carries.
final class EffectStage {
    /// Prepares masks (smoothing, refinement); its own effect is unused: each frame brings one.
    private let maskPreparation = EffectRenderer(effect: .none, smoothsMask: true, refinesMask: true)
    /// Receives each frame's prepared mask before the slot adopts it (full-size inference only).
    private var prepared = ConfidenceMask()
    /// What an effect that reads no mask is given.
    private let noMask = ConfidenceMask()
    private var generation = -1

    /// `maskWanted`: someone other than the effect reads the full-size mask (a mask video, a
    /// library caller); otherwise an effect that ignores the mask skips preparing it.
    func process(_ slot: inout FrameSlot, maskWanted: Bool) {
        if slot.settings.generation != generation { adopt(slot.settings) }
        let effect = slot.settings.frameEffect
        guard effect.usesMask || maskWanted, !slot.segmentation.confidenceMasks.isEmpty else {
            effect.apply(to: &slot.video.image, mask: noMask, faces: slot.faces)
            return
        }
        // The raw mask is read through the slot, never bound to a local: a second reference to its
        // buffer would make the next write into it a copy.
        let frameSize = slot.segmentation.confidenceMasks[0].width == slot.video.image.width
            && slot.segmentation.confidenceMasks[0].height == slot.video.image.height
        if frameSize {
            maskPreparation.prepareMask(slot.segmentation.confidenceMasks[0], for: slot.video.image, into: &prepared)
            slot.adoptPreparedMask(&prepared)
        } else {
            maskPreparation.prepareMask(slot.segmentation.confidenceMasks[0], for: slot.video.image, into: &slot.mask)
        }
        let feather = slot.settings.settings.featherRadius
        if feather > 0 { maskPreparation.refiner.feather(&slot.mask, radius: feather) }
        effect.apply(to: &slot.video.image, mask: effect.usesMask ? slot.mask : noMask, faces: slot.faces)
    }

    /// A frame with new settings: smoothing turned back on starts from this frame's mask, not from
    /// the one before it was turned off.
    private func adopt(_ applied: AppliedSettings) {
        if applied.settings.smoothing != maskPreparation.smoothsMask {
            maskPreparation.smoothsMask = applied.settings.smoothing
            maskPreparation.reset()
        }
        generation = applied.generation
    }
}
