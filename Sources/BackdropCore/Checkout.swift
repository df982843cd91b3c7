import Foundation

/// Finds the Backdrop checkout this program runs from, where set-up puts the venv and models.
public enum Checkout {
    /// The nearest folder holding `scripts/setup.sh` and `Package.swift`, looking upward from the
    /// working directory and from the running executable (`.build/debug/backdrop` lives inside it).
    public static func root() -> URL? {
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        // Foundation finds the executable on every platform (/proc/self/exe on Linux, dyld on macOS).
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            starts.append(executable.deletingLastPathComponent())
        }
        for start in starts {
            var folder = start.standardizedFileURL
            while folder.path != "/" {
                let marker = folder.appendingPathComponent("scripts/setup.sh").path
                if FileManager.default.fileExists(atPath: marker),
                   FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                    return folder
                }
                folder.deleteLastPathComponent()
            }
        }
        return nil
    }

    /// The command that provisions everything, for error messages.
    public static var setupCommand: String {
        if let root = root() { return "\(root.path)/scripts/setup.sh" }
        return "scripts/setup.sh (in the Backdrop checkout)"
    }
}
