import BackdropCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What kind of input a source's name points at. It decides how the input is opened and which
/// errors make sense for it.
enum SourceLocation: Equatable {
    case file(String)
    /// A printf pattern such as frames/%04d.png, read by libavformat's image2 demuxer.
    case imageSequence(String)
    /// A V4L2 device node, /dev/videoN.
    case camera(String)
    /// Anything with a URL scheme other than file: (rtsp, http, udp, rtp, srt, ...).
    case network(String)

    init(_ name: String) {
        if let scheme = name.firstRange(of: "://").map({ name[..<$0.lowerBound].lowercased() }), scheme != "file" {
            self = .network(name)
        } else if name.hasPrefix("/dev/video") || SourceLocation.isCharacterDevice(name) {
            self = .camera(name)
        } else if !SourceLocation.exists(name) && SourceLocation.hasFrameNumberPattern(name) {
            self = .imageSequence(name)
        } else {
            self = .file(name)
        }
    }

    /// Fails early, with the error that names the real problem, for inputs that plainly are not there.
    /// (FFmpeg's own message for these is just "No such file or directory".)
    func checkPresent() throws(MediaError) {
        switch self {
        case let .file(name):
            if name.hasPrefix("pipe:") || name.hasPrefix("fd:") { return }  // stdin or an inherited descriptor
            let path = SourceLocation.localPath(name)
            var info = stat()
            if stat(path, &info) != 0 {
                if errno == ENOENT || errno == ENOTDIR || path.isEmpty { throw .fileNotFound(path: name) }
                return  // e.g. no permission: FFmpeg's own error says so
            }
            if info.st_mode & S_IFMT == S_IFDIR { throw .notVideo(path: name, reason: "it is a folder") }
        case let .imageSequence(pattern):
            let folder = pattern.lastIndex(of: "/").map { String(pattern[..<$0]) } ?? "."
            if !folder.isEmpty && !SourceLocation.exists(folder) { throw .fileNotFound(path: folder) }
        case let .camera(path):
            var info = stat()
            if stat(path, &info) != 0 {
                throw errno == EACCES ? CameraErrors.permissionDenied(path) : CameraErrors.absent(path)
            }
            if info.st_mode & S_IFMT != S_IFCHR {
                throw .deviceUnavailable(path: path, reason: "it is not a device node; cameras are /dev/videoN, "
                    + "and `backdrop devices` lists the ones this machine has")
            }
        case .network:
            return
        }
    }

    /// The path of a file: URL (FFmpeg takes both forms), or the name itself.
    private static func localPath(_ name: String) -> String {
        for prefix in ["file://", "file:"] where name.hasPrefix(prefix) { return String(name.dropFirst(prefix.count)) }
        return name
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    private static func isCharacterDevice(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFCHR
    }

    /// Whether the name holds a %d or %0Nd conversion, as image2 expects.
    private static func hasFrameNumberPattern(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                var next = index + 1
                while next < bytes.count, bytes[next] >= UInt8(ascii: "0"), bytes[next] <= UInt8(ascii: "9") { next += 1 }
                if next < bytes.count, bytes[next] == UInt8(ascii: "d") { return true }
            }
            index += 1
        }
        return false
    }
}
