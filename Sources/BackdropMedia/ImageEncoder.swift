import BackdropCore
import CFFmpeg

/// Encodes one picture to the bytes of a PNG or JPEG file with libavcodec.
enum ImageEncoder {
    /// `image` must be valid (`layoutProblem == nil`); `jpegQuality` (1...100) is used for JPEG only.
    static func encode(_ image: PixelImage, as type: ImageFileType, jpegQuality: Int,
                       path: String) throws(MediaError) -> [UInt8] {
        _ = FFmpeg.quietLogging
        let source = try FrameConversion.frame(from: image, operation: "copying the image for \(path)")
        defer { FrameConversion.free(source) }
        switch type {
        case .png:
            // The PNG encoder takes rgb24, rgba and gray8 as they are: lossless.
            return try encode(source, codecID: AV_CODEC_ID_PNG, jpegQuality: nil, path: path)
        case .jpeg:
            // JPEG stores full-range YCbCr; 4:4:4 keeps colour edges sharp. Alpha is dropped.
            let yuv = try FrameConversion.convert(source, to: AV_PIX_FMT_YUVJ444P, path: path)
            defer { FrameConversion.free(yuv) }
            yuv.pointee.color_range = AVCOL_RANGE_JPEG
            return try encode(yuv, codecID: AV_CODEC_ID_MJPEG, jpegQuality: jpegQuality, path: path)
        }
    }

    private static func encode(_ frame: UnsafeMutablePointer<AVFrame>, codecID: AVCodecID, jpegQuality: Int?,
                               path: String) throws(MediaError) -> [UInt8] {
        let codecName = String(cString: avcodec_get_name(codecID))
        guard let encoder = avcodec_find_encoder(codecID) else {
            throw .unsupported(path: path, reason: "this FFmpeg build has no \(codecName) encoder")
        }
        var codecContext = avcodec_alloc_context3(encoder)
        guard let codec = codecContext else { throw FFmpeg.error("allocating the \(codecName) encoder for \(path)", bd_averror(ENOMEM)) }
        defer { avcodec_free_context(&codecContext) }

        codec.pointee.width = frame.pointee.width
        codec.pointee.height = frame.pointee.height
        codec.pointee.pix_fmt = AVPixelFormat(rawValue: frame.pointee.format)
        codec.pointee.time_base = AVRational(num: 1, den: 1)
        codec.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)  // also makes MJPEG write a JFIF header
        if let quality = jpegQuality {
            // Quality 100 -> quantiser 1 (finest), 1 -> 31 (coarsest), as a fixed quantiser for the one frame.
            let quantiser = 1 + (100 - Int32(quality)) * 30 / 99
            codec.pointee.flags |= AV_CODEC_FLAG_QSCALE
            codec.pointee.global_quality = FF_QP2LAMBDA * quantiser
            codec.pointee.qmin = 1
            codec.pointee.qmax = 31
            codec.pointee.color_range = AVCOL_RANGE_JPEG
            frame.pointee.quality = codec.pointee.global_quality
        } else {
            av_opt_set(codec.pointee.priv_data, "pred", "mixed", 0)  // smaller PNGs, same pixels
        }
        frame.pointee.pts = 0

        let opened = avcodec_open2(codec, encoder, nil)
        if opened < 0 { throw FFmpeg.error("opening the \(codecName) encoder for \(path) (avcodec_open2)", opened) }
        let sent = avcodec_send_frame(codec, frame)
        if sent < 0 { throw FFmpeg.error("encoding \(path) as \(codecName) (avcodec_send_frame)", sent) }
        let flushed = avcodec_send_frame(codec, nil)
        if flushed < 0 { throw FFmpeg.error("encoding \(path) as \(codecName) (flush)", flushed) }

        var packet = av_packet_alloc()
        guard let chunk = packet else { throw FFmpeg.error("allocating a packet for \(path)", bd_averror(ENOMEM)) }
        defer { av_packet_free(&packet) }
        var bytes: [UInt8] = []
        while true {
            let received = avcodec_receive_packet(codec, chunk)
            if received == FFmpeg.errorEndOfFile { break }
            if received < 0 { throw FFmpeg.error("encoding \(path) as \(codecName) (avcodec_receive_packet)", received) }
            bytes.append(contentsOf: UnsafeBufferPointer(start: chunk.pointee.data, count: Int(chunk.pointee.size)))
            av_packet_unref(chunk)
        }
        if bytes.isEmpty { throw FFmpeg.error("encoding \(path) as \(codecName): the encoder produced no data", FFmpeg.errorEndOfFile) }
        return bytes
    }
}
