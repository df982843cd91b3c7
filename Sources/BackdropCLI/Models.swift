import ArgumentParser
import BackdropMediaPipe
import Foundation

struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show where the models are and verify each against its SHA-256.",
        discussion: "scripts/setup.sh provisions them; BACKDROP_MODELS_DIR or --models points elsewhere.")

    @Option(help: "Folder holding the models (default: $BACKDROP_MODELS_DIR, else the checkout's models/).")
    var models: String?

    func run() throws {
        let directory = ModelDirectory(explicit: models)
        print("models: \(directory.url.path)")
        var problems = 0
        for model in ModelDirectory.expected {
            let path = directory.url.appendingPathComponent(model.file).path
            guard FileManager.default.fileExists(atPath: path) else {
                print("  \(model.file): MISSING (run scripts/setup.sh)")
                problems += 1
                continue
            }
            let digest = try Self.sha256(of: path)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if digest == model.sha256 {
                print("  \(model.file): \(size) bytes, sha256 verified")
            } else {
                print("  \(model.file): \(size) bytes, sha256 MISMATCH (got \(digest), want \(model.sha256)); run scripts/setup.sh")
                problems += 1
            }
        }
        if problems > 0 { throw ExitCode(1) }
    }

    /// The digest from coreutils' sha256sum, present on every Debian machine.
    static func sha256(of path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }
}
