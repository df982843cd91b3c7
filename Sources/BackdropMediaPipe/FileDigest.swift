import Foundation

/// SHA-256 of a file, by the platform's own tool (Foundation has no hashing on Linux, and the
/// files are large: the runtime is 120 MB): coreutils' sha256sum on Linux, shasum on macOS.
public enum FileDigest {
    /// The lowercase hex digest, or nil when the file cannot be read.
    public static func sha256(ofFile path: String) -> String? {
        #if os(macOS)
        let (tool, arguments) = ("/usr/bin/shasum", ["-a", "256", path])
        #else
        let (tool, arguments) = ("/usr/bin/sha256sum", [path])
        #endif
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let digest = String(decoding: data, as: UTF8.self).prefix { $0 != " " }
        return digest.count == 64 ? String(digest) : nil
    }

    /// Whether `path` exists and has the digest `sha256`.
    public static func matches(_ path: String, sha256: String) -> Bool {
        self.sha256(ofFile: path) == sha256
    }
}
