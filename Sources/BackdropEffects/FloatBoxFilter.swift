/// A mean filter over a square window on a Float plane, in O(1) per pixel whatever the radius:
/// a running sum along each row, then a running sum down the columns.
///
/// The window is cut off at the borders and the mean taken over the pixels that remain (the
/// normalisation the guided filter's formulas assume). Source and destination may be the same
/// plane. The filter owns its intermediate plane and column sums, sized on first use.
final class FloatBoxFilter {
    private let rows = ScratchBuffer<Float>()
    private let columns = ScratchBuffer<Float>()
    private let inverseCountX = ScratchBuffer<Float>()
    private let inverseCountY = ScratchBuffer<Float>()
    private var tableWidth = -1, tableHeight = -1, tableRadius = -1

    func mean(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
              width: Int, height: Int, radius: Int) {
        guard width > 0, height > 0 else { return }
        let radius = max(0, radius)
        prepare(width: width, height: height, radius: radius)
        let tmp = rows.pointer, acc = columns.pointer
        let invX = inverseCountX.pointer, invY = inverseCountY.pointer

        // Along rows: source -> tmp.
        if radius <= Self.directRadiusLimit && width > 2 * radius {
            for y in 0..<height { Self.directRow(source + y * width, into: tmp + y * width, width: width, radius: radius, inverseCount: invX) }
        } else {
            for y in 0..<height { Self.runningRow(source + y * width, into: tmp + y * width, width: width, radius: radius, inverseCount: invX) }
        }

        // Down columns: tmp -> destination, one row at a time so the inner loops vectorise.
        acc.update(repeating: 0, count: width)
        for y in 0...min(radius, height - 1) {
            let s = tmp + y * width
            for x in 0..<width { acc[x] += s[x] }
        }
        for y in 0..<height {
            let d = destination + y * width
            let scale = invY[y]
            for x in 0..<width { d[x] = acc[x] * scale }
            let add = y + radius + 1, sub = y - radius
            if add < height {
                let a = tmp + add * width
                for x in 0..<width { acc[x] += a[x] }
            }
            if sub >= 0 {
                let s = tmp + sub * width
                for x in 0..<width { acc[x] -= s[x] }
            }
        }
    }

    /// Up to this radius a row is summed window by window (2r + 1 adds a pixel, but each add a
    /// vector operation over the whole row) rather than as a running sum, whose one add after
    /// another cannot be vectorised: several times faster for the small radii of feathering.
    static let directRadiusLimit = 4

    /// The window sums of one row with a running sum: O(1) a pixel, any radius.
    @inline(__always)
    private static func runningRow(_ s: UnsafePointer<Float>, into d: UnsafeMutablePointer<Float>, width: Int,
                                   radius: Int, inverseCount invX: UnsafePointer<Float>) {
        var sum: Float = 0
        for x in 0...min(radius, width - 1) { sum += s[x] }
        for x in 0..<width {
            d[x] = sum * invX[x]
            let add = x + radius + 1
            if add < width { sum += s[add] }
            let sub = x - radius
            if sub >= 0 { sum -= s[sub] }
        }
    }

    /// The window sums of one row, the interior (whole windows) as 2r + 1 shifted vector adds;
    /// the `radius` pixels at each end, whose windows are cut off, one by one. Needs width > 2r.
    @inline(__always)
    private static func directRow(_ s: UnsafePointer<Float>, into d: UnsafeMutablePointer<Float>, width: Int,
                                  radius: Int, inverseCount invX: UnsafePointer<Float>) {
        let interior = width &- 2 &* radius  // pixels radius ..< width - radius
        let out = d + radius
        out.update(from: s, count: interior)  // the window's first column, s[x - radius]
        for k in 1..<(2 &* radius &+ 1) {
            let shifted = s + k
            for x in 0..<interior { out[x] += shifted[x] }
        }
        let scale = invX + radius
        for x in 0..<interior { out[x] *= scale[x] }
        for x in 0..<radius {
            d[x] = windowSum(s, from: 0, to: x &+ radius) * invX[x]
            let right = width &- 1 &- x
            d[right] = windowSum(s, from: right &- radius, to: width &- 1) * invX[right]
        }
    }

    @inline(__always)
    private static func windowSum(_ s: UnsafePointer<Float>, from: Int, to: Int) -> Float {
        var sum: Float = 0
        for x in from...to { sum += s[x] }
        return sum
    }

    /// Sizes the scratch and the 1/count tables (the window shrinks near the borders).
    private func prepare(width: Int, height: Int, radius: Int) {
        rows.reserve(width * height)
        columns.reserve(width)
        guard width != tableWidth || height != tableHeight || radius != tableRadius else { return }
        inverseCountX.reserve(width)
        inverseCountY.reserve(height)
        for x in 0..<width {
            inverseCountX.pointer[x] = 1 / Float(min(x + radius, width - 1) - max(x - radius, 0) + 1)
        }
        for y in 0..<height {
            inverseCountY.pointer[y] = 1 / Float(min(y + radius, height - 1) - max(y - radius, 0) + 1)
        }
        tableWidth = width; tableHeight = height; tableRadius = radius
    }

    var addresses: [UnsafeRawPointer] { [rows.address, columns.address] }
}
