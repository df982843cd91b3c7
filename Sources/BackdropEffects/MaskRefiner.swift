import BackdropCore
import CPixelKernels

/// Brings a segmenter's low-resolution confidence mask to the frame's size.
///
/// `refine` is a fast guided filter (He, Sun and Tang, "Guided Image Filtering"; He and Sun, "Fast
/// Guided Filter", 2015) with the frame's luma as guide: within each window the refined mask is
/// modelled as `a * luma + b`, fitted to the coarse mask, so where the frame has an edge (hair
/// against a wall, a shoulder) the mask's edge snaps to it instead of being a soft bilinear ramp
/// at the segmenter's resolution. The fit runs at the mask's own resolution (no finer than half the
/// frame), where the box filters are cheap; only the final `a * luma + b` is evaluated per frame
/// pixel. `upscale` is plain bilinear, kept for comparison and for masks that need no refinement.
///
/// All planes are owned by the refiner and sized on the first frame (and when the size changes);
/// later calls allocate nothing, and the output goes into the caller's `ConfidenceMask`, whose
/// storage is reused while its size stays the same.
public final class MaskRefiner {
    /// Guided-filter window radius in frame pixels: roughly how far a refined edge may move to meet
    /// an edge of the frame. A few pixels more than the coarse mask's blur is about right.
    public var radius: Int
    /// Regularisation, as a variance of luma on a 0...1 scale: luma changes much smaller than
    /// `sqrt(epsilon)` inside a window are smoothed over instead of followed (so texture and noise
    /// do not print into the mask).
    public var epsilon: Float

    private let box = FloatBoxFilter()
    private let guide = ScratchBuffer<Float>(), coarse = ScratchBuffer<Float>()
    private let meanGuide = ScratchBuffer<Float>(), meanCoarse = ScratchBuffer<Float>()
    private let slope = ScratchBuffer<Float>(), offset = ScratchBuffer<Float>()
    private let rowSlope = ScratchBuffer<Float>(), rowOffset = ScratchBuffer<Float>()
    private let lumaSums = ScratchBuffer<UInt32>(), maskSums = ScratchBuffer<Float>()
    private let guideColumns = Footprints(), guideRows = Footprints()
    private let maskColumns = Footprints(), maskRows = Footprints()
    private let tapsX = LinearTaps(), tapsY = LinearTaps()
    private let upscaleX = LinearTaps(), upscaleY = LinearTaps()
    private let featherScratch = ScratchBuffer<Float>()

    public init(radius: Int = 8, epsilon: Float = 1e-3) {
        precondition(radius >= 1 && epsilon > 0, "the guided filter needs radius >= 1 and epsilon > 0")
        self.radius = radius
        self.epsilon = epsilon
    }

    /// The size the guided filter is fitted at for a mask and frame: the mask's own size, but no
    /// larger than half the frame each way (a full-size mask is averaged down first).
    public static func workingSize(mask: (width: Int, height: Int), frame: (width: Int, height: Int)) -> (width: Int, height: Int) {
        (min(mask.width, max(1, frame.width / 2)), min(mask.height, max(1, frame.height / 2)))
    }

    /// Writes the edge-aware refinement of `mask` at `frame`'s size into `output`. `guideScale`:
    /// how many times smaller `frame` is than the picture `radius` is measured in (2 when the
    /// guide is the frame at half size), so the window covers the same part of the picture.
    public func refine(_ mask: ConfidenceMask, guide frame: PixelImage, guideScale: Int = 1, into output: inout ConfidenceMask) {
        precondition(frame.layoutProblem == nil, frame.layoutProblem ?? "")
        precondition(mask.width > 0 && mask.height > 0 && mask.values.count == mask.width * mask.height, "empty mask")
        let width = frame.width, height = frame.height, channels = frame.format.bytesPerPixel
        let (lowWidth, lowHeight) = Self.workingSize(mask: (mask.width, mask.height), frame: (width, height))
        let count = lowWidth * lowHeight
        guide.reserve(count); coarse.reserve(count); meanGuide.reserve(count)
        meanCoarse.reserve(count); slope.reserve(count); offset.reserve(count)
        output.reshape(width: width, height: height)

        frame.pixels.withUnsafeBufferPointer { pixels in
            downsampleLuma(pixels.baseAddress!, width: width, height: height, channels: channels,
                           into: guide.pointer, lowWidth: lowWidth, lowHeight: lowHeight)
        }
        mask.values.withUnsafeBufferPointer { values in
            downsampleMask(values.baseAddress!, width: mask.width, height: mask.height,
                           into: coarse.pointer, lowWidth: lowWidth, lowHeight: lowHeight)
        }
        fit(lowWidth: lowWidth, lowHeight: lowHeight, frameWidth: width * max(1, guideScale))

        // Evaluate a * luma + b per frame pixel, with a and b bilinearly upsampled.
        tapsX.build(resizing: lowWidth, to: width)
        tapsY.build(resizing: lowHeight, to: height)
        rowSlope.reserve(lowWidth); rowOffset.reserve(lowWidth)
        let x0 = tapsX.first.pointer, x1 = tapsX.second.pointer, fx = tapsX.weight.pointer
        let a = slope.pointer, b = offset.pointer, rowA = rowSlope.pointer, rowB = rowOffset.pointer
        frame.pixels.withUnsafeBufferPointer { pixels in
            output.values.withUnsafeMutableBufferPointer { out in
                let source = pixels.baseAddress!, destination = out.baseAddress!
                for y in 0..<height {
                    let top = Int(tapsY.first.pointer[y]) * lowWidth, bottom = Int(tapsY.second.pointer[y]) * lowWidth
                    let fy = tapsY.weight.pointer[y]
                    for x in 0..<lowWidth {
                        rowA[x] = a[top + x] + (a[bottom + x] - a[top + x]) * fy
                        rowB[x] = b[top + x] + (b[bottom + x] - b[top + x]) * fy
                    }
                    // Per pixel: a and b between two working-size columns, times the guide's luma (a C kernel).
                    bd_guided_row(rowA, rowB, x0, x1, fx, source + y * width * channels, Int32(channels), Int32(width),
                                  destination + y * width)
                }
            }
        }
    }

