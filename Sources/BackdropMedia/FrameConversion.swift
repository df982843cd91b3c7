import BackdropCore
import CFFmpeg

/// Moves pixels between `PixelImage`, `AVFrame` and other FFmpeg pixel formats (libswscale).
/// Frames returned here belong to the caller, who frees them with `FrameConversion.free`.
enum FrameConversion {
    static func free(_ frame: UnsafeMutablePointer<AVFrame>) {
        var owned: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&owned)
    }

    /// A new frame with its own zeroed buffers, `width` x `height` in `format`.
    static func allocateFrame(width: Int32, height: Int32, format: AVPixelFormat,
                              operation: String) throws(MediaError) -> UnsafeMutablePointer<AVFrame> {
        guard let frame = av_frame_alloc() else { throw FFmpeg.error(operation, bd_averror(ENOMEM)) }
        frame.pointee.width = width
        frame.pointee.height = height
        frame.pointee.format = format.rawValue
        let status = av_frame_get_buffer(frame, 0)
        if status < 0 {
            free(frame)
            throw FFmpeg.error(operation, status)
        }
        bd_frame_zero_buffers(frame)
        return frame
    }

    /// A frame holding a copy of a valid (`layoutProblem == nil`) image.
    static func frame(from image: PixelImage, operation: String) throws(MediaError) -> UnsafeMutablePointer<AVFrame> {
        let frame = try allocateFrame(width: Int32(image.width), height: Int32(image.height),
                                      format: image.format.avPixelFormat, operation: operation)
        let rowBytes = image.bytesPerRow
        let stride = Int(frame.pointee.linesize.0)
        let planeStart = frame.pointee.data.0!
        image.pixels.withUnsafeBufferPointer { source in
            for row in 0..<image.height {
                (planeStart + row * stride).update(from: source.baseAddress! + row * rowBytes, count: rowBytes)
            }
        }
        return frame
    }

    /// The pixels of `frame` as a tightly packed image in `format`, converted if the frame is in another format.
    static func pixelImage(from frame: UnsafePointer<AVFrame>, as format: PixelFormat,
                           path: String) throws(MediaError) -> PixelImage {
        let target = format.avPixelFormat
        if frame.pointee.format == target.rawValue {
            return copyPlane(of: frame, as: format)
        }
        let converted = try convert(frame, to: target, path: path)
        defer { free(converted) }
        return copyPlane(of: converted, as: format)
    }

    /// A new frame with `frame`'s picture in `target` format, same size, converted by libswscale.
    ///
    /// Same-size conversions scale nothing; point sampling keeps every pixel as it is (subsampled
    /// chroma is repeated, not interpolated). Full-range YUV stays full range.
    static func convert(_ frame: UnsafePointer<AVFrame>, to target: AVPixelFormat,
                        path: String) throws(MediaError) -> UnsafeMutablePointer<AVFrame> {
        let source = AVPixelFormat(rawValue: frame.pointee.format)
        let width = frame.pointee.width, height = frame.pointee.height
        let scaler = try makeScaler(for: frame, to: target, path: path)
        defer { sws_freeContext(scaler) }
        let output = try allocateFrame(width: width, height: height, format: target, operation: "allocating a frame for \(path)")
        let status = bd_sws_scale_frame(scaler, frame, output)
        if status < 0 {
            free(output)
            throw FFmpeg.error("converting \(FFmpeg.name(of: source)) to \(FFmpeg.name(of: target)) for \(path) (sws_scale)", status)
        }
        return output
    }

    /// A libswscale context that converts frames like `frame` (its size, format, YUV range and
    /// matrix) to `target` at the same size, the way every conversion here does. Readers that
    /// convert many frames keep one; the caller frees it with `sws_freeContext`.
    static func makeScaler(for frame: UnsafePointer<AVFrame>, to target: AVPixelFormat,
                           path: String, exact: Bool = true) throws(MediaError) -> OpaquePointer {
        let source = AVPixelFormat(rawValue: frame.pointee.format)
        let width = frame.pointee.width, height = frame.pointee.height
        guard let descriptor = av_pix_fmt_desc_get(source) else {
            throw .unsupported(path: path, reason: "FFmpeg reports an unknown pixel format (\(source.rawValue))")
        }
        let isRGB = descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0
        // Point sampling: FFmpeg 5.1's interpolating filters combined with SWS_ACCURATE_RND smear
        // 4:2:0 chroma (about 25 dB against the source on a test card, versus 35 dB like this).
        // Video frames take libswscale's SIMD YUV-to-RGB path instead (exact: false): the precise flags
        // cost ~15 ms a 720p frame, the fast path ~1 ms, for a difference of a grey level or two.
        let flags = exact ? SWS_POINT | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP : SWS_BILINEAR
        guard let scaler = sws_getContext(width, height, source, width, height, target, flags, nil, nil, nil) else {
            throw .unsupported(path: path, reason: "libswscale cannot convert \(FFmpeg.name(of: source)) "
                + "to \(FFmpeg.name(of: target))")
        }
        if !isRGB && descriptor.pointee.nb_components >= 3 {
            keepYUVRange(of: frame, source: source, in: scaler)
        }
        return scaler
    }

    /// Tells libswscale the source's YUV range and matrix, which it cannot read from the frame itself.
    private static func keepYUVRange(of frame: UnsafePointer<AVFrame>, source: AVPixelFormat, in scaler: OpaquePointer) {
        let jpegFormats = [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P, AV_PIX_FMT_YUVJ411P]
        let fullRange = frame.pointee.color_range == AVCOL_RANGE_JPEG || jpegFormats.contains(source)
        let space = frame.pointee.colorspace
        let matrix = space == AVCOL_SPC_UNSPECIFIED || space == AVCOL_SPC_RGB ? SWS_CS_DEFAULT : Int32(space.rawValue)
        sws_setColorspaceDetails(scaler, sws_getCoefficients(matrix), fullRange ? 1 : 0,
                                 sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16)
    }

    /// Copies the first plane of a packed 8-bit frame row by row, dropping FFmpeg's row padding.
    private static func copyPlane(of frame: UnsafePointer<AVFrame>, as format: PixelFormat) -> PixelImage {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        let rowBytes = width * format.bytesPerPixel
        let stride = Int(frame.pointee.linesize.0)
        let planeStart = UnsafePointer(frame.pointee.data.0!)
        let pixels = [UInt8](unsafeUninitializedCapacity: rowBytes * height) { buffer, count in
            for row in 0..<height {
                (buffer.baseAddress! + row * rowBytes).initialize(from: planeStart + row * stride, count: rowBytes)
            }
            count = rowBytes * height
        }
        return PixelImage(width: width, height: height, format: format, pixels: pixels)
    }
}
