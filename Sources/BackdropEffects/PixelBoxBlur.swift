/// An approximate Gaussian blur of an 8-bit interleaved image: three box passes along the rows,
/// then three down the columns (by the central limit theorem three boxes are within a few percent
/// of a Gaussian), each a running sum so the cost does not grow with the radius.
///
/// Integer math throughout: sums in 32 bits, the division by the window a multiply by a 16-bit
/// fixed-point reciprocal. Edges repeat the border pixel, so every window has the full count.
/// Rows are blurred in two padded row buffers that stay in cache; columns go through one image-
/// sized intermediate with a running sum per column (inner loops over a whole row vectorise).
final class PixelBoxBlur {
    private let intermediate = ScratchBuffer<UInt8>()
    private let paddedA = ScratchBuffer<UInt8>(), paddedB = ScratchBuffer<UInt8>()
    private let columnSums = ScratchBuffer<UInt32>()

    /// Blurs `source` into `destination` (both `width * height * channels` bytes, not overlapping)
    /// with three box passes of radius `boxRadius` each way.
    func blur(_ source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>,
              width: Int, height: Int, channels: Int, boxRadius: Int) {
        let rowLength = width * channels
        guard width > 0, height > 0, boxRadius > 0 else {
            destination.update(from: source, count: rowLength * height)
            return
        }
        let r = min(boxRadius, Self.maximumBoxRadius)
        intermediate.reserve(rowLength * height)
        paddedA.reserve((width + 2 * r + 1) * channels)
        paddedB.reserve((width + 2 * r + 1) * channels)
        columnSums.reserve(rowLength)
        let reciprocal = UInt32((65536 + r) / (2 * r + 1))  // round(65536 / (2r + 1))

        // Three passes along each row, source -> intermediate.
        let a = paddedA.pointer, b = paddedB.pointer, mid = intermediate.pointer
        for y in 0..<height {
            let line = source + y * rowLength
            (a + r * channels).update(from: line, count: rowLength)
            Self.padEdges(a, width: width, channels: channels, radius: r)
            Self.boxRow(a, into: b + r * channels, width: width, channels: channels, radius: r, reciprocal: reciprocal)
            Self.padEdges(b, width: width, channels: channels, radius: r)
            Self.boxRow(b, into: a + r * channels, width: width, channels: channels, radius: r, reciprocal: reciprocal)
            Self.padEdges(a, width: width, channels: channels, radius: r)
            Self.boxRow(a, into: mid + y * rowLength, width: width, channels: channels, radius: r, reciprocal: reciprocal)
        }
        // Three passes down the columns: intermediate -> destination -> intermediate -> destination.
        boxColumns(mid, into: destination, rowLength: rowLength, height: height, radius: r, reciprocal: reciprocal)
        boxColumns(destination, into: mid, rowLength: rowLength, height: height, radius: r, reciprocal: reciprocal)
        boxColumns(mid, into: destination, rowLength: rowLength, height: height, radius: r, reciprocal: reciprocal)
    }

    /// Above this the fixed-point mean of a full-white window could round to 256.
    static let maximumBoxRadius = 127

    var addresses: [UnsafeRawPointer] { [intermediate.address, paddedA.address, paddedB.address, columnSums.address] }

    /// Repeats the first and last pixel of the row held at `row + radius * channels` into the
    /// `radius` pixels either side.
    @inline(__always)
    private static func padEdges(_ row: UnsafeMutablePointer<UInt8>, width: Int, channels: Int, radius: Int) {
        let first = row + radius * channels, last = row + (radius + width - 1) * channels
        for i in 0..<radius {
            for c in 0..<channels {
                row[i * channels + c] = first[c]
                row[(radius + width + i) * channels + c] = last[c]
            }
        }
    }

    /// One box pass along a padded row: output pixel x averages padded pixels x ... x + 2r.
    @inline(__always)
    private static func boxRow(_ padded: UnsafePointer<UInt8>, into out: UnsafeMutablePointer<UInt8>,
                               width: Int, channels: Int, radius: Int, reciprocal: UInt32) {
        let span = 2 * radius + 1
        switch channels {
        case 3:
            var s0: UInt32 = 0, s1: UInt32 = 0, s2: UInt32 = 0
            for k in 0..<span {
                s0 &+= UInt32(padded[k * 3]); s1 &+= UInt32(padded[k * 3 + 1]); s2 &+= UInt32(padded[k * 3 + 2])
            }
            for x in 0..<width {
                let o = x * 3
                out[o] = UInt8(truncatingIfNeeded: (s0 &* reciprocal &+ 32768) >> 16)
                out[o + 1] = UInt8(truncatingIfNeeded: (s1 &* reciprocal &+ 32768) >> 16)
                out[o + 2] = UInt8(truncatingIfNeeded: (s2 &* reciprocal &+ 32768) >> 16)
                let add = (x + span) * 3
                s0 = s0 &+ UInt32(padded[add]) &- UInt32(padded[o])
                s1 = s1 &+ UInt32(padded[add + 1]) &- UInt32(padded[o + 1])
                s2 = s2 &+ UInt32(padded[add + 2]) &- UInt32(padded[o + 2])
            }
        default:
            for c in 0..<channels {
                var sum: UInt32 = 0
                for k in 0..<span { sum &+= UInt32(padded[k * channels + c]) }
                for x in 0..<width {
                    out[x * channels + c] = UInt8(truncatingIfNeeded: (sum &* reciprocal &+ 32768) >> 16)
                    sum = sum &+ UInt32(padded[(x + span) * channels + c]) &- UInt32(padded[x * channels + c])
                }
            }
        }
    }

    /// One box pass down the columns with edge rows repeated.
    private func boxColumns(_ source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>,
                            rowLength: Int, height: Int, radius: Int, reciprocal: UInt32) {
        let sums = columnSums.pointer
        let firstRow = source
        for i in 0..<rowLength { sums[i] = UInt32(firstRow[i]) &* UInt32(radius + 1) }
        for k in 1...radius {
            let row = source + min(k, height - 1) * rowLength
            for i in 0..<rowLength { sums[i] &+= UInt32(row[i]) }
        }
        for y in 0..<height {
            let out = destination + y * rowLength
            let add = source + min(y + radius + 1, height - 1) * rowLength
            let sub = source + max(y - radius, 0) * rowLength
            for i in 0..<rowLength {
                let sum = sums[i]
                out[i] = UInt8(truncatingIfNeeded: (sum &* reciprocal &+ 32768) >> 16)
                sums[i] = sum &+ UInt32(add[i]) &- UInt32(sub[i])
            }
        }
    }
}
