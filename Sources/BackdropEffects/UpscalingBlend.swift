import BackdropCore
import CPixelKernels

/// The one pass over every pixel of the frame that the built-in background effects make: the
/// person's weights, prepared at half the frame's size, are brought to the frame's size (bilinear)
/// and the background is blended under the frame with them. The background is an image at the
/// frame's size (a replacement), at a half or a quarter of it (a blur made small, brought up the
/// same way on the fly), or a colour.
///
/// The order of the work is what makes it fast. Resizing along a row interleaves pixels, so it is
/// done first, on the small rows only (a half or a quarter of the frame's rows), into rows laid out
/// exactly like the frame's (weights repeated for each colour channel; 255 for alpha, so alpha stays
/// the frame's). Then, per frame row, everything is a loop over contiguous bytes: the vertical step
/// (two such rows mixed with the row's fixed weights) and the blend
/// `(frame * w + background * (256 - w) + 128) >> 8`, `w` 0...256. The three loops are C kernels
/// (CPixelKernels), vectorised for the CPU. Planes and taps are owned here and reused while the
/// sizes hold.
final class UpscalingBlend {
    enum Background {
        /// An image with `HalfScale.half` of the frame's sides taken `factor.trailingZeroBitCount`
        /// times (factor 1: the frame's size; 2: half; 4: quarter; nothing else).
        case reduced(UnsafePointer<UInt8>, factor: Int)
        case color(UInt8, UInt8, UInt8)
    }

    /// Small rows resized along the row to the frame's width: weights, and a reduced background.
    private let wideWeights = ScratchBuffer<UInt8>(), wideBackground = ScratchBuffer<UInt8>()
    private let colorRow = ScratchBuffer<UInt8>()
    private let weightRows = LinearTaps()
    private let backgroundRows = LinearTaps()

    /// Blends `background` under `frame` (`width` x `height`, `channels` bytes a pixel, colour in
    /// the first three) by `halfWeights` (`HalfScale.half` of each side, one byte a pixel, 255: person).
    func blend(frame: UnsafeMutablePointer<UInt8>, width: Int, height: Int, channels: Int,
               halfWeights: UnsafePointer<UInt8>, background: Background) {
        guard width > 0, height > 0, channels >= 3 else { return }
        let rowLength = width * channels
        let halfWidth = HalfScale.half(width), halfHeight = HalfScale.half(height)
        // Pixel centres at +0.5 with an exact factor, so the half and quarter sizes of `HalfScale` line up.
        weightRows.build(destination: height, source: halfHeight, scale: 2)
        wideWeights.reserve(rowLength * halfHeight)
        for row in 0..<halfHeight {
            bd_widen_weights_2x(halfWeights + row * halfWidth, Int32(width), Int32(channels), wideWeights.pointer + row * rowLength)
        }
        // The background's rows at the frame's width, and how far apart two of them are (0: one row for all).
        let backgroundStart: UnsafePointer<UInt8>, backgroundStride: Int, scaled: Bool
        switch background {
        case .reduced(let image, let factor) where factor > 1:
            var smallWidth = width, smallHeight = height
            for _ in 0..<factor.trailingZeroBitCount { smallWidth = HalfScale.half(smallWidth); smallHeight = HalfScale.half(smallHeight) }
            backgroundRows.build(destination: height, source: smallHeight, scale: Double(factor))
            wideBackground.reserve(rowLength * smallHeight)
            for row in 0..<smallHeight {
                bd_widen_row(image + row * smallWidth * channels, Int32(width), Int32(channels), Int32(factor),
                             wideBackground.pointer + row * rowLength)
            }
            (backgroundStart, backgroundStride, scaled) = (UnsafePointer(wideBackground.pointer), rowLength, true)
        case .reduced(let image, _):
            (backgroundStart, backgroundStride, scaled) = (image, rowLength, false)
        case .color(let red, let green, let blue):
            colorRow.reserve(rowLength)
            for x in 0..<width {
                colorRow.pointer[x * channels] = red
                colorRow.pointer[x * channels + 1] = green
                colorRow.pointer[x * channels + 2] = blue
            }
            (backgroundStart, backgroundStride, scaled) = (UnsafePointer(colorRow.pointer), 0, false)
        }
        let weights = UnsafePointer(wideWeights.pointer)
        for y in 0..<height {
            let weightsAbove = weights + Int(weightRows.first.pointer[y]) * rowLength
            let weightsBelow = weights + Int(weightRows.second.pointer[y]) * rowLength
            let above: UnsafePointer<UInt8>, below: UnsafePointer<UInt8>, belowWeight: UInt16
            if scaled {
                above = backgroundStart + Int(backgroundRows.first.pointer[y]) * backgroundStride
                below = backgroundStart + Int(backgroundRows.second.pointer[y]) * backgroundStride
                belowWeight = UInt16(backgroundRows.fixedWeight.pointer[y])
            } else {
                above = backgroundStart + y * backgroundStride
                (below, belowWeight) = (above, 0)
            }
            bd_blend_row(frame + y * rowLength, weightsAbove, weightsBelow, UInt16(weightRows.fixedWeight.pointer[y]),
                         above, below, belowWeight, Int32(rowLength))
        }
    }

    var addresses: [UnsafeRawPointer] { [wideWeights.address, wideBackground.address, colorRow.address] }
}