    /// Writes `mask` bilinearly resized to `width` x `height` into `output`, with no regard for the frame.
    public func upscale(_ mask: ConfidenceMask, width: Int, height: Int, into output: inout ConfidenceMask) {
        precondition(mask.width > 0 && mask.height > 0 && width > 0 && height > 0, "empty mask or size")
        output.reshape(width: width, height: height)
        upscaleX.build(resizing: mask.width, to: width)
        upscaleY.build(resizing: mask.height, to: height)
        let x0 = upscaleX.first.pointer, x1 = upscaleX.second.pointer, fx = upscaleX.weight.pointer
        let sourceWidth = mask.width
        mask.values.withUnsafeBufferPointer { values in
            output.values.withUnsafeMutableBufferPointer { out in
                let source = values.baseAddress!, destination = out.baseAddress!
                for y in 0..<height {
                    let top = source + Int(upscaleY.first.pointer[y]) * sourceWidth
                    let bottom = source + Int(upscaleY.second.pointer[y]) * sourceWidth
                    let fy = upscaleY.weight.pointer[y]
                    let outLine = destination + y * width
                    for x in 0..<width {
                        let i0 = Int(x0[x]), i1 = Int(x1[x]), f = fx[x]
                        let upper = top[i0] + (top[i1] - top[i0]) * f
                        let lower = bottom[i0] + (bottom[i1] - bottom[i0]) * f
                        outLine[x] = upper + (lower - upper) * fy
                    }
                }
            }
        }
    }

    /// Softens the mask's edges in place: two box passes of `radius` (a tent of about twice that
    /// width), so the transition between person and background is gradual rather than a hard step.
    public func feather(_ mask: inout ConfidenceMask, radius: Int) {
        guard radius > 0, mask.width > 0, mask.height > 0 else { return }
        let width = mask.width, height = mask.height
        mask.values.withUnsafeMutableBufferPointer { values in
            let plane = values.baseAddress!
            box.mean(plane, into: plane, width: width, height: height, radius: radius)
            box.mean(plane, into: plane, width: width, height: height, radius: radius)
        }
    }

