import BackdropCore
import CFFmpeg

/// Small helpers shared by the FFmpeg-backed readers and writers.
enum FFmpeg {
    /// FFmpeg's text for an error code (`av_strerror`).
    static func message(for code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(AV_ERROR_MAX_STRING_SIZE) * 2)
        let found = buffer.withUnsafeMutableBufferPointer { av_strerror(code, $0.baseAddress, $0.count) }
        if found < 0 { return "unknown FFmpeg error" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// A `.ffmpeg` error for a failed call.
    static func error(_ operation: String, _ code: Int32) -> MediaError {
        .ffmpeg(operation: operation, code: code, message: message(for: code))
    }

    /// FFmpeg's name for a pixel format, e.g. "rgb24".
    static func name(of format: AVPixelFormat) -> String {
        av_get_pix_fmt_name(format).map { String(cString: $0) } ?? "pixel format \(format.rawValue)"
    }

    static let errorAgain = bd_averror_eagain()
    static let errorEndOfFile = bd_averror_eof()
    static let errorInvalidData = bd_averror_invaliddata()

    /// Every failure is reported as a `MediaError`, so FFmpeg's own log only repeats it on stderr:
    /// silence it once, before the first FFmpeg call. (The level is process-wide.)
    static let quietLogging: Void = { av_log_set_level(AV_LOG_QUIET) }()
}

extension PixelFormat {
    /// The FFmpeg pixel format with the same 8-bit packed layout.
    var avPixelFormat: AVPixelFormat {
        switch self {
        case .rgb: AV_PIX_FMT_RGB24
        case .rgba: AV_PIX_FMT_RGBA
        case .gray: AV_PIX_FMT_GRAY8
        }
    }
}
