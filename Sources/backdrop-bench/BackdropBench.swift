import ArgumentParser

@main
struct BackdropBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backdrop-bench",
        abstract: "Measurements of Backdrop (build with -c release), and test hooks.",
        subcommands: [Leaks.self, Speed.self, MediaSpeed.self, EffectsSpeed.self, Allocations.self, WriteSynthetic.self,
                      SizeSweep.self, ResizeSpeed.self, RecorderSpeed.self, PreviewSpeed.self, FaceFinding.self])
}
