import ArgumentParser
import BackdropCore

/// `backdrop`: the root command; `Sources/backdrop/main.swift` runs it.
public struct BackdropCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "backdrop",
        abstract: "Person segmentation and face landmarks with Google MediaPipe, from Swift.",
        discussion: """
        Backdrop runs MediaPipe's Selfie Segmenter and Face Landmarker through MediaPipe's C runtime
        (libmediapipe.so from the mediapipe==1.2.2 wheel). In a checkout, scripts/setup.sh provides the
        runtime and the models; anywhere else, `backdrop install` puts both, verified by SHA-256, in
        the per-user folder (~/.local/share/backdrop). `backdrop models` says where each was found.

        Examples:
          backdrop run                                   (a demo on a synthetic scene -> out/demo.mp4)
          backdrop run --input talk.mp4 --output talk-blurred.mp4
          backdrop segment .cache/astronaut.png
          backdrop segment photo.jpg --output-dir out --no-faces
          backdrop segment photo.png --category-mask --models /opt/models
          backdrop install                               (the runtime and models for this user)
        """,
        subcommands: [Run.self, Segment.self, Devices.self, Models.self, Install.self],
        defaultSubcommand: nil)
}

extension BackdropCommand {
    /// Parses the process's arguments and runs the chosen subcommand, awaiting the async ones
    /// (`backdrop run`). What `AsyncParsableCommand.main()` does; called explicitly because from
    /// top-level code (`main.swift`) the synchronous `main()` is the overload Swift picks.
    public static func runAsMain() async {
        do {
            var command = try RunConfigFile.parseAsRoot(Array(CommandLine.arguments.dropFirst()))
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
