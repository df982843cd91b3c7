import BackdropCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written line by line over a run (JSON lines) that appears under its name only when the
/// run finishes: the lines go to a hidden temporary file beside it, renamed over the target by
/// ``finish()``. A run that fails calls ``abandon()`` instead, and an earlier good file stays.
public final class AtomicLineFile {
    public let path: String
    private let temporary: String
    private var descriptor: Int32

    public init(path: String) throws(MediaError) {
        self.path = path
        temporary = AtomicFile.temporaryPath(beside: path)
        descriptor = try AtomicFile.createExclusive(temporary, for: path)
    }

    deinit { abandon() }

    /// Appends `bytes` (a whole line, with its newline).
    public func append(_ bytes: [UInt8]) throws(MediaError) {
        guard descriptor >= 0 else { return }
        if let problem = AtomicFile.writeAll(bytes, to: descriptor) { throw .writeFailed(path: path, reason: problem) }
    }

    /// Syncs the lines to disk and moves the file into place.
    public func finish() throws(MediaError) {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        do throws(MediaError) {
            try AtomicFile.commit(temporary, to: path)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Deletes what was written; the target is left as it was.
    public func abandon() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporary)
    }
}
