import BackdropCore
import CFFmpeg

/// Resizes packed 8-bit images with libswscale (SIMD), into the caller's image: the inference
/// stage uses it to shrink frames to the processing size. Keeps one scaler for as long as the
/// sizes stay the same, so steady-state calls allocate nothing.
public final class ImageResizer {
    private var context: OpaquePointer?
    private var configured: (Int, Int, Int, Int, PixelFormat)?

    public init() {}

    deinit { sws_freeContext(context) }

    /// Writes `source` scaled to `width` x `height` into `destination` (same pixel format as the
    /// source; `destination` keeps its storage when it already has that size).
    public func resize(_ source: PixelImage, to width: Int, _ height: Int, into destination: inout PixelImage) throws(MediaError) {
        if let problem = source.layoutProblem { throw .invalidImage(path: "frame", reason: problem) }
        if destination.width != width || destination.height != height || destination.format != source.format
            || destination.pixels.count != width * height * source.format.bytesPerPixel {
            destination = PixelImage(width: width, height: height, format: source.format)
        }
        let wanted = (source.width, source.height, width, height, source.format)
        if context == nil || configured.map({ $0 != wanted }) ?? true {
            sws_freeContext(context)
            let format = source.format.avPixelFormat
            // Area averaging when shrinking (no aliasing in the model's input), bilinear when growing.
            let flags = width < source.width ? SWS_AREA : SWS_BILINEAR
            context = sws_getContext(Int32(source.width), Int32(source.height), format, Int32(width), Int32(height),
                                     format, flags, nil, nil, nil)
            configured = context == nil ? nil : wanted
        }
        guard let context else {
            throw .unsupported(path: "frame", reason: "libswscale cannot resize \(source.width)x\(source.height) to \(width)x\(height)")
        }
        let outputRowBytes = Int32(destination.bytesPerRow)
        let status = source.pixels.withUnsafeBufferPointer { input in
            destination.pixels.withUnsafeMutableBufferPointer { output in
                bd_sws_scale_packed_to_packed(context, input.baseAddress, Int32(source.bytesPerRow), Int32(source.height),
                                              output.baseAddress, outputRowBytes)
            }
        }
        if status < 0 { throw FFmpeg.error("resizing a frame (sws_scale)", status) }
    }
}
