import BackdropCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file's contents all at once: the bytes go to a temporary file in the same folder,
/// which is renamed over the target only after every byte is written and synced. On any failure
/// the temporary file is removed and the target is left as it was. Failures are `.writeFailed`
/// naming `path`. A replaced file keeps its permission bits.
public enum AtomicFile {
    public static func replace(_ path: String, with bytes: [UInt8]) throws(MediaError) {
        let temporary = temporaryPath(beside: path)
        let descriptor = try createExclusive(temporary, for: path)
        var finished = false
        defer { if !finished { unlink(temporary) } }

        var problem = writeAll(bytes, to: descriptor)
        if problem == nil && fsync(descriptor) != 0 { problem = "cannot flush it to disk (\(systemMessage()))" }
        if close(descriptor) != 0 && problem == nil { problem = "cannot finish writing it (\(systemMessage()))" }
        if let problem { throw .writeFailed(path: path, reason: problem) }
        try moveIntoPlace(temporary, path)
        finished = true
    }

    /// Finishes a temporary file that something else (a muxer) wrote and closed: syncs it to disk,
    /// then renames it over `path`. On failure the temporary file stays where it is.
    static func commit(_ temporary: String, to path: String) throws(MediaError) {
        let descriptor = open(temporary, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            throw .writeFailed(path: path, reason: "cannot reopen the finished temporary file \(temporary) (\(systemMessage()))")
        }
        let synced = fsync(descriptor) == 0
        let problem = synced ? nil : "cannot flush \(temporary) to disk (\(systemMessage()))"
        close(descriptor)
        if let problem { throw .writeFailed(path: path, reason: problem) }
        try moveIntoPlace(temporary, path)
    }

    /// Creates `temporary` (which must not exist) for writing; failures name `path`, the file the
    /// caller means to write, and say why the folder refused.
    static func createExclusive(_ temporary: String, for path: String) throws(MediaError) -> Int32 {
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        if descriptor >= 0 { return descriptor }
        let reason: String
        switch errno {
        case ENOENT:
            // Also what /proc and /sys answer: there the folder exists but takes no new files.
            var folder = stat()
            let parent = split(path).folder
            reason = stat(parent.isEmpty ? "." : parent, &folder) == 0 && folder.st_mode & S_IFMT == S_IFDIR
                ? "its folder exists but takes no new files (a special file system such as /proc or /sys); write somewhere else"
                : "its folder does not exist"
        case ENOTDIR: reason = "part of its folder path is not a folder"
        case EACCES, EPERM: reason = "no permission to create files in its folder"
        case EROFS: reason = "its folder is on a read-only file system"
        case ENOSPC, EDQUOT: reason = "the disk is full"
        default: reason = "cannot create a file in its folder"
        }
        throw .writeFailed(path: path, reason: "\(reason) (\(systemMessage()))")
    }

    /// Renames `temporary` over `path`; a replaced regular file's permission bits carry over.
    private static func moveIntoPlace(_ temporary: String, _ path: String) throws(MediaError) {
        var existing = stat()
        if stat(path, &existing) == 0 && existing.st_mode & S_IFMT == S_IFREG {
            _ = chmod(temporary, existing.st_mode & 0o7777)
        }
        if rename(temporary, path) != 0 {
            throw .writeFailed(path: path, reason: "cannot move the new file into place (\(systemMessage()))")
        }
    }

    /// A hidden, unique name in the same folder as `path`, so the final rename never crosses file systems.
    static func temporaryPath(beside path: String) -> String {
        let (folder, name) = split(path)
        return "\(folder).\(name.prefix(100)).\(uniqueSuffix()).tmp"
    }

    /// Like `temporaryPath(beside:)` but keeping the extension, for files that tools (muxers,
    /// ffprobe) recognise by it, and saying what it is: `clip.mkv` -> `.clip.3f9a0c.partial.mkv`.
    static func partialPath(beside path: String) -> String {
        let parts = partialParts(beside: path)
        return "\(parts.folder)\(parts.prefix)\(uniqueSuffix())\(parts.suffix)"
    }

    /// The fixed parts of every `partialPath(beside: path)`: its folder (empty or ending in `/`),
    /// the name's start (`.clip.`) and end (`.partial.mkv`); the unique part goes between.
    static func partialParts(beside path: String) -> (folder: String, prefix: String, suffix: String) {
        let (folder, name) = split(path)
        let dot = name.lastIndex(of: ".").flatMap { $0 == name.startIndex ? nil : $0 }
        let stem = dot.map { String(name[..<$0]) } ?? name
        let fileExtension = dot.map { String(name[$0...]) } ?? ""
        return (folder, ".\(stem.prefix(100)).", ".partial\(fileExtension.prefix(16))")
    }

    private static func split(_ path: String) -> (folder: String, name: String) {
        let slash = path.lastIndex(of: "/")
        return (slash.map { String(path[...$0]) } ?? "", slash.map { String(path[path.index(after: $0)...]) } ?? path)
    }

    private static func uniqueSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> String? {
        bytes.withUnsafeBytes { buffer -> String? in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return "cannot write its \(buffer.count) bytes (\(systemMessage()))"
                }
                offset += written
            }
            return nil
        }
    }

    private static func systemMessage() -> String {
        String(cString: strerror(errno))
    }
}
