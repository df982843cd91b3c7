/// Resizes packed 8-bit images into the caller's image, in plain Swift (no FFmpeg): the inference
/// stage uses it to shrink frames to the processing size.
///
/// An exact reduction by 2 or 4 on both axes is one or two 2x2 averagings (`HalfScale.halve`,
/// several times faster than the general path; at 2x the same result, at 4x within one level of
/// it, from rounding twice); so is ``halve(_:times:into:)``, which also takes odd sides.
///
/// Area averaging on an axis that shrinks (each output pixel is the mean of the source pixels it
/// covers, partly covered ones weighted by their share, so nothing aliases in the model's input),
/// bilinear on an axis that grows: what libswscale's SWS_AREA and SWS_BILINEAR do. Separable, one
/// output row at a time: the rows it covers are summed into a row of floats (a contiguous loop the
/// compiler vectorises), then that row's columns are summed. The weight tables and the row are kept
/// for as long as the sizes stay the same, so steady-state calls allocate nothing.
public final class ImageResampler {
    /// Which source pixels make each output pixel along one axis: output `i` is the sum over
    /// `t < counts[i]` of `weights[i * stride + t]` times source pixel `firsts[i] + t`.
    private struct Axis {
        var firsts: [Int] = []
        var counts: [Int] = []
        var weights: [Float] = []
        var stride = 0

        init() {}

        init(from source: Int, to output: Int) {
            let scale = Double(source) / Double(output)
            stride = scale > 1 ? Int(scale.rounded(.up)) + 1 : 2
            firsts = [Int](repeating: 0, count: output)
            counts = [Int](repeating: 0, count: output)
            weights = [Float](repeating: 0, count: output * stride)
            for index in 0..<output {
                if scale > 1 {
                    // The span [index, index + 1) of output pixels covers [start, end) of source pixels.
                    let start = Double(index) * scale, end = min(Double(source), Double(index + 1) * scale)
                    let first = Int(start), last = min(source, Int(end.rounded(.up)))
                    firsts[index] = first
                    counts[index] = last - first
                    for pixel in first..<last {
                        let covered = min(Double(pixel + 1), end) - max(Double(pixel), start)
                        weights[index * stride + pixel - first] = Float(covered / scale)
                    }
                } else {
                    // Pixel centres line up: output centre index + 0.5 sits at source (index + 0.5) * scale.
                    let centre = max(0, (Double(index) + 0.5) * scale - 0.5)
                    let first = min(Int(centre), source - 1)
                    let fraction = Float(centre - Double(first))
                    firsts[index] = first
                    if first + 1 < source && fraction > 0 {
                        counts[index] = 2
                        weights[index * stride] = 1 - fraction
                        weights[index * stride + 1] = fraction
                    } else {
                        counts[index] = 1
                        weights[index * stride] = 1
                    }
                }
            }
        }
    }

    private var rows = Axis()
    private var columns = Axis()
    private var configured: (sourceWidth: Int, sourceHeight: Int, width: Int, height: Int)?
    /// One output row before its columns are combined: every source column, every channel.
    private var row: [Float] = []
    /// The first halving of a 4x reduction.
    private var halfway = PixelImage(width: 0, height: 0, format: .rgb)

    public init() {}

    /// Writes `source` scaled to `width` x `height` into `destination` (same pixel format as the
    /// source; `destination` keeps its storage when it already has that size and format).
    public func resize(_ source: PixelImage, to width: Int, _ height: Int, into destination: inout PixelImage) throws(MediaError) {
        if let problem = source.layoutProblem { throw .invalidImage(path: "frame", reason: problem) }
        guard width > 0, height > 0 else {
            throw .invalidImage(path: "frame", reason: "cannot resize to \(width)x\(height); both sides must be at least 1")
        }
        for halvings in 1...2 where width << halvings == source.width && height << halvings == source.height {
            return halveChecked(source, times: halvings, into: &destination)
        }
        Self.fit(&destination, width: width, height: height, format: source.format)
        let wanted = (source.width, source.height, width, height)
        if configured.map({ $0 != wanted }) ?? true {
            rows = Axis(from: source.height, to: height)
            columns = Axis(from: source.width, to: width)
            row = [Float](repeating: 0, count: source.bytesPerRow)
            configured = wanted
        }
        let channels = source.format.bytesPerPixel
        let sourceRowBytes = source.bytesPerRow, outputRowBytes = destination.bytesPerRow
        let rows = self.rows, columns = self.columns
        source.pixels.withUnsafeBufferPointer { input in
            destination.pixels.withUnsafeMutableBufferPointer { output in
                row.withUnsafeMutableBufferPointer { sums in
                    for y in 0..<height {
                        Self.sumRows(input, rowBytes: sourceRowBytes, axis: rows, output: y, into: sums)
                        let target = UnsafeMutableBufferPointer(rebasing: output[(y * outputRowBytes)..<((y + 1) * outputRowBytes)])
                        switch channels {
                        case 1: Self.sumColumns(sums, channels: 1, axis: columns, into: target)
                        case 3: Self.sumColumns(sums, channels: 3, axis: columns, into: target)
                        default: Self.sumColumns(sums, channels: 4, axis: columns, into: target)
                        }
                    }
                }
            }
        }
    }

