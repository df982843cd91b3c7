import BackdropCore
import CPixelKernels

/// Shows a ``CropWindow`` of a frame at the frame's own size (bilinear), into the frame: the crop
/// is drawn into a buffer this object owns, which then trades places with the frame's (no copy
/// back, and no allocation once both are the frame's size).
final class FrameCropper {
    private var drawn: [UInt8] = []
    private var columnOffsets: [Int32] = []
    private var columnWeights: [UInt16] = []
    private var row: [UInt16] = []

    /// Replaces `image` with `window` of it (clamped into the frame). The whole frame is left as it is.
    func show(_ window: CropWindow, of image: inout PixelImage) {
        let width = image.width, height = image.height, channels = image.format.bytesPerPixel
        guard width >= 2, height >= 2, image.pixels.count == image.expectedByteCount else { return }
        let window = window.clamped(width: width, height: height)
        let (left, top) = window.origin(width: width, height: height)
        if window.zoom <= 1 + 1e-6 && abs(left) < 1e-3 && abs(top) < 1e-3 { return }
        if drawn.count != image.pixels.count { drawn = [UInt8](repeating: 0, count: image.pixels.count) }
        if columnOffsets.count != width {
            columnOffsets = [Int32](repeating: 0, count: width)
            columnWeights = [UInt16](repeating: 0, count: width)
        }
        if row.count != width * channels { row = [UInt16](repeating: 0, count: width * channels) }
        image.pixels.withUnsafeBufferPointer { source in
            drawn.withUnsafeMutableBufferPointer { out in
                columnOffsets.withUnsafeMutableBufferPointer { offsets in
                    columnWeights.withUnsafeMutableBufferPointer { weights in
                        row.withUnsafeMutableBufferPointer { row in
                            bd_crop_scale(source.baseAddress, Int32(width), Int32(height), Int32(channels), left, top, 1 / window.zoom,
                                          offsets.baseAddress, weights.baseAddress, row.baseAddress, out.baseAddress)
                        }
                    }
                }
            }
        }
        swap(&image.pixels, &drawn)
    }

    /// The addresses of the owned buffers, for tests that check they are reused.
    var storageAddresses: [UnsafeRawPointer?] {
        [drawn.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) },
         row.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }]
    }
}
