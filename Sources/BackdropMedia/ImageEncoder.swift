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
        let codec = try PictureCodec(codecID: codecID, width: frame.pointee.width, height: frame.pointee.height,
                                     pixelFormat: AVPixelFormat(rawValue: frame.pointee.format), jpegQuality: jpegQuality,
                                     name: path)
        var bytes: [UInt8] = []
        try codec.encode(frame, appendingTo: &bytes)
        return bytes
    }
}
