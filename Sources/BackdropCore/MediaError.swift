/// Everything that can go wrong reading or writing media. Each case's description names the file,
/// the cause and what to do.
///
/// It lives in BackdropCore because `VideoSource` and `VideoSink` throw it: a source or sink an app
/// writes on another framework (AVFoundation, GStreamer) reports its failures in the same terms.
/// Some descriptions name FFmpeg: BackdropMedia's sources and sinks are FFmpeg's.
public enum MediaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing exists at the path.
    case fileNotFound(path: String)
    /// The file exists but FFmpeg found no picture in it (not an image, truncated, a directory).
    case notAnImage(path: String, reason: String)
    /// A file type, codec, pixel layout or option this code does not handle.
    case unsupported(path: String, reason: String)
    /// The image handed to a writer cannot be encoded (its `layoutProblem`).
    case invalidImage(path: String, reason: String)
    /// The file could not be created, written or renamed into place. Any earlier file at the path is unchanged.
    case writeFailed(path: String, reason: String)
    /// The input opened but holds no video FFmpeg can decode (a text file, audio only, garbage).
    case notVideo(path: String, reason: String)
    /// A camera that is absent, busy or not permitted. `reason` says which and what to do.
    case deviceUnavailable(path: String, reason: String)
    /// A network stream could not be opened (refused, timed out, not found on the server).
    case streamUnavailable(url: String, reason: String)
    /// A live stream or camera stopped and could not be reopened within its reconnect policy.
    case streamLost(path: String, attempts: Int, reason: String)
    /// A network input sent nothing for `seconds` (while opening it, before its first frame, or
    /// while reading it), so it gave up instead of hanging. `stage` says when.
    case inputTimedOut(url: String, seconds: Double, stage: String)
    /// A stop was requested (`SourceOptions.stopRequest`: Ctrl-C, SIGTERM in the CLI) while the input was opening
    /// or waiting to reconnect; nothing is wrong with it.
    case interrupted(path: String, stage: String)
    /// A file that set-up provides (a test photo, a model) is missing.
    case setupFileMissing(path: String, what: String)
    /// Any other FFmpeg failure, with FFmpeg's error code and message. `operation` names the call and the file.
    case ffmpeg(operation: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case let .fileNotFound(path):
            return "no file at \(path). Check the path (relative paths start at the current directory)."
        case let .notAnImage(path, reason):
            return "\(path) is not an image FFmpeg can read: \(reason). Pass a PNG or JPEG file; "
                + "if it should be one, it may be truncated or damaged (check it with `ffprobe \(path)`)."
        case let .unsupported(path, reason):
            return "cannot handle \(path): \(reason)."
        case let .invalidImage(path, reason):
            return "cannot write \(path): the image is invalid: \(reason). "
                + "Its pixels must hold width x height x bytesPerPixel bytes. Any earlier file at the path is unchanged."
        case let .writeFailed(path, reason):
            return "could not write \(path): \(reason). Check that the folder exists, is writable and has free space. "
                + "Any earlier file at the path is unchanged."
        case let .notVideo(path, reason):
            return "\(path) is not a video FFmpeg can read: \(reason). Pass a video file, an image sequence "
                + "pattern (frames/%04d.png), a stream URL or a camera (/dev/videoN); `ffprobe \(path)` shows what FFmpeg sees."
        case let .deviceUnavailable(path, reason):
            return "cannot open the camera \(path): \(reason)."
        case let .streamUnavailable(url, reason):
            return "cannot open the stream \(url): \(reason). Check the address and that the server is up and reachable from here"
                + (url.lowercased().hasPrefix("rtsp")
                   ? " (RTSP behind a firewall may need TCP: SourceOptions.formatOptions [\"rtsp_transport\": \"tcp\"])." : ".")
        case let .streamLost(path, attempts, reason):
            return "lost \(path) and could not reopen it in \(attempts) attempt\(attempts == 1 ? "" : "s") "
                + "(last error: \(reason)). Check that the stream or camera is still there, or allow more "
                + "reconnect attempts."
        case let .inputTimedOut(url, seconds, stage):
            let span = seconds == seconds.rounded() ? "\(Int(seconds))" : String(seconds)
            return "nothing arrived from \(url) for \(span) s (\(stage)), so Backdrop gave up waiting. "
                + "Check that the sender is running and sending to this address and port (and that no firewall "
                + "drops it), or wait longer with --input-timeout SECONDS (SourceOptions.networkTimeout)."
        case let .interrupted(path, stage):
            return "stopped \(stage) \(path): a stop was requested (Ctrl-C or SIGTERM). Nothing is wrong with the input."
        case let .setupFileMissing(path, what):
            return "no \(what) at \(path). Set-up downloads it: run \(Checkout.setupCommand)."
        case let .ffmpeg(operation, code, message):
            return "FFmpeg failed while \(operation) (error \(code): \(message)). "
                + "The file may be damaged or need a codec this FFmpeg build lacks; `ffprobe` on it shows what FFmpeg sees."
        }
    }
}
