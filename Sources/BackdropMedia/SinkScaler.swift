import BackdropCore
import CFFmpeg

/// The one libswscale context a sink keeps for its whole life, converting packed `PixelImage`
/// pixels straight from their array storage into an encoder's frame or into another packed buffer.
///
/// `sws_getCachedContext` hands back the same context while the input stays the same size and
/// format, so steady-state frames allocate nothing; a change of input format just rebuilds it.
/// A frame smaller than the image gets the image shrunk to fit (the preview encoder's downscale).
final class SinkScaler {
    private var context: OpaquePointer?
    private var configured: (source: AVPixelFormat, target: AVPixelFormat, width: Int32, height: Int32,
                             targetWidth: Int32, targetHeight: Int32)?
    private let fullRangeOutput: Bool

    /// `fullRangeOutput`: YUV output uses 0...255 (JPEG range) instead of 16...235; gray output is always
    /// full range, as gray images are.
    init(fullRangeOutput: Bool = false) {
        self.fullRangeOutput = fullRangeOutput
    }

    deinit { sws_freeContext(context) }

    /// Converts `image` (valid) into `frame`'s format and buffers, scaled to `frame`'s size.
    func convert(_ image: PixelImage, into frame: UnsafeMutablePointer<AVFrame>, name: String) throws(MediaError) {
        let target = AVPixelFormat(rawValue: frame.pointee.format)
        let scaler = try prepare(image, to: target, width: frame.pointee.width, height: frame.pointee.height, name: name)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            bd_sws_scale_packed_to_frame(scaler, pixels.baseAddress, Int32(image.bytesPerRow), Int32(image.height), frame)
        }
        if status < 0 { throw FFmpeg.error("converting a frame for \(name) (sws_scale)", status) }
    }

    /// Converts `image` (valid) into `output`, tightly packed in `format`; `output` must hold
    /// width x height x bytesPerPixel bytes.
    func convert(_ image: PixelImage, into output: UnsafeMutableRawBufferPointer, as format: PixelFormat,
                 name: String) throws(MediaError) {
        let scaler = try prepare(image, to: format.avPixelFormat, width: Int32(image.width), height: Int32(image.height), name: name)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            bd_sws_scale_packed_to_packed(scaler, pixels.baseAddress, Int32(image.bytesPerRow), Int32(image.height),
                                          output.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                          Int32(image.width * format.bytesPerPixel))
        }
        if status < 0 { throw FFmpeg.error("converting a frame for \(name) (sws_scale)", status) }
    }

    private func prepare(_ image: PixelImage, to target: AVPixelFormat, width targetWidth: Int32, height targetHeight: Int32,
                         name: String) throws(MediaError) -> OpaquePointer {
        let source = image.format.avPixelFormat
        let width = Int32(image.width), height = Int32(image.height)
        if let context, let configured, configured.source == source, configured.target == target,
           configured.width == width, configured.height == height,
           configured.targetWidth == targetWidth, configured.targetHeight == targetHeight {
            return context
        }
        // Area averaging: how 4:2:0 chroma is subsampled (point sampling aliases) and how a preview
        // shrinks; same-size RGB shuffles and gray copies stay exact.
        let flags = SWS_AREA | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP
        guard let scaler = sws_getCachedContext(context, width, height, source, targetWidth, targetHeight, target,
                                                flags, nil, nil, nil) else {
            throw .unsupported(path: name, reason: "libswscale cannot convert \(FFmpeg.name(of: source)) \(width)x\(height) "
                + "to \(FFmpeg.name(of: target)) \(targetWidth)x\(targetHeight)")
        }
        context = scaler
        configured = (source, target, width, height, targetWidth, targetHeight)
        // Gray input is full-range luma; YUV output is limited range unless asked otherwise. BT.601
        // coefficients both ways (the encoders tag their streams to match).
        let sourceFull: Int32 = 1
        let targetIsGray = target == AV_PIX_FMT_GRAY8
        let targetFull: Int32 = fullRangeOutput || targetIsGray ? 1 : 0
        let coefficients = sws_getCoefficients(SWS_CS_ITU601)
        sws_setColorspaceDetails(scaler, coefficients, sourceFull, coefficients, targetFull, 0, 1 << 16, 1 << 16)
        return scaler
    }
}
