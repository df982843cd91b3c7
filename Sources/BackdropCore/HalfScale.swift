/// Halving and doubling an 8-bit interleaved image, for work that can be done at half the size:
/// inference on a large frame (`ImageResampler`'s exact 2x and 4x reductions), a background blur
/// (what it removes, fine detail, is what halving loses, at a quarter of the cost).
///
/// Both are integer-only, with fixed weights. Halving averages each 2x2 block (the last row or
/// column repeats when a side is odd). Doubling is bilinear with pixel centres at +0.5, so an
/// output pixel sits a quarter of a half-size pixel from its nearest source pixel: weights 3/4 and
/// 1/4 each way, edges clamped. Doubling then halving does not drift the image.
///
/// The loops are written once, `@inline(__always)`, and entered with a literal channel count, so
/// the compiler unrolls the channel loop for RGB and RGBA.
public enum HalfScale {
    /// The half size of a side: odd sides round up.
    public static func half(_ side: Int) -> Int { (side + 1) / 2 }

    /// Averages 2x2 blocks of `source` (`width` x `height`) into `destination` (`half(width)` x `half(height)`).
    public static func halve(_ source: UnsafePointer<UInt8>, width: Int, height: Int, channels: Int,
                             into destination: UnsafeMutablePointer<UInt8>) {
        switch channels {
        case 1: halve(source, width: width, height: height, into: destination, channels: 1)
        case 3: halve(source, width: width, height: height, into: destination, channels: 3)
        case 4: halve(source, width: width, height: height, into: destination, channels: 4)
        default: halve(source, width: width, height: height, into: destination, channels: channels)
        }
    }

    /// Bilinear doubling of `source` (`half(width)` x `half(height)`) into `destination` (`width` x
    /// `height`). `row` is scratch for one half-size row of 16-bit sums (`half(width) * channels`).
    public static func double(_ source: UnsafePointer<UInt8>, width: Int, height: Int, channels: Int,
                              into destination: UnsafeMutablePointer<UInt8>, row: UnsafeMutablePointer<UInt16>) {
        switch channels {
        case 3: double(source, width: width, height: height, into: destination, row: row, channels: 3)
        case 4: double(source, width: width, height: height, into: destination, row: row, channels: 4)
        default: double(source, width: width, height: height, into: destination, row: row, channels: channels)
        }
    }

    // Index arithmetic below wraps (&+, &*) rather than trapping on overflow: the sizes are
    // image sizes, far from Int's range, and the checks would keep the loops from being tight.

    /// Scratch for `halve`: one chunk of a row's horizontally paired averages, on the stack (a
    /// tuple of vectors: no allocation, and its size is known to the compiler).
    private struct PairedChunk {
        static let bytes = 128
        var storage = (SIMD64<UInt8>(), SIMD64<UInt8>())
    }

    /// Each output row in chunks: first the 2x2 average at every source byte position of the chunk
    /// (top and bottom row, this pixel and the next: one contiguous loop the compiler vectorises,
    /// computing twice the bytes needed), then every other pixel of that is kept (for RGB and RGBA
    /// by one 4-byte copy a pixel; RGB's fourth byte is overwritten by the next pixel, which is why
    /// the row's last pixel is left to the per-pixel tail). About 3x the per-pixel loop's speed.
    @inline(__always)
    private static func halve(_ source: UnsafePointer<UInt8>, width: Int, height: Int,
                              into destination: UnsafeMutablePointer<UInt8>, channels: Int) {
        let halfWidth = half(width), rowLength = width &* channels, pairs = width / 2
        let perChunk = PairedChunk.bytes / (2 &* channels)  // output pixels per chunk
        var chunk = PairedChunk()
        withUnsafeMutableBytes(of: &chunk.storage) { raw in
            let averages = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for y in 0..<half(height) {
                let top = source + 2 &* y &* rowLength
                let bottom = source + min(2 &* y &+ 1, height &- 1) &* rowLength
                let out = destination + y &* halfWidth &* channels
                var x = 0
                while perChunk > 0 && x &+ perChunk < pairs {  // `<`: the last pair goes to the tail
                    let upper = top + 2 &* x &* channels, lower = bottom + 2 &* x &* channels
                    for i in 0..<(2 &* perChunk &* channels) {
                        let sum = UInt16(upper[i]) &+ UInt16(upper[i &+ channels]) &+ UInt16(lower[i]) &+ UInt16(lower[i &+ channels])
                        averages[i] = UInt8(truncatingIfNeeded: (sum &+ 2) >> 2)
                    }
                    let to = out + x &* channels
                    if channels == 3 || channels == 4 {
                        for k in 0..<perChunk {
                            let pixel = UnsafeRawPointer(averages + 2 &* k &* channels).loadUnaligned(as: UInt32.self)
                            UnsafeMutableRawPointer(to + k &* channels).storeBytes(of: pixel, as: UInt32.self)
                        }
                    } else {
                        for k in 0..<perChunk {
                            for c in 0..<channels { to[k &* channels &+ c] = averages[2 &* k &* channels &+ c] }
                        }
                    }
                    x &+= perChunk
                }
                while x < halfWidth {
                    let left = 2 &* x &* channels
                    let right = 2 &* x &+ 1 < width ? left &+ channels : left  // an odd width repeats its last column
                    let o = x &* channels
                    for c in 0..<channels {
                        let sum = UInt16(top[left &+ c]) &+ UInt16(top[right &+ c]) &+ UInt16(bottom[left &+ c]) &+ UInt16(bottom[right &+ c])
                        out[o &+ c] = UInt8(truncatingIfNeeded: (sum &+ 2) >> 2)
                    }
                    x &+= 1
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