    /// Moves the mask's soft edge into the person (`bias` > 0: confidence `c` becomes
    /// `(c - bias) / (1 - bias)`) or out into the background (`bias` < 0: `c / (1 + bias)`),
    /// clamped to 0...1, in place. After feathering this gives the feather its direction: the
    /// ramp then lies inside the person's outline rather than across it. `bias` within -0.5...0.5.
    public static func biasEdge(_ mask: inout ConfidenceMask, by bias: Float) {
        precondition(bias >= -0.5 && bias <= 0.5, "edge bias out of range")
        let (offset, scale) = bias > 0 ? (bias, 1 / (1 - bias)) : (0, 1 / (1 + bias))
        mask.values.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] = min(max((values[i] - offset) * scale, 0), 1) }
        }
    }

    /// Base addresses of the buffers the refiner owns, for tests and diagnostics that check storage
    /// is reused across frames. Reading this allocates an array: don't call it per frame.
    public var storageAddresses: [UnsafeRawPointer] {
        [guide, coarse, meanGuide, meanCoarse, slope, offset, rowSlope, rowOffset].map(\.address) + box.addresses
    }

    // MARK: the guided filter at the working size

    /// Fits `a` and `b` (into `slope` and `offset`) from the guide `I` and coarse mask `p`:
    /// `a = cov(I, p) / (var(I) + epsilon)`, `b = mean(p) - a * mean(I)`, each then averaged over
    /// the window, as in the paper's Algorithm 1.
    private func fit(lowWidth: Int, lowHeight: Int, frameWidth: Int) {
        let count = lowWidth * lowHeight
        let scale = Float(frameWidth) / Float(lowWidth)
        let r = max(1, Int((Float(radius) / scale).rounded()))
        let I = guide.pointer, p = coarse.pointer
        let meanI = meanGuide.pointer, meanP = meanCoarse.pointer, a = slope.pointer, b = offset.pointer
        box.mean(I, into: meanI, width: lowWidth, height: lowHeight, radius: r)
        box.mean(p, into: meanP, width: lowWidth, height: lowHeight, radius: r)
        for i in 0..<count { a[i] = I[i] * I[i]; b[i] = I[i] * p[i] }
        box.mean(a, into: a, width: lowWidth, height: lowHeight, radius: r)
        box.mean(b, into: b, width: lowWidth, height: lowHeight, radius: r)
        let eps = epsilon
        for i in 0..<count {
            let variance = max(0, a[i] - meanI[i] * meanI[i])
            let covariance = b[i] - meanI[i] * meanP[i]
            let slopeHere = covariance / (variance + eps)
            a[i] = slopeHere
            b[i] = meanP[i] - slopeHere * meanI[i]
        }
        box.mean(a, into: a, width: lowWidth, height: lowHeight, radius: r)
        box.mean(b, into: b, width: lowWidth, height: lowHeight, radius: r)
    }

    /// Area-averages the frame's luma (0...1) down to the working size.
    private func downsampleLuma(_ source: UnsafePointer<UInt8>, width: Int, height: Int, channels: Int,
                                into destination: UnsafeMutablePointer<Float>, lowWidth: Int, lowHeight: Int) {
        if Self.isExactHalf(width: width, height: height, lowWidth: lowWidth, lowHeight: lowHeight) {
            bd_luma_half(source, Int32(width), Int32(height), Int32(channels), destination)  // the default at 720p
            return
        }
        guideColumns.build(source: width, destination: lowWidth)
        guideRows.build(source: height, destination: lowHeight)
        lumaSums.reserve(lowWidth)
        let columns = guideColumns.start.pointer, rows = guideRows.start.pointer, sums = lumaSums.pointer
        for y in 0..<lowHeight {
            sums.update(repeating: 0, count: lowWidth)
            let firstRow = Int(rows[y]), endRow = Int(rows[y + 1])
            for sy in firstRow..<endRow {
                let line = source + sy * width * channels
                for x in 0..<lowWidth {
                    var sum: UInt32 = 0
                    for sx in Int(columns[x])..<Int(columns[x + 1]) { sum &+= Self.luma(line + sx * channels, channels: channels) }
                    sums[x] &+= sum
                }
            }
            let rowCount = endRow - firstRow
            let out = destination + y * lowWidth
            for x in 0..<lowWidth {
                let area = Float(rowCount * Int(columns[x + 1] - columns[x]))
                out[x] = Float(sums[x]) / (area * 255 * 256)
            }
        }
    }

    /// Copies the mask to the working size, area-averaging when it is larger.
    private func downsampleMask(_ source: UnsafePointer<Float>, width: Int, height: Int,
                                into destination: UnsafeMutablePointer<Float>, lowWidth: Int, lowHeight: Int) {
        if width == lowWidth && height == lowHeight {
            destination.update(from: source, count: width * height)
            return
        }
        if Self.isExactHalf(width: width, height: height, lowWidth: lowWidth, lowHeight: lowHeight) {
            bd_mean_half(source, Int32(width), Int32(height), destination)  // the default at 720p: a vectorised kernel
            return
        }
        maskColumns.build(source: width, destination: lowWidth)
        maskRows.build(source: height, destination: lowHeight)
        maskSums.reserve(lowWidth)
        let columns = maskColumns.start.pointer, rows = maskRows.start.pointer, sums = maskSums.pointer
        for y in 0..<lowHeight {
            sums.update(repeating: 0, count: lowWidth)
            let firstRow = Int(rows[y]), endRow = Int(rows[y + 1])
            for sy in firstRow..<endRow {
                let line = source + sy * width
                for x in 0..<lowWidth {
                    for sx in Int(columns[x])..<Int(columns[x + 1]) { sums[x] += line[sx] }
                }
            }
            let out = destination + y * lowWidth
            for x in 0..<lowWidth {
                out[x] = sums[x] / Float((endRow - firstRow) * Int(columns[x + 1] - columns[x]))
            }
        }
    }

    /// Whether the working size is exactly half of an even-sided plane (2x2 blocks, no partial ones).
    private static func isExactHalf(width: Int, height: Int, lowWidth: Int, lowHeight: Int) -> Bool {
        width % 2 == 0 && height % 2 == 0 && lowWidth * 2 == width && lowHeight * 2 == height
    }

    /// Luma of one pixel scaled by 256 (BT.601 weights 77, 150, 29), 0...65280; gray pixels are their value.
    @inline(__always)
    static func luma(_ pixel: UnsafePointer<UInt8>, channels: Int) -> UInt32 {
        if channels == 1 { return UInt32(pixel[0]) << 8 }
        return 77 &* UInt32(pixel[0]) &+ 150 &* UInt32(pixel[1]) &+ 29 &* UInt32(pixel[2])
    }
}
