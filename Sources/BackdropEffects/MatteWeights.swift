import BackdropCore
import CPixelKernels

/// The person's blend weight per pixel as one byte (0: background, 255: person) at half the
/// frame's size: what the built-in background effects composite with on their fast path
/// (`DoublingBlend` doubles it while blending), instead of a full-size `Float` mask through a
/// `MatteTable`.
///
/// Why half size: the segmenter's own mask comes from a 256x256 model, so at 720p the guided
/// refinement, the feathering and the curve lose nothing the eye sees when they run on a quarter of
/// the pixels; only the final doubling and blend touch every pixel of the frame. The plane is owned
/// here, sized on the first frame; later frames allocate nothing.
final class MatteWeights {
    private let plane = ScratchBuffer<UInt8>()

    /// Makes the weights from `halfMask` (the prepared mask at half the frame's size) through `curve`
    /// (computed per pixel in a vectorised kernel rather than looked up: the same curve as `MatteTable`'s).
    func make(from halfMask: ConfidenceMask, curve: MatteCurve) {
        let count = halfMask.width * halfMask.height
        plane.reserve(count)
        halfMask.values.withUnsafeBufferPointer { values in
            bd_matte_weights(values.baseAddress!, Int32(count), curve.low, curve.high, curve.eased ? 1 : 0, plane.pointer)
        }
    }

    /// The weights (valid after `make`, until the next one).
    var pointer: UnsafePointer<UInt8> { UnsafePointer(plane.pointer) }

    var address: UnsafeRawPointer { plane.address }
}

/// What a background effect composites with: a `Float` mask at the frame's size through the
/// effect's curve, or weight bytes at half the frame's size (`MatteWeights`). Valid for one call.
enum Matte {
    case mask(UnsafePointer<Float>, MatteTable)
    case halfWeights(UnsafePointer<UInt8>)
}

/// A built-in background effect that can composite with half-size `MatteWeights` (the renderer's
/// fast path, which never makes a full-size `Float` mask). `halfFrame` is the frame at half size
/// (the pipeline's inference image when it is exactly that), for effects that work on a smaller copy.
protocol MatteWeightedEffect: FrameEffect {
    var curve: MatteCurve { get }
    func composite(onto frame: inout PixelImage, matte: Matte, halfFrame: PixelImage?)
}
