import ArgumentParser

@main
struct BackdropBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backdrop-bench",
        abstract: "Measurements of Backdrop's MediaPipe binding (build with -c release).",
        subcommands: [Leaks.self, Speed.self, WriteSynthetic.self])
}
