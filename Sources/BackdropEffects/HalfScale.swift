/// Halving and doubling an 8-bit interleaved image, for effects that can work at half the size
/// (a background blur: what it removes, fine detail, is what halving loses, at a quarter of the cost).
///
/// Both are integer-only, with fixed weights. Halving averages each 2x2 block (the last row or
/// column repeats when a side is odd). Doubling is bilinear with pixel centres at +0.5, so an
/// output pixel sits a quarter of a half-size pixel from its nearest source pixel: weights 3/4 and
/// 1/4 each way, edges clamped. Doubling then halving does not drift the image.
///
/// The loops are written once, `@inline(__always)`, and entered with a literal channel count, so
/// the compiler unrolls the channel loop for RGB and RGBA.
enum HalfScale {
    /// The half size of a side: odd sides round up.
    static func half(_ side: Int) -> Int { (side + 1) / 2 }

    /// Averages 2x2 blocks of `source` (`width` x `height`) into `destination` (`half(width)` x `half(height)`).
    static func halve(_ source: UnsafePointer<UInt8>, width: Int, height: Int, channels: Int,
                      into destination: UnsafeMutablePointer<UInt8>) {
        switch channels {
        case 3: halve(source, width: width, height: height, into: destination, channels: 3)
        case 4: halve(source, width: width, height: height, into: destination, channels: 4)
        default: halve(source, width: width, height: height, into: destination, channels: channels)
        }
    }

    /// Bilinear doubling of `source` (`half(width)` x `half(height)`) into `destination` (`width` x
    /// `height`). `row` is scratch for one half-size row of 16-bit sums (`half(width) * channels`).
    static func double(_ source: UnsafePointer<UInt8>, width: Int, height: Int, channels: Int,
                       into destination: UnsafeMutablePointer<UInt8>, row: UnsafeMutablePointer<UInt16>) {
        switch channels {
        case 3: double(source, width: width, height: height, into: destination, row: row, channels: 3)
        case 4: double(source, width: width, height: height, into: destination, row: row, channels: 4)
        default: double(source, width: width, height: height, into: destination, row: row, channels: channels)
        }
    }

    // Index arithmetic below wraps (&+, &*) rather than trapping on overflow: the sizes are
    // image sizes, far from Int's range, and the checks would keep the loops from being tight.

    @inline(__always)
    private static func halve(_ source: UnsafePointer<UInt8>, width: Int, height: Int,
                              into destination: UnsafeMutablePointer<UInt8>, channels: Int) {
        let halfWidth = half(width), rowLength = width &* channels
        for y in 0..<half(height) {
            let top = source + 2 &* y &* rowLength
            let bottom = source + min(2 &* y &+ 1, height &- 1) &* rowLength
            let out = destination + y &* halfWidth &* channels
            for x in 0..<halfWidth {
                let left = 2 &* x &* channels
                let right = 2 &* x &+ 1 < width ? left &+ channels : left  // an odd width repeats its last column
                let o = x &* channels
                for c in 0..<channels {
                    let sum = UInt16(top[left &+ c]) &+ UInt16(top[right &+ c]) &+ UInt16(bottom[left &+ c]) &+ UInt16(bottom[right &+ c])
                    out[o &+ c] = UInt8(truncatingIfNeeded: (sum &+ 2) >> 2)
                }
            }
        }
    }

    @inline(__always)
    private static func double(_ source: UnsafePointer<UInt8>, width: Int, height: Int,
                               into destination: UnsafeMutablePointer<UInt8>, row: UnsafeMutablePointer<UInt16>,
                               channels: Int) {
        let halfWidth = half(width), halfHeight = half(height), halfRow = halfWidth &* channels
        for y in 0..<height {
            // Output row y sits at half-size position y/2 - 1/4: 3/4 of its nearest row, 1/4 of the next one out.
            let near = y >> 1
            let far = y & 1 == 0 ? max(near &- 1, 0) : min(near &+ 1, halfHeight &- 1)
            let nearRow = source + near &* halfRow, farRow = source + far &* halfRow
            for i in 0..<halfRow { row[i] = 3 &* UInt16(nearRow[i]) &+ UInt16(farRow[i]) }  // x4
            // Output columns 2i and 2i + 1 both sit nearest half-size column i, then i - 1 and i + 1.
            let out = destination + y &* width &* channels
            for i in 0..<halfWidth {
                let centre = i &* channels
                let left = i > 0 ? centre &- channels : centre
                let right = i &+ 1 < halfWidth ? centre &+ channels : centre
                let even = centre &* 2, odd = even &+ channels
                let hasOdd = 2 &* i &+ 1 < width  // an odd width has no pixel after the last centre
                for c in 0..<channels {
                    let weighted = 3 &* row[centre &+ c] &+ 8  // x16 in all, at most 4088
                    out[even &+ c] = UInt8(truncatingIfNeeded: (weighted &+ row[left &+ c]) >> 4)
                    if hasOdd { out[odd &+ c] = UInt8(truncatingIfNeeded: (weighted &+ row[right &+ c]) >> 4) }
                }
            }
        }
    }
}
