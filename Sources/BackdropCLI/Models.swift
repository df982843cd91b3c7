import ArgumentParser
import BackdropMediaPipe
import Foundation

struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show where the MediaPipe runtime and the models were found, and verify each against its SHA-256.",
        discussion: "`backdrop install` installs both for this user (scripts/setup.sh, in a checkout); "
            + "BACKDROP_MEDIAPIPE_LIB, BACKDROP_MODELS_DIR or --models point elsewhere.")

    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        var problems = 0
        let runtimePlaces = MediaPipeRuntime.candidatePlaces()
        if let runtime = runtimePlaces.first(where: { FileManager.default.isReadableFile(atPath: $0.path) }) {
            print("runtime: \(runtime.path) (\(runtime.origin.rawValue))")
            if let pinned = RuntimeWheel.forThisPlatform?.librarySHA256, !report(runtime.path, sha256: pinned) { problems += 1 }
        } else {
            print("runtime: NOT FOUND (tried: \(runtimePlaces.map(\.path).joined(separator: ", "))); run `\(InstallCommand.userInstall)`")
            problems += 1
        }

        let directory = modelOptions.directory
        print("models: \(directory.url.path) (\(directory.origin.rawValue))")
        for model in ModelDirectory.expected {
            let path = directory.url.appendingPathComponent(model.file).path
            guard FileManager.default.fileExists(atPath: path) else {
                print("  \(model.file): MISSING (looked in: \(directory.searched.map(\.path).joined(separator: ", "))); "
                    + "run `\(InstallCommand.userInstall)`")
                problems += 1
                continue
            }
            if !report(path, sha256: model.sha256, indent: "  \(model.file): ") { problems += 1 }
        }
        if problems > 0 { throw ExitCode(1) }
    }

    /// Prints the file's size and whether its digest is the pinned one; true when it is.
    private func report(_ path: String, sha256 pinned: String, indent: String = "  ") -> Bool {
        let digest = FileDigest.sha256(ofFile: path) ?? "unreadable"
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if digest == pinned {
            print("\(indent)\(size) bytes, sha256 verified")
            return true
        }
        print("\(indent)\(size) bytes, sha256 MISMATCH (got \(digest), want \(pinned)); run `\(InstallCommand.userInstall) --force`")
        return false
    }
}
