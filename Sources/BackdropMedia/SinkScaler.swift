import BackdropCore
import CFFmpeg

/// The one libswscale context a sink keeps for its whole life, converting packed `PixelImage`
/// pixels straight from their array storage into an encoder's frame or into another packed buffer.
///
/// `sws_getCachedContext` hands back the same context while the input stays the same size and
/// format, so steady-state frames allocate nothing; a change of input format just rebuilds it.
final class SinkScaler {
    private var context: OpaquePointer?
    private var configured: (source: AVPixelFormat, target: AVPixelFormat, width: Int32, height: Int32)?
    private let fullRangeOutput: Bool

    /// `fullRangeOutput`: YUV output uses 0...255 (JPEG range) instead of 16...235; gray output is always
    /// full range, as gray images are.
    init(fullRangeOutput: Bool = false) {
        self.fullRangeOutput = fullRangeOutput
    }

    deinit { sws_freeContext(context) }

    /// Converts `image` (valid, same size as `frame`) into `frame`'s format and buffers.
    func convert(_ image: PixelImage, into frame: UnsafeMutablePointer<AVFrame>, name: String) throws(MediaError) {
        let target = AVPixelFormat(rawValue: frame.pointee.format)
        let scaler = try prepare(image, to: target, name: name)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            bd_sws_scale_packed_to_frame(scaler, pixels.baseAddress, Int32(image.bytesPerRow), Int32(image.height), frame)
        }
        if status < 0 { throw FFmpeg.error("converting a frame for \(name) (sws_scale)", status) }
    }

    /// Converts `image` (valid) into `output`, tightly packed in `format`; `output` must hold
    /// width x height x bytesPerPixel bytes.
    func convert(_ image: PixelImage, into output: UnsafeMutableRawBufferPointer, as format: PixelFormat,
                 name: String) throws(MediaError) {
        let scaler = try prepare(image, to: format.avPixelFormat, name: name)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            bd_sws_scale_packed_to_packed(scaler, pixels.baseAddress, Int32(image.bytesPerRow), Int32(image.height),
                                          output.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                          Int32(image.width * format.bytesPerPixel))
        }
        if status < 0 { throw FFmpeg.error("converting a frame for \(name) (sws_scale)", status) }
    }

    private func prepare(_ image: PixelImage, to target: AVPixelFormat, name: String) throws(MediaError) -> OpaquePointer {
        let source = image.format.avPixelFormat
        let width = Int32(image.width), height = Int32(image.height)
        if let context, let configured, configured.source == source, configured.target == target,
           configured.width == width, configured.height == height {
            return context
        }
        // Same-size conversions: the flags pick how 4:2:0 chroma is subsampled (area averaging,
        // not point sampling, which aliases) and keep exact RGB shuffles and gray copies exact.
        let flags = SWS_AREA | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP
        guard let scaler = sws_getCachedContext(context, width, height, source, width, height, target, flags, nil, nil, nil) else {
            throw .unsupported(path: name, reason: "libswscale cannot convert \(FFmpeg.name(of: source)) to \(FFmpeg.name(of: target))")
        }
        context = scaler
        configured = (source, target, width, height)
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
