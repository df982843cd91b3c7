import Foundation

/// The site-packages folders of the Python installations a user is likely to have, where
/// `pip install mediapipe==1.2.2` puts the wheel (and with it the C runtime).
///
/// Found by listing the standard places rather than by asking `python3` where mediapipe is: that
/// would start a process (a pyenv shim is a shell script) inside a library call, with whatever
/// Python is first on PATH, and need a timeout; the listing costs a few directory reads, is the
/// same every time, and each folder can be named in the not-found error.
enum PythonSitePackages {
    /// Existing site-packages folders, in this order: the active virtualenv ($VIRTUAL_ENV), pip's
    /// per-user folder, pyenv's versions, then the system's.
    static func folders(environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        var patterns: [String] = []
        if let venv = environment["VIRTUAL_ENV"], !venv.isEmpty { patterns.append("\(venv)/lib/python3*/site-packages") }
        #if os(macOS)
        patterns += ["\(home)/Library/Python/3*/lib/python/site-packages"]
        #else
        patterns += ["\(home)/.local/lib/python3*/site-packages"]
        #endif
        let pyenv = environment["PYENV_ROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.pyenv"
        patterns.append("\(pyenv)/versions/*/lib/python3*/site-packages")
        #if os(macOS)
        patterns += ["/opt/homebrew/lib/python3*/site-packages", "/usr/local/lib/python3*/site-packages",
                     "/Library/Frameworks/Python.framework/Versions/3*/lib/python3*/site-packages"]
        #else
        patterns += ["/usr/local/lib/python3*/dist-packages", "/usr/local/lib/python3*/site-packages",
                     "/usr/lib/python3/dist-packages"]
        #endif
        return patterns.flatMap(expand)
    }

    /// The folders a venv keeps its packages in (`venv/lib/python3.X/site-packages`), existing or
    /// not (so an error can name where it looked).
    static func folders(inVenv venv: URL) -> [URL] {
        let found = expand("\(venv.path)/lib/python3*/site-packages")
        return found.isEmpty ? [venv.appendingPathComponent("lib/python3/site-packages")] : found
    }

    /// Whether the mediapipe wheel in `folder` is the pinned version (its dist-info folder says so);
    /// another version's runtime has another C ABI.
    static func hasPinnedMediapipe(_ folder: URL) -> Bool {
        FileManager.default.fileExists(
            atPath: folder.appendingPathComponent("mediapipe-\(RuntimeWheel.mediapipeVersion).dist-info").path)
    }

    /// The existing folders a pattern names, where `*` stands for the rest of one path component
    /// (only at its end, as in `python3*`); sorted, so the lookup is the same on every run.
    private static func expand(_ pattern: String) -> [URL] {
        var folders = [URL(fileURLWithPath: "/")]
        for component in pattern.split(separator: "/") {
            folders = folders.flatMap { folder -> [URL] in
                guard component.hasSuffix("*") else {
                    let next = folder.appendingPathComponent(String(component))
                    var isDirectory: ObjCBool = false
                    return FileManager.default.fileExists(atPath: next.path, isDirectory: &isDirectory) && isDirectory.boolValue
                        ? [next] : []
                }
                let prefix = component.dropLast()
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
                return names.filter { $0.hasPrefix(prefix) }.sorted().map { folder.appendingPathComponent($0) }
            }
        }
        return folders
    }
}
