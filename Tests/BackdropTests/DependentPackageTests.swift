import BackdropCore
import BackdropTestSupport
import Foundation
import XCTest

/// Backdrop as a new user embeds it: a package in a temporary folder that depends on this checkout
/// by path, built with `swift build` and run from that folder, outside the checkout, with none of
/// Backdrop's variables set. It finds the runtime and the models only where `backdrop install`
/// put them (the per-user folder under a temporary HOME and XDG_DATA_HOME).
final class DependentPackageTests: XCTestCase {
    /// The app's main.swift: the library example of the README, one video file to another.
    /// An async app, as an embedder writes one: `run()` is awaited, the summary read afterwards.
    static let appMain = """
        import BackdropMedia
        import BackdropPipeline
        import Foundation

        do {
            let source = try FFmpegVideoSource(url: CommandLine.arguments[1])
            let sink = try VideoFileSink(path: CommandLine.arguments[2], width: source.width, height: source.height,
                                         frameRate: source.frameRate ?? 25)
            let pipeline = try Pipeline(source: source, sinks: [sink], configuration: PipelineConfiguration())
            try await pipeline.run()
            print("frames: \\(pipeline.summary?.run.framesOutput ?? 0)")
        } catch {
            FileHandle.standardError.write(Data("\\(error)\\n".utf8))
            exit(1)
        }
        """

    /// The checkout's `backdrop` binary, built beside this test bundle.
    var backdrop: String {
        Bundle.main.executableURL!.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("backdrop").path
    }

    func testAnAppThatDependsOnBackdropFindsWhatBackdropInstallPutInThePerUserFolder() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        let app = try buildApp(in: scratch)

        // A one-second cut of the talking head keeps the run short.
        let input = scratch.appendingPathComponent("input.mp4").path
        let cut = try runTool("ffmpeg", ["-v", "error", "-y", "-i", TestEnvironment.talkingHeadClip, "-frames:v", "25", "-c", "copy", input])
        XCTAssertEqual(cut.status, 0, cut.errors)

        // With an empty per-user folder the app fails, naming where it looked and the command that fixes it.
        let environment = Self.userEnvironment(home: scratch.appendingPathComponent("home"), data: scratch.appendingPathComponent("data"))
        let installFolder = scratch.appendingPathComponent("data/backdrop").path
        let output = scratch.appendingPathComponent("output.mp4").path
        let empty = try runIn(scratch, app, [input, output], environment: environment)
        XCTAssertNotEqual(empty.status, 0)
        XCTAssertTrue(empty.errors.contains(installFolder), empty.errors)
        XCTAssertTrue(empty.errors.contains("backdrop install"), empty.errors)

        // `backdrop install` from local files (the checkout's venv and models, verified by hash; no network).
        let sitePackages = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: TestEnvironment.root.appendingPathComponent(".venv/lib").path)
            .first { $0.hasPrefix("python3") })
        let install = try runIn(scratch, backdrop, ["install",
            "--source", TestEnvironment.root.appendingPathComponent(".venv/lib/\(sitePackages)/site-packages").path,
            "--source", TestEnvironment.modelsDirectory.path], environment: environment)
        XCTAssertEqual(install.status, 0, install.errors)
        XCTAssertTrue(install.stdout.contains("installed in \(installFolder)"), install.stdout)

        let run = try runIn(scratch, app, [input, output], environment: environment)
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertTrue(run.stdout.contains("frames: 25"), run.stdout)
        let probe = try runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                                            "stream=nb_read_frames", "-of", "csv=p=0", output])
        XCTAssertEqual(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "25", probe.errors)
    }

    /// Writes the app package, builds it, and copies its executable into `folder` (so it runs from
    /// outside the checkout). The build's scratch folder is kept in the checkout's .build, so a
    /// second run compiles only the app.
    private func buildApp(in folder: URL) throws -> String {
        let package = folder.appendingPathComponent("App")
        try FileManager.default.createDirectory(at: package.appendingPathComponent("Sources/App"), withIntermediateDirectories: true)
        // A path dependency's identity is its folder's name.
        let identity = TestEnvironment.root.lastPathComponent
        try """
            // swift-tools-version: 6.1
            import PackageDescription

            let package = Package(
                name: "App",
                platforms: [.macOS(.v15)],
                dependencies: [.package(path: "\(TestEnvironment.root.path)")],
                targets: [.executableTarget(name: "App", dependencies: [
                    .product(name: "Backdrop", package: "\(identity)"),
                ])]
            )
            """.write(to: package.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try Self.appMain.write(to: package.appendingPathComponent("Sources/App/main.swift"), atomically: true, encoding: .utf8)

        let buildFolder = TestEnvironment.root.appendingPathComponent(".build/dependent-package")
        let swift = ProcessInfo.processInfo.environment["PATH"].map { _ in "swift" } ?? "/opt/swift/usr/bin/swift"
        let build = try runIn(package, swift, ["build", "-q", "--scratch-path", buildFolder.path, "--product", "App"])
        XCTAssertEqual(build.status, 0, build.stdout + build.errors)
        let built = buildFolder.appendingPathComponent("debug/App")
        let copy = folder.appendingPathComponent("App-executable")
        try FileManager.default.copyItem(at: built, to: copy)
        return copy.path
    }

    /// This process's environment without any of Backdrop's variables or Python's, with HOME and
    /// XDG_DATA_HOME pointed at the given folders.
    static func userEnvironment(home: URL, data: URL) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["BACKDROP_MEDIAPIPE_LIB", "BACKDROP_MODELS_DIR", "BACKDROP_VENV", "VIRTUAL_ENV", "PYENV_ROOT"] {
            environment[name] = nil
        }
        environment["HOME"] = home.path
        environment["XDG_DATA_HOME"] = data.path
        return environment
    }

    /// Runs a program with `folder` as its working directory.
    private func runIn(_ folder: URL, _ tool: String, _ arguments: [String], environment: [String: String]? = nil) throws -> ToolRun {
        try runTool("/bin/sh", ["-c", "cd \"$0\" && exec \"$@\"", folder.path, tool] + arguments, environment: environment)
    }
}
