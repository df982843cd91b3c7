import BackdropCore
import BackdropEffects

/// The effect stage's work on one frame: the person mask prepared (smoothed over time, refined along
/// edges, feathered) at half the frame's size, then the frame's effect drawn with it, in place; the
/// mask at the frame's size goes into the slot when someone reads it.
/// The effect object and the smoothing and feathering come from the settings the frame carries.
final class EffectStage {
    /// Prepares masks (smoothing, refinement); its own effect is unused: each frame brings one.
    private let maskPreparation = EffectRenderer(effect: .none, smoothsMask: true, refinesMask: false)
    /// What an effect that reads no mask is given.
    private let noMask = ConfidenceMask()
    /// Hides faces after the effect, when the frame's settings say so.
    private let faceHider = FaceHider()
    private var generation = -1
    /// Crops each frame around its faces when the frame's settings frame (after its effect).
    private let framer = AutoFramer()

    /// `maskWanted`: someone other than the effect reads the full-size mask (a mask video, a
    /// library caller, the preview); otherwise an effect that ignores the mask skips preparing it.
    ///
    /// The mask is prepared at half the frame's size, with the inference image as guide when it is
    /// exactly that (the default at 720p and up), and the built-in effects composite from there;
    /// the full-size mask is written into the slot only when someone reads it.
    func process(_ slot: inout FrameSlot, maskWanted: Bool) {
        if slot.settings.generation != generation { adopt(slot.settings) }
        drawEffect(&slot, maskWanted: maskWanted)
        if let hiding = slot.settings.settings.hiding { faceHider.hide(in: &slot.video.image, faces: slot.faces, settings: hiding) }
        // The mask written above describes the whole frame; what is shown is the crop of it.
        if let framing = slot.settings.settings.framing {
            framer.frame(&slot.video.image, faces: slot.faces, timestampMicroseconds: slot.video.timestampMicroseconds, framing: framing)
        }
    }

    private func drawEffect(_ slot: inout FrameSlot, maskWanted: Bool) {
        let effect = slot.settings.frameEffect
        guard effect.usesMask || maskWanted, !slot.segmentation.confidenceMasks.isEmpty else {
            effect.apply(to: &slot.video.image, mask: noMask, faces: slot.faces)
            return
        }
        let halfFrame = slot.smallIsHalfFrame ? slot.small : nil  // else the renderer halves the frame itself
        maskPreparation.prepareHalfSizeMask(slot.segmentation.confidenceMasks[0], for: slot.video.image, halfFrame: halfFrame,
                                            featherRadius: slot.settings.settings.featherRadius,
                                            edgeBias: slot.settings.settings.edgeBias)
        if maskWanted { maskPreparation.writePreparedMask(for: slot.video.image, into: &slot.mask) }
        if effect.usesMask {
            maskPreparation.applyPrepared(to: &slot.video.image, halfFrame: halfFrame, faces: slot.faces, using: effect)
        } else {
            effect.apply(to: &slot.video.image, mask: noMask, faces: slot.faces)
        }
    }

    /// A frame with new settings: smoothing turned back on starts from this frame's mask, not from
    /// the one before it was turned off.
    private func adopt(_ applied: AppliedSettings) {
        if applied.settings.smoothing != maskPreparation.smoothsMask {
            maskPreparation.smoothsMask = applied.settings.smoothing
            maskPreparation.reset()
        }
        maskPreparation.refinesMask = applied.settings.refinesEdges
        if applied.settings.hiding == nil { faceHider.reset() }  // turned back on, it starts from that frame's faces
        // Framing turned back on starts from the whole frame, not from the crop it was left at.
        if applied.settings.framing == nil { framer.reset() }
        generation = applied.generation
    }
}
