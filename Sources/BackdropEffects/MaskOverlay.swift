import BackdropCore

/// Tints the pixels a confidence mask marks, in place: a quick way to see what the segmenter found.
public enum MaskOverlay {
    /// Blends `color` into each pixel of `image` by `opacity` times the mask's confidence there.
    /// The mask must have the image's size.
    public static func apply(_ mask: ConfidenceMask, to image: inout PixelImage,
                             color: (UInt8, UInt8, UInt8) = (0, 200, 80), opacity: Float = 0.5) {
        precondition(mask.width == image.width && mask.height == image.height, "mask and image sizes differ")
        precondition(image.format != .gray, "mask overlay needs a colour image")
        let channels = image.format.bytesPerPixel
        let tint = SIMD3<Float>(Float(color.0), Float(color.1), Float(color.2))
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            mask.values.withUnsafeBufferPointer { confidence in
                for index in 0..<confidence.count {
                    let weight = max(0, min(1, confidence[index])) * opacity
                    guard weight > 0 else { continue }
                    let base = index * channels
                    for channel in 0..<3 {
                        let value = Float(pixels[base + channel])
                        pixels[base + channel] = UInt8(clamping: Int((value + (tint[channel] - value) * weight).rounded()))
                    }
                }
            }
        }
    }
}
