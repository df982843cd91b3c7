/// The per-pixel blend every background effect ends with, kept in one place so they all treat the
/// mask the same way: `frame = frame * w + other * (256 - w)` with `w` from a `MatteTable`.
/// Pixels with `w == 256` (the person's interior) are not touched at all, and with `w == 0` take the
/// other pixel exactly. Only the three colour channels are blended; alpha stays the frame's.
enum Compositing {
    /// Blends `other` (an image laid out like the frame) under the frame.
    @inline(__always)
    static func blend(frame: UnsafeMutablePointer<UInt8>, other: UnsafePointer<UInt8>, mask: UnsafePointer<Float>,
                      pixelCount: Int, channels: Int, table: MatteTable) {
        for i in 0..<pixelCount {
            let w = table.weight(mask[i])
            if w == 256 { continue }
            let base = i * channels
            let inverse = 256 - w
            for c in 0..<3 {
                let value = Int32(frame[base + c]) &* w &+ Int32(other[base + c]) &* inverse &+ 128
                frame[base + c] = UInt8(truncatingIfNeeded: value >> 8)
            }
        }
    }

    /// Blends a solid colour under the frame.
    @inline(__always)
    static func blend(frame: UnsafeMutablePointer<UInt8>, color: (UInt8, UInt8, UInt8), mask: UnsafePointer<Float>,
                      pixelCount: Int, channels: Int, table: MatteTable) {
        let red = Int32(color.0), green = Int32(color.1), blue = Int32(color.2)
        for i in 0..<pixelCount {
            let w = table.weight(mask[i])
            if w == 256 { continue }
            let base = i * channels
            let inverse = 256 - w
            frame[base] = UInt8(truncatingIfNeeded: (Int32(frame[base]) &* w &+ red &* inverse &+ 128) >> 8)
            frame[base + 1] = UInt8(truncatingIfNeeded: (Int32(frame[base + 1]) &* w &+ green &* inverse &+ 128) >> 8)
            frame[base + 2] = UInt8(truncatingIfNeeded: (Int32(frame[base + 2]) &* w &+ blue &* inverse &+ 128) >> 8)
        }
    }
}