    /// Writes `source` halved `times` times into `destination`: each halving averages 2x2 blocks,
    /// each side becoming `HalfScale.half` of itself (an odd side repeats its last row or column).
    /// `times` 0 copies.
    public func halve(_ source: PixelImage, times: Int, into destination: inout PixelImage) throws(MediaError) {
        if let problem = source.layoutProblem { throw .invalidImage(path: "frame", reason: problem) }
        precondition(times >= 0, "halvings can't be negative")
        halveChecked(source, times: times, into: &destination)
    }

    private func halveChecked(_ source: PixelImage, times: Int, into destination: inout PixelImage) {
        guard times > 0 else { return destination.overwrite(with: source) }
        if times == 1 { return Self.halve(source, into: &destination) }
        // Alternate between `halfway` and `destination` so that the last halving lands in `destination`.
        var from = source
        for step in 1...times {
            let isLast = step == times, intoHalfway = (times - step) % 2 == 1
            if isLast {
                Self.halve(from, into: &destination)
            } else if intoHalfway {
                Self.halve(from, into: &halfway)
                from = halfway
            } else {
                Self.halve(from, into: &destination)
                from = destination
            }
        }
    }

    /// One halving of `source` into `destination` (resized to fit if it has another size or format).
    private static func halve(_ source: PixelImage, into destination: inout PixelImage) {
        fit(&destination, width: HalfScale.half(source.width), height: HalfScale.half(source.height), format: source.format)
        source.pixels.withUnsafeBufferPointer { input in
            destination.pixels.withUnsafeMutableBufferPointer { output in
                HalfScale.halve(input.baseAddress!, width: source.width, height: source.height,
                                channels: source.format.bytesPerPixel, into: output.baseAddress!)
            }
        }
    }

    /// Gives `image` the size and format, keeping its storage when it has them already.
    private static func fit(_ image: inout PixelImage, width: Int, height: Int, format: PixelFormat) {
        if image.width != width || image.height != height || image.format != format
            || image.pixels.count != width * height * format.bytesPerPixel {
            image = PixelImage(width: width, height: height, format: format)
        }
    }

    /// The weighted sum of the source rows that make output row `y`, every byte of them, into `sums`.
    private static func sumRows(_ input: UnsafeBufferPointer<UInt8>, rowBytes: Int, axis: Axis, output y: Int,
                                into sums: UnsafeMutableBufferPointer<Float>) {
        guard let sum = sums.baseAddress, let base = input.baseAddress else { return }
        let first = axis.firsts[y]
        for tap in 0..<axis.counts[y] {
            let weight = axis.weights[y * axis.stride + tap]
            let from = base + (first + tap) * rowBytes
            if tap == 0 {
                for index in 0..<rowBytes { sum[index] = weight * Float(from[index]) }
            } else {
                for index in 0..<rowBytes { sum[index] += weight * Float(from[index]) }
            }
        }
    }

    /// A weighted sum of bytes (0...255 give or take rounding) as the nearest byte.
    @inline(__always)
    private static func byte(_ value: Float) -> UInt8 {
        UInt8(min(max(value + 0.5, 0), 255))
    }

    /// Combines `sums` (one row of every source column) column-wise into one output row.
    @inline(__always)
    private static func sumColumns(_ sums: UnsafeMutableBufferPointer<Float>, channels: Int, axis: Axis,
                                   into target: UnsafeMutableBufferPointer<UInt8>) {
        guard let sum = sums.baseAddress, let out = target.baseAddress else { return }
        axis.firsts.withUnsafeBufferPointer { firsts in
            axis.counts.withUnsafeBufferPointer { counts in
                axis.weights.withUnsafeBufferPointer { weights in
                    let stride = axis.stride
                    for x in 0..<firsts.count {
                        var red: Float = 0, green: Float = 0, blue: Float = 0, alpha: Float = 0
                        let from = sum + firsts[x] * channels
                        let taps = weights.baseAddress! + x * stride
                        for tap in 0..<counts[x] {
                            let weight = taps[tap], pixel = from + tap * channels
                            red += weight * pixel[0]
                            if channels > 1 {
                                green += weight * pixel[1]
                                blue += weight * pixel[2]
                                if channels > 3 { alpha += weight * pixel[3] }
                            }
                        }
                        let to = out + x * channels
                        to[0] = byte(red)
                        if channels > 1 {
                            to[1] = byte(green)
                            to[2] = byte(blue)
                            if channels > 3 { to[3] = byte(alpha) }
                        }
                    }
                }
            }
        }
    }
}
