import BackdropCore
import CMediaPipe
import Foundation
import Synchronization

/// The loaded MediaPipe Tasks C runtime (`libmediapipe.so`; `libmediapipe.dylib` on macOS): its
/// entry points, resolved once per process.
///
/// The library is opened at run time (dlopen), so Backdrop builds without it; a task created
/// without it fails with ``MediaPipeError/runtimeNotFound(tried:setupCommand:)``, which lists every
/// place looked at (``candidatePlaces(explicitPath:environment:)`` gives the order) and the command
/// that installs it.
public struct MediaPipeRuntime: @unchecked Sendable {
    /// The path the library was loaded from.
    public let path: String
    let api: BDMediaPipeAPI

    private static let loaded = Mutex<MediaPipeRuntime?>(nil)

    /// The environment variable that names the library explicitly.
    public static let pathVariable = "BACKDROP_MEDIAPIPE_LIB"

    /// The runtime's file name on this platform, as the mediapipe wheel ships it.
    public static var libraryFileName: String {
        #if os(macOS)
        return "libmediapipe.dylib"
        #else
        return "libmediapipe.so"
        #endif
    }

    /// Loads the runtime (once per process) from the first readable place of
    /// ``candidatePlaces(explicitPath:environment:)``.
    public static func load(explicitPath: String? = nil) throws(MediaPipeError) -> MediaPipeRuntime {
        let result: Result<MediaPipeRuntime, MediaPipeError> = loaded.withLock { cached in
            let candidates = candidatePlaces(explicitPath: explicitPath).map(\.path)
            if let cached {
                if explicitPath == nil || candidates.first == cached.path { return .success(cached) }
            }
            guard let path = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
                return .failure(.runtimeNotFound(tried: candidates, setupCommand: InstallCommand.forThisProcess))
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

    /// Where the runtime is looked for, in order; the first readable file wins:
    ///
    /// 1. `explicitPath`, else `$BACKDROP_MEDIAPIPE_LIB`: when given, the only place;
    /// 2. the per-user install (``UserInstallFolder``), which `backdrop install` fills;
    /// 3. a mediapipe 1.2.2 wheel in the user's Python (`PythonSitePackages`: the active
    ///    virtualenv, pip's per-user folder, pyenv, the system's), only where its dist-info says 1.2.2;
    /// 4. the wheel in `$BACKDROP_VENV` and in the checkout's `.venv` (scripts/setup.sh makes it),
    ///    when running from a checkout.
    ///
    /// Never empty: the not-found error names each of these.
    public static func candidatePlaces(explicitPath: String? = nil,
                                       environment: [String: String] = ProcessInfo.processInfo.environment)
        -> [SearchedPlace]
    {
        if let explicitPath { return [SearchedPlace(path: explicitPath, origin: .argument)] }
        if let fromEnvironment = environment[pathVariable], !fromEnvironment.isEmpty {
            return [SearchedPlace(path: fromEnvironment, origin: .environment)]
        }
        let member = "mediapipe/tasks/c/\(libraryFileName)"
        var places = [SearchedPlace(path: UserInstallFolder.runtimePath(in: UserInstallFolder.url(environment: environment)).path,
                                    origin: .userInstall)]
        places += PythonSitePackages.folders(environment: environment).filter(PythonSitePackages.hasPinnedMediapipe).map {
            SearchedPlace(path: $0.appendingPathComponent(member).path, origin: .python)
        }
        var venvs: [URL] = []
        if let venv = environment["BACKDROP_VENV"], !venv.isEmpty { venvs.append(URL(fileURLWithPath: venv)) }
        if let root = Checkout.root() { venvs.append(root.appendingPathComponent(".venv")) }
        for venv in venvs {
            places += PythonSitePackages.folders(inVenv: venv).map {
                SearchedPlace(path: $0.appendingPathComponent(member).path, origin: .checkout)
            }
        }
        var seen = Set<String>()
        return places.filter { seen.insert($0.path).inserted }
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
