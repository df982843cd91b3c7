/// For each sample of a destination line, the two source samples bilinear resampling blends and
/// the weight of the second: the per-pixel index arithmetic done once per size instead of per frame.
///
/// Pixel centres sit at +0.5 (as in MediaPipe's and OpenCV's resize), so an upscaled mask stays
/// aligned with the frame instead of drifting by half a source pixel.
final class LinearTaps {
    let first = ScratchBuffer<Int32>()
    let second = ScratchBuffer<Int32>()
    /// Weight of `second`, 0...1.
    let weight = ScratchBuffer<Float>()
    /// Weight of `second` in 1/256 steps, 0...256, for 8-bit pixels.
    let fixedWeight = ScratchBuffer<Int32>()
    private var key: (destination: Int, source: Int, scale: Double, offset: Double) = (-1, -1, 0, 0)

    /// Destination sample `d` reads source position `(d + 0.5) / scale - 0.5 + offset`, clamped to
    /// the line. A plain resize has `scale = destination / source` and `offset = 0`; a centre crop
    /// moves `offset` to the crop's first source pixel.
    func build(destination: Int, source: Int, scale: Double, offset: Double = 0) {
        guard destination != key.destination || source != key.source || scale != key.scale || offset != key.offset else { return }
        first.reserve(destination); second.reserve(destination)
        weight.reserve(destination); fixedWeight.reserve(destination)
        let last = Double(max(0, source - 1))
        for d in 0..<destination {
            let position = min(max((Double(d) + 0.5) / scale - 0.5 + offset, 0), last)
            let lower = position.rounded(.down)
            let fraction = position - lower
            first.pointer[d] = Int32(lower)
            second.pointer[d] = Int32(min(lower + 1, last))
            weight.pointer[d] = Float(fraction)
            fixedWeight.pointer[d] = Int32((fraction * 256).rounded())
        }
        key = (destination, source, scale, offset)
    }

    /// Taps for resizing `source` samples to `destination` samples.
    func build(resizing source: Int, to destination: Int) {
        build(destination: destination, source: source, scale: Double(destination) / Double(max(1, source)))
    }
}
