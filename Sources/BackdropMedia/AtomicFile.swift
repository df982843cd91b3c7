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
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        if descriptor < 0 {
            throw .writeFailed(path: path, reason: "cannot create a file in its folder (\(systemMessage()))")
        }
        var finished = false
        defer { if !finished { unlink(temporary) } }

        var existing = stat()
        if stat(path, &existing) == 0 && existing.st_mode & S_IFMT == S_IFREG {
            _ = fchmod(descriptor, existing.st_mode & 0o7777)  // a replaced file keeps its permissions
        }
        var problem = writeAll(bytes, to: descriptor)
        if problem == nil && fsync(descriptor) != 0 { problem = "cannot flush it to disk (\(systemMessage()))" }
        if close(descriptor) != 0 && problem == nil { problem = "cannot finish writing it (\(systemMessage()))" }
        if let problem { throw .writeFailed(path: path, reason: problem) }
        if rename(temporary, path) != 0 {
            throw .writeFailed(path: path, reason: "cannot move the new file into place (\(systemMessage()))")
        }
        finished = true
    }

    /// A hidden, unique name in the same folder as `path`, so the final rename never crosses file systems.
    static func temporaryPath(beside path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let unique = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "\(folder).\(name.prefix(100)).\(unique).tmp"
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> String? {
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
