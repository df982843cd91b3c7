import BackdropCore
import CMediaPipe
import Foundation
import Synchronization

/// The loaded `libmediapipe.so`: its entry points, resolved once per process.
///
/// The library is opened at run time (dlopen), so Backdrop builds without it; a task created
/// without it fails with ``MediaPipeError/runtimeNotFound(tried:setupCommand:)``.
public struct MediaPipeRuntime: @unchecked Sendable {
    /// The path the library was loaded from.
    public let path: String
    let api: BDMediaPipeAPI

    private static let loaded = Mutex<MediaPipeRuntime?>(nil)

    /// The environment variable that names the library explicitly.
    public static let pathVariable = "BACKDROP_MEDIAPIPE_LIB"

    /// Loads the runtime (once per process). A path named explicitly (`explicitPath`, else
    /// `$BACKDROP_MEDIAPIPE_LIB`) is the only one tried; otherwise the MediaPipe wheel in
    /// `$BACKDROP_VENV` and in the checkout's `.venv` are.
    public static func load(explicitPath: String? = nil) throws(MediaPipeError) -> MediaPipeRuntime {
        let result: Result<MediaPipeRuntime, MediaPipeError> = loaded.withLock { cached in
            let candidates = candidatePaths(explicitPath: explicitPath)
            if let cached {
                if explicitPath == nil || candidates.first == cached.path { return .success(cached) }
            }
            guard let path = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
                return .failure(.runtimeNotFound(tried: candidates, setupCommand: Checkout.setupCommand))
            }
            if let cached {
                return .failure(.runtimeLoadFailed(path: path, reason: "this process already uses the runtime at \(cached.path)"))
            }
            var message = [CChar](repeating: 0, count: 1024)
            guard let api = bd_mediapipe_load(path, &message, message.count)?.pointee else {
                let reason = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                return .failure(.runtimeLoadFailed(path: path, reason: reason))
            }
            LiveStreamSlots.installDispatchers()
            let runtime = MediaPipeRuntime(path: path, api: api)
            cached = runtime
            return .success(runtime)
        }
        return try result.get()
    }

    static func candidatePaths(explicitPath: String?) -> [String] {
        if let explicitPath { return [explicitPath] }
        if let fromEnvironment = ProcessInfo.processInfo.environment[pathVariable], !fromEnvironment.isEmpty {
            return [fromEnvironment]
        }
        var paths: [String] = []
        var venvs: [URL] = []
        if let venv = ProcessInfo.processInfo.environment["BACKDROP_VENV"] { venvs.append(URL(fileURLWithPath: venv)) }
        if let root = Checkout.root() { venvs.append(root.appendingPathComponent(".venv")) }
        for venv in venvs {
            let lib = venv.appendingPathComponent("lib")
            let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib.path))?
                .filter { $0.hasPrefix("python3") }.sorted() ?? ["python3.11"]
            for python in pythons {
                paths.append(lib.appendingPathComponent("\(python)/site-packages/mediapipe/tasks/c/libmediapipe.so").path)
            }
        }
        return paths
    }

    /// Runs one status-returning C call and turns a failure into a typed error carrying
    /// MediaPipe's message (the message string is freed on every path).
    func check(_ operation: String, _ call: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32)
        -> MediaPipeError?
    {
        var message: UnsafeMutablePointer<CChar>? = nil
        let status = call(&message)
        defer { if let message { api.MpErrorFree(message) } }
        if status == 0 { return nil }
        let text = message.map { String(cString: $0) } ?? "no message"
        return .mediapipe(status: MediaPipeStatus(rawValue: status) ?? .unknown, operation: operation, message: text)
    }
}
