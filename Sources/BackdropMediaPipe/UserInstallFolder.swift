import Foundation

/// The per-user folder `backdrop install` fills and both lookups search, so an app that embeds
/// Backdrop finds the runtime and the models wherever it runs:
///
/// - Linux and others: `$XDG_DATA_HOME/backdrop`, else `~/.local/share/backdrop` (the XDG base
///   directory rule);
/// - macOS: `~/Library/Application Support/Backdrop`.
///
/// Inside it: `mediapipe-1.2.2/libmediapipe.so` (`.dylib` on macOS) and `models/`. The version is in
/// the runtime's folder name so a later pin installs beside, not over, the one an app uses now.
public enum UserInstallFolder {
    /// The folder for the current user, from `environment` (HOME, XDG_DATA_HOME).
    public static func url(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        #if os(macOS)
        return URL(fileURLWithPath: home).appendingPathComponent("Library/Application Support/Backdrop")
        #else
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {  // the spec ignores relative values
            return URL(fileURLWithPath: data).appendingPathComponent("backdrop")
        }
        return URL(fileURLWithPath: home).appendingPathComponent(".local/share/backdrop")
        #endif
    }

    /// Where the runtime goes inside `folder`.
    public static func runtimePath(in folder: URL) -> URL {
        folder.appendingPathComponent("mediapipe-\(RuntimeWheel.mediapipeVersion)")
            .appendingPathComponent(MediaPipeRuntime.libraryFileName)
    }

    /// Where the models go inside `folder`.
    public static func modelsFolder(in folder: URL) -> URL {
        folder.appendingPathComponent("models")
    }
}
