#if canImport(Glibc)
import Glibc
#endif

/// Helpers the harnesses share.
public enum FuzzInput {
    /// A private folder for this process's temporary input file (in /dev/shm when there is one:
    /// every execution writes its input there).
    public static let folder: String = {
        let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(base)/backdrop-fuzz-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed: errno \(errno)") }
        let path = String(cString: made)
        atexit { _ = FuzzInput.cleanUp() }
        return path
    }()

    nonisolated(unsafe) private static var written: Set<String> = []

    /// Writes `size` bytes at `data` to `folder/name` (replacing it) and returns the path.
    public static func write(_ data: UnsafePointer<UInt8>?, _ size: Int, name: String) -> String {
        let path = "\(folder)/\(name)"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { fatalError("cannot write \(path): errno \(errno)") }
        var offset = 0
        while offset < size, let data {
            let count = Glibc.write(descriptor, data + offset, size - offset)
            if count < 0 { if errno == EINTR { continue }; fatalError("write failed: errno \(errno)") }
            offset += count
        }
        close(descriptor)
        written.insert(path)
        return path
    }

    @discardableResult
    static func cleanUp() -> Int32 {
        for path in written { unlink(path) }
        return rmdir(folder)
    }

    /// A file name whose extension matches the data's magic bytes (PNG, JPEG), as a user's file
    /// would have; anything else gets none and FFmpeg probes the content.
    public static func imageName(for data: UnsafePointer<UInt8>?, _ size: Int) -> String {
        guard let data, size >= 4 else { return "input" }
        if data[0] == 0x89, data[1] == 0x50, data[2] == 0x4E, data[3] == 0x47 { return "input.png" }
        if data[0] == 0xFF, data[1] == 0xD8 { return "input.jpg" }
        return "input"
    }
}
