import ArgumentParser
import BackdropCore
import BackdropMedia
import BackdropMediaPipe
import Foundation

struct Leaks: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "RSS growth per call for each task in each running mode, on one instance.",
        discussion: """
        For every task (segmenter with confidence masks, segmenter with category mask, face landmarker)
        and every running mode (IMAGE, VIDEO, LIVE_STREAM), runs --calls calls on one instance and
        prints RSS growth per call after --warmup calls, over all calls and over the second half alone:
        growth that goes on in the second half is a leak, not a cache filling up.
        A few hundred bytes per call is ~50 MB/hour at 30 FPS.
        """)

    @Option(help: "A PNG or JPEG to feed (default: the checkout's .cache/astronaut.png).")
    var image: String?
    @Option(help: "Calls per task and mode, after warm-up.")
    var calls = 20_000
    @Option(help: "Warm-up calls before the first RSS sample.")
    var warmup = 1_000
    @Option(help: "Only these tasks (segmenter, segmenter+category, face-landmarker); default all.")
    var task: [String] = []
    @Option(help: "Only these modes (image, video, live); default all.")
    var mode: [String] = []

    func run() throws {
        let frame = try ImageFile.read(image ?? BenchInputs.defaultImage, as: .rgb)
        let models = ModelDirectory()
        let modes: [(String, RunningMode)] = [("image", .image), ("video", .video), ("live", .liveStream)]
        print("task               mode   calls   RSS before  RSS after   bytes/call  2nd half  MB/hour at 30 FPS  (\(frame.width)x\(frame.height) input)")
        for kind in TaskDriver.Kind.allCases where task.isEmpty || task.contains(kind.rawValue) {
            for (modeName, runningMode) in modes where mode.isEmpty || mode.contains(modeName) {
                let driver = try TaskDriver(kind: kind, mode: runningMode, models: models)
                var timestamp: Int64 = 0
                for _ in 0..<warmup { timestamp += 1; try driver.run(frame, timestampMs: timestamp) }
                let before = ProcessMemory.residentBytes()
                var middle = before
                for call in 0..<calls {
                    if call == calls / 2 { middle = ProcessMemory.residentBytes() }
                    timestamp += 1
                    try driver.run(frame, timestampMs: timestamp)
                }
                let after = ProcessMemory.residentBytes()
                try driver.close()
                let perCall = Double(after - before) / Double(max(1, calls))
                let perCallSecondHalf = Double(after - middle) / Double(max(1, calls - calls / 2))
                print(kind.rawValue.padding(toLength: 19, withPad: " ", startingAt: 0)
                      + modeName.padding(toLength: 7, withPad: " ", startingAt: 0)
                      + String(format: "%-8d%8.1f MB  %8.1f MB  %10.1f  %8.1f  %17.1f", calls, Double(before) / 1e6,
                               Double(after) / 1e6, perCall, perCallSecondHalf, perCallSecondHalf * 30 * 3600 / 1e6))
                fflush(nil)
            }
        }
    }
}

enum BenchInputs {
    static var defaultImage: String {
        (Checkout.root() ?? URL(fileURLWithPath: ".")).appendingPathComponent(".cache/astronaut.png").path
    }
}
