/// Everything that can go wrong reading or writing media. Each case's description names the file,
/// the cause and what to do.
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
        case let .ffmpeg(operation, code, message):
            return "FFmpeg failed while \(operation) (error \(code): \(message)). "
                + "The file may be damaged or need a codec this FFmpeg build lacks; `ffprobe` on it shows what FFmpeg sees."
        }
    }
}
