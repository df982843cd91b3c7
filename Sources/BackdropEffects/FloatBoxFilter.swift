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
        let firstX = min(radius, width - 1)
        for y in 0..<height {
            let s = source + y * width, d = tmp + y * width
            var sum: Float = 0
            for x in 0...firstX { sum += s[x] }
            for x in 0..<width {
                d[x] = sum * invX[x]
                let add = x + radius + 1
                if add < width { sum += s[add] }
                let sub = x - radius
                if sub >= 0 { sum -= s[sub] }
            }
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
